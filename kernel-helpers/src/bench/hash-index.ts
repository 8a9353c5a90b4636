/**
 * Hash index measurements
 * =======================
 * One place notebook 06's hash-index cells and `npm run bench -- hash-index` get their
 * numbers from. The cells pass the pieces `choose()` picked (the learner's insert and
 * split once 06.1 passes, the learner's B+tree algorithms once 05.x pass); the suite
 * passes none, so the engine's run.
 *
 *   buildHashAndTree(pieces, setup)   the same keys (0, 2, 4 … in a seeded random order),
 *                                     inserted one by one into an ExtendibleHashIndex and
 *                                     a unique BPlusTree, each in its own buffer pool of
 *                                     `frames` frames over `pageSize`-byte pages
 *   pointLookupPages(built, probes)   page fetches and disk reads per lookup, counted by
 *                                     the pools (the same probes on both)
 *   measurePointLookups(…)            lookups per second, interleaved rounds, the hash
 *                                     index against the B+tree: `compare()` gives the ratio
 *   rangeQueryPages(built, widths)    lo ≤ k < hi for each width: the B+tree's range scan
 *                                     (a descent, then leaves), the hash index probing every
 *                                     possible key (one get per integer in [lo, hi)), and
 *                                     the hash index reading every bucket; page fetches and
 *                                     entries found for each
 *
 * Counts (pages, entries) are the same on every machine; only lookups per second are
 * timing. A page fetch is a `fetchPage` (a pool hit or a miss); a disk read is a miss.
 * The hash index keeps its directory in memory (one page at most, written through), so
 * a lookup fetches one page; the B+tree fetches one page per level, the root included.
 */
import {
  BPlusTree,
  BufferPoolManager,
  ClockReplacer,
  ExtendibleHashIndex,
  MemoryDiskManager,
  Random,
  decodeKey,
  rid,
  type BTreeAlgorithms,
  type BufferPool,
  type HashIndexAlgorithms,
} from "@workbook/engine";
import type { ChartSpec } from "../display/chart.js";
import { bench, type BenchResult, type Comparison } from "./bench.js";

/** Task names, as the tables print them and `compare()` takes them. */
export const HASH_TASKS = { hash: "extendible hash", tree: "B+tree" } as const;

/** What the measurement is built from: the pieces `choose()` picked (absent: the engine's). */
export interface HashIndexPieces {
  readonly hashAlgorithms?: Partial<HashIndexAlgorithms>;
  readonly btreeAlgorithms?: Partial<BTreeAlgorithms>;
}

export interface HashIndexSetup {
  /** Keys in both indexes: 0, 2, 4 … 2(n − 1), inserted in a seeded random order. */
  readonly keys: number;
  /** Frames of each index's buffer pool (the same for both). */
  readonly frames: number;
  /** Default 8192. */
  readonly pageSize?: number;
  /** Default 2026. */
  readonly seed?: number;
}

/** The two indexes over the same keys. */
export interface BuiltIndexes {
  readonly setup: Required<HashIndexSetup>;
  readonly hash: ExtendibleHashIndex;
  readonly tree: BPlusTree;
  /** The keys, in insertion order. */
  readonly keys: readonly number[];
}

/** The sizes the notebook (small) and `npm run bench` (full) use. */
export const HASH_INDEX_SIZES = {
  small: { keys: [5_000, 20_000], lookups: 2_000, time: 300, widths: [10, 100, 1_000] },
  full: { keys: [10_000, 50_000, 200_000], lookups: 20_000, time: 1_500, widths: [10, 100, 1_000, 10_000] },
} as const;

function poolOf(frames: number, pageSize: number): BufferPool {
  const disk = new MemoryDiskManager({ pageSize });
  return new BufferPoolManager({ frames, disk, replacer: new ClockReplacer(frames) });
}

/** Build both indexes from the same keys in the same order, each in a pool of `frames` frames. */
export function buildHashAndTree(pieces: HashIndexPieces, setup: HashIndexSetup): BuiltIndexes {
  const full: Required<HashIndexSetup> = { pageSize: 8192, seed: 2026, ...setup };
  const keys = new Random(full.seed).shuffle(Array.from({ length: full.keys }, (_, i) => i * 2));
  const hash = ExtendibleHashIndex.create(poolOf(full.frames, full.pageSize), { algorithms: pieces.hashAlgorithms ?? {} });
  const tree = BPlusTree.create(poolOf(full.frames, full.pageSize), { unique: true, algorithms: pieces.btreeAlgorithms ?? {} });
  for (const k of keys) {
    hash.insert(k, rid(k % 4000, k % 100));
    tree.insert(k, rid(k % 4000, k % 100));
  }
  return { setup: full, hash, tree, keys };
}

/** `count` probes: present keys, seeded. */
export function lookupProbes(built: BuiltIndexes, count: number): number[] {
  const r = new Random(built.setup.seed + 1);
  return Array.from({ length: count }, () => built.keys[r.int(built.keys.length)]!);
}

function fetches(pool: BufferPool): { fetched: number; read: number } {
  return { fetched: pool.stats.hits + pool.stats.misses, read: pool.stats.misses };
}

export interface LookupPagesRow {
  readonly index: string;
  readonly keys: number;
  readonly frames: number;
  /** Pages the index uses (the B+tree's meta page and the hash index's directory included). */
  readonly pages: number;
  /** "global depth 7, 128 slots, 70 buckets" or "height 2". */
  readonly shape: string;
  readonly pageFetchesPerLookup: number;
  readonly diskReadsPerLookup: number;
}

/** Page fetches and disk reads per lookup of `probes` (all found), on each index. */
export function pointLookupPages(built: BuiltIndexes, probes: readonly number[]): LookupPagesRow[] {
  const { hash, tree } = built;
  const count = (index: string, pool: BufferPool, get: (k: number) => unknown, pages: number, shape: string): LookupPagesRow => {
    const before = fetches(pool);
    for (const k of probes) if (get(k) === undefined) throw new Error(`${index}: key ${k} not found`);
    const after = fetches(pool);
    return {
      index,
      keys: built.keys.length,
      frames: built.setup.frames,
      pages,
      shape,
      pageFetchesPerLookup: (after.fetched - before.fetched) / probes.length,
      diskReadsPerLookup: (after.read - before.read) / probes.length,
    };
  };
  return [
    count(HASH_TASKS.hash, hash.pool, (k) => hash.get(k), hash.pageCount, `global depth ${hash.globalDepth}, ${2 ** hash.globalDepth} slots, ${hash.bucketCount} buckets`),
    count(HASH_TASKS.tree, tree.pool, (k) => tree.get(k), tree.pageCount, `height ${tree.height}`),
  ];
}

export interface LookupMeasurement {
  readonly keys: number;
  readonly result: BenchResult;
  /** The hash index against the B+tree: > 1 means the hash index does more lookups per second. */
  readonly hashVsTree: Comparison;
  readonly pages: readonly LookupPagesRow[];
}

/** Lookups per second of the same probes on both indexes, in interleaved rounds, with pages per lookup. */
export async function measurePointLookups(built: BuiltIndexes, options: { lookups: number; time?: number }): Promise<LookupMeasurement> {
  const probes = lookupProbes(built, options.lookups);
  const pages = pointLookupPages(built, probes);
  const { hash, tree } = built;
  const result = await bench(
    {
      [HASH_TASKS.tree]: () => {
        let s = 0;
        for (const k of probes) s += tree.get(k)!.slot;
        return s;
      },
      [HASH_TASKS.hash]: () => {
        let s = 0;
        for (const k of probes) s += hash.get(k)!.slot;
        return s;
      },
    },
    { time: options.time ?? 500, perCall: probes.length, baseline: HASH_TASKS.tree, title: `${probes.length} lookups of present keys, ${built.keys.length} keys` },
  );
  return { keys: built.keys.length, result, hashVsTree: result.compare(HASH_TASKS.hash, HASH_TASKS.tree), pages };
}

export interface RangeQueryRow {
  /** "B+tree range scan", "hash: probe every key in [lo, hi)", "hash: read every bucket". */
  readonly method: string;
  readonly keys: number;
  /** hi − lo: how many integers the range spans (half of them are keys: keys are even). */
  readonly width: number;
  readonly entriesFound: number;
  readonly pageFetches: number;
}

export const RANGE_METHODS = {
  tree: "B+tree range scan",
  probe: "hash: probe every key in [lo, hi)",
  scan: "hash: read every bucket",
} as const;

/**
 * `lo ≤ k < hi` with lo in the middle of the keys, for each width: entries found and page
 * fetches by each method. The three find the same entries (checked).
 */
export function rangeQueryPages(built: BuiltIndexes, widths: readonly number[]): RangeQueryRow[] {
  const { hash, tree } = built;
  const rows: RangeQueryRow[] = [];
  for (const width of widths) {
    const lo = built.keys.length - Math.floor(width / 2);
    const hi = lo + width;
    const measure = (method: string, pool: BufferPool, run: () => number): void => {
      const before = fetches(pool).fetched;
      const entriesFound = run();
      rows.push({ method, keys: built.keys.length, width, entriesFound, pageFetches: fetches(pool).fetched - before });
    };
    measure(RANGE_METHODS.tree, tree.pool, () => [...tree.range(lo, hi, { hiInclusive: false })].length);
    measure(RANGE_METHODS.probe, hash.pool, () => {
      let found = 0;
      for (let k = lo; k < hi; k++) if (hash.get(k) !== undefined) found++;
      return found;
    });
    measure(RANGE_METHODS.scan, hash.pool, () => {
      let found = 0;
      for (const { key } of hash.entries()) {
        const k = keyNumber(key);
        if (k >= lo && k < hi) found++;
      }
      return found;
    });
    const found = new Set(rows.slice(-3).map((r) => r.entriesFound));
    if (found.size !== 1) throw new Error(`range [${lo}, ${hi}): the three methods found ${rows.slice(-3).map((r) => r.entriesFound).join(", ")} entries`);
  }
  return rows;
}

/** An encoded int key back to a number. */
function keyNumber(key: Uint8Array): number {
  return Number(decodeKey(key, "int"));
}

/** Lookups per second against keys in the index, one line per index. */
export function lookupChart(measurements: readonly LookupMeasurement[], takeaway?: string): ChartSpec {
  const values = measurements.flatMap((m) => m.result.rows.map((row) => ({ index: row.name, keys: m.keys, lookupsPerSecond: Math.round(row.opsPerSec) })));
  return {
    title: { text: "Point lookups: extendible hash index against B+tree", ...(takeaway === undefined ? {} : { subtitle: takeaway }) },
    data: { values },
    width: 360,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "keys", type: "quantitative", scale: { type: "log" }, title: "keys in the index (log scale)", axis: { labelExpr: "format(datum.value, '~s')" } },
      y: { field: "lookupsPerSecond", type: "quantitative", title: "lookups per second", axis: { labelExpr: "format(datum.value, '~s')" } },
      color: { field: "index", type: "nominal", title: null, legend: { orient: "bottom" } },
    },
  };
}

/** Page fetches of a range query against its width, one line per method (log-log). */
export function rangeChart(rows: readonly RangeQueryRow[], takeaway?: string): ChartSpec {
  return {
    title: { text: "Range query lo ≤ k < hi: pages fetched", ...(takeaway === undefined ? {} : { subtitle: takeaway }) },
    data: { values: rows },
    width: 360,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "width", type: "quantitative", scale: { type: "log" }, title: "hi − lo (log scale)", axis: { labelExpr: "format(datum.value, '~s')" } },
      y: { field: "pageFetches", type: "quantitative", scale: { type: "log" }, title: "pages fetched (log scale)", axis: { labelExpr: "format(datum.value, '~s')" } },
      color: { field: "method", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 320 } },
    },
  };
}
