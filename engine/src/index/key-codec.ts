/**
 * Order-preserving key encoding
 * =============================
 * A B+tree page holds keys as bytes, and the tree compares them without knowing their
 * type. That works when the encoding *preserves order*: for any keys a and b,
 *
 *   a < b   ⇔   compareBytes(encodeKey(a), encodeKey(b)) < 0
 *
 * so one bytewise compare (memcmp) serves integers, strings and tuples of them alike.
 *
 *   int (a number up to ±2^53, or a bigint in int64 range): 8 bytes, two's complement,
 *   big-endian, with the sign bit flipped so negatives sort before positives:
 *
 *      −2^63 → 00 00 00 00 00 00 00 00      −1 → 7F FF FF FF FF FF FF FF
 *          0 → 80 00 00 00 00 00 00 00       1 → 80 00 00 00 00 00 00 01
 *
 *   string: its UTF-8 bytes, with 0x00 escaped as 00 FF, then the terminator 00 00:
 *
 *      ""    → 00 00            "a"   → 61 00 00          "ab" → 61 62 00 00
 *      "a\0" → 61 00 FF 00 00   (a prefix sorts first: 61 00 00 < 61 00 FF … < 61 62 …)
 *
 *   composite (an array of parts): the parts' encodings concatenated. Every part encoding
 *   is prefix-free (ints are fixed-width, strings end in a terminator that cannot occur
 *   inside), so tuples compare part by part, left to right, as SQL's row comparison does.
 *
 * Invariants: equal keys have equal bytes (5 and 5n are the same key, −0 is 0); the
 * order is total; `decodeKey(encodeKey(k), types)` gives `k` back.
 *
 * Strings sort by Unicode code point (the order of UTF-8 bytes), which is PostgreSQL's
 * `COLLATE "C"`; JavaScript's `<` compares UTF-16 code units instead, which differs for
 * characters above U+FFFF against U+E000…U+FFFF. Linguistic collations (ICU, `en_US`)
 * would need a sort key from the collation library. Floats are not supported (they can be
 * encoded the same way, by flipping the sign bit of positives and all bits of negatives).
 *
 * Non-unique indexes make every entry unique by appending the heap tuple's record id:
 * `appendRid(key, rid)` adds 6 bytes (page u32, slot u16, big-endian, so the bytes sort
 * in (page, slot) order), and `compareKeyRid` orders such entries by key, then rid.
 * PostgreSQL 12+ does the same ("heap TID as a tiebreaker column"), but it compares
 * typed datums with the opclass's comparison function instead of encoded bytes.
 */
import { DbError } from "../common/errors.js";
import type { PageId, Rid, SlotId } from "../common/ids.js";
import { MAX_PAGE_ID, MAX_SLOT_ID } from "../common/ids.js";

/** One column of an index key. */
export type IndexKeyPart = number | bigint | string;

/**
 * What the index accepts as a key: one part, a tuple of parts (a composite key), or bytes
 * that are already encoded (passed through unchanged).
 */
export type IndexKey = IndexKeyPart | readonly IndexKeyPart[] | Uint8Array;

/** How to decode a key part: `int` gives a number (a bigint beyond ±2^53), `bigint` a bigint. */
export type KeyPartType = "int" | "bigint" | "string";

/** The bytes of an encoded int. */
export const INT_KEY_SIZE = 8;
/** The bytes `appendRid` adds. */
export const RID_KEY_SIZE = 6;

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SIGN_FLIP = 2n ** 63n;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** An order on encoded keys: negative when a sorts before b, zero when equal, positive after. */
export type KeyCompare = (a: Uint8Array, b: Uint8Array) => number;

/** Negative when a sorts before b, zero when equal, positive after: memcmp, then length. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareByteRanges(a, 0, a.length, b, 0, b.length);
}

/**
 * `compareBytes` of a[aStart … aEnd) and b[bStart … bEnd), without making views. Four
 * bytes at a time, as big-endian unsigned words (the same order as byte by byte): an
 * 8-byte integer key whose first half equals the probe's is decided in two steps, not
 * five to eight.
 */
export function compareByteRanges(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = aStart + i;
    const q = bStart + i;
    const x = (((a[p] as number) << 24) | ((a[p + 1] as number) << 16) | ((a[p + 2] as number) << 8) | (a[p + 3] as number)) >>> 0;
    const y = (((b[q] as number) << 24) | ((b[q + 1] as number) << 16) | ((b[q + 2] as number) << 8) | (b[q + 3] as number)) >>> 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    const d = (a[aStart + i] as number) - (b[bStart + i] as number);
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/**
 * The order-preserving bytes of `key`. Throws `type-mismatch` for anything but an integer,
 * a bigint, a string, an array of those or a Uint8Array; `out-of-range` for a number
 * beyond ±2^53 or a bigint beyond int64; `invalid-argument` for a string with a lone
 * surrogate (it has no UTF-8 form).
 */
export function encodeKey(key: IndexKey): Uint8Array {
  if (key instanceof Uint8Array) return key;
  if (Array.isArray(key)) {
    const parts = (key as readonly unknown[]).map((part, i) => encodePart(part, i));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
  return encodePart(key, undefined);
}

function encodePart(part: unknown, position: number | undefined): Uint8Array {
  if (typeof part === "number" || typeof part === "bigint") return encodeInt64(part);
  if (typeof part === "string") return encodeString(part);
  const where = position === undefined ? "" : ` (part ${position} of a composite key)`;
  const type = part === null ? "null" : Array.isArray(part) ? "array" : typeof part;
  throw new DbError(
    "type-mismatch",
    `an index key must be an integer, a bigint, a string, an array of those or a Uint8Array; got ${type}${where}`,
    { type, position },
  );
}

/**
 * 8 bytes: two's complement big-endian with the sign bit flipped. Numbers must be integers
 * in −2^53…2^53 (`type-mismatch` for fractions, NaN, ±Infinity; `out-of-range` beyond);
 * bigints must fit int64 (`out-of-range`).
 */
export function encodeInt64(n: number | bigint): Uint8Array {
  const out = new Uint8Array(INT_KEY_SIZE);
  encodeInt64Into(n, out);
  return out;
}

/**
 * `encodeInt64(n)` written into `out[0 … 8)` instead of a new array: a point lookup's
 * probe, reused from one lookup to the next. Throws as `encodeInt64`, writing nothing.
 */
export function encodeInt64Into(n: number | bigint, out: Uint8Array): void {
  if (typeof n === "bigint") {
    if (n < INT64_MIN || n > INT64_MAX) {
      throw new DbError("out-of-range", `index key ${n} is outside the int64 range −2^63…2^63−1`, { value: n });
    }
    new DataView(out.buffer, out.byteOffset, INT_KEY_SIZE).setBigUint64(0, n + SIGN_FLIP, false);
    return;
  }
  if (!Number.isInteger(n)) {
    throw new DbError("type-mismatch", `a numeric index key must be an integer, got ${String(n)}`, { value: n });
  }
  if (n < -TWO_POW_53 || n > TWO_POW_53) {
    throw new DbError(
      "out-of-range",
      `index key ${n} is beyond ±2^53, where numbers stop being exact integers: pass a bigint`,
      { value: n },
    );
  }
  // Split into a signed high word and an unsigned low word, without going through BigInt,
  // and write them big-endian byte by byte (no DataView: this runs for every lookup).
  const whole = Math.floor(n / TWO_POW_32);
  const hi = (whole ^ 0x8000_0000) >>> 0;
  const lo = n - whole * TWO_POW_32;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
}

/** The int at `offset` (8 bytes), as a bigint. Throws `corrupt` if fewer than 8 bytes remain. */
export function decodeInt64(bytes: Uint8Array, offset = 0): bigint {
  if (offset + INT_KEY_SIZE > bytes.length) {
    throw new DbError("corrupt", `an int key needs 8 bytes, ${bytes.length - offset} remain`, { offset });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, INT_KEY_SIZE);
  return view.getBigUint64(0, false) - SIGN_FLIP;
}

/**
 * UTF-8 with 0x00 escaped as 00 FF, then 00 00. Throws `invalid-argument` for a string
 * with a lone surrogate, which UTF-8 cannot represent (encoding it would silently turn it
 * into U+FFFD and make different strings equal keys).
 */
export function encodeString(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      throw new DbError("invalid-argument", `string index key has a lone surrogate at index ${i}`, { index: i });
    }
  }
  const raw = utf8.encode(s);
  let zeros = 0;
  for (const b of raw) if (b === 0) zeros++;
  const out = new Uint8Array(raw.length + zeros + 2);
  let j = 0;
  for (const b of raw) {
    out[j++] = b;
    if (b === 0) out[j++] = 0xff;
  }
  // The terminator 00 00 is what the zero-filled tail already holds.
  return out;
}

/** The string encoded at `offset`, and the offset just after its terminator. Throws `corrupt` on bad bytes. */
export function decodeString(bytes: Uint8Array, offset = 0): { value: string; end: number } {
  const raw: number[] = [];
  for (let i = offset; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b !== 0) {
      raw.push(b);
      continue;
    }
    const next = bytes[i + 1];
    if (next === 0) {
      try {
        return { value: utf8Strict.decode(new Uint8Array(raw)), end: i + 2 };
      } catch (cause) {
        throw new DbError("corrupt", `string key at offset ${offset} is not valid UTF-8`, { offset, cause });
      }
    }
    if (next !== 0xff) {
      throw new DbError("corrupt", `string key has 00 followed by ${String(next)} at offset ${i}`, { offset: i });
    }
    raw.push(0);
    i++;
  }
  throw new DbError("corrupt", `string key at offset ${offset} has no terminator`, { offset });
}

/**
 * Decode bytes made by `encodeKey`: a single type gives one part, an array of types a
 * composite key. Throws `corrupt` when the bytes do not have exactly that shape.
 */
export function decodeKey(bytes: Uint8Array, types: KeyPartType): IndexKeyPart;
export function decodeKey(bytes: Uint8Array, types: readonly KeyPartType[]): IndexKeyPart[];
export function decodeKey(
  bytes: Uint8Array,
  types: KeyPartType | readonly KeyPartType[],
): IndexKeyPart | IndexKeyPart[] {
  const list: readonly KeyPartType[] = typeof types === "string" ? [types] : types;
  const parts: IndexKeyPart[] = [];
  let offset = 0;
  for (const type of list) {
    if (type === "string") {
      const { value, end } = decodeString(bytes, offset);
      parts.push(value);
      offset = end;
    } else {
      const value = decodeInt64(bytes, offset);
      offset += INT_KEY_SIZE;
      const small = value >= -(2n ** 53n) && value <= 2n ** 53n;
      parts.push(type === "int" && small ? Number(value) : value);
    }
  }
  if (offset !== bytes.length) {
    throw new DbError("corrupt", `key has ${bytes.length - offset} bytes left over after decoding ${list.join(", ")}`, {
      length: bytes.length,
      decoded: offset,
    });
  }
  return typeof types === "string" ? (parts[0] as IndexKeyPart) : parts;
}

/**
 * A formatter for `BPlusTree.snapshot()`: decodes keys of the given shape and prints them
 * (strings quoted, composite keys in parentheses); falls back to hex for bytes it cannot decode.
 */
export function keyFormatter(types: KeyPartType | readonly KeyPartType[]): (key: Uint8Array) => string {
  const show = (part: IndexKeyPart): string => (typeof part === "string" ? JSON.stringify(part) : String(part));
  return (key) => {
    try {
      if (typeof types === "string") return show(decodeKey(key, types));
      return `(${decodeKey(key, types).map(show).join(", ")})`;
    } catch (error) {
      if (error instanceof DbError) return toHex(key);
      throw error;
    }
  };
}

/** Lower-case hex, the default way snapshots print keys. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * `key` followed by the 6-byte encoding of `rid`. Throws `invalid-argument` unless the rid's
 * page and slot are valid ids (so the all-ones sentinel can bound a search).
 */
export function appendRid(key: Uint8Array, rid: Rid): Uint8Array {
  checkRid(rid);
  const out = new Uint8Array(key.length + RID_KEY_SIZE);
  out.set(key, 0);
  const view = new DataView(out.buffer, key.length, RID_KEY_SIZE);
  view.setUint32(0, rid.pageId, false);
  view.setUint16(4, rid.slot, false);
  return out;
}

/** `key` with the smallest (`"min"`) or the largest (`"max"`) possible rid suffix: search bounds. */
export function appendRidBound(key: Uint8Array, bound: "min" | "max"): Uint8Array {
  const out = new Uint8Array(key.length + RID_KEY_SIZE);
  out.set(key, 0);
  if (bound === "max") out.fill(0xff, key.length);
  return out;
}

/** Split bytes made by `appendRid` into the key and the rid. */
export function splitRid(entry: Uint8Array): { key: Uint8Array; rid: Rid } {
  if (entry.length < RID_KEY_SIZE) {
    throw new DbError("corrupt", `an entry with a rid suffix needs ≥ 6 bytes, got ${entry.length}`, {
      length: entry.length,
    });
  }
  const at = entry.length - RID_KEY_SIZE;
  const view = new DataView(entry.buffer, entry.byteOffset + at, RID_KEY_SIZE);
  return {
    key: entry.subarray(0, at),
    rid: { pageId: view.getUint32(0, false) as PageId, slot: view.getUint16(4, false) as SlotId },
  };
}

/**
 * Compare two `appendRid` entries by key, then by rid. Plain `compareBytes` would give the
 * same answer for keys from `encodeKey` (they are prefix-free); this is right for any key
 * bytes, e.g. "a" and "ab" given as raw Uint8Arrays.
 */
export function compareKeyRid(a: Uint8Array, b: Uint8Array): number {
  return compareKeyRidRanges(a, 0, a.length, b, 0, b.length);
}

/** `compareKeyRid` of a[aStart … aEnd) and b[bStart … bEnd), without making views. */
export function compareKeyRidRanges(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aKey = aEnd - RID_KEY_SIZE;
  const bKey = bEnd - RID_KEY_SIZE;
  const byKey = compareByteRanges(a, aStart, aKey, b, bStart, bKey);
  if (byKey !== 0) return byKey;
  return compareByteRanges(a, aKey, aEnd, b, bKey, bEnd);
}

/** Throw `invalid-argument` unless `rid` has a valid page id and slot number. */
export function checkRid(rid: Rid): void {
  const ok =
    rid !== null &&
    typeof rid === "object" &&
    Number.isInteger(rid.pageId) &&
    rid.pageId >= 0 &&
    rid.pageId <= MAX_PAGE_ID &&
    Number.isInteger(rid.slot) &&
    rid.slot >= 0 &&
    rid.slot <= MAX_SLOT_ID;
  if (!ok) {
    throw new DbError("invalid-argument", `not a valid record id: ${JSON.stringify(rid)}`, { rid });
  }
}
