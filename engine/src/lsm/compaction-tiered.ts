/**
 * Size-tiered compaction
 * ======================
 * Every table is one sorted run; runs are kept newest first. Merging runs of similar size
 * keeps the count logarithmic in the data (each byte is rewritten about once per tier),
 * at the price of more runs to read than leveled and of space: a merge of the biggest
 * tier needs room for a second copy of it.
 *
 *   runs (newest first)   [1 MB] [1 MB] [1 MB] [1 MB] [4 MB] [15 MB]
 *   buckets               └──── 4 runs, avg 1 MB ─────┘ └4 MB┘ └15 MB┘
 *   minThreshold = 4      merge the first bucket  ──►  [4 MB] [4 MB] [15 MB]
 *
 * Trigger, exactly. Walk the runs newest to oldest. A run joins the current bucket when
 *     avg · bucketLow ≤ size ≤ avg · bucketHigh    (avg: mean size of the bucket so far)
 * and otherwise starts a new bucket. The first bucket (newest) holding ≥ minThreshold
 * runs is compacted: its first maxThreshold runs (the newest), merged into one run that
 * takes their place. Buckets are made of neighbours only, so the runs stay ordered by
 * age and a read may stop at the first run that has the key. Tombstones are dropped only
 * when the merge includes the oldest run.
 *
 * Cassandra's STCS buckets sstables by size alone, whatever their age (it reads every
 * overlapping sstable and keeps the newest timestamp), and puts every sstable under
 * `min_sstable_size` (50 MB) in one bucket; its defaults are min_threshold 4,
 * max_threshold 32, bucket_low 0.5, bucket_high 1.5, the defaults here.
 */
import { DbError } from "../common/errors.js";
import type { TableInfo } from "./compaction.js";

export interface SizeTieredOptions {
  /** A bucket compacts when it holds at least this many runs (an integer ≥ 2). */
  readonly minThreshold: number;
  /** At most this many runs go into one merge (an integer ≥ minThreshold). */
  readonly maxThreshold: number;
  /** A run belongs with the bucket when its size is within [avg · bucketLow, avg · bucketHigh]. */
  readonly bucketLow: number;
  readonly bucketHigh: number;
}

export const DEFAULT_SIZE_TIERED: SizeTieredOptions = { minThreshold: 4, maxThreshold: 32, bucketLow: 0.5, bucketHigh: 1.5 };

export interface SizeTieredPick {
  /** The position of the first input in `runs`; the inputs are runs[start … start + inputs.length). */
  readonly start: number;
  readonly inputs: readonly TableInfo[];
  /** True when the inputs include the oldest run: tombstones may go. */
  readonly bottom: boolean;
}

/** Throws `invalid-argument` unless the options are in range. */
export function checkSizeTieredOptions(o: SizeTieredOptions): void {
  if (!Number.isInteger(o?.minThreshold) || o.minThreshold < 2) throw new DbError("invalid-argument", `minThreshold must be an integer ≥ 2, got ${String(o?.minThreshold)}`, {});
  if (!Number.isInteger(o.maxThreshold) || o.maxThreshold < o.minThreshold) {
    throw new DbError("invalid-argument", `maxThreshold must be an integer ≥ minThreshold (${o.minThreshold}), got ${String(o.maxThreshold)}`, {});
  }
  if (typeof o.bucketLow !== "number" || typeof o.bucketHigh !== "number" || !(o.bucketLow > 0) || !(o.bucketLow <= 1) || !(o.bucketHigh >= 1) || !Number.isFinite(o.bucketHigh)) {
    throw new DbError("invalid-argument", `need 0 < bucketLow ≤ 1 ≤ bucketHigh, got ${String(o.bucketLow)} and ${String(o.bucketHigh)}`, {});
  }
}

/** The size-tiered merge to run next over `runs` (newest first), or `undefined` when no bucket is full enough. */
export function pickSizeTiered(runs: readonly TableInfo[], options: SizeTieredOptions): SizeTieredPick | undefined {
  checkSizeTieredOptions(options);
  let start = 0;
  let sum = 0;
  for (let i = 0; i <= runs.length; i++) {
    const count = i - start;
    const avg = count === 0 ? 0 : sum / count;
    const size = i < runs.length ? runs[i]!.size : Number.NaN;
    const joins = count > 0 && size >= avg * options.bucketLow && size <= avg * options.bucketHigh;
    if (joins) {
      sum += size;
      continue;
    }
    if (count >= options.minThreshold) {
      const n = Math.min(count, options.maxThreshold);
      return { start, inputs: runs.slice(start, start + n), bottom: start + n === runs.length };
    }
    start = i;
    sum = size;
  }
  return undefined;
}
