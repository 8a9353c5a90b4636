/**
 * Tuple reader: decoding only what a query reads
 * ==============================================
 * `RowCodec.decode` (the codec of exercise 02.2, tuple-codec.ts) builds every value of a
 * row. A scan computing `sum(delay)` needs one column, and PostgreSQL never decodes the
 * rest: a scan hands each tuple to a *slot*, and `slot_getsomeattrs(slot, n)` deforms
 * only columns 0…n−1, remembering how far it got (`tts_nvalid` and the offset reached),
 * so asking for column 5 after column 2 continues from column 3. `TupleReader` does the
 * same over the tuple byte layout of row-codec.ts:
 *
 *   schema (id int4, date text, delay int4, origin text), value(2):
 *
 *     | hdr | pad | id     | date (u32 len + bytes) | delay  | origin … |
 *                  ▲ cached  ▲ walked: its length      ▲ read    never looked at
 *                  offset 8    gives where delay is
 *
 *   nvalid = 3 afterwards: value(0…2) is a lookup, value(3) walks on from delay's end.
 *
 * Two more of PostgreSQL's tricks are here:
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
 * `row()` is the reader asked for every column, with every check `decode` makes (the
 * engine's tests hold the two to the same answers). For a tuple without nulls it locates
 * and decodes each column in one pass, and short ASCII text (most text columns) is built
 * with `String.fromCharCode`, up to sixteen characters a call, instead of a `TextDecoder`
 * call, which costs more than such a short string.
 *
 * Costs: attach is O(1) (the header is checked); value(i) is O(1) for a cached column and
 * otherwise walks the columns between the last located one and i, once per tuple. The
 * reader owns two arrays of the schema's width and allocates only the values it returns.
 *
 * Simpler than PostgreSQL: one reader per scan, reattached per tuple, where PostgreSQL
 * keeps a slot per scan node; decoding every column still costs what PostgreSQL never
 * pays: its text values stay pointers into the page until an operator reads them, while
 * here each becomes a JavaScript string (an allocation, later garbage). This is the
 * engine's, not an exercise's: scans (heap-batch-scan.ts), block-range summaries and the
 * heap measurements read tuples through it, whichever codec wrote them.
 */
import { DbError } from "../common/errors.js";
import { LITTLE_ENDIAN, MAXALIGN, alignUp } from "../common/bytes.js";
import { COLUMN_TYPES, type Column, type ColumnType, type Schema, type Value } from "./row-codec.js";
import { TupleCodec } from "./tuple-codec.js";

// The layout's constants (row-codec.ts draws the header).
const HEADER_FIXED = 4;
const HAS_NULLS = 0x1;
const VARLENA_HEADER = 4;

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
 * Reads the columns of one encoded tuple at a time, lazily (see the module header). Attach
 * it to a tuple, then ask for columns in any order; each column is located once per
 * tuple, and only columns up to the highest one asked for are walked.
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

