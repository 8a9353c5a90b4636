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
 *   0           4              5      6          8            10                 12
 *   | magic u32 | localDepth u8 | (0) | count u16 | freeAt u16 | maxEntries u16 | entries …
 *   entry: | hash u32 | keyLength u16 | key bytes | rid page u32 | rid slot u16 |  (12 + key bytes)
 *     magic   0x45584231 ("EXB1"); entries are packed from offset 12 up to `freeAt`, in no
 *             order; a lookup compares the stored hash first and the key bytes only on a
 *             match, so a miss rarely touches a key. A delete moves the later entries down.
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
/** Bytes an entry takes besides its key: hash u32, key length u16, rid 6. */
export const HASH_ENTRY_OVERHEAD = 12;

const D_MAGIC = 0;
const D_VERSION = 4;
const D_GLOBAL = 6;
const D_MAX = 7;
const D_PAGE_SIZE = 8;
const D_CAPACITY = 12;

const B_MAGIC = 0;
const B_LOCAL = 4;
const B_COUNT = 6;
const B_FREE = 8;
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

/**
 * A view of a bucket page's bytes (valid while the page is pinned). Keys are compared as
 * bytes; the stored hash is whatever the index computed when the entry went in.
 */
export class HashBucketPage {
  readonly data: Uint8Array;
  readonly pageId: PageId | undefined;
  readonly #view: DataView;

  private constructor(data: Uint8Array, pageId: PageId | undefined) {
    this.data = data;
    this.pageId = pageId;
    this.#view = viewOf(data);
  }

  /** Format `bytes` as an empty bucket of `localDepth` holding at most `maxEntries`. */
  static init(bytes: Uint8Array, localDepth: number, maxEntries: number): HashBucketPage {
    bytes.fill(0);
    const view = viewOf(bytes);
    view.setUint32(B_MAGIC, HASH_BUCKET_MAGIC, LITTLE_ENDIAN);
    view.setUint8(B_LOCAL, localDepth);
    view.setUint16(B_FREE, HASH_BUCKET_HEADER_SIZE, LITTLE_ENDIAN);
    view.setUint16(B_MAX, maxEntries, LITTLE_ENDIAN);
    return new HashBucketPage(bytes, undefined);
  }

  /** A view of `bytes`; throws `corrupt` (naming `pageId`) when they are not a bucket page. */
  static open(bytes: Uint8Array, pageId?: PageId): HashBucketPage {
    const view = viewOf(bytes);
    const magic = view.getUint32(B_MAGIC, LITTLE_ENDIAN);
    const free = view.getUint16(B_FREE, LITTLE_ENDIAN);
    if (magic !== HASH_BUCKET_MAGIC || free < HASH_BUCKET_HEADER_SIZE || free > bytes.byteLength) {
      throw new DbError("corrupt", `page ${String(pageId)} is not a hash bucket page (magic 0x${magic.toString(16)}, free offset ${free})`, { pageId, magic });
    }
    return new HashBucketPage(bytes, pageId);
  }

  get localDepth(): number {
    return this.#view.getUint8(B_LOCAL);
  }

  set localDepth(depth: number) {
    this.#view.setUint8(B_LOCAL, depth);
  }

  /** Entries in the bucket. */
  get count(): number {
    return this.#view.getUint16(B_COUNT, LITTLE_ENDIAN);
  }

  /** The most entries this bucket takes (the index's `bucketCapacity`). */
  get maxEntries(): number {
    return this.#view.getUint16(B_MAX, LITTLE_ENDIAN);
  }

  /** Bytes used by entries. */
  get usedBytes(): number {
    return this.#view.getUint16(B_FREE, LITTLE_ENDIAN) - HASH_BUCKET_HEADER_SIZE;
  }

  /** Bytes entries may use: the page less its header. */
  get capacityBytes(): number {
    return this.data.byteLength - HASH_BUCKET_HEADER_SIZE;
  }

  /** True when an entry with a key of `keyLength` bytes would fit (by count and by bytes). */
  hasRoomFor(keyLength: number): boolean {
    return this.count < this.maxEntries && this.usedBytes + HASH_ENTRY_OVERHEAD + keyLength <= this.capacityBytes;
  }

  /** The index of the entry whose key equals `key` (stored with `hash`), or −1. */
  find(key: Uint8Array, hash: number): number {
    const view = this.#view;
    const data = this.data;
    const end = view.getUint16(B_FREE, LITTLE_ENDIAN);
    let at = HASH_BUCKET_HEADER_SIZE;
    for (let i = 0; at < end; i++) {
      const length = view.getUint16(at + 4, LITTLE_ENDIAN);
      if (view.getUint32(at, LITTLE_ENDIAN) === hash && length === key.length && compareByteRanges(data, at + 6, at + 6 + length, key, 0, length) === 0) {
        return i;
      }
      at += HASH_ENTRY_OVERHEAD + length;
    }
    return -1;
  }

  /** The rid stored under `key` (with `hash`), or undefined: a lookup's one step. */
  ridOf(key: Uint8Array, hash: number): Rid | undefined {
    const i = this.find(key, hash);
    return i < 0 ? undefined : this.ridAt(i);
  }

  /** The byte offset of entry `i`; throws `out-of-range` past the last. */
  #offsetOf(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw new DbError("out-of-range", `bucket page ${String(this.pageId)} has ${this.count} entries, no entry ${i}`, { pageId: this.pageId, index: i });
    }
    let at = HASH_BUCKET_HEADER_SIZE;
    for (let j = 0; j < i; j++) at += HASH_ENTRY_OVERHEAD + this.#view.getUint16(at + 4, LITTLE_ENDIAN);
    return at;
  }

  /** A copy of entry `i`'s key. */
  keyAt(i: number): Uint8Array {
    const at = this.#offsetOf(i);
    return this.data.slice(at + 6, at + 6 + this.#view.getUint16(at + 4, LITTLE_ENDIAN));
  }

  /** Entry `i`'s rid. */
  ridAt(i: number): Rid {
    const at = this.#offsetOf(i);
    return this.#ridAtOffset(at + 6 + this.#view.getUint16(at + 4, LITTLE_ENDIAN));
  }

  /** Entry `i`'s stored hash. */
  hashAt(i: number): number {
    return this.#view.getUint32(this.#offsetOf(i), LITTLE_ENDIAN);
  }

  #ridAtOffset(at: number): Rid {
    return { pageId: this.#view.getUint32(at, LITTLE_ENDIAN) as PageId, slot: this.#view.getUint16(at + 4, LITTLE_ENDIAN) as SlotId };
  }

  /** Every entry, copied, in page order. */
  entries(): { keys: Uint8Array[]; rids: Rid[]; hashes: number[] } {
    const view = this.#view;
    const end = view.getUint16(B_FREE, LITTLE_ENDIAN);
    const keys: Uint8Array[] = [];
    const rids: Rid[] = [];
    const hashes: number[] = [];
    for (let at = HASH_BUCKET_HEADER_SIZE; at < end; ) {
      const length = view.getUint16(at + 4, LITTLE_ENDIAN);
      hashes.push(view.getUint32(at, LITTLE_ENDIAN));
      keys.push(this.data.slice(at + 6, at + 6 + length));
      rids.push(this.#ridAtOffset(at + 6 + length));
      at += HASH_ENTRY_OVERHEAD + length;
    }
    return { keys, rids, hashes };
  }

  /** Add an entry at the end; false (and no change) when it does not fit. Does not look for duplicates. */
  append(key: Uint8Array, rid: Rid, hash: number): boolean {
    if (!this.hasRoomFor(key.length)) return false;
    const view = this.#view;
    const at = view.getUint16(B_FREE, LITTLE_ENDIAN);
    view.setUint32(at, hash >>> 0, LITTLE_ENDIAN);
    view.setUint16(at + 4, key.length, LITTLE_ENDIAN);
    this.data.set(key, at + 6);
    view.setUint32(at + 6 + key.length, rid.pageId, LITTLE_ENDIAN);
    view.setUint16(at + 10 + key.length, rid.slot, LITTLE_ENDIAN);
    view.setUint16(B_FREE, at + HASH_ENTRY_OVERHEAD + key.length, LITTLE_ENDIAN);
    view.setUint16(B_COUNT, this.count + 1, LITTLE_ENDIAN);
    return true;
  }

  /** Remove entry `i`, moving the later entries down. */
  removeAt(i: number): void {
    const at = this.#offsetOf(i);
    const view = this.#view;
    const size = HASH_ENTRY_OVERHEAD + view.getUint16(at + 4, LITTLE_ENDIAN);
    const end = view.getUint16(B_FREE, LITTLE_ENDIAN);
    this.data.copyWithin(at, at + size, end);
    this.data.fill(0, end - size, end);
    view.setUint16(B_FREE, end - size, LITTLE_ENDIAN);
    view.setUint16(B_COUNT, this.count - 1, LITTLE_ENDIAN);
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
    if (!page.append(keys[i]!, rids[i]!, hashes[i]!)) throw new InvariantError(`a bucket of ${keys.length} entries does not fit a page`);
  }
}
