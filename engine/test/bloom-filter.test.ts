import { describe, expect, test } from "vitest";
import { BloomFilter, theoreticalFalsePositiveRate } from "../src/lsm/bloom-filter.js";
import { bloomHashPair } from "../src/lsm/bloom-hash.js";
import type { MembershipFilterClass } from "../src/lsm/bloom.js";
import { expectDbError } from "../../test-support/errors.js";
import { rng } from "../../test-support/random.js";

const enc = new TextEncoder();

function keys(seed: number, count: number, tag: number): Uint8Array[] {
  const r = rng(seed);
  const seen = new Map<string, Uint8Array>();
  while (seen.size < count) {
    const key = Uint8Array.of(tag, ...r.bytes(1 + r.int(16)));
    seen.set(Buffer.from(key).toString("hex"), key);
  }
  return [...seen.values()];
}

describe("bloom hash pair", () => {
  test("is fixed: the same two 32-bit hashes on every run and platform (golden values)", () => {
    // MurmurHash3 x86_32 with seeds 0x9747b28c and 0x5bd1e995; h1 matches the published test vectors.
    const h1 = (s: string) => bloomHashPair(enc.encode(s))[0].toString(16).padStart(8, "0");
    expect([h1("Hello, world!"), h1("aaaa"), h1("aaa"), h1("aa"), h1("a"), h1("")]).toEqual(["24884cba", "5a97808a", "283e0130", "5d211726", "7fa09ea6", "ebb6c228"]);
    expect(bloomHashPair(new Uint8Array(0))).toEqual(bloomHashPair(new Uint8Array(0)));
    const golden = ["", "a", "ab", "abc", "abcd", "abcde", "hello, world"].map((s) => bloomHashPair(enc.encode(s)).map((h) => h.toString(16).padStart(8, "0")).join(" "));
    expect(golden).toMatchInlineSnapshot(`
      [
        "ebb6c228 d9aaf7d3",
        "7fa09ea6 c795411c",
        "74875592 a2a9e341",
        "c84a62dd ab01af23",
        "f0478627 3ace933d",
        "e915b832 552e960a",
        "9a933e00 b5dfaa61",
      ]
    `);
    for (const [h1, h2] of keys(1, 200, 1).map(bloomHashPair)) {
      expect(Number.isInteger(h1) && h1 >= 0 && h1 < 2 ** 32).toBe(true);
      expect(Number.isInteger(h2) && h2 >= 0 && h2 < 2 ** 32).toBe(true);
    }
  });

  test("spreads keys: each of the 32 bits of h1 and h2 is set in about half of 10,000 keys", () => {
    const ks = keys(2, 10_000, 1);
    for (const which of [0, 1] as const) {
      for (let bit = 0; bit < 32; bit++) {
        const ones = ks.filter((k) => (bloomHashPair(k)[which] >>> bit) & 1).length;
        expect(Math.abs(ones - 5000), `h${which + 1} bit ${bit}: ones among 10,000 keys`).toBeLessThan(300);
      }
    }
  });
});

describe("BloomFilter", () => {
  test("fits the contract the SSTable and the measurements take", () => {
    const cls: MembershipFilterClass = BloomFilter;
    const f = cls.withBitsPerKey(10, 10);
    f.add(enc.encode("x"));
    expect(cls.decode(f.encode()).mayContain(enc.encode("x"))).toBe(true);
  });

  test("measured false-positive rate follows (1 − e^(−kn/m))^k from 1 to 14 bits per key", () => {
    const n = 2000;
    const added = keys(3, n, 1);
    const absent = keys(4, 40_000, 2);
    const rows: string[] = [];
    for (let bitsPerKey = 1; bitsPerKey <= 14; bitsPerKey++) {
      const f = BloomFilter.withBitsPerKey(n, bitsPerKey);
      for (const k of added) f.add(k);
      const measured = absent.filter((k) => f.mayContain(k)).length / absent.length;
      const theory = theoreticalFalsePositiveRate(n, f.bitCount, f.hashCount);
      rows.push(`${bitsPerKey}: k=${f.hashCount} theory ${theory.toFixed(4)} measured ${measured.toFixed(4)}`);
      // Loose where the counts are small (a handful of false positives at 14 bits per key).
      const slack = theory * absent.length < 50 ? 3 : 1.5;
      expect(measured, rows[rows.length - 1]).toBeLessThanOrEqual(theory * slack);
      expect(measured, rows[rows.length - 1]).toBeGreaterThanOrEqual(theory / slack);
    }
  });

  test("k follows bits per key: round(b · ln 2), at least 1", () => {
    expect([1, 2, 3, 5, 10, 16, 20].map((b) => BloomFilter.withBitsPerKey(100, b).hashCount)).toEqual([1, 1, 2, 3, 7, 11, 14]);
    expect(BloomFilter.withFalsePositiveRate(1000, 0.01)).toMatchObject({ bitCount: 9586, hashCount: 7 });
  });

  test("a rate so small that k would pass 255 is refused, not silently capped", () => {
    expectDbError(() => BloomFilter.withFalsePositiveRate(10, 1e-300), "invalid-argument");
  });

  test("decode copies: later adds to either filter leave the other alone", () => {
    const f = new BloomFilter(256, 3);
    const bytes = f.encode();
    const g = BloomFilter.decode(bytes);
    g.add(enc.encode("only in g"));
    expect(f.mayContain(enc.encode("only in g"))).toBe(false);
    expect(bytes.subarray(5).every((b) => b === 0)).toBe(true);
  });

  test("corrupt bytes say what is wrong", () => {
    const e = expectDbError(() => BloomFilter.decode(new Uint8Array(3)), "corrupt");
    expect(e.message).toMatch(/5-byte header/);
    const bytes = new BloomFilter(100, 4).encode();
    expect(expectDbError(() => BloomFilter.decode(bytes.subarray(0, 10)), "corrupt").message).toMatch(/of 100 bits is 18 bytes, got 10/);
  });
});
