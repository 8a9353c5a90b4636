/**
 * One compaction step (exercise 06.4)
 * ===================================
 * The two pieces of a leveled compaction, as the contract (compaction.ts) states them:
 *
 *   pickCompaction(levels, options)        which level is over its trigger, which tables
 *                                          go in, which tables of the next level overlap
 *   compactStep(inputs, options)           merge them, newest wins, and cut the result
 *                                          into output tables of about targetSize bytes
 *
 *   L0  [b─────m] [a──f]            count(L0) = 2 ≥ l0Trigger = 2 → compact L0
 *   L1  [a─c] [d──h] [k─p] [q─z]    overlapping [a, m]: [a─c] [d──h] [k─p]
 *        ⇓ merge 5 tables, cut at targetSize
 *   L1  [a──d] [e──j] [k─p] [q─z]   sorted, disjoint again
 *
 * Costs: picking is O(tables); a step reads every input entry once, O(n log k) for n
 * entries in k inputs, and holds one output run in memory at a time (a generator: the
 * tree writes each run as an SSTable before asking for the next). LevelDB's
 * `PickCompaction` is the same choice with two refinements we skip: a round-robin "compact pointer" per level instead of the oldest table, and growing the
 * inputs at level i when that does not pull in more of level i+1; it also moves a table
 * down without rewriting it when nothing overlaps it ("trivial move").
 */
import { DbError } from "../common/errors.js";
import { compareBytes } from "../index/key-codec.js";
import {
  type CompactionPick,
  type CompactStepOptions,
  checkLeveledOptions,
  compactionEntrySize,
  type LeveledOptions,
  type LevelLayout,
  levelLimit,
  type TableInfo,
} from "./compaction.js";
import type { LsmEntry } from "./entry.js";
import { mergeIterator } from "./merge-iterator.js";

/** The leveled compaction to run next, or `undefined` when every level is within its trigger. */
export function pickCompaction(levels: LevelLayout, options: LeveledOptions): CompactionPick | undefined {
  checkLeveledOptions(options);
  if (!Array.isArray(levels as unknown) || levels.length < 2) {
    throw new DbError("invalid-argument", `levels must be a list of at least 2 levels, got ${Array.isArray(levels as unknown) ? levels.length : typeof levels}`, {});
  }
  for (let i = 1; i < levels.length; i++) {
    const level = levels[i]!;
    for (let j = 1; j < level.length; j++) {
      if (compareBytes(level[j - 1]!.largest, level[j]!.smallest) >= 0) {
        throw new DbError("invalid-argument", `level ${i} is not sorted and disjoint: table ${level[j - 1]!.fileNumber} ends at or after the start of table ${level[j]!.fileNumber}`, {
          level: i,
          fileNumber: level[j]!.fileNumber,
        });
      }
    }
  }

  // The level with the highest score among those over their trigger; a tie keeps the lower.
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < levels.length - 1; i++) {
    const level = levels[i]!;
    let score: number;
    if (i === 0) {
      if (level.length < options.l0Trigger) continue;
      score = level.length / options.l0Trigger;
    } else {
      const bytes = level.reduce((sum, t) => sum + t.size, 0);
      const limit = levelLimit(i, options);
      if (!(bytes > limit)) continue;
      score = bytes / limit;
    }
    if (best < 0 || score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  if (best < 0) return undefined;

  const level = levels[best]!;
  const inputs: TableInfo[] =
    best === 0 ? [...level] : [level.reduce((oldest, t) => (t.fileNumber < oldest.fileNumber ? t : oldest))];
  let lo = inputs[0]!.smallest;
  let hi = inputs[0]!.largest;
  for (const t of inputs) {
    if (compareBytes(t.smallest, lo) < 0) lo = t.smallest;
    if (compareBytes(t.largest, hi) > 0) hi = t.largest;
  }
  const overlapping = levels[best + 1]!.filter((t) => overlaps(t, lo, hi));
  for (const t of overlapping) {
    if (compareBytes(t.smallest, lo) < 0) lo = t.smallest;
    if (compareBytes(t.largest, hi) > 0) hi = t.largest;
  }
  let bottom = true;
  for (let i = best + 2; i < levels.length && bottom; i++) {
    if (levels[i]!.some((t) => overlaps(t, lo, hi))) bottom = false;
  }
  return { level: best, outputLevel: best + 1, inputs, overlapping, bottom };
}

/** Merge `inputs` (newest first) and cut the result into runs of about `targetSize` bytes, one run at a time. */
export function compactStep(inputs: readonly Iterable<LsmEntry>[], options: CompactStepOptions): Iterable<LsmEntry[]> {
  const target = options.targetSize;
  if (typeof target !== "number" || !(target > 0)) {
    throw new DbError("invalid-argument", `targetSize must be a number > 0 (Infinity for one table), got ${String(target)}`, { targetSize: target });
  }
  return cut(mergeIterator(inputs, { dropTombstones: options.dropTombstones === true }), target);
}

function* cut(entries: Iterable<LsmEntry>, target: number): Generator<LsmEntry[]> {
  let run: LsmEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    run.push(entry);
    bytes += compactionEntrySize(entry);
    if (bytes >= target) {
      yield run;
      run = [];
      bytes = 0;
    }
  }
  if (run.length > 0) yield run;
}

function overlaps(t: TableInfo, lo: Uint8Array, hi: Uint8Array): boolean {
  return compareBytes(t.smallest, hi) <= 0 && compareBytes(t.largest, lo) >= 0;
}
