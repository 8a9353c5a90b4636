/**
 * Seeded randomness for tests
 * ===========================
 * mulberry32: 32 bits of state, one multiply-xorshift per number. Every test that draws
 * random operations takes a seed, so a failure is replayed exactly from the seed in its
 * report. The hidden suites and the engine tests share this one generator; it is kept
 * apart from the engine's `Random` (xoshiro128**) so that a change in the engine never
 * changes which operations a learner's code is graded on. The method names match
 * `Random`'s, so a test reads the same whichever one it holds.
 */

/** Uniform floats in [0, 1), from `seed`. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  readonly #next: () => number;

  constructor(readonly seed: number) {
    this.#next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  next(): number {
    return this.#next();
  }
  /** The same as `next()`, under the engine `Random`'s name. */
  float(): number {
    return this.#next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  /** An integer in [lo, hi], both ends included. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  /** 32 random bits as an unsigned integer. */
  nextUint32(): number {
    return this.int(4294967296) >>> 0;
  }
  /** true with probability `p`. */
  bool(p = 0.5): boolean {
    return this.#next() < p;
  }
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty array");
    return items[this.int(items.length)] as T;
  }
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** A new generator seeded from this one: an independent stream for a sub-task. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

export function rng(seed: number): Rng {
  return new Rng(seed);
}
