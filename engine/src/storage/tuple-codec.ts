/**
 * Tuple codec
 * ===========
 * The engine's `RowCodec`, and the reference solution of exercise 02.2: the codec a learner
 * writes, kept as plain as the exercise asks. The contract and the byte layout of a tuple
 * (PostgreSQL's heap tuple data layout, minus the transaction fields) are in row-codec.ts:
 *
 *   | natts u16 | flags u8 | hoff u8 | null bitmap (if any null) | pad | column data … |
 *
 * - `encode` checks every value (`checkValue`, which names the column) and writes in two
 *   passes: first each column's offset (alignUp(end, typalign); a null takes no bytes),
 *   then the bytes, so the tuple is allocated once, at its exact size.
 * - `decode` and `layout` are one walk over the columns (`#walk`), which finds every value
 *   with the same alignment rule, checking the header, each length against the end, the
 *   bool bytes and the UTF-8, and that nothing follows the last column.
 *
 * Costs: encode and decode are O(columns + bytes), with one `DataView` and one array per
 * tuple and a value per column. Scans that read a few columns of many tuples use the
 * engine's `TupleReader` (tuple-reader.ts) instead: PostgreSQL's `slot_getsomeattrs`,
 * decoding lazily, in place on the page, only up to the columns a query reads.
 */
import { DbError } from "../common/errors.js";
import { LITTLE_ENDIAN, MAXALIGN, alignUp, viewOf } from "../common/bytes.js";
import {
  COLUMN_TYPES,
  type Column,
  type ColumnLayout,
  MAX_COLUMNS,
  type Row,
  type RowCodec,
  type Schema,
  type TupleLayout,
  type Value,
} from "./row-codec.js";

const HEADER_FIXED = 4;
const HAS_NULLS = 0x1;
const VARLENA_HEADER = 4;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export class TupleCodec implements RowCodec {
  readonly schema: Schema;

  /**
   * A codec for rows of `schema`. Throws `invalid-argument` for an empty or over-long
   * schema (more than 1600 columns), a duplicate or empty column name, or an unknown type.
   */
  constructor(schema: Schema) {
    if (!Array.isArray(schema) || schema.length === 0 || schema.length > MAX_COLUMNS) {
      throw new DbError("invalid-argument", `a schema has 1…${MAX_COLUMNS} columns`, {
        columns: Array.isArray(schema) ? schema.length : undefined,
      });
    }
    const names = new Set<string>();
    for (const column of schema) {
      if (typeof column.name !== "string" || column.name === "" || names.has(column.name)) {
        throw new DbError("invalid-argument", `column names must be non-empty and unique: "${String(column.name)}"`, {
          column: column.name,
        });
      }
      names.add(column.name);
      if (!Object.hasOwn(COLUMN_TYPES, column.type)) {
        throw new DbError("invalid-argument", `column "${column.name}" has unknown type "${String(column.type)}"`, {
          column: column.name,
          type: column.type,
        });
      }
    }
    this.schema = schema.map((c) => ({ ...c }));
  }

  /**
   * The bytes of `row`, one value per schema column. Throws, naming the column,
   * `type-mismatch`, `out-of-range` or `null-violation` for a bad value (see the module
   * header), and `invalid-argument` when the row has the wrong number of values.
   */
  encode(row: Row): Uint8Array {
    if (!Array.isArray(row) || row.length !== this.schema.length) {
      throw new DbError(
        "invalid-argument",
        `a row needs ${this.schema.length} values, got ${Array.isArray(row) ? row.length : typeof row}`,
        { expected: this.schema.length, received: Array.isArray(row) ? row.length : undefined },
      );
    }
    // Pass 1: validate, encode strings once, and compute every offset.
    const natts = this.schema.length;
    const hasNulls = row.some((v) => v === null);
    const hoff = alignUp(HEADER_FIXED + (hasNulls ? (natts + 7) >> 3 : 0), MAXALIGN);
    const payloads: (Uint8Array | undefined)[] = [];
    const offsets: number[] = [];
    let end = hoff;
    for (let i = 0; i < natts; i++) {
      const column = this.schema[i] as Column;
      const value = row[i] as Value;
      const payload = checkValue(column, value);
      payloads.push(payload);
      if (value === null) {
        offsets.push(-1);
        continue;
      }
      const { typlen, typalign } = COLUMN_TYPES[column.type];
      const offset = alignUp(end, typalign);
      offsets.push(offset);
      end = offset + (typlen > 0 ? typlen : VARLENA_HEADER + (payload as Uint8Array).byteLength);
    }
    // Pass 2: write.
    const bytes = new Uint8Array(end);
    const view = viewOf(bytes);
    view.setUint16(0, natts, LITTLE_ENDIAN);
    view.setUint8(2, hasNulls ? HAS_NULLS : 0);
    view.setUint8(3, hoff);
    for (let i = 0; i < natts; i++) {
      const value = row[i] as Value;
      const offset = offsets[i] as number;
      if (value === null) continue;
      if (hasNulls) bytes[HEADER_FIXED + (i >> 3)] = (bytes[HEADER_FIXED + (i >> 3)] as number) | (1 << (i & 7));
      switch ((this.schema[i] as Column).type) {
        case "bool":
          view.setUint8(offset, value ? 1 : 0);
          break;
        case "int2":
          view.setInt16(offset, value as number, LITTLE_ENDIAN);
          break;
        case "int4":
          view.setInt32(offset, value as number, LITTLE_ENDIAN);
          break;
        case "int8":
          view.setBigInt64(offset, value as bigint, LITTLE_ENDIAN);
          break;
        case "float8":
          view.setFloat64(offset, value as number, LITTLE_ENDIAN);
          break;
        case "text":
        case "bytea": {
          const payload = payloads[i] as Uint8Array;
          view.setUint32(offset, payload.byteLength, LITTLE_ENDIAN);
          bytes.set(payload, offset + VARLENA_HEADER);
          break;
        }
      }
    }
    return bytes;
  }

  /**
   * The row stored in `bytes`. Columns the tuple does not store (it was written under a
   * shorter schema) decode as null. Throws `corrupt` when the bytes do not follow the
   * layout: truncated, more columns than the schema, an impossible length, bad UTF-8.
   */
  decode(bytes: Uint8Array): Value[] {
    const values: Value[] = [];
    this.#walk(bytes, (_layout, value) => values.push(value));
    return values;
  }

  /** Where each column of the encoded tuple `bytes` sits. Throws `corrupt` as `decode` does. */
  layout(bytes: Uint8Array): TupleLayout {
    const columns: ColumnLayout[] = [];
    const header = this.#walk(bytes, (layout) => columns.push(layout));
    return { ...header, length: bytes.byteLength, columns };
  }

  #walk(
    bytes: Uint8Array,
    visit: (layout: ColumnLayout, value: Value) => void,
  ): { natts: number; hasNulls: boolean; hoff: number } {
    const corrupt = (reason: string, details: Record<string, unknown> = {}): DbError =>
      new DbError("corrupt", `tuple is corrupt: ${reason}`, { length: bytes.byteLength, ...details });
    if (bytes.byteLength < HEADER_FIXED) throw corrupt("shorter than its header");
    const view = viewOf(bytes);
    const natts = view.getUint16(0, LITTLE_ENDIAN);
    const hasNulls = (view.getUint8(2) & HAS_NULLS) !== 0;
    const hoff = view.getUint8(3);
    if (natts > this.schema.length) {
      throw corrupt(`it stores ${natts} columns, the schema has ${this.schema.length}`, { natts });
    }
    const expectedHoff = alignUp(HEADER_FIXED + (hasNulls ? (natts + 7) >> 3 : 0), MAXALIGN);
    if (hoff !== expectedHoff || hoff > bytes.byteLength) throw corrupt(`bad data offset ${hoff}`, { hoff });
    let end = hoff;
    for (let i = 0; i < this.schema.length; i++) {
      const column = this.schema[i] as Column;
      const stored = i < natts;
      const isNull = !stored || (hasNulls && ((bytes[HEADER_FIXED + (i >> 3)] as number) & (1 << (i & 7))) === 0);
      if (isNull) {
        visit({ name: column.name, type: column.type, isNull: true, padding: 0, offset: -1, length: 0 }, null);
        continue;
      }
      const { typlen, typalign } = COLUMN_TYPES[column.type];
      const offset = alignUp(end, typalign);
      let length = typlen;
      if (typlen < 0) {
        if (offset + VARLENA_HEADER > bytes.byteLength) throw corrupt(`column "${column.name}" is cut off`, { offset });
        length = VARLENA_HEADER + view.getUint32(offset, LITTLE_ENDIAN);
      }
      if (offset + length > bytes.byteLength) {
        throw corrupt(`column "${column.name}" runs past the end`, { column: column.name, offset, length });
      }
      let value: Value;
      switch (column.type) {
        case "bool": {
          const b = view.getUint8(offset);
          if (b > 1) throw corrupt(`column "${column.name}" holds bool byte ${b}`, { column: column.name, offset });
          value = b === 1;
          break;
        }
        case "int2":
          value = view.getInt16(offset, LITTLE_ENDIAN);
          break;
        case "int4":
          value = view.getInt32(offset, LITTLE_ENDIAN);
          break;
        case "int8":
          value = view.getBigInt64(offset, LITTLE_ENDIAN);
          break;
        case "float8":
          value = view.getFloat64(offset, LITTLE_ENDIAN);
          break;
        case "text":
          try {
            value = utf8Decoder.decode(bytes.subarray(offset + VARLENA_HEADER, offset + length));
          } catch (cause) {
            throw corrupt(`column "${column.name}" is not valid UTF-8`, { column: column.name, offset, cause });
          }
          break;
        case "bytea":
          value = bytes.slice(offset + VARLENA_HEADER, offset + length);
          break;
      }
      visit({ name: column.name, type: column.type, isNull: false, padding: offset - end, offset, length }, value);
      end = offset + length;
    }
    if (end !== bytes.byteLength) throw corrupt(`${bytes.byteLength - end} unexpected bytes after the last column`);
    return { natts, hasNulls, hoff };
  }
}

/** Validate `value` for `column`; return the payload bytes of a text or bytea value. */
function checkValue(column: Column, value: Value): Uint8Array | undefined {
  const fail = (kind: "type-mismatch" | "out-of-range" | "null-violation", why: string): DbError =>
    new DbError(kind, `column "${column.name}" (${column.type}): ${why}`, {
      column: column.name,
      type: column.type,
      value,
    });
  if (value === null) {
    if (column.nullable === false) throw fail("null-violation", "null in a NOT NULL column");
    return undefined;
  }
  const got = (): string =>
    value instanceof Uint8Array ? "Uint8Array" : `${typeof value} ${typeof value === "bigint" ? `${value}n` : JSON.stringify(value)}`;
  switch (column.type) {
    case "bool":
      if (typeof value !== "boolean") throw fail("type-mismatch", `expected a boolean, got ${got()}`);
      return undefined;
    case "int2":
    case "int4": {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw fail("type-mismatch", `expected an integer number, got ${got()}`);
      }
      const bits = column.type === "int2" ? 16 : 32;
      const max = 2 ** (bits - 1) - 1;
      if (value < -max - 1 || value > max) throw fail("out-of-range", `${value} is outside ${-max - 1}…${max}`);
      return undefined;
    }
    case "int8":
      if (typeof value !== "bigint") throw fail("type-mismatch", `expected a bigint (like 42n), got ${got()}`);
      if (value < INT8_MIN || value > INT8_MAX) throw fail("out-of-range", `${value} is outside the int8 range`);
      return undefined;
    case "float8":
      if (typeof value !== "number") throw fail("type-mismatch", `expected a number, got ${got()}`);
      return undefined;
    case "text":
      if (typeof value !== "string") throw fail("type-mismatch", `expected a string, got ${got()}`);
      if (LONE_SURROGATE.test(value)) throw fail("type-mismatch", "the string has a lone surrogate (not valid UTF-16)");
      return utf8Encoder.encode(value);
    case "bytea":
      if (!(value instanceof Uint8Array)) throw fail("type-mismatch", `expected a Uint8Array, got ${got()}`);
      return value;
  }
}
