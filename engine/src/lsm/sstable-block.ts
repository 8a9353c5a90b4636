/**
 * SSTable blocks: prefix compression with restart points
 * ======================================================
 * A data block of an SSTable (sstable.ts) holds a run of sorted entries, about 4 KB.
 * Neighbouring keys in sorted order share long prefixes ("user:000123", "user:000124"),
 * so each entry stores only how many bytes it shares with the key before it and the rest.
 * Every 16th entry is a *restart point*: it shares nothing, so a reader can start
 * decoding there, and the block ends with the offsets of all restart points, which a
 * lookup binary-searches before scanning at most 16 entries.
 *
 *   entry     | shared varint | unshared varint | valueTag varint | seq varint | key suffix | value |
 *             valueTag = 0 for a tombstone, else value length + 1
 *   block     | entry 0 (restart) | entry 1 | … | entry 16 (restart) | … |
 *             | restart[0] u32 LE | restart[1] u32 LE | … | restartCount u32 LE |
 *
 * Varints are unsigned LEB128 (7 bits a byte, low group first, high bit = more), up to
 * 2⁵³ − 1. Costs: a lookup in a block of n entries and r = ⌈n/16⌉ restarts decodes
 * ⌈log2 r⌉ restart keys and at most 16 entries; a block is decoded only from its start
 * or a restart point. A `BlockReader` checks the restart array once, when it is built
 * (after the SSTable checked the block's CRC-32C); the SSTable's block cache keeps built
 * readers, so a cached block costs a get only its search. Decoding writes the header's
 * fields into the reader (no object per entry) and hands out views where it can (see
 * `BlockReader`). The same format serves the index block (key = a data block's last
 * key, value = its handle). This is LevelDB's block format (table/block_builder.cc) with
 * the sequence number and tombstone moved from the internal key into the entry; RocksDB
 * keeps it and adds an optional hash index inside the block.
 */
import { DbError } from "../common/errors.js";
import { compareByteRanges, compareBytes } from "../index/key-codec.js";
import type { LsmEntry } from "./entry.js";

const TWO_POW_7 = 128;

/** Append `n` (an integer in 0 … 2⁵³ − 1) to `out` as an unsigned LEB128 varint. */
export function writeVarint(out: number[], n: number): void {
  while (n >= TWO_POW_7) {
    out.push((n % TWO_POW_7) | 0x80);
    n = Math.floor(n / TWO_POW_7);
  }
  out.push(n);
}

/**
 * The varint at `bytes[offset]` and the offset after it; `corrupt` when it runs past `end`
 * or past 2⁵³ (`where`, the bytes' own offset in their file, makes the error say where).
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number, where: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < end; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (value > Number.MAX_SAFE_INTEGER) break;
      return { value, next: i + 1 };
    }
    scale *= TWO_POW_7;
    if (scale > 2 ** 56) break;
  }
  throw new DbError("corrupt", `bad varint at file offset ${where + offset}`, { offset: where + offset });
}

/** Builds one block: add entries in ascending key order, then `finish()`. */
export class BlockBuilder {
  readonly #restartInterval: number;
  /** The entries so far, in a buffer that doubles as needed and is kept across `finish()`. */
  #bytes = new Uint8Array(8192);
  #length = 0;
  #restarts: number[] = [];
  #sinceRestart = 0;
  #lastKey: Uint8Array | undefined;
  #count = 0;

  constructor(restartInterval: number) {
    this.#restartInterval = restartInterval;
  }

  /** Entries added since the last `finish()`. */
  get entryCount(): number {
    return this.#count;
  }

  /** The block's size if finished now, in bytes. */
  get estimatedSize(): number {
    return this.#length + 4 * (this.#restarts.length + 1);
  }

  /** The last key added, if any. */
  get lastKey(): Uint8Array | undefined {
    return this.#lastKey;
  }

  /** Append an entry; its key must sort after the previous one (the caller checks). */
  add(key: Uint8Array, seq: number, value: Uint8Array | undefined): void {
    let shared = 0;
    if (this.#sinceRestart === this.#restartInterval || this.#lastKey === undefined) {
      this.#restarts.push(this.#length);
      this.#sinceRestart = 0;
    } else {
      const last = this.#lastKey;
      const limit = Math.min(last.length, key.length);
      while (shared < limit && last[shared] === key[shared]) shared++;
    }
    const valueLength = value === undefined ? 0 : value.length;
    // 4 varints of at most 8 bytes each, then the key suffix and the value.
    this.#reserve(32 + key.length - shared + valueLength);
    let at = this.#length;
    at = this.#varint(at, shared);
    at = this.#varint(at, key.length - shared);
    at = this.#varint(at, value === undefined ? 0 : valueLength + 1);
    at = this.#varint(at, seq);
    const out = this.#bytes;
    // Byte loops: for the few dozen bytes of a key or value, cheaper than a subarray and `set`.
    for (let i = shared; i < key.length; i++) out[at++] = key[i]!;
    if (value !== undefined) for (let i = 0; i < valueLength; i++) out[at++] = value[i]!;
    this.#length = at;
    this.#lastKey = key;
    this.#sinceRestart++;
    this.#count++;
  }

  /** The finished block's bytes (entries, restart array, restart count); the builder starts over. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.estimatedSize);
    out.set(this.#bytes.subarray(0, this.#length));
    const view = new DataView(out.buffer);
    let at = this.#length;
    for (const r of this.#restarts) {
      view.setUint32(at, r, true);
      at += 4;
    }
    view.setUint32(at, this.#restarts.length, true);
    this.#length = 0;
    this.#restarts = [];
    this.#sinceRestart = 0;
    this.#lastKey = undefined;
    this.#count = 0;
    return out;
  }

  #reserve(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.#bytes.length, this.#length + more));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }

  /** `writeVarint` into the buffer at `at` (reserved by the caller); the offset after it. */
  #varint(at: number, n: number): number {
    const out = this.#bytes;
    while (n >= TWO_POW_7) {
      out[at++] = (n % TWO_POW_7) | 0x80;
      n = Math.floor(n / TWO_POW_7);
    }
    out[at++] = n;
    return at;
  }
}

/**
 * Reads one block's bytes (without the checksum trailer): built once per block read from
 * a file (it checks the restart array then), then kept by the table's block cache and
 * asked again. `fileOffset`, where the block starts in its file, only makes the `corrupt`
 * errors say where.
 *
 * What it hands out: `get` copies the value it returns (a caller keeps what it gets), and
 * its entry's key is the `key` asked for (the caller's array: the bytes are equal);
 * `entries` yields views: a restart entry's key and every value are `subarray`s of the
 * block's bytes (no copy), a prefix-compressed key is assembled in a fresh array. Views
 * must be read, never changed: they are the cached block itself.
 */
export class BlockReader {
  readonly #bytes: Uint8Array;
  readonly #fileOffset: number;
  /** Where the entries end and the restart array begins. */
  readonly #entriesEnd: number;
  readonly #restarts: Uint32Array;
  /** The key being decoded by `get`, grown as needed. */
  #scratch = new Uint8Array(64);
  // The entry header `#header` decoded last (fields, not an object: no allocation per entry).
  #shared = 0;
  #keyLength = 0;
  #keyStart = 0;
  #valueStart = 0;
  #end = 0;
  #seq = 0;
  #tombstone = false;
  /** Where the varint `#varint` read last ended. */
  #next = 0;

  constructor(bytes: Uint8Array, fileOffset: number) {
    this.#bytes = bytes;
    this.#fileOffset = fileOffset;
    if (bytes.length < 4) throw this.#corrupt(0, `a block of ${bytes.length} bytes has no restart count`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(bytes.length - 4, true);
    const entriesEnd = bytes.length - 4 - 4 * count;
    if (count > (bytes.length - 4) / 4 || entriesEnd < 0) {
      throw this.#corrupt(bytes.length - 4, `restart count ${count} does not fit in a ${bytes.length}-byte block`);
    }
    this.#entriesEnd = entriesEnd;
    this.#restarts = new Uint32Array(count);
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const r = view.getUint32(entriesEnd + 4 * i, true);
      if (r <= previous || r >= entriesEnd || (i === 0 && r !== 0)) {
        throw this.#corrupt(entriesEnd + 4 * i, `restart point ${i} is ${r}, outside the entries (0 … ${entriesEnd}) or out of order`);
      }
      this.#restarts[i] = r;
      previous = r;
    }
    if (count === 0 && entriesEnd > 0) throw this.#corrupt(bytes.length - 4, "entries but no restart point");
  }

  /** The number of restart points. */
  get restartCount(): number {
    return this.#restarts.length;
  }

  /** The block's size in bytes (what a cache charges for it). */
  get byteLength(): number {
    return this.#bytes.length;
  }

  /** The entry for `key`, or undefined: binary search over restart points, then a scan of at most one interval. Its value is a copy, its key `key` itself. */
  get(key: Uint8Array): LsmEntry | undefined {
    let offset = this.#seek(key);
    // Decode forward from the restart point into a scratch key, comparing in place: only
    // the entry returned is copied out.
    const bytes = this.#bytes;
    let scratch = this.#scratch;
    let length = 0;
    while (offset < this.#entriesEnd) {
      this.#header(offset, length);
      const keyLength = this.#keyLength;
      if (keyLength > scratch.length) {
        const bigger = new Uint8Array(Math.max(keyLength, 2 * scratch.length));
        bigger.set(scratch.subarray(0, length));
        scratch = this.#scratch = bigger;
      }
      const shared = this.#shared;
      const keyStart = this.#keyStart;
      const valueStart = this.#valueStart;
      for (let i = keyStart; i < valueStart; i++) scratch[shared + i - keyStart] = bytes[i]!;
      length = keyLength;
      const c = compareByteRanges(scratch, 0, length, key, 0, key.length);
      if (c === 0) {
        return { key, seq: this.#seq, value: this.#tombstone ? undefined : bytes.slice(valueStart, this.#end) };
      }
      if (c > 0) return undefined;
      offset = this.#end;
    }
    return undefined;
  }

  /** The entries from the first key ≥ `from` (or the first entry) to the end of the block, as views (see the class). */
  *entries(from?: Uint8Array): Generator<LsmEntry> {
    yield* this.entryList(from);
  }

  /** `entries(from)` as one array: a whole block decoded at once (a scan's way, no generator step per entry). */
  entryList(from?: Uint8Array): LsmEntry[] {
    const out: LsmEntry[] = [];
    let offset = from === undefined ? 0 : this.#seek(from);
    const bytes = this.#bytes;
    let previous: Uint8Array | undefined;
    while (offset < this.#entriesEnd) {
      this.#header(offset, previous === undefined ? 0 : previous.length);
      const shared = this.#shared;
      let key: Uint8Array;
      if (shared === 0) {
        key = bytes.subarray(this.#keyStart, this.#valueStart);
      } else {
        key = new Uint8Array(this.#keyLength);
        for (let i = 0; i < shared; i++) key[i] = previous![i]!;
        for (let i = this.#keyStart, j = shared; i < this.#valueStart; i++, j++) key[j] = bytes[i]!;
      }
      const entry: LsmEntry = { key, seq: this.#seq, value: this.#tombstone ? undefined : bytes.subarray(this.#valueStart, this.#end) };
      previous = key;
      offset = this.#end;
      if (from !== undefined && compareBytes(key, from) < 0) continue;
      out.push(entry);
    }
    return out;
  }

  /** The last restart point whose key is < `key` (the first one when none is): every key before it is < `key` too. */
  #seek(key: Uint8Array): number {
    const restarts = this.#restarts;
    if (restarts.length === 0) return 0;
    let lo = 0;
    let hi = restarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      // A restart entry stores its whole key: compare it where it lies.
      this.#header(restarts[mid]!, 0);
      if (compareByteRanges(this.#bytes, this.#keyStart, this.#valueStart, key, 0, key.length) < 0) lo = mid;
      else hi = mid - 1;
    }
    return restarts[lo]!;
  }

  /** Decode the entry header at `offset` into the header fields, checked against the entries' end and the previous key's length. */
  #header(offset: number, previousLength: number): void {
    const shared = this.#varint(offset);
    const unshared = this.#varint(this.#next);
    const tag = this.#varint(this.#next);
    const seq = this.#varint(this.#next);
    const keyStart = this.#next;
    const valueStart = keyStart + unshared;
    const entryEnd = valueStart + (tag === 0 ? 0 : tag - 1);
    if (shared > previousLength) {
      throw this.#corrupt(offset, `entry shares ${shared} bytes with a previous key of ${previousLength}`);
    }
    if (entryEnd > this.#entriesEnd) throw this.#corrupt(offset, `entry of ${entryEnd - offset} bytes runs past the entries' end (${this.#entriesEnd})`);
    this.#shared = shared;
    this.#keyLength = shared + unshared;
    this.#keyStart = keyStart;
    this.#valueStart = valueStart;
    this.#end = entryEnd;
    this.#seq = seq;
    this.#tombstone = tag === 0;
  }

  /** `readVarint` within the entries, with a fast path for one byte; sets `#next`. */
  #varint(offset: number): number {
    const bytes = this.#bytes;
    if (offset < this.#entriesEnd) {
      const b = bytes[offset]!;
      if (b < 0x80) {
        this.#next = offset + 1;
        return b;
      }
    }
    const v = readVarint(bytes, offset, this.#entriesEnd, this.#fileOffset);
    this.#next = v.next;
    return v.value;
  }

  #corrupt(offset: number, what: string): DbError {
    const at = this.#fileOffset + offset;
    return new DbError("corrupt", `block at offset ${this.#fileOffset}: ${what} (file offset ${at})`, { blockOffset: this.#fileOffset, offset: at });
  }
}
