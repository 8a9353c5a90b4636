/**
 * Compaction: the contract
 * ========================
 * An LSM tree never updates a table: it writes new ones. Compaction keeps the pile of
 * tables small by merging some of them into new ones, dropping the versions that newer
 * ones shadow (always) and tombstones (only where nothing older is left below). Which
 * tables, and when, is the strategy; the merge itself is the same for every strategy.
 *
 * Leveled (LevelDB, RocksDB's default)
 * ------------------------------------
 *   L0  [a-z] [c-q] [b-m]        flushed memtables, newest first, ranges overlap
 *   L1  [a-f][g-m][n-z]          sorted, disjoint, bytes(L1) ≤ base
 *   L2  [a-c][d-e]…[x-z]         sorted, disjoint, bytes(L2) ≤ base · ratio
 *   Li                           bytes(Li) ≤ base · ratio^(i−1); the last level is unbounded
 *
 * Triggers, exactly:
 *   L0 compacts when  count(L0) ≥ l0Trigger                         score count(L0) / l0Trigger
 *   Li (1 ≤ i < last) when  bytes(Li) > base · ratio^(i−1)            score bytes(Li) / limit(i)
 * When several levels qualify, the highest score goes first (a tie: the lower level).
 * Inputs: for L0 every L0 table (their ranges overlap, so none can go alone); for Li the
 * oldest table of the level (smallest file number). Then every table of L(i+1) whose range
 * intersects the inputs' range [min smallest, max largest] joins. The output goes to
 * L(i+1), cut into tables of about `targetSize`. Tombstones may be dropped (`bottom`) only
 * when no table in a level below L(i+1) overlaps that range: nothing older is left to hide.
 *
 * Size-tiered (Cassandra's STCS; RocksDB's "universal" is a relative)
 * -------------------------------------------------------------------
 * Every table is one sorted run, newest first (kept in levels[0]). Runs are grouped into
 * buckets of neighbours of similar size; a bucket of ≥ minThreshold runs is merged into
 * one run. Exact rule in compaction-tiered.ts. Fewer rewrites than leveled (write
 * amplification ~ number of tiers instead of ~ ratio per level), more runs to read and up
 * to twice the space while a big merge runs.
 *
 * Exercise 06.4 writes `pickCompaction` and `compactStep` (compaction-step.ts is the
 * engine's, and the reference answer); `LsmTree.open(store, { algorithms: { … } })` runs
 * the ones given and the engine's for the rest, through `resolvePlugins`.
 */
import { DbError } from "../common/errors.js";
import { resolvePlugins } from "../common/plugins.js";
import type { LsmEntry } from "./entry.js";

/** What a compaction decision needs to know about one table. */
export interface TableInfo {
  readonly fileNumber: number;
  /** The smallest and largest key in the table (tombstones included). */
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
  /** The table file's length in bytes. */
  readonly size: number;
}

/**
 * The tables level by level: `levels[0]` newest first (ranges may overlap), every
 * `levels[i ≥ 1]` sorted by key with disjoint ranges. `levels.length` is the number of
 * levels; the last one is never compacted further.
 */
export type LevelLayout = readonly (readonly TableInfo[])[];

export interface LeveledOptions {
  /** L0 compacts when it holds at least this many tables (an integer ≥ 1; LevelDB: 4). */
  readonly l0Trigger: number;
  /** The byte limit of L1 (> 0; LevelDB: 10 MiB). */
  readonly baseLevelBytes: number;
  /** Each level below L1 may hold this many times the bytes of the one above (> 1; LevelDB: 10). */
  readonly levelRatio: number;
}

/** One compaction chosen by `pickCompaction`. */
export interface CompactionPick {
  /** The level compacted, and where its output goes (`level + 1`). */
  readonly level: number;
  readonly outputLevel: number;
  /** The tables taken from `level`, in the level's order. */
  readonly inputs: readonly TableInfo[];
  /** The tables of `outputLevel` whose ranges intersect the inputs' range, in key order. */
  readonly overlapping: readonly TableInfo[];
  /** True when no level below `outputLevel` has a table overlapping the compaction's range: tombstones may go. */
  readonly bottom: boolean;
}

export interface CompactStepOptions {
  /** Drop tombstones (a compaction into the bottom of the tree). Shadowed versions go in every case. */
  readonly dropTombstones: boolean;
  /** Cut an output table once its entries' `compactionEntrySize` reach this many bytes (> 0; Infinity: one table). */
  readonly targetSize: number;
}

/** The pluggable pieces of compaction (exercise 06.4); the engine's are in compaction-step.ts. */
export interface CompactionAlgorithms {
  /**
   * 06.4: the leveled compaction to run next, or `undefined` when no level is over its
   * trigger. Throws `invalid-argument` for options out of range or a level ≥ 1 that is not
   * sorted and disjoint.
   */
  readonly pickCompaction: (levels: LevelLayout, options: LeveledOptions) => CompactionPick | undefined;
  /**
   * 06.4: merge `inputs` (sorted sources, newest first) into the entries of the output
   * tables: every key once with its newest version, tombstones only when they are kept,
   * cut into consecutive runs at `targetSize` (a run ends with the entry that brings it to
   * ≥ targetSize; the last run may be smaller; no empty run). The runs may come as a list
   * or one at a time (a generator: the tree writes each run as a table as it comes, so
   * one output table at a time is in memory). Throws `invalid-argument` for a bad target
   * size, at the latest when the first run is asked for.
   */
  readonly compactStep: (inputs: readonly Iterable<LsmEntry>[], options: CompactStepOptions) => Iterable<LsmEntry[]>;
}

/** The bytes an entry counts for toward `targetSize`: key plus value (a tombstone has none). */
export function compactionEntrySize(entry: LsmEntry): number {
  return entry.key.length + (entry.value === undefined ? 0 : entry.value.length);
}

/** The byte limit of level `i ≥ 1`: base · ratio^(i−1). */
export function levelLimit(level: number, options: LeveledOptions): number {
  return options.baseLevelBytes * options.levelRatio ** (level - 1);
}

/** Throws `invalid-argument` unless the leveled options are in range. */
export function checkLeveledOptions(options: LeveledOptions): void {
  const o = options as Partial<LeveledOptions> | undefined;
  if (o === undefined || o === null || typeof o !== "object") throw new DbError("invalid-argument", "leveled options must be an object { l0Trigger, baseLevelBytes, levelRatio }", {});
  if (!Number.isInteger(o.l0Trigger) || (o.l0Trigger as number) < 1) {
    throw new DbError("invalid-argument", `l0Trigger must be an integer ≥ 1, got ${String(o.l0Trigger)}`, { l0Trigger: o.l0Trigger });
  }
  if (typeof o.baseLevelBytes !== "number" || !(o.baseLevelBytes > 0) || !Number.isFinite(o.baseLevelBytes)) {
    throw new DbError("invalid-argument", `baseLevelBytes must be a number > 0, got ${String(o.baseLevelBytes)}`, { baseLevelBytes: o.baseLevelBytes });
  }
  if (typeof o.levelRatio !== "number" || !(o.levelRatio > 1) || !Number.isFinite(o.levelRatio)) {
    throw new DbError("invalid-argument", `levelRatio must be a number > 1, got ${String(o.levelRatio)}`, { levelRatio: o.levelRatio });
  }
}

/** `defaults` with the functions of `overrides` put in (see common/plugins.ts). */
export function resolveCompactionAlgorithms(defaults: CompactionAlgorithms, overrides: Partial<CompactionAlgorithms> | undefined): CompactionAlgorithms {
  return resolvePlugins(defaults, overrides, "compaction algorithm");
}
