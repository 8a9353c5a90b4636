/**
 * Row codec (the contract)
 * ========================
 * Turns a row (one JavaScript value per column) into the bytes a slotted page stores, and
 * back, following a schema: what notebook 02's cells and the table heap's callers rely on,
 * so a learner's codec (exercise 02.2) plugs in wherever the engine's `TupleCodec` does.
 *
 *   new Codec(schema)       keeps its own copy (`schema`); `invalid-argument` for no columns
 *                           or more than 1600, an empty or repeated name, an unknown type
 *   encode(row) → bytes     exactly the tuple's length, padding zero; a `DbError` naming the
 *                           column for a bad value; `invalid-argument` for a wrong count
 *   decode(bytes) → values  missing trailing columns are null; `corrupt` for bytes that do
 *                           not follow the layout (naming the column at fault when one is)
 *   layout(bytes)           where each column sits (`TupleLayout`); `corrupt` as decode
 *
 * The bytes are the contract too, so that tuples written by one codec are read by any
 * other. The layout is PostgreSQL's heap tuple data layout, minus the transaction fields
 * of its 23-byte header (they arrive with MVCC, notebook 08):
 *
 *   offset 0            2          3          4                        hoff
 *          | natts u16  | flags u8 | hoff u8  | null bitmap (optional) | pad | column data … |
 *
 *   natts   number of columns stored (a schema that later gains columns reads the missing
 *           trailing ones as null, as PostgreSQL does after ALTER TABLE … ADD COLUMN)
 *   flags   bit 0 HAS_NULLS: the null bitmap is present
 *   hoff    where the column data starts: 4 + bitmap bytes, rounded up to 8
 *   bitmap  ⌈natts/8⌉ bytes, only if some column is null; bit i (byte i >> 3, bit i & 7)
 *           is 1 when column i is NOT null (PostgreSQL's convention)
 *
 * Column data, in schema order; a null column takes no bytes at all. Each value starts at
 * a multiple of its type's alignment (PostgreSQL's `typalign`), counted from the tuple's
 * start, which the page places at a multiple of 8, so the alignment is real in memory:
 *
 *   | type   | JS value    | bytes (typlen)         | align (typalign) |
 *   |--------|-------------|------------------------|------------------|
 *   | bool   | boolean     | 1 (0 or 1)             | 1 (c)            |
 *   | int2   | number      | 2, signed              | 2 (s)            |
 *   | int4   | number      | 4, signed              | 4 (i)            |
 *   | int8   | bigint      | 8, signed              | 8 (d)            |
 *   | float8 | number      | 8, IEEE 754            | 8 (d)            |
 *   | text   | string      | u32 length + UTF-8     | 4 (i)            |
 *   | bytea  | Uint8Array  | u32 length + bytes     | 4 (i)            |
 *
 *   Example, schema (id int4, name text, score float8, ok bool), row (7, "ab", 1.5, true):
 *
 *     0    4    8         12        16   18      24              32   33
 *     | hdr | pad | id = 7 | len = 2 | a b | pad  | score = 1.5   | ok |
 *
 *   Putting the 8-byte columns first would remove the padding: column order changes the
 *   size of every row, in PostgreSQL as here.
 *
 * All integers are little-endian. Encoding validates every value and throws a `DbError`
 * naming the column: `type-mismatch` for a value of the wrong JavaScript type,
 * `out-of-range` for an integer that does not fit its type, `null-violation` for a null
 * in a NOT NULL column. Decoding bytes that do not follow the layout throws `corrupt`.
 *
 * Simpler than PostgreSQL: variable-length values always carry a 4-byte length
 * (PostgreSQL uses a 1-byte header for values under 127 bytes, unaligned, and
 * compresses or moves values over ~2 KB out of line with TOAST); there are no
 * transaction fields in the header; the byte order is fixed rather than the machine's.
 *
 * The engine's codec is `TupleCodec` (with a lazy `TupleReader` for scans that read a few
 * columns); exercise 02.2 writes one.
 */
export type ColumnType = "bool" | "int2" | "int4" | "int8" | "float8" | "text" | "bytea";

/** A column of a schema. `nullable` defaults to true. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable?: boolean;
}

export type Schema = readonly Column[];

/** A column value: see the table in the module header for which type takes which. */
export type Value = boolean | number | bigint | string | Uint8Array | null;

export type Row = readonly Value[];

/** Storage facts per type, named as in PostgreSQL's pg_type: typlen −1 means variable length. */
export const COLUMN_TYPES: Readonly<Record<ColumnType, { readonly typlen: number; readonly typalign: number }>> = {
  bool: { typlen: 1, typalign: 1 },
  int2: { typlen: 2, typalign: 2 },
  int4: { typlen: 4, typalign: 4 },
  int8: { typlen: 8, typalign: 8 },
  float8: { typlen: 8, typalign: 8 },
  text: { typlen: -1, typalign: 4 },
  bytea: { typlen: -1, typalign: 4 },
};

/** PostgreSQL's MaxHeapAttributeNumber. */
export const MAX_COLUMNS = 1600;

/** Where one column sits in an encoded tuple. */
export interface ColumnLayout {
  readonly name: string;
  readonly type: ColumnType;
  readonly isNull: boolean;
  /** Bytes skipped before the value to reach its alignment. */
  readonly padding: number;
  /** Where the value starts (for text/bytea, its length prefix); −1 when null. */
  readonly offset: number;
  /** Bytes the value takes, length prefix included; 0 when null. */
  readonly length: number;
}

/** An encoded tuple as plain data, for drawing its bytes. */
export interface TupleLayout {
  readonly natts: number;
  readonly hasNulls: boolean;
  readonly hoff: number;
  readonly length: number;
  readonly columns: readonly ColumnLayout[];
}

/** A codec for rows of one schema. */
export interface RowCodec {
  /** The codec's own copy of the schema it was made for. */
  readonly schema: Schema;

  /**
   * The bytes of `row`, one value per schema column: a new array of exactly the tuple's
   * length. Throws, naming the column, `type-mismatch`, `out-of-range` or `null-violation`
   * for a bad value, and `invalid-argument` when the row has the wrong number of values.
   */
  encode(row: Row): Uint8Array;

  /**
   * The row stored in `bytes` (which may be a view into a page). Columns the tuple does not
   * store decode as null. Throws `corrupt` when the bytes do not follow the layout.
   */
  decode(bytes: Uint8Array): Value[];

  /** Where each column of the encoded tuple `bytes` sits. Throws `corrupt` as `decode` does. */
  layout(bytes: Uint8Array): TupleLayout;
}

/** How a codec is made: `new Codec(schema)`. */
export type RowCodecConstructor = new (schema: Schema) => RowCodec;
