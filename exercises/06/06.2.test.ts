/**
 * Hidden suite of exercise 06.2: the bloom filter. `BloomFilter` against a model of its
 * bit array (the contract fixes the probes: bit (h1 + i·h2) mod m for i < k, with h1, h2
 * from the engine's `bloomHashPair`, and the encoding), then the properties that matter:
 * no false negatives over seeded key sets, a false-positive rate near the theory's over
 * tens of thousands of absent keys (deterministic: same keys, same hashes, same rate), the
 * sizing formulas, the round trip through bytes, foolish input, and the filter plugged
 * into the engine's SSTable.
 */
import { describe, expect, it } from "vitest";
import { SSTableReader, bloomHashPair, buildSSTable, compareBytes, toHex, type LsmEntry } from "@workbook/engine";
import { BloomFilter, theoreticalFalsePositiveRate } from "@submission";
import { checkRun, errorOf, rng, same, type Rng } from "../../test-support/index.js";

/** `count` distinct keys, each starting with `tag` (so two tags never share a key), 1 … 24 bytes after it. */
function keySet(r: Rng, count: number, tag: number): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  while (seen.size < count) {
    const key = Uint8Array.of(tag, ...r.bytes(r.int(24)));
    seen.set(toHex(key), key);
  }
  return [...seen.values()];
}

/** The bits the contract says `key` sets in a filter of m bits and k probes. */
function probes(key: Uint8Array, m: number, k: number): number[] {
  const [h1, h2] = bloomHashPair(key);
  return Array.from({ length: k }, (_, i) => (h1 + i * h2) % m);
}

/** The bit array of an encoded filter (after the 5-byte header), as a set of bit numbers. */
function bitsOf(encoded: Uint8Array, m: number): Set<number> {
  const set = new Set<number>();
  for (let j = 0; j < m; j++) if (((encoded[5 + (j >>> 3)] ?? 0) & (1 << (j & 7))) !== 0) set.add(j);
  return set;
}

const hex = (k: Uint8Array) => toHex(k) || "''";

describe("06.2 BloomFilter · the bits", () => {
  it("add sets exactly the bits (h1 + i·h2) mod m for i < k, and no others (seen through encode)", () => {
    for (const [m, k, seed] of [
      [64, 3, 1],
      [1000, 7, 2],
      [97, 1, 3],
      [13, 5, 4],
      [4096, 10, 5],
    ] as const) {
      const keys = keySet(rng(seed), 60, 1);
      checkRun(
        keys,
        (ks) => {
          const filter = new BloomFilter(m, k);
          const model = new Set<number>();
          for (const key of ks) {
            for (const bit of probes(key, m, k)) model.add(bit);
            filter.add(key);
            const got = bitsOf(filter.encode(), m);
            const extra = [...got].filter((b) => !model.has(b));
            const missing = [...model].filter((b) => !got.has(b));
            same(`${extra.length} extra, ${missing.length} missing`, "0 extra, 0 missing", `bits after add(${hex(key)}) in a filter of m=${m}, k=${k} (extra ${extra.slice(0, 5).join(",")}; missing ${missing.slice(0, 5).join(",")})`);
          }
        },
        { seed: `m=${m}, k=${k}, seed ${seed}`, show: (key) => `add ${hex(key)}` },
      );
    }
  });

  it("mayContain is true exactly when all k of the key's bits are set", () => {
    const r = rng(62);
    for (const [m, k] of [
      [200, 4],
      [50, 2],
      [1024, 6],
    ] as const) {
      const added = keySet(r, 40, 1);
      const filter = new BloomFilter(m, k);
      const model = new Set<number>();
      for (const key of added) {
        filter.add(key);
        for (const bit of probes(key, m, k)) model.add(bit);
      }
      for (const probe of keySet(r, 2000, 2)) {
        const want = probes(probe, m, k).every((b) => model.has(b));
        same(filter.mayContain(probe), want, `mayContain(${hex(probe)}) with m=${m}, k=${k} after 40 adds`);
      }
    }
  });

  it("never a false negative: every added key is reported present, at every size (seeded key sets)", () => {
    for (const [n, bitsPerKey, seed] of [
      [1, 10, 11],
      [10, 1, 12],
      [500, 2, 13],
      [3000, 10, 14],
      [2000, 0.5, 15],
    ] as const) {
      const keys = keySet(rng(seed), n, 1);
      const filter = BloomFilter.withBitsPerKey(n, bitsPerKey);
      keys.forEach((key, i) => {
        filter.add(key);
        // The newest key, and one earlier key, must be reported present right away.
        same(filter.mayContain(key), true, `mayContain(${hex(key)}) right after adding it (n=${n}, ${bitsPerKey} bits/key)`);
        const earlier = keys[(i * 7919) % (i + 1)]!;
        same(filter.mayContain(earlier), true, `mayContain(${hex(earlier)}), added earlier (n=${n}, ${bitsPerKey} bits/key)`);
      });
      for (const key of keys) same(filter.mayContain(key), true, `mayContain(${hex(key)}) after all ${n} adds (${bitsPerKey} bits/key)`);
    }
  });

  it("an empty filter contains nothing", () => {
    const filter = new BloomFilter(128, 3);
    for (const key of keySet(rng(16), 200, 3)) same(filter.mayContain(key), false, `mayContain(${hex(key)}) on an empty filter`);
  });
});

describe("06.2 BloomFilter · false positives", () => {
  it("the measured false-positive rate is within 2× of (1 − e^(−kn/m))^k over 20,000 absent keys", () => {
    for (const [n, bitsPerKey, seed] of [
      [2000, 2, 21],
      [2000, 4, 22],
      [2000, 6, 23],
      [1000, 8, 24],
      [1000, 10, 25],
    ] as const) {
      const r = rng(seed);
      const filter = BloomFilter.withBitsPerKey(n, bitsPerKey);
      for (const key of keySet(r, n, 1)) filter.add(key);
      const absent = keySet(r, 20_000, 2);
      const positives = absent.filter((key) => filter.mayContain(key)).length;
      const measured = positives / absent.length;
      const theory = (1 - Math.exp((-filter.hashCount * n) / filter.bitCount)) ** filter.hashCount;
      const ok = measured <= 2 * theory && measured >= theory / 2;
      expect(ok, `false-positive rate at n=${n}, ${bitsPerKey} bits/key (m=${filter.bitCount}, k=${filter.hashCount}): expected ${theory.toFixed(5)} within 2×, received ${measured.toFixed(5)}`).toBe(true);
    }
  });

  it("withFalsePositiveRate(n, p) keeps to p: measured within 2× of p over 20,000 absent keys", () => {
    for (const [n, p, seed] of [
      [1000, 0.1, 31],
      [2000, 0.03, 32],
      [1000, 0.01, 33],
    ] as const) {
      const r = rng(seed);
      const filter = BloomFilter.withFalsePositiveRate(n, p);
      for (const key of keySet(r, n, 1)) filter.add(key);
      const absent = keySet(r, 20_000, 2);
      const measured = absent.filter((key) => filter.mayContain(key)).length / absent.length;
      expect(measured <= 2 * p && measured >= p / 2, `false-positive rate of withFalsePositiveRate(${n}, ${p}): expected ${p} within 2×, received ${measured.toFixed(5)}`).toBe(true);
    }
  });

  it("theoreticalFalsePositiveRate(n, m, k) is (1 − e^(−kn/m))^k, and refuses what is not a size", () => {
    for (const [n, m, k] of [
      [1000, 10_000, 7],
      [1, 8, 1],
      [0, 64, 3],
      [500, 1000, 2],
      [100, 3000, 20],
    ] as const) {
      const want = (1 - Math.exp((-k * n) / m)) ** k;
      const got = theoreticalFalsePositiveRate(n, m, k);
      expect(Math.abs(got - want) <= 1e-12 * Math.max(1, want), `theoreticalFalsePositiveRate(${n}, ${m}, ${k}): expected ${want}, received ${got}`).toBe(true);
    }
    for (const [n, m, k] of [
      [-1, 100, 3],
      [10, 0, 3],
      [10, 100, 0],
      [Number.NaN, 100, 3],
    ] as const) {
      const error = errorOf(() => theoreticalFalsePositiveRate(n, m, k));
      expect(error?.kind, `theoreticalFalsePositiveRate(${n}, ${m}, ${k})`).toBe("invalid-argument");
      expect((error?.message ?? "").length > 0, `theoreticalFalsePositiveRate(${n}, ${m}, ${k}): the error has a message`).toBe(true);
    }
  });
});

describe("06.2 BloomFilter · sizing", () => {
  it("withFalsePositiveRate(n, p): m = ⌈−n·ln p / (ln 2)²⌉ and k = max(1, round(m/n · ln 2))", () => {
    for (const [n, p] of [
      [1000, 0.01],
      [1, 0.5],
      [100, 0.001],
      [12345, 0.05],
      [10, 0.9],
      [1_000_000, 0.0001],
    ] as const) {
      const m = Math.ceil((-n * Math.log(p)) / (Math.LN2 * Math.LN2));
      const k = Math.max(1, Math.round((m / n) * Math.LN2));
      const filter = BloomFilter.withFalsePositiveRate(n, p);
      expect({ m: filter.bitCount, k: filter.hashCount }, `withFalsePositiveRate(${n}, ${p}): { m: bitCount, k: hashCount }`).toEqual({ m, k });
    }
  });

  it("withBitsPerKey(n, b): m = ⌈n·b⌉ and k = max(1, round(m/n · ln 2))", () => {
    for (const [n, b] of [
      [1000, 10],
      [1, 1],
      [7, 2.5],
      [100, 16],
      [3, 0.1],
      [999, 5],
    ] as const) {
      const m = Math.ceil(n * b);
      const k = Math.max(1, Math.round((m / n) * Math.LN2));
      const filter = BloomFilter.withBitsPerKey(n, b);
      expect({ m: filter.bitCount, k: filter.hashCount }, `withBitsPerKey(${n}, ${b}): { m: bitCount, k: hashCount }`).toEqual({ m, k });
    }
  });

  it("refuses sizes that are not sizes (invalid-argument)", () => {
    const bad: [string, () => unknown][] = [
      ["new BloomFilter(0, 3)", () => new BloomFilter(0, 3)],
      ["new BloomFilter(-8, 3)", () => new BloomFilter(-8, 3)],
      ["new BloomFilter(10.5, 3)", () => new BloomFilter(10.5, 3)],
      ["new BloomFilter(NaN, 3)", () => new BloomFilter(Number.NaN, 3)],
      ["new BloomFilter(2³², 3)", () => new BloomFilter(2 ** 32, 3)],
      ["new BloomFilter(64, 0)", () => new BloomFilter(64, 0)],
      ["new BloomFilter(64, 1.5)", () => new BloomFilter(64, 1.5)],
      ["new BloomFilter(64, 256)", () => new BloomFilter(64, 256)],
      ["withFalsePositiveRate(0, 0.01)", () => BloomFilter.withFalsePositiveRate(0, 0.01)],
      ["withFalsePositiveRate(10.5, 0.01)", () => BloomFilter.withFalsePositiveRate(10.5, 0.01)],
      ["withFalsePositiveRate(100, 0)", () => BloomFilter.withFalsePositiveRate(100, 0)],
      ["withFalsePositiveRate(100, 1)", () => BloomFilter.withFalsePositiveRate(100, 1)],
      ["withFalsePositiveRate(100, -0.5)", () => BloomFilter.withFalsePositiveRate(100, -0.5)],
      ["withFalsePositiveRate(100, NaN)", () => BloomFilter.withFalsePositiveRate(100, Number.NaN)],
      ["withBitsPerKey(0, 10)", () => BloomFilter.withBitsPerKey(0, 10)],
      ["withBitsPerKey(-5, 10)", () => BloomFilter.withBitsPerKey(-5, 10)],
      ["withBitsPerKey(100, 0)", () => BloomFilter.withBitsPerKey(100, 0)],
      ["withBitsPerKey(100, -1)", () => BloomFilter.withBitsPerKey(100, -1)],
      ["withBitsPerKey(100, Infinity)", () => BloomFilter.withBitsPerKey(100, Number.POSITIVE_INFINITY)],
      ["withBitsPerKey(100, NaN)", () => BloomFilter.withBitsPerKey(100, Number.NaN)],
    ];
    for (const [what, fn] of bad) {
      const error = errorOf(fn);
      expect(error?.kind, what).toBe("invalid-argument");
      // The refusal says what is wrong.
      expect((error?.message ?? "").length > 0, `${what}: the error has a message`).toBe(true);
    }
  });
});

describe("06.2 BloomFilter · bytes", () => {
  it("encode: | m u32 LE | k u8 | ⌈m/8⌉ bytes of bits |", () => {
    for (const [m, k] of [
      [1, 1],
      [8, 2],
      [9, 3],
      [1000, 7],
      [70_000, 255],
    ] as const) {
      const bytes = new BloomFilter(m, k).encode();
      expect(bytes.length, `new BloomFilter(${m}, ${k}).encode().length`).toBe(5 + Math.ceil(m / 8));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect({ m: view.getUint32(0, true), k: bytes[4] }, `header of new BloomFilter(${m}, ${k}).encode()`).toEqual({ m, k });
      expect(bytes.subarray(5).every((b) => b === 0), `the bits of an empty filter (${m}, ${k}) are all 0`).toBe(true);
    }
  });

  it("decode(encode()) round trip: same m, k, bytes and answers", () => {
    const r = rng(41);
    for (const [n, b] of [
      [50, 10],
      [1000, 3],
      [1, 1],
    ] as const) {
      const filter = BloomFilter.withBitsPerKey(n, b);
      for (const key of keySet(r, n, 1)) filter.add(key);
      const bytes = filter.encode();
      const copy = BloomFilter.decode(bytes);
      expect({ m: copy.bitCount, k: copy.hashCount }, `decode(encode()) of a filter with m=${filter.bitCount}, k=${filter.hashCount}`).toEqual({ m: filter.bitCount, k: filter.hashCount });
      expect(toHex(copy.encode()), `decode(bytes).encode() equals bytes (m=${filter.bitCount})`).toBe(toHex(bytes));
      for (const probe of keySet(r, 500, 2)) same(copy.mayContain(probe), filter.mayContain(probe), `mayContain(${hex(probe)}) after decode`);
      // The decoded filter owns its bits: adding to it leaves the original's bytes alone.
      const before = toHex(filter.encode());
      for (const key of keySet(r, 20, 3)) copy.add(key);
      expect(toHex(filter.encode()), "the original's bytes after adding to the decoded copy").toBe(before);
    }
  });

  it("decode refuses bytes that are not a filter (corrupt)", () => {
    const good = new BloomFilter(100, 4).encode();
    const withHeader = (m: number, k: number, length: number) => {
      const out = new Uint8Array(length);
      new DataView(out.buffer).setUint32(0, m, true);
      out[4] = k;
      return out;
    };
    const bad: [string, Uint8Array][] = [
      ["empty bytes", new Uint8Array(0)],
      ["4 bytes", good.subarray(0, 4)],
      ["one byte short", good.subarray(0, good.length - 1)],
      ["one byte too many", Uint8Array.of(...good, 0)],
      ["m = 0", withHeader(0, 3, 5)],
      ["k = 0", withHeader(100, 0, 5 + 13)],
    ];
    for (const [what, bytes] of bad) {
      const error = errorOf(() => BloomFilter.decode(bytes));
      expect(error?.kind, `BloomFilter.decode(${what})`).toBe("corrupt");
      expect((error?.message ?? "").length > 0, `BloomFilter.decode(${what}): the error has a message`).toBe(true);
    }
  });
});

describe("06.2 BloomFilter · in an SSTable", () => {
  it("as an SSTable's filter: every key found, most absent keys answered without reading a block", () => {
    const r = rng(51);
    const keys = keySet(r, 3000, 1).sort(compareBytes);
    const entries: LsmEntry[] = keys.map((key, i) => ({ key, seq: i + 1, value: i % 5 === 0 ? undefined : Uint8Array.of(i & 0xff) }));
    const bytes = buildSSTable(entries, { bitsPerKey: 10, filter: BloomFilter });
    const table = SSTableReader.open(bytes, { filter: BloomFilter });
    for (const e of entries) {
      const got = table.get(e.key);
      same(got?.seq, e.seq, `get(${hex(e.key)}).seq in a table built with your filter`);
    }
    table.resetStats();
    const present = new Set(keys.map(toHex));
    // Absent keys inside the table's key range (tag 1, one byte longer than a present key).
    const absent = keys.filter((_, i) => i % 3 === 0).map((k) => Uint8Array.of(...k, 0x00)).filter((k) => compareBytes(k, keys[keys.length - 1]!) < 0 && !present.has(toHex(k)));
    for (const key of absent) same(table.get(key), undefined, `get(${hex(key)}), absent`);
    const { blocksRead, bloomNegatives } = table.stats;
    expect(bloomNegatives >= absent.length * 0.95, `filter negatives for ${absent.length} absent gets (10 bits/key): expected ≥ ${Math.ceil(absent.length * 0.95)}, received ${bloomNegatives} (${blocksRead} blocks read)`).toBe(true);
  });
});
