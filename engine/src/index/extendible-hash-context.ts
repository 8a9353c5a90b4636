/**
 * The hash index context
 * ======================
 * What an `ExtendibleHashIndex` hands its algorithms: the `HashIndexContext` contract
 * (hash-index.ts) over a buffer pool. The directory is at most one page, so the context
 * keeps a copy of it in memory (as `BPlusTree` keeps its meta page's fields) and writes
 * the directory page through on every change: a lookup then reads one page, its bucket.
 * Bucket pages are reached one pin at a time, inside a callback.
 *
 * The delete, the checker and the snapshot (extendible-hash-delete.ts,
 * extendible-hash-check.ts) work on the same context.
 */
import { DbError, InvariantError } from "../common/errors.js";
import type { PageId, Rid } from "../common/ids.js";
import type { BufferPool } from "../storage/index.js";
import type { HashBucket, HashDirectory, HashIndexAlgorithms, HashIndexContext } from "./hash-index.js";
import { HashBucketPage, formatHashBucket, hashEntryBytes, lowBits, writeHashDirectory, HASH_BUCKET_HEADER_SIZE } from "./extendible-hash-page.js";

/** The hash index's pages and state as its algorithms see them (see hash-index.ts). */
export class ExtendibleHashContext implements HashIndexContext {
  readonly pool: BufferPool;
  readonly directoryPageId: PageId;
  readonly maxDepth: number;
  readonly bucketCapacity: number;
  readonly algorithms: HashIndexAlgorithms;
  readonly #hash: (key: Uint8Array) => number;
  globalDepth: number;
  bucketIds: PageId[];
  localDepths: number[];
  /** Pages in use: the directory page and every bucket. */
  pageCount: number;

  constructor(
    pool: BufferPool,
    directoryPageId: PageId,
    directory: { readonly globalDepth: number; readonly bucketIds: readonly PageId[]; readonly localDepths: readonly number[] },
    settings: { maxDepth: number; bucketCapacity: number; hash: (key: Uint8Array) => number; algorithms: HashIndexAlgorithms },
  ) {
    this.pool = pool;
    this.directoryPageId = directoryPageId;
    this.maxDepth = settings.maxDepth;
    this.bucketCapacity = settings.bucketCapacity;
    this.#hash = settings.hash;
    this.algorithms = settings.algorithms;
    this.globalDepth = directory.globalDepth;
    this.bucketIds = [...directory.bucketIds];
    this.localDepths = [...directory.localDepths];
    this.pageCount = 1 + new Set(directory.bucketIds).size;
  }

  hash(key: Uint8Array): number {
    const h = this.#hash(key);
    if (!Number.isInteger(h)) {
      throw new DbError("invalid-argument", `the hash index's hash function returned ${String(h)}, not an integer`, { hash: h });
    }
    return h >>> 0;
  }

  bucketAt(slot: number): PageId {
    const id = this.bucketIds[slot];
    if (id === undefined) throw new DbError("out-of-range", `the directory has ${this.bucketIds.length} slots, no slot ${slot}`, { slot });
    return id;
  }

  localDepthAt(slot: number): number {
    const depth = this.localDepths[slot];
    if (depth === undefined) throw new DbError("out-of-range", `the directory has ${this.localDepths.length} slots, no slot ${slot}`, { slot });
    return depth;
  }

  /** The bucket page that `hash` selects. */
  bucketOf(hash: number): PageId {
    return this.bucketIds[lowBits(hash, this.globalDepth)]!;
  }

  directory(): HashDirectory {
    return { globalDepth: this.globalDepth, bucketIds: [...this.bucketIds], localDepths: [...this.localDepths] };
  }

  writeDirectory(directory: HashDirectory): void {
    const { globalDepth, bucketIds, localDepths } = directory;
    const slots = 2 ** globalDepth;
    if (!Number.isInteger(globalDepth) || globalDepth < 0 || globalDepth > this.maxDepth) {
      throw new InvariantError(`writeDirectory: global depth ${globalDepth} is outside 0…${this.maxDepth}`);
    }
    if (bucketIds.length !== slots || localDepths.length !== slots) {
      throw new InvariantError(`writeDirectory: global depth ${globalDepth} needs ${slots} slots, got ${bucketIds.length} bucket ids and ${localDepths.length} local depths`);
    }
    const deeper = localDepths.findIndex((d) => !Number.isInteger(d) || d < 0 || d > globalDepth);
    if (deeper >= 0) throw new InvariantError(`writeDirectory: slot ${deeper} has local depth ${localDepths[deeper]}, global depth is ${globalDepth}`);
    const meta = { globalDepth, maxDepth: this.maxDepth, bucketCapacity: this.bucketCapacity, bucketIds, localDepths };
    this.pool.withWritePage(this.directoryPageId, (bytes) => writeHashDirectory(bytes, meta));
    this.globalDepth = globalDepth;
    this.bucketIds = [...bucketIds];
    this.localDepths = [...localDepths];
  }

  read<T>(pageId: PageId, fn: (page: HashBucketPage) => T): T {
    return this.#pinned(pageId, false, fn);
  }

  write<T>(pageId: PageId, fn: (page: HashBucketPage) => T): T {
    return this.#pinned(pageId, true, fn);
  }

  #pinned<T>(pageId: PageId, dirty: boolean, fn: (page: HashBucketPage) => T): T {
    const data = this.pool.fetchPage(pageId).data;
    try {
      return fn(HashBucketPage.open(data, pageId));
    } finally {
      this.pool.unpinPage(pageId, dirty);
    }
  }

  /** The rid under `key` (hashing to `hash`) in its bucket: a lookup, pinned directly. */
  ridOf(key: Uint8Array, hash: number): Rid | undefined {
    const pageId = this.bucketOf(hash);
    const data = this.pool.fetchPage(pageId).data;
    try {
      return HashBucketPage.open(data, pageId).ridOf(key, hash);
    } finally {
      this.pool.unpinPage(pageId, false);
    }
  }

  readBucket(pageId: PageId): HashBucket {
    return this.read(pageId, (page) => {
      const { keys, rids } = page.entries();
      return { localDepth: page.localDepth, keys, rids };
    });
  }

  fits(bucket: HashBucket): boolean {
    return bucket.keys.length <= this.bucketCapacity && hashEntryBytes(bucket.keys) <= this.pool.pageSize - HASH_BUCKET_HEADER_SIZE;
  }

  #format(bytes: Uint8Array, bucket: HashBucket): void {
    if (bucket.keys.length !== bucket.rids.length) throw new InvariantError(`a bucket of ${bucket.keys.length} keys and ${bucket.rids.length} rids`);
    formatHashBucket(bytes, bucket.localDepth, this.bucketCapacity, bucket.keys, bucket.rids, bucket.keys.map((k) => this.hash(k)));
  }

  #mustFit(bucket: HashBucket, what: string): void {
    if (!this.fits(bucket)) {
      throw new InvariantError(`${what}: a bucket of ${bucket.keys.length} entries (${hashEntryBytes(bucket.keys)} bytes) does not fit (${this.bucketCapacity} entries, ${this.pool.pageSize - HASH_BUCKET_HEADER_SIZE} bytes)`);
    }
  }

  writeBucket(pageId: PageId, bucket: HashBucket): void {
    this.#mustFit(bucket, `writeBucket(${pageId})`);
    this.pool.withWritePage(pageId, (bytes) => this.#format(bytes, bucket));
  }

  allocateBucket(bucket: HashBucket): PageId {
    // Check that it fits before taking a page, so a refused bucket leaves nothing behind.
    this.#mustFit(bucket, "allocateBucket");
    const guard = this.pool.newPageGuarded();
    try {
      this.#format(guard.data, bucket);
    } finally {
      guard.release();
    }
    this.pageCount++;
    return guard.pageId;
  }

  freeBucket(pageId: PageId): void {
    this.pool.deletePage(pageId);
    this.pageCount--;
  }

  split(slot: number): void {
    this.algorithms.splitBucket(this, slot);
  }
}
