import { describe, expect, test } from "vitest";
import { Random } from "../src/index.js";
import { expectDbError } from "../../test-support/errors.js";

describe("seeded random", () => {
  test("the same seed gives the same sequence, different seeds differ", () => {
    const draw = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 20 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(1));
  });

  test("seed 42 gives the xoshiro128** sequence (checked against an independent implementation)", () => {
    const rng = new Random(42);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toMatchInlineSnapshot(`
      [
        2837322924,
        544945897,
        479756282,
      ]
    `);
  });

  test("int(n) stays in range and reaches every value", () => {
    const rng = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.int(13);
      expect(Number.isInteger(x) && x >= 0 && x < 13).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(13);
    expect(rng.int(1)).toBe(0);
    const big = rng.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  test("float() is in [0, 1), intBetween includes both ends", () => {
    const rng = new Random(9);
    const ends = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const f = rng.float();
      expect(f >= 0 && f < 1).toBe(true);
      const x = rng.intBetween(-2, 2);
      expect(x >= -2 && x <= 2).toBe(true);
      ends.add(x);
    }
    expect(ends).toEqual(new Set([-2, -1, 0, 1, 2]));
  });

  test("shuffle returns a permutation, in place", () => {
    const rng = new Random(3);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = rng.shuffle(items);
    expect(shuffled).toBe(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffled).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test("bytes, pick, fork", () => {
    const rng = new Random(5);
    expect(rng.bytes(7)).toHaveLength(7);
    expect([1, 2, 3]).toContain(rng.pick([1, 2, 3]));
    const a = new Random(11).fork();
    const b = new Random(11).fork();
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  test("foolish input is refused", () => {
    const rng = new Random(1);
    expectDbError(() => new Random(Number.NaN), "invalid-argument");
    expectDbError(() => rng.int(0), "invalid-argument");
    expectDbError(() => rng.int(2.5), "invalid-argument");
    expectDbError(() => rng.intBetween(3, 2), "invalid-argument");
    expectDbError(() => rng.pick([]), "invalid-argument");
  });
});
