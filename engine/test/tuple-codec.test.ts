import { describe, expect, test } from "vitest";
import { Random, TupleCodec, TupleReader, type Column, type ColumnType, type Row, type Schema, type Value } from "../src/index.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const TYPES: ColumnType[] = ["bool", "int2", "int4", "int8", "float8", "text", "bytea"];

function randomValue(rng: Random, type: ColumnType): Value {
  switch (type) {
    case "bool":
      return rng.bool();
    case "int2":
      return rng.intBetween(-32768, 32767);
    case "int4":
      return rng.pick([0, -1, 2147483647, -2147483648, rng.intBetween(-1e9, 1e9)]);
    case "int8":
      return rng.pick([0n, -(2n ** 63n), 2n ** 63n - 1n, BigInt(rng.intBetween(-1e9, 1e9)) * 1_000_003n]);
    case "float8":
      return rng.pick([0, -0, 1.5, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, rng.float() * 1e300]);
    case "text": {
      const alphabet = ["a", "z", " ", "é", "ß", "😀", "中", "\u0000"];
      return Array.from({ length: rng.int(12) }, () => rng.pick(alphabet)).join("");
    }
    case "bytea":
      return rng.bytes(rng.int(20));
  }
}

function sameValue(actual: Value | undefined, expected: Value, what: string): void {
  if (expected instanceof Uint8Array) {
    check(actual instanceof Uint8Array && Buffer.from(actual).equals(Buffer.from(expected)), what);
  } else {
    same(actual, expected, what);
  }
}

describe("02 tuple codec", () => {
  test("random schemas and rows round-trip exactly (seeded), nulls and all", () => {
    const rng = new Random(1);
    for (let s = 0; s < 200; s++) {
      const schema: Column[] = Array.from({ length: rng.intBetween(1, 20) }, (_, i) => ({
        name: `c${i}`,
        type: rng.pick(TYPES),
      }));
      const codec = new TupleCodec(schema);
      for (let r = 0; r < 10; r++) {
        const row = schema.map((c) => (rng.bool(0.2) ? null : randomValue(rng, c.type)));
        const bytes = codec.encode(row);
        const back = codec.decode(bytes);
        same(back.length, row.length, "columns");
        row.forEach((v, i) => sameValue(back[i], v, `schema ${s} row ${r} column ${i}`));
        // Every column value starts at a multiple of its alignment.
        for (const col of codec.layout(bytes).columns) {
          if (!col.isNull) same(col.offset % ({ bool: 1, int2: 2, int4: 4, int8: 8, float8: 8, text: 4, bytea: 4 }[col.type]), 0, "aligned");
        }
      }
    }
  });

  test("the documented example: padding follows typalign", () => {
    const codec = new TupleCodec([
      { name: "id", type: "int4" },
      { name: "name", type: "text" },
      { name: "score", type: "float8" },
      { name: "ok", type: "bool" },
    ]);
    const bytes = codec.encode([7, "ab", 1.5, true]);
    expect(bytes.length).toBe(33);
    const layout = codec.layout(bytes);
    expect(layout).toMatchObject({ natts: 4, hasNulls: false, hoff: 8, length: 33 });
    expect(layout.columns.map((c) => [c.name, c.offset, c.length, c.padding])).toEqual([
      ["id", 8, 4, 0],
      ["name", 12, 6, 0],
      ["score", 24, 8, 6],
      ["ok", 32, 1, 0],
    ]);
    // Header and values, little-endian.
    expect([...bytes.subarray(0, 4)]).toEqual([4, 0, 0, 8]);
    expect([...bytes.subarray(8, 12)]).toEqual([7, 0, 0, 0]);
    expect([...bytes.subarray(12, 18)]).toEqual([2, 0, 0, 0, 0x61, 0x62]);
    // Widest columns first: no padding at all.
    const reordered = new TupleCodec([
      { name: "score", type: "float8" },
      { name: "id", type: "int4" },
      { name: "name", type: "text" },
      { name: "ok", type: "bool" },
    ]);
    expect(reordered.encode([1.5, 7, "ab", true]).length).toBe(27);
  });

  test("nulls take no data bytes and set the bitmap (1 = not null)", () => {
    const codec = new TupleCodec([
      { name: "a", type: "int8" },
      { name: "b", type: "int8" },
      { name: "c", type: "int8" },
    ]);
    const full = codec.encode([1n, 2n, 3n]);
    const withNull = codec.encode([1n, null, 3n]);
    expect(full.length).toBe(8 + 24);
    expect(withNull.length).toBe(8 + 16);
    expect(withNull[2]).toBe(1); // HAS_NULLS
    expect(withNull[4]).toBe(0b101);
    expect(codec.decode(withNull)).toEqual([1n, null, 3n]);
    // A bitmap longer than 4 bytes pushes hoff to 16.
    const wide = new TupleCodec(Array.from({ length: 40 }, (_, i) => ({ name: `c${i}`, type: "bool" as const })));
    const row = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? null : true));
    expect(wide.layout(wide.encode(row)).hoff).toBe(16);
    expect(wide.decode(wide.encode(row))).toEqual(row);
  });

  test("a tuple written before columns were added decodes the new columns as null", () => {
    const before = new TupleCodec([{ name: "a", type: "int4" }]);
    const after = new TupleCodec([
      { name: "a", type: "int4" },
      { name: "b", type: "text" },
    ]);
    expect(after.decode(before.encode([5]))).toEqual([5, null]);
    expectDbError(() => before.decode(after.encode([5, "x"])), "corrupt");
  });

  test("a bad value gets an error naming the column, and the kind says why", () => {
    const schema: Schema = [
      { name: "id", type: "int2", nullable: false },
      { name: "big", type: "int8" },
      { name: "name", type: "text" },
      { name: "blob", type: "bytea" },
      { name: "flag", type: "bool" },
    ];
    const codec = new TupleCodec(schema);
    const good: Row = [1, 1n, "x", new Uint8Array(1), true];
    const bad = (i: number, value: unknown): Row => good.map((v, j) => (j === i ? (value as Value) : v));
    let error = expectDbError(() => codec.encode(bad(0, 40000)), "out-of-range");
    expect(error.message).toContain('"id"');
    expect(error.details).toMatchObject({ column: "id", type: "int2", value: 40000 });
    expectDbError(() => codec.encode(bad(0, 1.5)), "type-mismatch");
    error = expectDbError(() => codec.encode(bad(0, null)), "null-violation");
    expect(error.details).toMatchObject({ column: "id" });
    error = expectDbError(() => codec.encode(bad(1, 5)), "type-mismatch");
    expect(error.message).toContain("bigint");
    expectDbError(() => codec.encode(bad(1, 2n ** 63n)), "out-of-range");
    expectDbError(() => codec.encode(bad(2, 5)), "type-mismatch");
    expectDbError(() => codec.encode(bad(2, "\uD800")), "type-mismatch");
    expectDbError(() => codec.encode(bad(3, [1, 2])), "type-mismatch");
    expectDbError(() => codec.encode(bad(4, 1)), "type-mismatch");
    expectDbError(() => codec.encode(good.slice(1)), "invalid-argument");
    expect(codec.decode(codec.encode(good))).toEqual(good);
  });

  test("int boundaries are exact", () => {
    const codec = new TupleCodec([
      { name: "s", type: "int2" },
      { name: "i", type: "int4" },
    ]);
    expect(codec.decode(codec.encode([-32768, -2147483648]))).toEqual([-32768, -2147483648]);
    expect(codec.decode(codec.encode([32767, 2147483647]))).toEqual([32767, 2147483647]);
    expectDbError(() => codec.encode([-32769, 0]), "out-of-range");
    expectDbError(() => codec.encode([0, 2147483648]), "out-of-range");
  });

  test("corrupt bytes are refused, never misread", () => {
    const codec = new TupleCodec([
      { name: "name", type: "text" },
      { name: "ok", type: "bool" },
    ]);
    const bytes = codec.encode(["hello", true]);
    expectDbError(() => codec.decode(bytes.subarray(0, 3)), "corrupt");
    expectDbError(() => codec.decode(bytes.subarray(0, bytes.length - 1)), "corrupt");
    const longLength = bytes.slice();
    longLength[8] = 200;
    expectDbError(() => codec.decode(longLength), "corrupt");
    const badUtf8 = bytes.slice();
    badUtf8[12] = 0xff;
    expectDbError(() => codec.decode(badUtf8), "corrupt");
    const badBool = bytes.slice();
    badBool[bytes.length - 1] = 7;
    expectDbError(() => codec.decode(badBool), "corrupt");
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expectDbError(() => codec.decode(trailing), "corrupt");
  });

  test("foolish schemas are refused", () => {
    expectDbError(() => new TupleCodec([]), "invalid-argument");
    expectDbError(() => new TupleCodec([{ name: "a", type: "int4" }, { name: "a", type: "int4" }]), "invalid-argument");
    expectDbError(() => new TupleCodec([{ name: "a", type: "varchar" as ColumnType }]), "invalid-argument");
    expectDbError(() => new TupleCodec([{ name: "", type: "int4" }]), "invalid-argument");
  });
});

describe("02 tuple reader: lazy decoding (slot_getsomeattrs, attcacheoff)", () => {
  test("any column, in any order, of a tuple lying inside a larger buffer, equals decode()", () => {
    const rng = new Random(5);
    for (let s = 0; s < 150; s++) {
      const schema: Column[] = Array.from({ length: rng.intBetween(1, 14) }, (_, i) => ({ name: `c${i}`, type: rng.pick(TYPES) }));
      const codec = new TupleCodec(schema);
      const reader = new TupleReader(schema);
      for (let r = 0; r < 8; r++) {
        const row = schema.map((c) => (rng.bool(0.2) ? null : c.type === "text" && rng.bool(0.2) ? "x".repeat(rng.intBetween(30, 90)) : randomValue(rng, c.type)));
        const bytes = codec.encode(row);
        // The tuple as it lies on a page: at an offset in a bigger buffer, garbage around it.
        const page = rng.bytes(bytes.length + 24);
        const start = 8 * rng.int(3);
        page.set(bytes, start);
        reader.attach(page, start, start + bytes.length);
        const order = rng.shuffle(schema.map((_, i) => i));
        for (const i of order) {
          sameValue(reader.value(i), row[i] as Value, `schema ${s} row ${r} column ${i} (asked in order ${order.join(",")})`);
          same(reader.isNull(i), row[i] === null, `isNull(${i})`);
        }
        row.forEach((v, i) => sameValue(reader.attach(bytes).row()[i], v, `row() column ${i}`));
      }
    }
  });

  test("reading one column locates only the columns up to it", () => {
    const schema: Schema = [
      { name: "id", type: "int4" },
      { name: "date", type: "text" },
      { name: "delay", type: "int4" },
      { name: "origin", type: "text" },
    ];
    const bytes = new TupleCodec(schema).encode([7, "2001/01/01", -3, "SFO"]);
    // Break the last column's length: a reader that walked past delay would throw.
    const broken = bytes.slice();
    const originAt = new TupleCodec(schema).layout(bytes).columns[3]!.offset;
    broken[originAt + 3] = 0x7f;
    const reader = new TupleReader(schema).attach(broken);
    same(reader.value(0), 7, "id (a cached offset)");
    same(reader.value(2), -3, "delay, after one text column");
    expectDbError(() => reader.value(3), "corrupt");
    expectDbError(() => new TupleCodec(schema).decode(broken), "corrupt");
  });

  test("corrupt headers and out-of-range columns are refused, never misread", () => {
    const schema: Schema = [{ name: "n", type: "int8" }, { name: "s", type: "text" }];
    const bytes = new TupleCodec(schema).encode([-5n, "héllo"]);
    const reader = new TupleReader(schema);
    expectDbError(() => reader.attach(bytes, 0, 3), "corrupt");
    const tooMany = bytes.slice();
    tooMany[0] = 9;
    expectDbError(() => reader.attach(tooMany), "corrupt");
    const badHoff = bytes.slice();
    badHoff[3] = 12;
    expectDbError(() => reader.attach(badHoff), "corrupt");
    reader.attach(bytes);
    same(reader.value(0), -5n, "int8, negative, from two 32-bit halves");
    same(reader.value(1), "héllo", "non-ASCII text through the UTF-8 decoder");
    expectDbError(() => reader.value(2), "out-of-range");
    expectDbError(() => reader.value(-1), "out-of-range");
    expectDbError(() => reader.attach(bytes.subarray(0, bytes.length - 2)).value(1), "corrupt");
  });
  test("text of every length around the fast paths' chunk sizes, ASCII or not, decodes exactly, in one pass or column by column", () => {
    const schema: Schema = [
      { name: "id", type: "int4" },
      { name: "s", type: "text" },
      { name: "n", type: "int4" },
      { name: "t", type: "text" },
    ];
    const codec = new TupleCodec(schema);
    const reader = new TupleReader(schema);
    const rng = new Random(22);
    for (let length = 0; length <= 70; length++) {
      for (const alphabet of ["abcXYZ09 /:-~\u007f", "aé中😀\u0000"]) {
        const chars = [...alphabet];
        const s = Array.from({ length }, () => rng.pick(chars)).join("");
        const row: Row = [length, s, -length, [...s].slice(0, 5).join("")];
        const bytes = codec.encode(row);
        same(JSON.stringify(codec.decode(bytes)), JSON.stringify(row), `row() of ${JSON.stringify(s)}`);
        same(reader.attach(bytes).value(3), row[3] as Value, `value(3) of ${JSON.stringify(row)}`);
        same(reader.value(1), s, `value(1) after value(3) of ${JSON.stringify(s)}`);
        same(JSON.stringify(reader.row()), JSON.stringify(row), `row() after value(1) of ${JSON.stringify(s)}`);
      }
    }
    // The one-pass row() refuses what the column-by-column one refuses.
    const bytes = codec.encode([1, "abcdefgh", 2, "xyz"]);
    const cut = bytes.subarray(0, bytes.length - 1);
    expectDbError(() => reader.attach(cut).row(), "corrupt");
    const trailing = new Uint8Array(bytes.length + 8);
    trailing.set(bytes);
    expectDbError(() => reader.attach(trailing).row(), "corrupt");
    const badAscii = bytes.slice();
    badAscii[17] = 0xff;
    expectDbError(() => reader.attach(badAscii).row(), "corrupt");
  });
});
