/**
 * Extendible hash pages
 * =====================
 * Two kinds of page, both little-endian. The directory page is the index's fixed page
 * (give its id to `ExtendibleHashIndex.open`); bucket pages come and go with splits and
 * merges.
 *
 *   Directory page
 *   0           4             6                7            8             12                14        16
 *   | magic u32 | version u16 | globalDepth u8 | maxDepth u8 | pageSize u32 | bucketCapacity u16 | (0) |
 *   16                              16 + 4·2^maxDepth
 *   | bucket page id u32 × 2^maxDepth | local depth u8 × 2^maxDepth |
 *     magic   0x45584831 ("EXH1"), version 1; slots past 2^globalDepth are unused (zero)
 *     room    5 bytes a slot: 2^maxDepth · 5 ≤ pageSize − 16, so 8 KB pages allow depth 10
 *             (1,024 slots) and 256-byte pages depth 5
 *
 *   Bucket page
 *   0           4              5      6          8               10                 12
 *   | magic u32 | localDepth u8 | (0) | count u16 | dataStart u16 | maxEntries u16 |
 *   12                                          dataStart                    pageSize
 *   | slot[0] slot[1] … (hash u32, offset u16) → free ← … entry data |
 *   slot:  6 bytes, sorted by hash (equal hashes in insertion order)
 *   entry: | keyLength u16 | key bytes | rid page u32 | rid slot u16 |  (8 + key bytes)
 *     magic   0x45584231 ("EXB1"); an entry costs 14 bytes plus its key. A lookup
 *             binary-searches the slots by hash and compares key bytes only on equal
 *             hashes, so a bucket of hundreds of entries costs about log2(count) probes
 *             (PostgreSQL's hash pages are sorted by hash code for the same reason). A
 *             delete removes the slot and closes the gap in the entry data.
 *
 * Simpler than PostgreSQL's hash index (src/backend/access/hash/README): PostgreSQL keeps
 * a metapage with the bucket mapping, grows by *linear* hashing (one bucket split at a
 * time, in order, no directory doubling), keeps each bucket's tuples sorted by hash code
 * with overflow pages chained behind a full bucket, and stores only the 4-byte hash code
 * in the index, never the key.
 */
import { LITTLE_ENDIAN, viewOf } from "../common/bytes.js";
import { DbError, InvariantError } from "../common/errors.js";
import type { PageId, Rid, SlotId } from "../common/ids.js";
import { compareByteRanges } from "./key-codec.js";

export const HASH_DIRECTORY_MAGIC = 0x4558_4831;
export const HASH_BUCKET_MAGIC = 0x4558_4231;
export const HASH_VERSION = 1;
export const HASH_DIRECTORY_HEADER_SIZE = 16;
export const HASH_BUCKET_HEADER_SIZE = 12;
/** Bytes a slot takes: hash u32, offset u16. */
export const HASH_SLOT_SIZE = 6;
/** Bytes an entry takes besides its key: its slot, key length u16, rid 6. */
export const HASH_ENTRY_OVERHEAD = 14;

const D_MAGIC = 0;
const D_VERSION = 4;
const D_GLOBAL = 6;
const D_MAX = 7;
const D_PAGE_SIZE = 8;
const D_CAPACITY = 12;

const B_MAGIC = 0;
const B_LOCAL = 4;
const B_COUNT = 6;
const B_DATA = 8;
const B_MAX = 10;

/** The low `depth` bits of `hash` (0 for depth 0): the directory slot at that depth. */
export function lowBits(hash: number, depth: number): number {
  return depth === 0 ? 0 : (hash & (2 ** depth - 1)) >>> 0;
}

/** The largest max depth a directory page of `pageSize` bytes has room for (5 bytes a slot). */
export function maxDirectoryDepth(pageSize: number): number {
  return Math.floor(Math.log2((pageSize - HASH_DIRECTORY_HEADER_SIZE) / 5));
}

/** The most entries a bucket page could hold (empty keys): the largest `bucketCapacity`. */
export function maxBucketCapacity(pageSize: number): number {
  return Math.min(0xffff, Math.floor((pageSize - HASH_BUCKET_HEADER_SIZE) / HASH_ENTRY_OVERHEAD));
}

/** The longest key an index on `pageSize`-byte pages accepts: four of the largest entries fit a bucket page. */
export function maxHashKeySize(pageSize: number): number {
  return Math.floor((pageSize - HASH_BUCKET_HEADER_SIZE) / 4) - HASH_ENTRY_OVERHEAD;
}

/** What the directory page records, as plain data. */
export interface HashDirectoryMeta {
  readonly globalDepth: number;
  readonly maxDepth: number;
  readonly bucketCapacity: number;
  readonly bucketIds: readonly PageId[];
  readonly localDepths: readonly number[];
}

/** Format `bytes` as a directory page holding `meta`. */
export function writeHashDirectory(bytes: Uint8Array, meta: HashDirectoryMeta): void {
  bytes.fill(0);
  const view = viewOf(bytes);
  view.setUint32(D_MAGIC, HASH_DIRECTORY_MAGIC, LITTLE_ENDIAN);
  view.setUint16(D_VERSION, HASH_VERSION, LITTLE_ENDIAN);
  view.setUint8(D_GLOBAL, meta.globalDepth);
  view.setUint8(D_MAX, meta.maxDepth);
  view.setUint32(D_PAGE_SIZE, bytes.byteLength, LITTLE_ENDIAN);
  view.setUint16(D_CAPACITY, meta.bucketCapacity, LITTLE_ENDIAN);
  const depthsAt = HASH_DIRECTORY_HEADER_SIZE + 4 * 2 ** meta.maxDepth;
  for (let s = 0; s < meta.bucketIds.length; s++) {
    view.setUint32(HASH_DIRECTORY_HEADER_SIZE + 4 * s, meta.bucketIds[s]!, LITTLE_ENDIAN);
    view.setUint8(depthsAt + s, meta.localDepths[s]!);
  }
}

/**
 * Read the directory page in `bytes`. Throws `corrupt` (naming `pageId`) when it is not a
 * directory page of this version, was written with another page size, or its depths do
 * not fit the page.
 */
export function readHashDirectory(bytes: Uint8Array, pageId?: PageId): HashDirectoryMeta {
  const view = viewOf(bytes);
  const where = pageId === undefined ? "" : `page ${pageId}: `;
  const magic = view.getUint32(D_MAGIC, LITTLE_ENDIAN);
  const version = view.getUint16(D_VERSION, LITTLE_ENDIAN);
  if (magic !== HASH_DIRECTORY_MAGIC || version !== HASH_VERSION) {
    throw new DbError("corrupt", `${where}not a hash index directory page (magic 0x${magic.toString(16)}, version ${version})`, { pageId, magic, version });
  }
  const pageSize = view.getUint32(D_PAGE_SIZE, LITTLE_ENDIAN);
  if (pageSize !== bytes.byteLength) {
    throw new DbError("corrupt", `${where}the hash index was written with ${pageSize}-byte pages, this disk has ${bytes.byteLength}-byte pages`, {
      pageId,
      pageSize,
      diskPageSize: bytes.byteLength,
    });
  }
  const globalDepth = view.getUint8(D_GLOBAL);
  const maxDepth = view.getUint8(D_MAX);
  const bucketCapacity = view.getUint16(D_CAPACITY, LITTLE_ENDIAN);
  if (maxDepth > maxDirectoryDepth(pageSize) || globalDepth > maxDepth || bucketCapacity < 1) {
    throw new DbError("corrupt", `${where}hash directory says global depth ${globalDepth}, max depth ${maxDepth}, bucket capacity ${bucketCapacity}`, {
      pageId,
      globalDepth,
      maxDepth,
      bucketCapacity,
    });
  }
  const slots = 2 ** globalDepth;
  const depthsAt = HASH_DIRECTORY_HEADER_SIZE + 4 * 2 ** maxDepth;
  const bucketIds: PageId[] = [];
  const localDepths: number[] = [];
  for (let s = 0; s < slots; s++) {
    bucketIds.push(view.getUint32(HASH_DIRECTORY_HEADER_SIZE + 4 * s, LITTLE_ENDIAN) as PageId);
    localDepths.push(view.getUint8(depthsAt + s));
  }
  return { globalDepth, maxDepth, bucketCapacity, bucketIds, localDepths };
}

/** Little-endian fields read and written with shifts: a DataView costs ~100 ns to create, once per lookup. */
function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function setU16(b: Uint8Array, at: number, value: number): void {
  b[at] = value & 0xff;
  b[at + 1] = (value >>> 8) & 0xff;
}

function setU32(b: Uint8Array, at: number, value: number): void {
  setU16(b, at, value & 0xffff);
  setU16(b, at + 2, value >>> 16);
}

/**
 * A view of a bucket page's bytes (valid while the page is pinned). Keys are compared as
 * bytes; the stored hash is whatever the index computed when the entry went in.
 */
export class HashBucketPage {
  readonly data: Uint8Array;
  readonly pageId: PageId | undefined;

  private constructor(data: Uint8Array, pageId: PageId | undefined) {
    this.data = data;
    this.pageId = pageId;
  }

  /** Format `bytes` as an empty bucket of `localDepth` holding at most `maxEntries`. */
  static init(bytes: Uint8Array, localDepth: number, maxEntries: number): HashBucketPage {
    bytes.fill(0);
    const view = viewOf(bytes);
    view.setUint32(B_MAGIC, HASH_BUCKET_MAGIC, LITTLE_ENDIAN);
    view.setUint8(B_LOCAL, localDepth);
    view.setUint16(B_DATA, bytes.byteLength, LITTLE_ENDIAN);
    view.setUint16(B_MAX, maxEntries, LITTLE_ENDIAN);
    return new HashBucketPage(bytes, undefined);
  }

  /** A view of `bytes`; throws `corrupt` (naming `pageId`) when they are not a bucket page. */
  static open(bytes: Uint8Array, pageId?: PageId): HashBucketPage {
    const magic = u32(bytes, B_MAGIC);
    const dataStart = u16(bytes, B_DATA) || bytes.byteLength;
    const count = u16(bytes, B_COUNT);
    if (magic !== HASH_BUCKET_MAGIC || HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * count > dataStart || dataStart > bytes.byteLength) {
      throw new DbError("corrupt", `page ${String(pageId)} is not a hash bucket page (magic 0x${magic.toString(16)}, ${count} entries, data at ${dataStart})`, {
        pageId,
        magic,
      });
    }
    return new HashBucketPage(bytes, pageId);
  }

  get localDepth(): number {
    return this.data[B_LOCAL]!;
  }

  set localDepth(depth: number) {
    this.data[B_LOCAL] = depth;
  }

  /** Entries in the bucket. */
  get count(): number {
    return u16(this.data, B_COUNT);
  }

  /** The most entries this bucket takes (the index's `bucketCapacity`). */
  get maxEntries(): number {
    return u16(this.data, B_MAX);
  }

  /** Where the entry data starts (it fills the page from there to the end). A 64 KB page stores 0 for 65,536. */
  #dataStart(): number {
    return u16(this.data, B_DATA) || this.data.byteLength;
  }

  /** Bytes used by slots and entries. */
  get usedBytes(): number {
    return HASH_SLOT_SIZE * this.count + this.data.byteLength - this.#dataStart();
  }

  /** Bytes slots and entries may use: the page less its header. */
  get capacityBytes(): number {
    return this.data.byteLength - HASH_BUCKET_HEADER_SIZE;
  }

  /** True when an entry with a key of `keyLength` bytes would fit (by count and by bytes). */
  hasRoomFor(keyLength: number): boolean {
    return this.count < this.maxEntries && this.usedBytes + HASH_ENTRY_OVERHEAD + keyLength <= this.capacityBytes;
  }

  /** The first slot whose hash is ≥ `hash` (`after`: > `hash`): a binary search over the sorted slots. */
  #lowerBound(hash: number, after: boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const h = u32(this.data, HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * mid);
      if (h < hash || (after && h === hash)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index of the entry whose key equals `key` (stored with `hash`), or −1. */
  find(key: Uint8Array, hash: number): number {
    const count = this.count;
    hash >>>= 0;
    for (let i = this.#lowerBound(hash, false); i < count; i++) {
      const slot = HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * i;
      if (u32(this.data, slot) !== hash) return -1;
      const at = u16(this.data, slot + 4);
      const length = u16(this.data, at);
      if (length === key.length && compareByteRanges(this.data, at + 2, at + 2 + length, key, 0, length) === 0) return i;
    }
    return -1;
  }

  /** The rid stored under `key` (with `hash`), or undefined: a lookup's one step. */
  ridOf(key: Uint8Array, hash: number): Rid | undefined {
    const i = this.find(key, hash);
    return i < 0 ? undefined : this.ridAt(i);
  }

  /** The offset of entry `i`'s data; throws `out-of-range` past the last. */
  #offsetOf(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw new DbError("out-of-range", `bucket page ${String(this.pageId)} has ${this.count} entries, no entry ${i}`, { pageId: this.pageId, index: i });
    }
    return u16(this.data, HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * i + 4);
  }

  /** A copy of entry `i`'s key. */
  keyAt(i: number): Uint8Array {
    const at = this.#offsetOf(i);
    return this.data.slice(at + 2, at + 2 + u16(this.data, at));
  }

  /** Entry `i`'s rid. */
  ridAt(i: number): Rid {
    const at = this.#offsetOf(i);
    return this.#ridAtOffset(at + 2 + u16(this.data, at));
  }

  /** Entry `i`'s stored hash. */
  hashAt(i: number): number {
    this.#offsetOf(i);
    return u32(this.data, HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * i);
  }

  #ridAtOffset(at: number): Rid {
    return { pageId: u32(this.data, at) as PageId, slot: u16(this.data, at + 4) as SlotId };
  }

  /** Every entry, copied, in slot order (by hash). */
  entries(): { keys: Uint8Array[]; rids: Rid[]; hashes: number[] } {
    const keys: Uint8Array[] = [];
    const rids: Rid[] = [];
    const hashes: number[] = [];
    for (let i = 0; i < this.count; i++) {
      keys.push(this.keyAt(i));
      rids.push(this.ridAt(i));
      hashes.push(this.hashAt(i));
    }
    return { keys, rids, hashes };
  }

  /**
   * Add an entry, its slot placed in hash order (after any equal hashes); false (and no
   * change) when it does not fit. Does not look for duplicates: `find` first.
   */
  insert(key: Uint8Array, rid: Rid, hash: number): boolean {
    if (!this.hasRoomFor(key.length)) return false;
    hash >>>= 0;
    const count = this.count;
    const at = this.#dataStart() - (8 + key.length);
    setU16(this.data, at, key.length);
    this.data.set(key, at + 2);
    setU32(this.data, at + 2 + key.length, rid.pageId);
    setU16(this.data, at + 6 + key.length, rid.slot);
    const i = this.#lowerBound(hash, true);
    const slot = HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * i;
    this.data.copyWithin(slot + HASH_SLOT_SIZE, slot, HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * count);
    setU32(this.data, slot, hash);
    setU16(this.data, slot + 4, at);
    setU16(this.data, B_DATA, at);
    setU16(this.data, B_COUNT, count + 1);
    return true;
  }

  /** Remove entry `i`: its slot goes, and the entry data below it moves up to close the gap. */
  removeAt(i: number): void {
    const at = this.#offsetOf(i);
    const count = this.count;
    const size = 8 + u16(this.data, at);
    const start = this.#dataStart();
    this.data.copyWithin(start + size, start, at);
    this.data.fill(0, start, start + size);
    const slot = HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * i;
    const end = HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * count;
    this.data.copyWithin(slot, slot + HASH_SLOT_SIZE, end);
    this.data.fill(0, end - HASH_SLOT_SIZE, end);
    for (let j = 0; j < count - 1; j++) {
      const offsetAt = HASH_BUCKET_HEADER_SIZE + HASH_SLOT_SIZE * j + 4;
      const offset = u16(this.data, offsetAt);
      if (offset < at) setU16(this.data, offsetAt, offset + size);
    }
    setU16(this.data, B_DATA, start + size);
    setU16(this.data, B_COUNT, count - 1);
  }
}

/** Bytes the entries of a bucket of these keys use. */
export function hashEntryBytes(keys: readonly Uint8Array[]): number {
  let total = 0;
  for (const key of keys) total += HASH_ENTRY_OVERHEAD + key.length;
  return total;
}

/** Format `bytes` as a bucket of `localDepth` holding the given entries (which must fit). */
export function formatHashBucket(bytes: Uint8Array, localDepth: number, maxEntries: number, keys: readonly Uint8Array[], rids: readonly Rid[], hashes: readonly number[]): void {
  const page = HashBucketPage.init(bytes, localDepth, maxEntries);
  for (let i = 0; i < keys.length; i++) {
    if (!page.insert(keys[i]!, rids[i]!, hashes[i]!)) throw new InvariantError(`a bucket of ${keys.length} entries does not fit a page`);
  }
}
