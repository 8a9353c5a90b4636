/**
 * Hidden suite for exercise 02.2: the tuple codec (null bitmap, alignment, variable length).
 *
 * Public API only: the constructor, `schema`, `encode`, `decode`, `layout`, and the
 * documented byte format. The oracle is a small model of the layout (where each column
 * must start), checked against `layout()` and against the bytes themselves, over seeded
 * random schemas and rows with nulls in every position.
 */
import { describe, expect, it } from "vitest";
import { describeError, expectDbError, mulberry32 as rng, speaksForItself } from "../../test-support/index.js";
import { TupleCodec } from "@submission";
import { COLUMN_TYPES, SlottedPage } from "@workbook/engine";

type ColumnType = "bool" | "int2" | "int4" | "int8" | "float8" | "text" | "bytea";
type Column = { name: string; type: ColumnType; nullable?: boolean };
type Value = boolean | number | bigint | string | Uint8Array | null;
type Codec = InstanceType<typeof TupleCodec>;

// The storage facts per type are part of the contract (engine/src/storage/row-codec.ts).
const TYPES = COLUMN_TYPES;
const TYPE_NAMES = Object.keys(TYPES) as ColumnType[];
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const utf8 = (s: string) => new TextEncoder().encode(s);

function show(v: Value | undefined): string {
  if (v instanceof Uint8Array) return `Uint8Array[${[...v.subarray(0, 8)].join(",")}${v.length > 8 ? ",…" : ""}] (${v.length} bytes)`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  return Object.is(a, b);
}

function expectRow(got: unknown, row: readonly Value[], context: string): void {
  expect(Array.isArray(got), `${context}: decode returns an array`).toBe(true);
  const values = got as Value[];
  expect(values.length, `${context}: number of decoded values`).toBe(row.length);
  row.forEach((v, i) => {
    if (!sameValue(values[i], v)) expect.fail(`${context}: column ${i} decoded as ${show(values[i])}, expected ${show(v)}`);
  });
}

// ---------------------------------------------------------------------------------------
// The model: where every column of a row must go.

interface ModelColumn {
  name: string;
  type: ColumnType;
  isNull: boolean;
  padding: number;
  offset: number;
  length: number;
}

function model(schema: readonly Column[], row: readonly Value[]) {
  const natts = schema.length;
  const hasNulls = row.some((v) => v === null);
  const hoff = alignUp(4 + (hasNulls ? Math.ceil(natts / 8) : 0), 8);
  let end = hoff;
  const columns: ModelColumn[] = schema.map((c, i) => {
    const v = row[i]!;
    if (v === null) return { name: c.name, type: c.type, isNull: true, padding: 0, offset: -1, length: 0 };
    const { typlen, typalign } = TYPES[c.type];
    const offset = alignUp(end, typalign);
    const length = typlen > 0 ? typlen : 4 + (typeof v === "string" ? utf8(v).length : (v as Uint8Array).length);
    const col = { name: c.name, type: c.type, isNull: false, padding: offset - end, offset, length };
    end = offset + length;
    return col;
  });
  return { natts, hasNulls, hoff, length: end, columns };
}

/** Every byte of an encoded row against the model: header, bitmap, values, zero padding. */
function checkBytes(bytes: Uint8Array, schema: readonly Column[], row: readonly Value[], context: string): void {
  const m = model(schema, row);
  expect(bytes instanceof Uint8Array, `${context}: encode returns a Uint8Array`).toBe(true);
  expect(bytes.length, `${context}: encoded length`).toBe(m.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint16(0, true), `${context}: natts (u16 at 0)`).toBe(m.natts);
  expect(bytes[2], `${context}: flags (byte 2, bit 0 = has nulls)`).toBe(m.hasNulls ? 1 : 0);
  expect(bytes[3], `${context}: hoff (byte 3)`).toBe(m.hoff);
  const covered = new Uint8Array(bytes.length);
  covered.fill(1, 0, 4);
  if (m.hasNulls) {
    for (let i = 0; i < m.natts; i++) {
      const bit = ((bytes[4 + (i >> 3)]! >> (i & 7)) & 1) === 1;
      expect(bit, `${context}: null bitmap bit ${i} (1 = not null)`).toBe(row[i] !== null);
    }
    const bitmapBytes = Math.ceil(m.natts / 8);
    const lastBits = m.natts % 8;
    if (lastBits !== 0) expect(bytes[4 + bitmapBytes - 1]! >> lastBits, `${context}: unused bitmap bits are zero`).toBe(0);
    covered.fill(1, 4, 4 + bitmapBytes);
  }
  m.columns.forEach((c, i) => {
    if (c.isNull) return;
    const v = row[i]!;
    const at = `${context}: column ${i} (${c.type}) at offset ${c.offset}`;
    switch (c.type) {
      case "bool":
        expect(bytes[c.offset], at).toBe(v ? 1 : 0);
        break;
      case "int2":
        expect(view.getInt16(c.offset, true), at).toBe(v);
        break;
      case "int4":
        expect(view.getInt32(c.offset, true), at).toBe(v);
        break;
      case "int8":
        expect(view.getBigInt64(c.offset, true), at).toBe(v);
        break;
      case "float8":
        expect(Object.is(view.getFloat64(c.offset, true), v) || (Number.isNaN(v as number) && Number.isNaN(view.getFloat64(c.offset, true))), `${at}: ${show(v)}`).toBe(true);
        break;
      case "text":
      case "bytea": {
        const payload = typeof v === "string" ? utf8(v) : (v as Uint8Array);
        expect(view.getUint32(c.offset, true), `${at}: the u32 length prefix`).toBe(payload.length);
        expect(sameValue(bytes.slice(c.offset + 4, c.offset + c.length), payload), `${at}: the payload bytes`).toBe(true);
        break;
      }
    }
    covered.fill(1, c.offset, c.offset + c.length);
  });
  const stray = bytes.findIndex((b, i) => covered[i] === 0 && b !== 0);
  expect(stray, `${context}: padding bytes are zero (first non-zero padding byte)`).toBe(-1);
}

function checkLayout(codec: Codec, bytes: Uint8Array, schema: readonly Column[], row: readonly Value[], context: string): void {
  const m = model(schema, row);
  const layout = codec.layout(bytes);
  for (const key of ["natts", "hasNulls", "hoff", "length"] as const) expect(layout[key], `${context}: layout().${key}`).toBe(m[key]);
  expect(layout.columns.length, `${context}: layout().columns.length`).toBe(m.columns.length);
  m.columns.forEach((c, i) => {
    for (const key of ["name", "type", "isNull", "padding", "offset", "length"] as const) {
      expect(layout.columns[i]![key], `${context}: layout().columns[${i}].${key}`).toBe(c[key]);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Seeded random schemas and rows.

const ALPHABET = ["a", "b", "z", " ", "0", "é", "ß", "ж", "中", "☃", "𝄞", "🙂", "\u0000", "\n"];

function randomValue(type: ColumnType, r: () => number): Value {
  const pickEdge = r() < 0.15;
  switch (type) {
    case "bool":
      return r() < 0.5;
    case "int2":
      return pickEdge ? [-32768, 32767, 0, -1][Math.floor(r() * 4)]! : Math.floor(r() * 65536) - 32768;
    case "int4":
      return pickEdge ? [-(2 ** 31), 2 ** 31 - 1, 0, -1][Math.floor(r() * 4)]! : Math.floor(r() * 2 ** 32) - 2 ** 31;
    case "int8": {
      if (pickEdge) return [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n][Math.floor(r() * 4)]!;
      const hi = BigInt(Math.floor(r() * 2 ** 32));
      const lo = BigInt(Math.floor(r() * 2 ** 32));
      return BigInt.asIntN(64, (hi << 32n) | lo);
    }
    case "float8":
      return pickEdge ? [0, -0, Infinity, -Infinity, Number.NaN, Number.MIN_VALUE, Number.MAX_VALUE][Math.floor(r() * 7)]! : (r() - 0.5) * 10 ** Math.floor(r() * 12);
    case "text": {
      const n = r() < 0.05 ? 200 + Math.floor(r() * 300) : Math.floor(r() * 12);
      let s = "";
      for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
      return s;
    }
    case "bytea": {
      const n = Math.floor(r() * 20);
      return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    }
  }
}

function randomSchema(r: () => number, maxColumns: number): Column[] {
  const n = 1 + Math.floor(r() * maxColumns);
  return Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: TYPE_NAMES[Math.floor(r() * TYPE_NAMES.length)]! }));
}

function randomRow(schema: readonly Column[], r: () => number, nullRate: number): Value[] {
  return schema.map((c) => (r() < nullRate ? null : randomValue(c.type, r)));
}

// ---------------------------------------------------------------------------------------

const EXAMPLE: Column[] = [
  { name: "id", type: "int4" },
  { name: "name", type: "text" },
  { name: "score", type: "float8" },
  { name: "ok", type: "bool" },
];

describe("02.2 TupleCodec layout", () => {
  it("encodes the documented example (7, 'ab', 1.5, true) byte for byte", () => {
    const bytes = new TupleCodec(EXAMPLE).encode([7, "ab", 1.5, true]);
    // prettier-ignore
    expect([...bytes], "the 33 bytes").toEqual([
      4, 0, 0, 8,   0, 0, 0, 0,                // natts 4, flags 0, hoff 8, padding to 8
      7, 0, 0, 0,   2, 0, 0, 0,   97, 98,      // id at 8; name's length 2 at 12, "ab" at 16
      0, 0, 0, 0, 0, 0,                        // padding: score is 8-aligned
      0, 0, 0, 0, 0, 0, 0xf8, 0x3f,            // score 1.5 at 24
      1,                                       // ok at 32
    ]);
  });

  it("layout() of the example shows each column's offset, padding and length", () => {
    const codec = new TupleCodec(EXAMPLE);
    const row = [7, "ab", 1.5, true];
    checkLayout(codec, codec.encode(row), EXAMPLE, row, "(7, 'ab', 1.5, true)");
    expect(codec.layout(codec.encode(row)).columns[2]!.padding, "padding before score").toBe(6);
  });

  it("a null takes no bytes and clears its bit in the null bitmap", () => {
    const bytes = new TupleCodec(EXAMPLE).encode([7, null, 1.5, true]);
    // prettier-ignore
    expect([...bytes], "the 25 bytes").toEqual([
      4, 0, 1, 8,   0b1101, 0, 0, 0,           // flags: has nulls; bitmap: columns 0, 2, 3 present
      7, 0, 0, 0,   0, 0, 0, 0,                // id at 8, padding to 16
      0, 0, 0, 0, 0, 0, 0xf8, 0x3f,            // score at 16
      1,                                       // ok at 24
    ]);
    const codec = new TupleCodec(EXAMPLE);
    checkLayout(codec, bytes, EXAMPLE, [7, null, 1.5, true], "(7, null, 1.5, true)");
  });

  it.each([
    [1, "the last column null", 8],
    [8, "the last column null", 8],
    [9, "the last column null", 8],
    [33, "the last column null", 16],
    [60, "the last column null", 16],
    [61, "the last column null", 16],
    [97, "the last column null", 24],
    [97, "no nulls", 8],
    [1600, "the last column null", 208],
  ])("natts = %i, %s: the data starts at hoff %i", (n, nulls, hoff) => {
    const withNull = nulls !== "no nulls";
    const schema: Column[] = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: "int2" }));
    const row: Value[] = schema.map((_, i) => (withNull && i === n - 1 ? null : i));
    const codec = new TupleCodec(schema);
    const bytes = codec.encode(row);
    expect(codec.layout(bytes).hoff, "layout().hoff").toBe(hoff);
    checkBytes(bytes, schema, row, `${n} int2 columns`);
    expectRow(codec.decode(bytes), row, `${n} int2 columns`);
  });

  it("each type is aligned to its typalign, counted from the tuple's start", () => {
    const schema: Column[] = [
      { name: "a", type: "bool" },
      { name: "b", type: "int2" },
      { name: "c", type: "bool" },
      { name: "d", type: "int4" },
      { name: "e", type: "bool" },
      { name: "f", type: "int8" },
      { name: "g", type: "bool" },
      { name: "h", type: "text" },
      { name: "i", type: "bool" },
      { name: "j", type: "float8" },
      { name: "k", type: "bool" },
      { name: "l", type: "bytea" },
    ];
    const row: Value[] = [true, -2, false, 123456, true, -5n, false, "héllo", true, 2.25, false, new Uint8Array([1, 2, 3])];
    const codec = new TupleCodec(schema);
    const bytes = codec.encode(row);
    const offsets = codec.layout(bytes).columns.map((c) => c.offset);
    expect(offsets, "column offsets").toEqual([8, 10, 12, 16, 20, 24, 32, 36, 46, 48, 56, 60]);
    checkLayout(codec, bytes, schema, row, "mixed alignments");
    checkBytes(bytes, schema, row, "mixed alignments");
  });

  it("column order changes the size: 8-byte columns first need no padding", () => {
    const padded: Column[] = [
      { name: "flag", type: "bool" },
      { name: "big", type: "int8" },
      { name: "small", type: "int2" },
      { name: "x", type: "float8" },
    ];
    const packed: Column[] = [padded[1]!, padded[3]!, padded[2]!, padded[0]!];
    const a = new TupleCodec(padded).encode([true, 1n, 2, 3.5]);
    const b = new TupleCodec(packed).encode([1n, 3.5, 2, true]);
    expect(a.length, "bool, int8, int2, float8").toBe(40);
    expect(b.length, "int8, float8, int2, bool").toBe(27);
  });

  it("text is UTF-8 behind a 4-byte length: layout().length counts bytes, not characters", () => {
    const schema: Column[] = [{ name: "word", type: "text" }];
    const codec = new TupleCodec(schema);
    for (const word of ["", "a", "naïve", "☃", "🙂🙂", "x".repeat(1000)]) {
      const bytes = codec.encode([word]);
      expect(codec.layout(bytes).columns[0]!.length, `length of ${JSON.stringify(word.slice(0, 10))}`).toBe(4 + utf8(word).length);
      expectRow(codec.decode(bytes), [word], JSON.stringify(word.slice(0, 10)));
    }
  });
});

describe("02.2 TupleCodec round trips", () => {
  it.each([1, 2, 3, 4, 5, 6])("seed %i: 150 random rows over random schemas, nulls anywhere, decode to themselves with the documented layout", (seed) => {
    const r = rng(seed);
    for (let s = 0; s < 5; s++) {
      const schema = randomSchema(r, seed <= 3 ? 12 : 40);
      const codec = new TupleCodec(schema);
      for (let k = 0; k < 30; k++) {
        const row = randomRow(schema, r, [0, 0.2, 0.5, 0.9][k % 4]!);
        const context = `seed ${seed}, schema (${schema.map((c) => c.type).join(", ")}), row ${k}`;
        const bytes = codec.encode(row);
        checkBytes(bytes, schema, row, context);
        expectRow(codec.decode(bytes), row, context);
        checkLayout(codec, bytes, schema, row, context);
      }
    }
  });

  it("a null in every position, all nulls, and no nulls", () => {
    const schema: Column[] = TYPE_NAMES.flatMap((type, i) => [
      { name: `${type}_a`, type },
      { name: `x${i}`, type: TYPE_NAMES[(i + 3) % TYPE_NAMES.length]! },
    ]);
    const r = rng(99);
    const full = schema.map((c) => randomValue(c.type, r));
    const codec = new TupleCodec(schema);
    const rows: [string, Value[]][] = [
      ["no nulls", full],
      ["all nulls", full.map(() => null)],
      ...schema.map((_, i): [string, Value[]] => [`null at ${i}`, full.map((v, j) => (j === i ? null : v))]),
      ...schema.map((_, i): [string, Value[]] => [`only ${i} not null`, full.map((v, j) => (j === i ? v : null))]),
    ];
    for (const [what, row] of rows) {
      const bytes = codec.encode(row);
      checkBytes(bytes, schema, row, what);
      expectRow(codec.decode(bytes), row, what);
      checkLayout(codec, bytes, schema, row, what);
    }
  });

  it("edge values survive exactly: integer limits, -0, NaN, ±Infinity, empty text and bytea", () => {
    const schema: Column[] = [
      { name: "s", type: "int2" },
      { name: "i", type: "int4" },
      { name: "l", type: "int8" },
      { name: "f", type: "float8" },
      { name: "t", type: "text" },
      { name: "b", type: "bytea" },
      { name: "o", type: "bool" },
    ];
    const codec = new TupleCodec(schema);
    const rows: Value[][] = [
      [-32768, -(2 ** 31), -(2n ** 63n), -0, "", new Uint8Array(0), false],
      [32767, 2 ** 31 - 1, 2n ** 63n - 1n, Number.NaN, "\u0000", Uint8Array.from({ length: 256 }, (_, i) => i), true],
      [0, 0, 0n, Infinity, "𝄞", new Uint8Array([0]), false],
      [-1, -1, -1n, -Infinity, "ﬀ", new Uint8Array([255]), true],
      [1, 1, 1n, Number.MIN_VALUE, "tab\tend", new Uint8Array([7, 7]), true],
    ];
    rows.forEach((row, k) => {
      const bytes = codec.encode(row);
      checkBytes(bytes, schema, row, `edge row ${k}`);
      expectRow(codec.decode(bytes), row, `edge row ${k}`);
    });
  });

  it("decodes from a view inside a larger buffer (a tuple on a page)", () => {
    const schema: Column[] = [
      { name: "id", type: "int8" },
      { name: "name", type: "text" },
      { name: "n", type: "int4" },
    ];
    const codec = new TupleCodec(schema);
    const row: Value[] = [42n, "on a page", -7];
    const bytes = codec.encode(row);
    const buffer = new Uint8Array(bytes.length + 72).fill(0xcc);
    buffer.set(bytes, 40);
    const view = buffer.subarray(40, 40 + bytes.length);
    expectRow(codec.decode(view), row, "decode of a subarray at byteOffset 40");
    expect(codec.layout(view).length, "layout() of the subarray").toBe(bytes.length);
  });

  it("rows encoded by your codec live on a slotted page and come back unchanged", () => {
    const r = rng(7);
    const schema: Column[] = [
      { name: "id", type: "int4", nullable: false },
      { name: "flag", type: "bool" },
      { name: "amount", type: "int8" },
      { name: "note", type: "text" },
      { name: "ratio", type: "float8" },
    ];
    const codec = new TupleCodec(schema);
    const page = SlottedPage.init(new Uint8Array(8192));
    const stored = new Map<number, Value[]>();
    for (let i = 0; i < 500; i++) {
      const row: Value[] = [i, ...randomRow(schema.slice(1), r, 0.3)];
      const slot = page.insert(codec.encode(row));
      if (slot === undefined) break;
      stored.set(slot, row);
    }
    expect(stored.size, "rows that fit on the page").toBeGreaterThan(50);
    for (const [slot, row] of stored) expectRow(codec.decode(page.get(slot as never)!), row, `slot ${slot}`);
  });

  it("decoding returns new values: changing a decoded bytea does not change the tuple", () => {
    const codec = new TupleCodec([{ name: "b", type: "bytea" }]);
    const bytes = codec.encode([new Uint8Array([1, 2, 3])]);
    const first = codec.decode(bytes)[0] as Uint8Array;
    first[0] = 99;
    expectRow(codec.decode(bytes), [new Uint8Array([1, 2, 3])], "decoding again");
  });
});

describe("02.2 TupleCodec schema evolution", () => {
  it("a tuple written under a shorter schema decodes with the missing trailing columns as null", () => {
    const short: Column[] = [
      { name: "a", type: "int4" },
      { name: "b", type: "text" },
      { name: "c", type: "int8" },
    ];
    const long: Column[] = [...short, { name: "d", type: "bool" }, { name: "e", type: "text" }];
    const old = new TupleCodec(short);
    const now = new TupleCodec(long);
    expectRow(now.decode(old.encode([1, "x", 2n])), [1, "x", 2n, null, null], "(1, 'x', 2) read with 5 columns");
    expectRow(now.decode(old.encode([1, null, 2n])), [1, null, 2n, null, null], "(1, null, 2) read with 5 columns");
    const layout = now.layout(old.encode([1, "x", 2n]));
    expect(layout.natts, "layout().natts: columns stored").toBe(3);
    expect(layout.columns.map((c) => c.isNull), "layout() isNull per column").toEqual([false, false, false, true, true]);
    expect(layout.columns[3], "layout() of a missing column").toEqual({ name: "d", type: "bool", isNull: true, padding: 0, offset: -1, length: 0 });
  });

  it("a 32-column tuple with a null decodes under a 40-column schema: its bitmap and hoff follow the columns it stores", () => {
    const columns = (n: number): Column[] => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: "int4" as const }));
    const row: Value[] = Array.from({ length: 32 }, (_, i) => (i === 5 ? null : i * 3));
    const bytes = new TupleCodec(columns(32)).encode(row);
    const wide = new TupleCodec(columns(40));
    expectRow(wide.decode(bytes), [...row, ...new Array<Value>(8).fill(null)], "32 stored columns (one null) read with 40");
    expect(wide.layout(bytes).hoff, "layout().hoff: 4 header bytes + a 4-byte bitmap for 32 columns, rounded to 8").toBe(8);
  });

  it.each([1, 2, 3])("seed %i: rows of random width with nulls decode under schemas up to 90 columns wider", (seed) => {
    const r = rng(seed);
    for (let k = 0; k < 40; k++) {
      const stored = randomSchema(r, 100);
      const schema = [...stored, ...randomSchema(r, 90).map((c, i) => ({ ...c, name: `added${i}` }))];
      const row = randomRow(stored, r, 0.3);
      if (!row.includes(null)) row[Math.floor(r() * row.length)] = null;
      const context = `seed ${seed}, ${stored.length} stored columns read with ${schema.length}`;
      const bytes = new TupleCodec(stored).encode(row);
      expectRow(new TupleCodec(schema).decode(bytes), [...row, ...new Array<Value>(schema.length - stored.length).fill(null)], context);
    }
  });
});

describe("02.2 TupleCodec errors", () => {
  const bad: [ColumnType, string, string, Value | undefined][] = [
    ["int4", "a string for int4", "type-mismatch", "12"],
    ["int4", "a fraction for int4", "type-mismatch", 1.5],
    ["int4", "a bigint for int4", "type-mismatch", 12n],
    ["int4", "2^31 for int4", "out-of-range", 2 ** 31],
    ["int4", "−2^31 − 1 for int4", "out-of-range", -(2 ** 31) - 1],
    ["int2", "32768 for int2", "out-of-range", 32768],
    ["int2", "−32769 for int2", "out-of-range", -32769],
    ["int2", "NaN for int2", "type-mismatch", Number.NaN],
    ["int8", "a number for int8", "type-mismatch", 5],
    ["int8", "2^63 for int8", "out-of-range", 2n ** 63n],
    ["int8", "−2^63 − 1 for int8", "out-of-range", -(2n ** 63n) - 1n],
    ["float8", "a string for float8", "type-mismatch", "1.5"],
    ["float8", "a bigint for float8", "type-mismatch", 1n],
    ["bool", "1 for bool", "type-mismatch", 1],
    ["bool", "a string for bool", "type-mismatch", "true"],
    ["text", "a number for text", "type-mismatch", 5],
    ["text", "a lone surrogate for text", "type-mismatch", "\ud800"],
    ["text", "a lone low surrogate for text", "type-mismatch", "a\udc00b"],
    ["bytea", "a string for bytea", "type-mismatch", "ab"],
    ["bytea", "an array for bytea", "type-mismatch", [1, 2] as unknown as Value],
    ["int4", "undefined for int4", "type-mismatch", undefined],
  ];
  it.each(bad)("a bad %s value (%s) throws %s naming the column", (type, what, kind, value) => {
    const codec = new TupleCodec([
      { name: "id", type: "int4" },
      { name: "unit_price", type },
    ]);
    const error = expectDbError(() => codec.encode([1, value as Value]), kind, what);
    expect(error.message, `the message of the error for ${what} names the column`).toContain("unit_price");
  });

  it("the largest and smallest values of each integer type are accepted", () => {
    const codec = new TupleCodec([
      { name: "s", type: "int2" },
      { name: "i", type: "int4" },
      { name: "l", type: "int8" },
    ]);
    for (const row of [[32767, 2 ** 31 - 1, 2n ** 63n - 1n], [-32768, -(2 ** 31), -(2n ** 63n)]] as Value[][]) {
      expectRow(codec.decode(codec.encode(row)), row, `limits ${row.map(show).join(", ")}`);
    }
  });

  it("a null in a NOT NULL column throws null-violation naming the column; nullable columns accept null", () => {
    const codec = new TupleCodec([
      { name: "id", type: "int4", nullable: false },
      { name: "email", type: "text", nullable: false },
      { name: "note", type: "text", nullable: true },
      { name: "other", type: "text" },
    ]);
    const error = expectDbError(() => codec.encode([1, null, "x", "y"]), "null-violation", "null for email");
    expect(error.message, "the message names the column").toContain("email");
    expectRow(codec.decode(codec.encode([1, "a@b", null, null])), [1, "a@b", null, null], "nulls in nullable columns");
  });

  it("a row with the wrong number of values throws invalid-argument", () => {
    const codec = new TupleCodec(EXAMPLE);
    expectDbError(() => codec.encode([7, "ab", 1.5]), "invalid-argument", "3 values for 4 columns");
    expectDbError(() => codec.encode([7, "ab", 1.5, true, 1]), "invalid-argument", "5 values for 4 columns");
    expectDbError(() => codec.encode("7,ab" as unknown as Value[]), "invalid-argument", "a string instead of a row");
  });

  it.each([
    ["no columns", [], undefined],
    ["a duplicate column name", [{ name: "qty", type: "int4" }, { name: "qty", type: "text" }], "qty"],
    ["an empty column name", [{ name: "", type: "int4" }], undefined],
    ["a column name that is not a string", [{ name: 42, type: "int4" }], undefined],
    ["an unknown type", [{ name: "id", type: "int4" }, { name: "price", type: "varchar" }], "price"],
    ["1601 columns", Array.from({ length: 1601 }, (_, i) => ({ name: `c${i}`, type: "bool" })), undefined],
  ])("a schema with %s throws invalid-argument (naming the column at fault)", (what, schema, column) => {
    const error = expectDbError(() => new TupleCodec(schema as Column[]), "invalid-argument", `a schema with ${what}`);
    if (column !== undefined) expect(error.message, `the message of the error for ${what} names the column`).toContain(column);
  });

  it("keeps its own copy of the schema", () => {
    const columns: Column[] = [{ name: "a", type: "int4" }];
    const codec = new TupleCodec(columns);
    columns[0]!.type = "text";
    columns.push({ name: "b", type: "int4" });
    expect(codec.schema, "codec.schema").toEqual([{ name: "a", type: "int4" }]);
    expectRow(codec.decode(codec.encode([5])), [5], "encoding after the caller changed its schema array");
  });
});

describe("02.2 TupleCodec corrupt input", () => {
  const codec = () => new TupleCodec(EXAMPLE);
  const good = () => codec().encode([7, "ab", 1.5, true]);
  const wider = () => new TupleCodec([...EXAMPLE, { name: "x", type: "int4" }]);
  const cases: [string, () => Uint8Array, string | undefined][] = [
    ["fewer than 4 bytes", () => new Uint8Array([4, 0, 0]), undefined],
    ["one byte cut off the end", () => good().slice(0, 32), "ok"],
    ["its text length prefix cut off", () => good().slice(0, 14), "name"],
    ["a byte too many at the end", () => Uint8Array.from([...good(), 0]), undefined],
    ["more columns than the schema", () => wider().encode([7, "ab", 1.5, true, 9]), undefined],
    ["more columns than the schema, the extra one null", () => wider().encode([7, "ab", 1.5, true, null]), undefined],
    ["a wrong data offset (hoff)", () => { const b = good(); b[3] = 16; return b; }, undefined],
    ["a text length running past the end", () => { const b = good(); b[12] = 200; return b; }, "name"],
    ["invalid UTF-8 in a text value", () => { const b = good(); b[16] = 0xff; b[17] = 0xfe; return b; }, "name"],
    ["a bool byte that is neither 0 nor 1", () => { const b = good(); b[32] = 2; return b; }, "ok"],
    ["a header that claims nulls without room for the bitmap", () => new Uint8Array([4, 0, 1, 8, 0, 0, 0]), undefined],
  ];
  it.each(cases)("decode and layout of a tuple with %s throw corrupt (naming the column at fault)", (what, make, column) => {
    const c = codec();
    const error = expectDbError(() => c.decode(make()), "corrupt", `decode of a tuple with ${what}`);
    if (column !== undefined) expect(error.message, `the message of the error for a tuple with ${what} names the column`).toContain(column);
    expectDbError(() => c.layout(make()), "corrupt", `layout of a tuple with ${what}`);
  });

  it("decoding never changes its input", () => {
    const bytes = good();
    const copy = bytes.slice();
    codec().decode(bytes);
    codec().layout(bytes);
    expect([...bytes], "the tuple's bytes after decode and layout").toEqual([...copy]);
  });
});
