/**
 * Workload key generators
 * =======================
 * Sequences of keys (page ids, row ids) that stand for the access patterns a cache or an
 * index meets, each from a seed so every run and every replacer sees the same sequence:
 *
 *   uniform      every key equally likely: no locality, the worst case for any cache
 *   zipfian      key k (by popularity rank) drawn with probability ∝ 1 / k^θ: a few hot
 *                keys, a long cold tail; θ = 0.99 is YCSB's default
 *   sequential   0, 1, 2, … wrapping around: a table scan
 *   scan-flood   zipfian point reads, interrupted by full sequential scans: the pattern
 *                that flushes a plain LRU cache and that LRU-K and PostgreSQL's ring
 *                buffers are built to resist
 *
 * The zipfian sampler is Gray et al.'s closed form ("Quickly generating billion-record
 * synthetic databases", 1994), as YCSB uses: one uniform draw per key, no tables. Ranks
 * are scattered over the key space by a fixed permutation, so hot keys are not all
 * neighbours (which would flatter any cache that prefetches).
 */
import { Random } from "@workbook/engine";

export type WorkloadKind = "uniform" | "zipfian" | "sequential" | "scan-flood";

export interface WorkloadOptions {
  /** Keys are 0 … keys − 1. */
  readonly keys: number;
  /** How many accesses to generate. */
  readonly count: number;
  readonly seed?: number;
  /** Zipfian skew; default 0.99. */
  readonly theta?: number;
  /** scan-flood: one full scan after every this many point reads; default 4 × keys. */
  readonly scanEvery?: number;
}

function checkOptions(o: WorkloadOptions): void {
  if (!Number.isInteger(o.keys) || o.keys < 1) throw new RangeError(`keys must be a positive integer, got ${o.keys}`);
  if (!Number.isInteger(o.count) || o.count < 0) throw new RangeError(`count must be a non-negative integer, got ${o.count}`);
  const theta = o.theta ?? 0.99;
  if (!(theta > 0 && theta < 1)) throw new RangeError(`theta must be strictly between 0 and 1, got ${theta}`);
}

/** Draws popularity ranks 0 … n − 1, rank r with probability ∝ 1 / (r + 1)^θ. */
export class ZipfianSampler {
  readonly #n: number;
  readonly #theta: number;
  readonly #alpha: number;
  readonly #zetan: number;
  readonly #eta: number;

  constructor(n: number, theta = 0.99) {
    this.#n = n;
    this.#theta = theta;
    let zetan = 0;
    for (let i = 1; i <= n; i++) zetan += 1 / i ** theta;
    const zeta2 = 1 + 1 / 2 ** theta;
    this.#zetan = zetan;
    this.#alpha = 1 / (1 - theta);
    this.#eta = (1 - (2 / n) ** (1 - theta)) / (1 - zeta2 / zetan);
  }

  sample(rng: Random): number {
    const u = rng.float();
    const uz = u * this.#zetan;
    if (uz < 1) return 0;
    if (uz < 1 + 0.5 ** this.#theta) return 1;
    return Math.min(this.#n - 1, Math.floor(this.#n * (this.#eta * u - this.#eta + 1) ** this.#alpha));
  }
}

/** A fixed pseudo-random permutation of 0 … n − 1 (rank → key), from the seed. */
function scatter(n: number, rng: Random): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** The keys of one workload, in access order. */
export function workload(kind: WorkloadKind, options: WorkloadOptions): number[] {
  checkOptions(options);
  const { keys, count } = options;
  const rng = new Random(options.seed ?? 1);
  const out: number[] = [];
  switch (kind) {
    case "uniform":
      for (let i = 0; i < count; i++) out.push(rng.int(keys));
      return out;
    case "sequential":
      for (let i = 0; i < count; i++) out.push(i % keys);
      return out;
    case "zipfian":
    case "scan-flood": {
      const zipf = new ZipfianSampler(keys, options.theta ?? 0.99);
      const perm = scatter(keys, rng);
      const scanEvery = options.scanEvery ?? 4 * keys;
      let sinceScan = 0;
      while (out.length < count) {
        if (kind === "scan-flood" && sinceScan === scanEvery) {
          for (let k = 0; k < keys && out.length < count; k++) out.push(k);
          sinceScan = 0;
          continue;
        }
        out.push(perm[zipf.sample(rng)]!);
        sinceScan++;
      }
      return out;
    }
  }
}
