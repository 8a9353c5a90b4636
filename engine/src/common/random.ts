/**
 * Seeded random numbers
 * =====================
 * Every random choice in the workbook (workloads, model-based tests, simulated crashes,
 * Raft timeouts) takes a seed, so a failure seen once can be replayed exactly. This is
 * xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, period 2¹²⁸ − 1, good
 * statistical quality, and only 32-bit integer operations, which JavaScript does fast
 * through `Math.imul` and `>>> 0`. The seed is expanded into the state with splitmix32,
 * so nearby seeds (1, 2, 3…) still give unrelated streams.
 *
 * Invariants: the state is never all zeros (xoshiro's one fixed point); the same seed
 * gives the same sequence on every platform and Node version (no `Math.random`, no
 * floating point in the generator itself).
 *
 * Not cryptographic. PostgreSQL's `random()` uses xoshiro256** since version 15; the
 * 128-bit variant is enough for workloads and keeps to 32-bit arithmetic.
 */
import { DbError } from "./errors.js";

const TWO_POW_32 = 0x1_0000_0000;

export class Random {
  /** The seed this generator started from, for printing next to a failure. */
  readonly seed: number;
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * A generator whose whole sequence is determined by `seed`, a finite number (its integer
   * part is used). Throws `invalid-argument` for NaN or ±Infinity.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new DbError("invalid-argument", `seed must be a finite number, got ${String(seed)}`, { seed });
    }
    this.seed = seed;
    // splitmix32 over the seed's low and high 32 bits expands it into four state words.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) >>> 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32 random bits, as an unsigned integer in 0…2³² − 1. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits, like `Math.random()` but reproducible. */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67_108_864 + lo) / 9_007_199_254_740_992;
  }

  /**
   * An integer in [0, n), every value equally likely (rejection sampling, no modulo bias).
   * Throws `invalid-argument` unless `n` is an integer in 1…2³².
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new DbError("invalid-argument", `int(n) needs an integer n in 1…2^32, got ${String(n)}`, { n });
    }
    // Reject the top partial copy of 0…n−1 in the 2³² range so each residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** An integer in [lo, hi], both ends included. Throws `invalid-argument` if hi < lo. */
  intBetween(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new DbError("invalid-argument", `intBetween needs integers lo ≤ hi, got ${lo}, ${hi}`, { lo, hi });
    }
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p` (default one half). */
  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element. Throws `invalid-argument` on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new DbError("invalid-argument", "pick() needs a non-empty array");
    return items[this.int(items.length)] as T;
  }

  /** Shuffle `items` in place (Fisher–Yates, every order equally likely) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let word = this.nextUint32();
      for (let j = i; j < Math.min(n, i + 4); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }

  /** A new generator seeded from this one: an independent stream for a sub-task. */
  fork(): Random {
    return new Random(this.nextUint32() * TWO_POW_32 + this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
