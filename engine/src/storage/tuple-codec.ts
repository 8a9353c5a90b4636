/**
 * Tuple codec
 * ===========
 * The engine's `RowCodec`: the contract, with the byte layout of a tuple (PostgreSQL's heap
 * tuple data layout, minus the transaction fields), is in row-codec.ts. `encode` checks
 * every value and writes in two passes (offsets first, then bytes, so the tuple is
 * allocated once at its exact size); `decode` is the lazy reader below asked for every
 * column.
 *
 * Reading only what a query needs (`TupleReader`)
 * -----------------------------------------------
 * `decode` builds every value of a row. A scan computing `sum(delay)` needs one column,
 * and PostgreSQL never decodes the rest: a scan hands each tuple to a *slot*, and
 * `slot_getsomeattrs(slot, n)` deforms only columns 0…n−1, remembering how far it got
 * (`tts_nvalid` and the offset reached), so asking for column 5 after column 2 continues
 * from column 3. Two more of its tricks are here:
 *
 * - `attcacheoff`: the offset of every column before the first variable-length one is
 *   the same in every tuple without nulls, so it is computed once per schema and a read
 *   of such a column jumps straight there, walking nothing;
 * - no allocation per tuple: the reader is attached to a tuple where it lies (a page's
 *   bytes, a start and an end, no copy, no `DataView`), and numbers are assembled from
 *   bytes with shifts, little-endian.
 *
 *   const reader = new TupleReader(schema);
 *   for (each tuple on a page) { reader.attach(page, start, end); sum += reader.value(2) as number; }
 *
 * `TupleCodec.decode` is the same reader asked for every column, with every check. For
 * a tuple without nulls `row()` locates and decodes each column in one pass, and short
 * ASCII text (most text columns) is built with `String.fromCharCode`, up to sixteen
 * characters a call, instead of a `TextDecoder` call, which costs more than such a short
 * string. Decoding every column still costs what PostgreSQL never pays: its text values
 * stay pointers into the page until an operator reads them, while here each becomes a
 * JavaScript string (an allocation, later garbage).
 */
import { DbError } from "../common/errors.js";
import { LITTLE_ENDIAN, MAXALIGN, alignUp, viewOf } from "../common/bytes.js";
import {
  COLUMN_TYPES,
  type Column,
  type ColumnLayout,
  type ColumnType,
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

/** Type codes for the reader's switch (a small integer per column, not a string compare). */
const TYPE_CODE: Readonly<Record<ColumnType, number>> = { bool: 0, int2: 1, int4: 2, int8: 3, float8: 4, text: 5, bytea: 6 };

const EMPTY = new Uint8Array(0);
// One scratch buffer for float8 reads, made once: its DataView names the byte order.
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

function tupleCorrupt(reason: string, details: Record<string, unknown>): DbError {
  return new DbError("corrupt", `tuple is corrupt: ${reason}`, details);
}

/**
 * The string of the ASCII bytes b[from … to): sixteen, then four characters per
 * `String.fromCharCode` call, then the rest in one call (a string per call, not per byte).
 */
function asciiString(b: Uint8Array, from: number, to: number): string {
  const c = String.fromCharCode;
  let s = "";
  let i = from;
  for (; to - i >= 16; i += 16) {
    s += c(
      b[i] as number, b[i + 1] as number, b[i + 2] as number, b[i + 3] as number,
      b[i + 4] as number, b[i + 5] as number, b[i + 6] as number, b[i + 7] as number,
      b[i + 8] as number, b[i + 9] as number, b[i + 10] as number, b[i + 11] as number,
      b[i + 12] as number, b[i + 13] as number, b[i + 14] as number, b[i + 15] as number,
    );
  }
  for (; to - i >= 4; i += 4) s += c(b[i] as number, b[i + 1] as number, b[i + 2] as number, b[i + 3] as number);
  switch (to - i) {
    case 1:
      return s + c(b[i] as number);
    case 2:
      return s + c(b[i] as number, b[i + 1] as number);
    case 3:
      return s + c(b[i] as number, b[i + 1] as number, b[i + 2] as number);
    default:
      return s;
  }
}

/**
 * Reads the columns of one encoded tuple at a time, lazily (see "Reading only what a
 * query needs" in the module header). Attach it to a tuple, then ask for columns in any
 * order; each column is located once per tuple, and only columns up to the highest one
 * asked for are walked.
 */
export class TupleReader {
  readonly schema: Schema;
  readonly #types: Uint8Array;
  readonly #typlen: Int32Array;
  readonly #typalign: Int32Array;
  /** PostgreSQL's attcacheoff: a column's offset in a tuple without nulls, −1 from the first variable-length column on. */
  readonly #cacheOff: Int32Array;
  /** Columns with a cached offset: those before the first variable-length one. */
  readonly #cached: number;
  /** Where each located column starts (absolute, in `#bytes`), −1 when null; and its length. */
  readonly #offsets: Int32Array;
  readonly #lengths: Int32Array;
  #bytes: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  #natts = 0;
  #hasNulls = false;
  /** Columns 0 … #nvalid − 1 are located (PostgreSQL's tts_nvalid); #off is where the next may start. */
  #nvalid = 0;
  #off = 0;

  /** A reader for tuples of `schema` (validated as `TupleCodec` validates it). */
  constructor(schema: Schema) {
    this.schema = new TupleCodec(schema).schema;
    const n = this.schema.length;
    this.#types = new Uint8Array(n);
    this.#typlen = new Int32Array(n);
    this.#typalign = new Int32Array(n);
    this.#cacheOff = new Int32Array(n).fill(-1);
    this.#offsets = new Int32Array(n);
    this.#lengths = new Int32Array(n);
    let off = alignUp(HEADER_FIXED, MAXALIGN);
    let cached = 0;
    let fixedSoFar = true;
    for (let i = 0; i < n; i++) {
      const { type } = this.schema[i] as Column;
      const { typlen, typalign } = COLUMN_TYPES[type];
      this.#types[i] = TYPE_CODE[type];
      this.#typlen[i] = typlen;
      this.#typalign[i] = typalign;
      if (fixedSoFar && typlen > 0) {
        off = alignUp(off, typalign);
        this.#cacheOff[i] = off;
        off += typlen;
        cached = i + 1;
      } else {
        fixedSoFar = false;
      }
    }
    this.#cached = cached;
  }

  /**
   * Read the tuple in `bytes[start … end)` from now on (no copy: the bytes must not change
   * while it is read). Checks the header; throws `corrupt` as `TupleCodec.decode` does.
   */
  attach(bytes: Uint8Array, start = 0, end = bytes.length): this {
    if (end - start < HEADER_FIXED || start < 0 || end > bytes.length) {
      throw tupleCorrupt("shorter than its header", { length: end - start });
    }
    const natts = (bytes[start] as number) | ((bytes[start + 1] as number) << 8);
    const hasNulls = ((bytes[start + 2] as number) & HAS_NULLS) !== 0;
    const hoff = bytes[start + 3] as number;
    if (natts > this.schema.length) {
      throw tupleCorrupt(`it stores ${natts} columns, the schema has ${this.schema.length}`, { length: end - start, natts });
    }
    if (hoff !== alignUp(HEADER_FIXED + (hasNulls ? (natts + 7) >> 3 : 0), MAXALIGN) || hoff > end - start) {
      throw tupleCorrupt(`bad data offset ${hoff}`, { length: end - start, hoff });
    }
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
    this.#natts = natts;
    this.#hasNulls = hasNulls;
    this.#nvalid = 0;
    this.#off = start + hoff;
    return this;
  }

  /** Whether column `column` of the attached tuple is null. */
  isNull(column: number): boolean {
    if (!(column >= 0 && column < this.#nvalid)) this.#locate(column);
    return this.#offsets[column] === -1;
  }

  /** The value of column `column` (0-based) of the attached tuple; locates only the columns up to it. */
  value(column: number): Value {
    if (!(column >= 0 && column < this.#nvalid)) this.#locate(column);
    const off = this.#offsets[column] as number;
    if (off < 0) return null;
    const b = this.#bytes;
    switch (this.#types[column]) {
      case 0: {
        const v = b[off] as number;
        if (v > 1) throw tupleCorrupt(`column "${this.#name(column)}" holds bool byte ${v}`, { column: this.#name(column), offset: off - this.#start });
        return v === 1;
      }
      case 1:
        return (((b[off] as number) | ((b[off + 1] as number) << 8)) << 16) >> 16;
      case 2:
        return (b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24);
      case 3: {
        const lo = ((b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24)) >>> 0;
        const hi = (b[off + 4] as number) | ((b[off + 5] as number) << 8) | ((b[off + 6] as number) << 16) | ((b[off + 7] as number) << 24);
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
      case 4:
        for (let i = 0; i < 8; i++) scratch[i] = b[off + i] as number;
        return scratchView.getFloat64(0, LITTLE_ENDIAN);
      case 5:
        return this.#text(column, off + VARLENA_HEADER, off + (this.#lengths[column] as number));
      default:
        return b.slice(off + VARLENA_HEADER, off + (this.#lengths[column] as number));
    }
  }

  /** Every column of the attached tuple, checking that nothing follows the last one (what `TupleCodec.decode` returns). */
  row(): Value[] {
    const n = this.schema.length;
    // Nothing located yet and no nulls (the usual case of a scan): one pass that locates
    // and decodes each column in turn.
    if (this.#nvalid === 0 && !this.#hasNulls && this.#natts === n) return this.#rowInOnePass(n);
    this.#locate(n - 1);
    if (this.#off !== this.#end) throw tupleCorrupt(`${this.#end - this.#off} unexpected bytes after the last column`, { length: this.#end - this.#start });
    const values: Value[] = new Array<Value>(n);
    for (let i = 0; i < n; i++) values[i] = this.value(i);
    return values;
  }

  /**
   * `row()` of a tuple without nulls, from its first column: each column located (as
   * `#locate` does, with the same checks) and decoded before the next.
   */
  #rowInOnePass(n: number): Value[] {
    const b = this.#bytes;
    const start = this.#start;
    const end = this.#end;
    const values: Value[] = new Array<Value>(n);
    let off = this.#off;
    for (let i = 0; i < n; i++) {
      const align = this.#typalign[i] as number;
      off = start + ((off - start + align - 1) & -align);
      let length = this.#typlen[i] as number;
      if (length < 0) {
        if (off + VARLENA_HEADER > end) throw tupleCorrupt(`column "${this.#name(i)}" is cut off`, { offset: off - start });
        length = VARLENA_HEADER + (((b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24)) >>> 0);
      }
      if (off + length > end) {
        throw tupleCorrupt(`column "${this.#name(i)}" runs past the end`, { column: this.#name(i), offset: off - start, length });
      }
      this.#offsets[i] = off;
      this.#lengths[i] = length;
      this.#nvalid = i + 1;
      switch (this.#types[i]) {
        case 2:
          values[i] = (b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24);
          break;
        case 5:
          values[i] = this.#text(i, off + VARLENA_HEADER, off + length);
          break;
        default:
          values[i] = this.value(i);
      }
      off += length;
    }
    this.#off = off;
    if (off !== end) throw tupleCorrupt(`${end - off} unexpected bytes after the last column`, { length: end - start });
    return values;
  }

  /** Locate columns #nvalid … column (slot_getsomeattrs). */
  #locate(column: number): void {
    if (!(column >= 0 && column < this.schema.length)) {
      throw new DbError("out-of-range", `column ${String(column)} is outside 0…${this.schema.length - 1}`, { column });
    }
    const b = this.#bytes;
    const start = this.#start;
    const end = this.#end;
    let i = this.#nvalid;
    let off = this.#off;
    // attcacheoff: no nulls and only fixed-length columns so far: jump.
    if (!this.#hasNulls && column < this.#cached && column < this.#natts) {
      const last = start + (this.#cacheOff[column] as number) + (this.#typlen[column] as number);
      if (last > end) throw tupleCorrupt(`column "${this.#name(column)}" runs past the end`, { column: this.#name(column) });
      for (; i <= column; i++) {
        this.#offsets[i] = start + (this.#cacheOff[i] as number);
        this.#lengths[i] = this.#typlen[i] as number;
      }
      this.#nvalid = column + 1;
      this.#off = last;
      return;
    }
    for (; i <= column; i++) {
      if (i >= this.#natts || (this.#hasNulls && ((b[start + HEADER_FIXED + (i >> 3)] as number) & (1 << (i & 7))) === 0)) {
        this.#offsets[i] = -1;
        this.#lengths[i] = 0;
        continue;
      }
      const align = this.#typalign[i] as number;
      off = start + ((off - start + align - 1) & -align);
      let length = this.#typlen[i] as number;
      if (length < 0) {
        if (off + VARLENA_HEADER > end) throw tupleCorrupt(`column "${this.#name(i)}" is cut off`, { offset: off - start });
        length = VARLENA_HEADER + (((b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24)) >>> 0);
      }
      if (off + length > end) {
        throw tupleCorrupt(`column "${this.#name(i)}" runs past the end`, { column: this.#name(i), offset: off - start, length });
      }
      this.#offsets[i] = off;
      this.#lengths[i] = length;
      off += length;
    }
    this.#nvalid = column + 1;
    this.#off = off;
  }

  /**
   * UTF-8 text. Short ASCII strings (what most text columns hold) are built directly,
   * several characters per `String.fromCharCode` call: `TextDecoder`'s call costs more
   * than such a string does.
   */
  #text(column: number, from: number, to: number): string {
    const b = this.#bytes;
    if (to - from <= 64) {
      let bits = 0;
      for (let i = from; i < to; i++) bits |= b[i] as number;
      if (bits < 0x80) return asciiString(b, from, to);
    }
    try {
      return utf8Decoder.decode(b.subarray(from, to));
    } catch (cause) {
      throw tupleCorrupt(`column "${this.#name(column)}" is not valid UTF-8`, { column: this.#name(column), offset: from - VARLENA_HEADER - this.#start, cause });
    }
  }

  #name(column: number): string {
    return (this.schema[column] as Column).name;
  }
}

export class TupleCodec implements RowCodec {
  readonly schema: Schema;
  #reader: TupleReader | undefined;

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
    // The lazy reader asked for every column: one pass, no DataView, no callback per column.
    this.#reader ??= new TupleReader(this.schema);
    return this.#reader.attach(bytes).row();
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
