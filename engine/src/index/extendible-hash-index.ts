/**
 * Extendible hash index
 * =====================
 * A hash index answers `key = value` by computing where the key must be instead of
 * searching for it: hash the key, take some bits of the hash, read that one bucket. A
 * lookup reads one page whatever the size of the index (the B+tree reads one per level),
 * but the hash forgets the order of keys, so `lo ≤ key < hi` has nothing to follow: it
 * probes every possible key or reads every bucket.
 *
 * Extendible hashing (Fagin, Nievergelt, Pippenger and Strong, 1979) grows one bucket at
 * a time, without rehashing the index: a directory of 2^globalDepth slots, numbered by
 * the low globalDepth bits of the hash, points at buckets; a full bucket splits on its
 * next hash bit, and the directory doubles only when the bucket already used every bit
 * the directory has (extendible-hash-insert.ts, exercise 06.1). Deletes merge a bucket
 * with its buddy and halve the directory when they can (extendible-hash-delete.ts).
 *
 *   directory page (global depth 2)             bucket pages
 *   ┌────┬──────────┐
 *   │ 00 │ page 2 d2 ─────────────────────────► [ keys with hash …00 ]
 *   │ 01 │ page 3 d1 ──────────┬──────────────► [ keys with hash …1  ]
 *   │ 10 │ page 4 d2 ──────────┼──────────────► [ keys with hash …10 ]
 *   │ 11 │ page 3 d1 ──────────┘
 *   └────┴──────────┘
 *
 *   extendible-hash-page.ts      the two page layouts, with offsets
 *   ../common/murmur-hash.ts     the default hash (MurmurHash3, 32 bits)
 *   extendible-hash-context.ts   the HashIndexContext the algorithms get (hash-index.ts)
 *   extendible-hash-insert.ts    insert, split, doubling (exercise 06.1, pluggable)
 *   extendible-hash-delete.ts    delete, merge, shrinking
 *   extendible-hash-check.ts     the invariants, verified
 *   extendible-hash-snapshot.ts  stats and snapshot, for tables and drawings
 *
 * Keys are unique: `insert` of a key already present returns false and changes nothing.
 * Keys are bytes from `encodeKey` (numbers, strings, arrays of them, or raw bytes), and
 * the hash is injectable (`hash`), so tests can force exact split sequences with, say, the
 * identity on small ints. The hash is not stored: `open` needs the same one, and
 * `check()` notices a different one (keys are no longer where their hash points).
 *
 * The depth is bounded: the directory is one page, so 8 KB pages allow 2^10 slots
 * (`maxDepth` may lower that). An insert that would need a deeper bucket is refused with
 * `index-full` and changes nothing; with a good hash that happens only near 2^maxDepth
 * full buckets, with many equal hashes much sooner.
 *
 * Pages are touched through the buffer pool one pin at a time, so the index works in a
 * pool of one frame. The directory is also kept in memory and written through on every
 * change, so a lookup reads one page. Concurrency: none, as for the B+tree. Simpler than
 * PostgreSQL's hash index (linear hashing with overflow pages; see
 * extendible-hash-page.ts): no overflow pages, no WAL, and keys are stored, so a lookup
 * does not go to the heap to recheck the key.
 */
import { DbError } from "../common/errors.js";
import type { PageId, Rid } from "../common/ids.js";
import { resolvePlugins } from "../common/plugins.js";
import type { BufferPool } from "../storage/index.js";
import type { BPlusTreeEntry } from "./btree-context.js";
import type { HashIndexAlgorithms } from "./hash-index.js";
import { checkHashIndex } from "./extendible-hash-check.js";
import { ExtendibleHashContext } from "./extendible-hash-context.js";
import { hashDeleteEntry } from "./extendible-hash-delete.js";
import { murmurHash32 } from "../common/murmur-hash.js";
import { hashInsertEntry, splitBucket } from "./extendible-hash-insert.js";
import { HashBucketPage, maxBucketCapacity, maxDirectoryDepth, maxHashKeySize, readHashDirectory, writeHashDirectory } from "./extendible-hash-page.js";
import { hashIndexSnapshot, hashIndexStats, type HashIndexSnapshot, type HashIndexStats } from "./extendible-hash-snapshot.js";
import { checkRid, encodeKey, toHex, type IndexKey } from "./key-codec.js";
import { newPage } from "./tree-context.js";

/** The engine's own insert and split: what an index uses for every piece not given in `algorithms`. */
export const ENGINE_HASH_ALGORITHMS: HashIndexAlgorithms = Object.freeze({ hashInsertEntry, splitBucket });

/** The engine's algorithms with `given` plugged in; `invalid-argument` for an unknown name or a non-function. */
export function resolveHashAlgorithms(given: Partial<HashIndexAlgorithms> | undefined): HashIndexAlgorithms {
  return resolvePlugins(ENGINE_HASH_ALGORITHMS, given, "hash index algorithm");
}

export interface ExtendibleHashOpenOptions {
  /** A 32-bit hash of the encoded key (default `murmurHash32`); must be the one the index was built with. */
  readonly hash?: (key: Uint8Array) => number;
  /** Replacements for the engine's insert and split (exercise 06.1). */
  readonly algorithms?: Partial<HashIndexAlgorithms>;
}

export interface ExtendibleHashOptions extends ExtendibleHashOpenOptions {
  /** The largest global depth, 0 … what one directory page holds (default: that). */
  readonly maxDepth?: number;
  /** The most entries a bucket holds, ≥ 1 (default: as many as fit a page; long keys fit fewer). */
  readonly bucketCapacity?: number;
}

function validHash(hash: unknown): (key: Uint8Array) => number {
  if (hash === undefined) return murmurHash32;
  if (typeof hash !== "function") throw new DbError("invalid-argument", `the hash option must be a function of the key bytes, got ${typeof hash}`, {});
  return hash as (key: Uint8Array) => number;
}

function validDepth(value: unknown, what: string, max: number, pageSize: number): number {
  if (value === undefined) return max;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new DbError("invalid-argument", `${what} must be an integer in 0…${max} for ${pageSize}-byte pages, got ${String(value)}`, { [what]: value, max });
  }
  return value;
}

export class ExtendibleHashIndex {
  readonly pool: BufferPool;
  /** The directory page: give it to `ExtendibleHashIndex.open` to reopen the index. */
  readonly directoryPageId: PageId;
  /** The longest encoded key `insert` accepts. */
  readonly maxKeySize: number;
  /** The insert and split this index runs: the engine's, or the ones passed in. */
  readonly algorithms: HashIndexAlgorithms;
  readonly #ctx: ExtendibleHashContext;
  #size: number;

  private constructor(ctx: ExtendibleHashContext, size: number) {
    this.pool = ctx.pool;
    this.directoryPageId = ctx.directoryPageId;
    this.maxKeySize = maxHashKeySize(ctx.pool.pageSize);
    this.algorithms = ctx.algorithms;
    this.#ctx = ctx;
    this.#size = size;
  }

  /**
   * A new, empty index in `pool`: a directory page of global depth 0 and one empty bucket.
   * Throws `invalid-argument` for a hash that is not a function, a `maxDepth` or
   * `bucketCapacity` out of range (the message gives the range) or bad `algorithms`;
   * `no-free-frame` when every frame is pinned.
   */
  static create(pool: BufferPool, options: ExtendibleHashOptions = {}): ExtendibleHashIndex {
    const hash = validHash(options.hash);
    const maxDepth = validDepth(options.maxDepth, "maxDepth", maxDirectoryDepth(pool.pageSize), pool.pageSize);
    const largest = maxBucketCapacity(pool.pageSize);
    const bucketCapacity = options.bucketCapacity ?? largest;
    if (!Number.isInteger(bucketCapacity) || bucketCapacity < 1 || bucketCapacity > largest) {
      throw new DbError("invalid-argument", `bucketCapacity must be an integer in 1…${largest} for ${pool.pageSize}-byte pages, got ${String(options.bucketCapacity)}`, {
        bucketCapacity: options.bucketCapacity,
        max: largest,
      });
    }
    const algorithms = resolveHashAlgorithms(options.algorithms);
    // One pin at a time, so that a pool of one frame will do: the bucket, then the directory.
    const bucketId = newPage(pool, (bytes) => HashBucketPage.init(bytes, 0, bucketCapacity));
    let directoryPageId: PageId;
    try {
      directoryPageId = newPage(pool, (bytes) => writeHashDirectory(bytes, { globalDepth: 0, maxDepth, bucketCapacity, bucketIds: [bucketId], localDepths: [0] }));
    } catch (error) {
      pool.deletePage(bucketId);
      throw error;
    }
    const ctx = new ExtendibleHashContext(pool, directoryPageId, { globalDepth: 0, bucketIds: [bucketId], localDepths: [0] }, { maxDepth, bucketCapacity, hash, algorithms });
    return new ExtendibleHashIndex(ctx, 0);
  }

  /**
   * The index whose directory page is `directoryPageId`, as last written. Pass the hash it
   * was built with. Throws `corrupt` when that page is not a hash directory or a bucket
   * page is not one, `out-of-range` for a page the disk does not have.
   */
  static open(pool: BufferPool, directoryPageId: PageId, options: ExtendibleHashOpenOptions = {}): ExtendibleHashIndex {
    const hash = validHash(options.hash);
    const algorithms = resolveHashAlgorithms(options.algorithms);
    const meta = pool.withReadPage(directoryPageId, (bytes) => readHashDirectory(bytes, directoryPageId));
    const ctx = new ExtendibleHashContext(pool, directoryPageId, meta, { maxDepth: meta.maxDepth, bucketCapacity: meta.bucketCapacity, hash, algorithms });
    let size = 0;
    for (const id of new Set(meta.bucketIds)) size += ctx.read(id, (page) => page.count);
    return new ExtendibleHashIndex(ctx, size);
  }

  /** Entries in the index. */
  get size(): number {
    return this.#size;
  }

  /** Bits of the hash the directory uses: it has 2^globalDepth slots. */
  get globalDepth(): number {
    return this.#ctx.globalDepth;
  }

  get maxDepth(): number {
    return this.#ctx.maxDepth;
  }

  get bucketCapacity(): number {
    return this.#ctx.bucketCapacity;
  }

  /** Distinct bucket pages. */
  get bucketCount(): number {
    return this.#ctx.pageCount - 1;
  }

  /** Pages in use: the directory page and the buckets. */
  get pageCount(): number {
    return this.#ctx.pageCount;
  }

  /** The index's hash of `key` (encoded), as an unsigned 32-bit integer. */
  hashOf(key: IndexKey): number {
    return this.#ctx.hash(encodeKey(key));
  }

  /** The rid stored under `key`, or undefined. Reads one page. Throws as `encodeKey` for a key that cannot be encoded. */
  get(key: IndexKey): Rid | undefined {
    const bytes = encodeKey(key);
    if (bytes.length > this.maxKeySize) return undefined;
    const ctx = this.#ctx;
    return ctx.ridOf(bytes, ctx.hash(bytes));
  }

  /**
   * Add `key → rid`. True when added; false when the key is present (nothing changes).
   * Throws `invalid-argument` for a key longer than `maxKeySize` or a bad rid,
   * `index-full` when the key's bucket cannot split further; the index is unchanged then.
   */
  insert(key: IndexKey, rid: Rid): boolean {
    const bytes = encodeKey(key);
    if (bytes.length > this.maxKeySize) {
      throw new DbError("invalid-argument", `hash index key is ${bytes.length} bytes; the largest a ${this.pool.pageSize}-byte page accepts is ${this.maxKeySize}`, {
        keySize: bytes.length,
        maxKeySize: this.maxKeySize,
      });
    }
    checkRid(rid);
    if (!this.algorithms.hashInsertEntry(this.#ctx, bytes, rid)) return false;
    this.#size++;
    return true;
  }

  /** Remove `key`; true when it was there. Merges buckets and shrinks the directory when it can. */
  delete(key: IndexKey): boolean {
    const bytes = encodeKey(key);
    if (bytes.length > this.maxKeySize) return false;
    if (!hashDeleteEntry(this.#ctx, bytes)) return false;
    this.#size--;
    return true;
  }

  /**
   * Every entry, bucket by bucket in the order of their first directory slot: in no key
   * order. One bucket is copied at a time; the index must not change during the scan.
   */
  *entries(): Generator<BPlusTreeEntry, void, undefined> {
    const ctx = this.#ctx;
    const seen = new Set<PageId>();
    for (const id of ctx.bucketIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      const { keys, rids } = ctx.readBucket(id);
      for (let i = 0; i < keys.length; i++) yield { key: keys[i]!, rid: rids[i]! };
    }
  }

  /** Pages, buckets, directory size and fill (reads every bucket). */
  stats(): HashIndexStats {
    return hashIndexStats(this.#ctx, this.#size);
  }

  /** The directory and the buckets as plain data, keys formatted by `format` (default hex). */
  snapshot(format: (key: Uint8Array) => string = toHex): HashIndexSnapshot {
    return hashIndexSnapshot(this.#ctx, this.#size, format);
  }

  /**
   * Verify every invariant (extendible-hash-check.ts), reading every page once. Throws
   * `InvariantError` naming the broken invariant and where; returns nothing when all hold.
   */
  check(): void {
    checkHashIndex(this.#ctx, this.#size);
  }
}
