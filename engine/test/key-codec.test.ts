import { describe, expect, test } from "vitest";
import {
  DbError,
  Random,
  appendRid,
  appendRidBound,
  compareByteRanges,
  compareBytes,
  compareKeyRid,
  compareKeyRidRanges,
  decodeInt64,
  decodeKey,
  decodeString,
  encodeInt64,
  encodeKey,
  encodeString,
  keyFormatter,
  rid,
  splitRid,
  toHex,
  type IndexKeyPart,
  type PageId,
  type SlotId,
} from "../src/index.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmp = <T extends number | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** Unicode code point order: what UTF-8 bytes give, and what PostgreSQL's COLLATE "C" gives. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

function compareTuples(a: readonly IndexKeyPart[], b: readonly IndexKeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as IndexKeyPart;
    const y = b[i] as IndexKeyPart;
    const c = typeof x === "string" ? compareCodePoints(x, y as string) : cmp(BigInt(x), BigInt(y as number | bigint));
    if (c !== 0) return c;
  }
  return 0;
}

/** Check order preservation over every pair of `values` (a few hundred of them). */
function checkOrder<T>(values: readonly T[], order: (a: T, b: T) => number, encode: (v: T) => Uint8Array, show: (v: T) => string) {
  const encoded = values.map(encode);
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      const expected = sign(order(values[i] as T, values[j] as T));
      const actual = sign(compareBytes(encoded[i] as Uint8Array, encoded[j] as Uint8Array));
      if (actual !== expected) {
        throw new Error(`order of ${show(values[i] as T)} vs ${show(values[j] as T)}: expected ${expected}, bytes say ${actual}`);
      }
    }
  }
}

const TWO_53 = 2 ** 53;

function randomInt(rng: Random): number {
  switch (rng.int(4)) {
    case 0:
      return rng.intBetween(-1000, 1000);
    case 1:
      return rng.pick([0, -0, 1, -1, TWO_53, -TWO_53, TWO_53 - 1, -TWO_53 + 1, 2 ** 32, -(2 ** 32), 2 ** 31, -(2 ** 31)]);
    default: {
      // Any integer in ±2^53, spread over all magnitudes.
      const magnitude = Math.floor(rng.float() * 2 ** rng.intBetween(0, 53));
      return rng.bool() ? magnitude : -magnitude;
    }
  }
}

function randomBigint(rng: Random): bigint {
  if (rng.bool(0.1)) return rng.pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n]);
  const raw = (BigInt(rng.nextUint32()) << 32n) | BigInt(rng.nextUint32());
  return BigInt.asIntN(64, raw >> BigInt(rng.int(64)));
}

const ALPHABET = ["", "a", "b", "z", "\0", "\u0001", "é", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "😀", "𝄞", " "];

function randomString(rng: Random): string {
  let s = "";
  const length = rng.int(6);
  for (let i = 0; i < length; i++) s += rng.pick(ALPHABET);
  return s;
}

describe("05 key codec", () => {
  test("ints: bytewise order is numeric order, over seeded values including 0, −0 and ±2^53", () => {
    const rng = new Random(5);
    const values = Array.from({ length: 400 }, () => randomInt(rng));
    checkOrder(values, (a, b) => cmp(a, b), encodeInt64, String);
    for (const v of values) same(Number(decodeInt64(encodeInt64(v))), v === 0 ? 0 : v, `round trip of ${v}`);
    for (const v of values) same(decodeKey(encodeKey(v), "int"), v === 0 ? 0 : v, `decodeKey of ${v}`);
  });

  test("ints: the documented bytes, and a number encodes like the same bigint", () => {
    expect(toHex(encodeKey(0))).toBe("8000000000000000");
    expect(toHex(encodeKey(1))).toBe("8000000000000001");
    expect(toHex(encodeKey(-1))).toBe("7fffffffffffffff");
    expect(toHex(encodeKey(-(2n ** 63n)))).toBe("0000000000000000");
    expect(toHex(encodeKey(2n ** 63n - 1n))).toBe("ffffffffffffffff");
    expect(toHex(encodeKey(-0))).toBe(toHex(encodeKey(0)));
    const rng = new Random(6);
    for (let i = 0; i < 500; i++) {
      const v = randomInt(rng);
      same(toHex(encodeKey(v)), toHex(encodeKey(BigInt(v))), `${v} vs ${v}n`);
    }
  });

  test("bigints: bytewise order is numeric order over the whole int64 range", () => {
    const rng = new Random(7);
    const values = Array.from({ length: 400 }, () => randomBigint(rng));
    checkOrder(values, cmp, encodeInt64, (v) => `${v}n`);
    for (const v of values) same(decodeKey(encodeKey(v), "bigint"), v, `round trip of ${v}n`);
    // "int" decodes to a number when exact, a bigint beyond ±2^53.
    expect(decodeKey(encodeKey(2n ** 60n), "int")).toBe(2n ** 60n);
    expect(decodeKey(encodeKey(2n ** 53n), "int")).toBe(TWO_53);
  });

  test("strings: bytewise order is code point order, prefixes first, NUL and astral characters included", () => {
    const rng = new Random(8);
    const values = [...Array.from({ length: 300 }, () => randomString(rng)), "", "a", "a\0", "a\0\0", "a\u0001", "ab", "b"];
    checkOrder(values, compareCodePoints, encodeString, (v) => JSON.stringify(v));
    for (const v of values) same(decodeKey(encodeKey(v), "string"), v, `round trip of ${JSON.stringify(v)}`);
  });

  test("strings: the documented escape and terminator", () => {
    expect(toHex(encodeKey(""))).toBe("0000");
    expect(toHex(encodeKey("a"))).toBe("610000");
    expect(toHex(encodeKey("ab"))).toBe("61620000");
    expect(toHex(encodeKey("a\0"))).toBe("6100ff0000");
    // Code point order, not JavaScript's UTF-16 order: U+E000 sorts before U+1F600.
    expect("😀" < "\ue000").toBe(true);
    expect(compareBytes(encodeKey("\ue000"), encodeKey("😀"))).toBeLessThan(0);
  });

  test("composite keys compare part by part, left to right", () => {
    const rng = new Random(9);
    const values: IndexKeyPart[][] = Array.from({ length: 250 }, () => [
      rng.intBetween(-3, 3),
      rng.pick(["", "a", "a\0", "ab", "b"]),
      rng.bool() ? BigInt(rng.intBetween(-2, 2)) : rng.intBetween(-2, 2),
    ]);
    const show = (v: IndexKeyPart[]) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
    checkOrder(values, compareTuples, (v) => encodeKey(v), show);
    const key = [-7, "x\0y", 2n ** 62n] as const;
    expect(decodeKey(encodeKey(key), ["int", "string", "bigint"])).toEqual([-7, "x\0y", 2n ** 62n]);
    expect(keyFormatter(["int", "string"])(encodeKey([3, "hi"]))).toBe('(3, "hi")');
    expect(keyFormatter("int")(encodeKey(42))).toBe("42");
    // Bytes that do not decode fall back to hex.
    expect(keyFormatter("int")(new Uint8Array([1, 2]))).toBe("0102");
  });

  test("raw bytes pass through unchanged", () => {
    const raw = new Uint8Array([3, 1, 4]);
    expect(encodeKey(raw)).toBe(raw);
  });

  test("record-id suffixes: entries order by key, then (page, slot), even for keys that are not prefix-free", () => {
    const rng = new Random(10);
    const keys = [[], [0x61], [0x61, 0x62], [0x61, 0x00], [0xff]].map((b) => Uint8Array.from(b));
    const entries = Array.from({ length: 200 }, () => ({
      key: rng.pick(keys),
      rid: rid(rng.pick([0, 1, 0x7000_0000, 0xffff_fffe]), rng.pick([0, 1, 0xfffe])),
    }));
    for (const a of entries) {
      for (const b of entries) {
        const expected = sign(compareBytes(a.key, b.key) || cmp(a.rid.pageId, b.rid.pageId) || cmp(a.rid.slot, b.rid.slot));
        same(sign(compareKeyRid(appendRid(a.key, a.rid), appendRid(b.key, b.rid))), expected, "compareKeyRid");
      }
    }
    // A plain memcmp gets this case wrong: "a" with a large page id vs "ab".
    const a = appendRid(new Uint8Array([0x61]), rid(0x7000_0000, 0));
    const ab = appendRid(new Uint8Array([0x61, 0x62]), rid(0, 0));
    expect(compareBytes(a, ab)).toBeGreaterThan(0);
    expect(compareKeyRid(a, ab)).toBeLessThan(0);
    // Bounds sort around every real rid of the key.
    const k = new Uint8Array([0x61]);
    for (const e of entries.filter((x) => x.key === k)) {
      check(compareKeyRid(appendRidBound(k, "min"), appendRid(k, e.rid)) <= 0, "min bound");
      check(compareKeyRid(appendRidBound(k, "max"), appendRid(k, e.rid)) > 0, "max bound");
    }
    const split = splitRid(appendRid(new Uint8Array([9, 8]), rid(123456, 789)));
    expect([...split.key]).toEqual([9, 8]);
    expect(split.rid).toEqual(rid(123456, 789));
  });

  test("foolish input: unsupported types, fractions, out-of-range integers, lone surrogates, bad rids", () => {
    for (const bad of [1.5, NaN, Infinity, -Infinity]) expectDbError(() => encodeKey(bad), "type-mismatch");
    for (const bad of [true, null, undefined, {}, Symbol("k"), [[1]], [null]]) {
      expectDbError(() => encodeKey(bad as never), "type-mismatch");
    }
    const over = expectDbError(() => encodeKey(TWO_53 + 2), "out-of-range");
    expect(over.message).toMatch(/bigint/);
    expectDbError(() => encodeKey(2n ** 63n), "out-of-range");
    expectDbError(() => encodeKey(-(2n ** 63n) - 1n), "out-of-range");
    expectDbError(() => encodeKey("a\ud800"), "invalid-argument");
    expectDbError(() => encodeKey("\udc00b"), "invalid-argument");
    expectDbError(() => encodeKey(["ok", "\ud83d"]), "invalid-argument");
    expect(() => encodeKey("\ud83d\ude00")).not.toThrow();
    expectDbError(() => appendRid(new Uint8Array(1), { pageId: 0xffff_ffff as PageId, slot: 0 as SlotId }), "invalid-argument");
    expectDbError(() => appendRid(new Uint8Array(1), { pageId: 1.5 as PageId, slot: 0 as SlotId }), "invalid-argument");
    expectDbError(() => appendRid(new Uint8Array(1), { pageId: 1 as PageId, slot: -1 as SlotId }), "invalid-argument");
  });

  test("decoding refuses bytes of the wrong shape with `corrupt`", () => {
    expectDbError(() => decodeKey(new Uint8Array(7), "int"), "corrupt");
    expectDbError(() => decodeKey(new Uint8Array(9), "int"), "corrupt");
    expectDbError(() => decodeKey(new Uint8Array([0x61]), "string"), "corrupt");
    expectDbError(() => decodeString(new Uint8Array([0x61, 0x00, 0x05])), "corrupt");
    expectDbError(() => decodeString(new Uint8Array([0xc3, 0x00, 0x00])), "corrupt");
    expectDbError(() => decodeKey(encodeKey([1, "a"]), ["int"]), "corrupt");
    expectDbError(() => splitRid(new Uint8Array(5)), "corrupt");
    const error = expectDbError(() => decodeKey(new Uint8Array(3), "bigint"), "corrupt");
    expect(error).toBeInstanceOf(DbError);
  });
});

describe("05 key order on ranges: compared in place, four bytes at a time", () => {
  test("compareByteRanges and compareKeyRidRanges agree in sign with a byte-by-byte compare of copies", () => {
    const rng = new Random(17);
    const naive = (a: Uint8Array, b: Uint8Array): number => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    };
    const sign = (x: number) => Math.sign(x);
    for (let t = 0; t < 3000; t++) {
      // Short alphabets make long shared prefixes, so every word and tail position is reached.
      const make = () => Uint8Array.from({ length: rng.int(14) }, () => rng.pick([0, 1, 127, 128, 255]));
      const a = make();
      const b = rng.bool(0.3) ? a.slice() : make();
      const pad = (x: Uint8Array, at: number) => {
        const big = rng.bytes(x.length + at + 3);
        big.set(x, at);
        return big;
      };
      const [pa, pb] = [rng.int(5), rng.int(5)];
      const A = pad(a, pa);
      const B = pad(b, pb);
      same(sign(compareByteRanges(A, pa, pa + a.length, B, pb, pb + b.length)), sign(naive(a, b)), `bytes ${toHex(a)} vs ${toHex(b)}`);
      if (a.length >= 6 && b.length >= 6) {
        same(sign(compareKeyRidRanges(A, pa, pa + a.length, B, pb, pb + b.length)), sign(compareKeyRid(a, b)), `key‖rid ${toHex(a)} vs ${toHex(b)}`);
      }
    }
  });
});
