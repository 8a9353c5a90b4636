/**
 * Workload key generators and traces
 * ==================================
 * Sequences of keys (page ids, row ids) that stand for the access patterns a cache or an
 * index meets, each from a seed, so every run and every replacer sees the same sequence:
 *
 *   uniformKeys     every key equally likely: no locality, the worst case for any cache
 *   zipfianKeys     rank r (0 = hottest) drawn with probability ∝ 1 / (r + 1)^θ: a few hot
 *                   keys, a long cold tail; θ = 0.99 is YCSB's default. Ranks map to keys
 *                   through a seeded permutation, so hot keys are not neighbours.
 *   sequentialKeys  0, 1, 2, … wrapping around: a table scan
 *   bufferPoolTraces  notebook 03's three traces: uniform, zipfian, and zipfian point reads
 *                   flooded by full scans of a second table (the pattern that flushes a
 *                   plain LRU cache, and that LRU-K and PostgreSQL's ring buffers resist)
 *
 * The zipfian sampler is exact: cumulative weights once, then a binary search per draw.
 * (YCSB uses Gray et al.'s closed-form approximation, which needs no table; at the sizes
 * here the table costs nothing and the distribution is the textbook one.)
 */
import { type PageId, Random } from "@workbook/engine";

function checkKeys(keys: number): void {
  if (!Number.isInteger(keys) || keys < 1) throw new RangeError(`keys must be a positive integer, got ${keys}`);
}

/** Keys 0 … keys − 1, uniformly. */
export function uniformKeys(seed: number, keys: number): () => number {
  checkKeys(keys);
  const rng = new Random(seed);
  return () => rng.int(keys);
}

/** Keys 0 … keys − 1, zipfian with skew `theta` (0 < θ < 1). */
export function zipfianKeys(seed: number, keys: number, theta = 0.99): () => number {
  checkKeys(keys);
  if (!(theta > 0 && theta < 1)) throw new RangeError(`theta must be strictly between 0 and 1, got ${theta}`);
  const rng = new Random(seed);
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let r = 0; r < keys; r++) cumulative[r] = total += 1 / Math.pow(r + 1, theta);
  const keyOfRank = rng.shuffle(Array.from({ length: keys }, (_, i) => i));
  return () => {
    const u = rng.float() * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return keyOfRank[lo]!;
  };
}

/** 0, 1, …, keys − 1, 0, 1, …: a scan, repeated. */
export function sequentialKeys(keys: number): () => number {
  checkKeys(keys);
  let next = 0;
  return () => {
    const k = next;
    next = (next + 1) % keys;
    return k;
  };
}

/** A sequence of page accesses, and which of them count towards a measurement. */
export interface Trace {
  readonly name: string;
  /** The page ids, in order. */
  readonly trace: Int32Array;
  /** Whether access i counts (warm-up accesses and scan pages do not). */
  readonly counted: Uint8Array;
  /** Pages on disk. */
  readonly pages: number;
}

export interface TraceOptions {
  /** Pages in the table the point reads hit; the flooding scan reads as many again. Default 1000. */
  readonly tablePages?: number;
  /** Accesses per trace. Default 30,000. */
  readonly length?: number;
  /** Leading accesses that only warm the pool. Default 5,000. */
  readonly warmUp?: number;
  /** Point reads between two scans in the flooding trace. Default 1,500. */
  readonly batch?: number;
}

/** Notebook 03's traces: uniform, zipfian, and scan flooding (point reads only counted). */
export function bufferPoolTraces(seed: number, options: TraceOptions = {}): Trace[] {
  const pages = options.tablePages ?? 1000;
  const length = options.length ?? 30_000;
  const warmUp = options.warmUp ?? 5_000;
  const batch = options.batch ?? 1500;
  const simple = (name: string, next: () => number): Trace => ({
    name,
    trace: Int32Array.from({ length }, next),
    counted: Uint8Array.from({ length }, (_, i) => (i >= warmUp ? 1 : 0)),
    pages,
  });
  // Point reads on pages 0 … pages − 1 in batches, each followed by a scan of the second table.
  const hot = zipfianKeys(seed + 2, pages);
  const trace: number[] = [];
  const counted: number[] = [];
  for (let round = 0; trace.length < length; round++) {
    for (let i = 0; i < batch; i++) trace.push(hot()), counted.push(round > 0 ? 1 : 0);
    for (let p = 0; p < pages; p++) trace.push(pages + p), counted.push(0);
  }
  return [
    simple("uniform", uniformKeys(seed, pages)),
    simple("zipfian", zipfianKeys(seed + 1, pages)),
    { name: "scan flooding", trace: Int32Array.from(trace.slice(0, length)), counted: Uint8Array.from(counted.slice(0, length)), pages: 2 * pages },
  ];
}

/** What replaying a trace needs of a buffer pool (the engine's, or one with a learner's replacer). */
export interface PoolLike {
  isResident(page: PageId): boolean;
  fetchPage(page: PageId): { readonly pageId: PageId };
  unpinPage(page: PageId, isDirty: boolean): unknown;
}

/** The share of counted accesses that found their page resident, replaying `t` on `pool`. */
export function hitRatio(t: Trace, pool: PoolLike): number {
  let hits = 0;
  let counted = 0;
  for (let i = 0; i < t.trace.length; i++) {
    const page = t.trace[i] as PageId;
    const hit = pool.isResident(page);
    pool.unpinPage(pool.fetchPage(page).pageId, false);
    if (t.counted[i]) {
      counted++;
      if (hit) hits++;
    }
  }
  return hits / counted;
}
