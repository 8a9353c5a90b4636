/**
 * Extendible hash index: the contract
 * ===================================
 * What the insert algorithm of an extendible hash index may rely on and must keep, as
 * plain types. `ExtendibleHashIndex.create(pool, { algorithms: { hashInsertEntry, splitBucket } })`
 * runs the functions given and the engine's for the rest (`ENGINE_HASH_ALGORITHMS`,
 * extendible-hash-index.ts), so the hidden suite of exercise 06.1 tests a learner's insert
 * inside a real index, through a real buffer pool.
 *
 *   directory (global depth 2)            buckets (local depth, entries)
 *   slot 00 ───────────────────────────►  A  d=2  keys whose hash ends in 00
 *   slot 01 ─────────────┬─────────────►  B  d=1  keys whose hash ends in 1
 *   slot 10 ─────────────┼─────────────►  C  d=2  keys whose hash ends in 10
 *   slot 11 ─────────────┘
 *
 * The directory has 2^globalDepth slots; a key goes to the slot numbered by the *low*
 * `globalDepth` bits of its 32-bit hash (as in BusTub; the textbook's figures use the
 * high bits, which works the same). A bucket of local depth d ≤ globalDepth is shared by
 * the 2^(globalDepth − d) slots that agree on the low d bits.
 *
 * Invariants (`ExtendibleHashIndex.check()` verifies them and names the broken one):
 * - every local depth ≤ the global depth ≤ maxDepth;
 * - a bucket of local depth d is pointed to by exactly 2^(global − d) slots, all of which
 *   record local depth d and share the same low d bits;
 * - every key is in the bucket its hash selects; no key appears twice (keys are unique:
 *   inserting a key that is present returns false and changes nothing);
 * - no bucket holds more than `bucketCapacity` entries, or more bytes than a page.
 *
 * Rules every algorithm keeps:
 * - One pin at a time: do not call the context from inside a `read`/`write` callback.
 *   The index must work in a buffer pool of a single frame.
 * - `directory()` and `readBucket()` return copies; nothing changes until
 *   `writeDirectory` / `writeBucket` / `allocateBucket` / `freeBucket`.
 * - A refusal (`index-full`) happens before anything changes.
 */
import type { PageId, Rid } from "../common/ids.js";
import type { HashBucketPage } from "./extendible-hash-page.js";

/** The directory, copied out: `bucketIds[s]` is slot s's bucket, `localDepths[s]` that bucket's local depth. */
export interface HashDirectory {
  globalDepth: number;
  /** 2^globalDepth entries. */
  bucketIds: PageId[];
  /** 2^globalDepth entries, each ≤ globalDepth. */
  localDepths: number[];
}

/** A bucket, copied out: `keys[i]` points to `rids[i]` (in no particular order). */
export interface HashBucket {
  localDepth: number;
  keys: Uint8Array[];
  rids: Rid[];
}

/** The index's pages and state, as its algorithms see them. */
export interface HashIndexContext {
  /** The largest global (and so local) depth: the directory's 2^maxDepth slots fit one page. */
  readonly maxDepth: number;
  /** The most entries a bucket holds (fewer when its keys are long: see `fits`). */
  readonly bucketCapacity: number;
  /** Bits of the hash that number a directory slot: the directory has 2^globalDepth slots. */
  readonly globalDepth: number;
  /** The index's 32-bit hash of a key, as an unsigned integer (0 … 2^32 − 1). */
  hash(key: Uint8Array): number;
  /** The bucket page of directory slot `slot` (0 … 2^globalDepth − 1), without copying the directory. */
  bucketAt(slot: number): PageId;
  /** The local depth the directory records for slot `slot`. */
  localDepthAt(slot: number): number;
  /** A copy of the directory. */
  directory(): HashDirectory;
  /**
   * Replace the directory (its page is written at once). Throws `InvariantError` when the
   * arrays do not have 2^globalDepth entries, a local depth passes the global depth, or
   * the global depth is outside 0 … maxDepth.
   */
  writeDirectory(directory: HashDirectory): void;
  /** Run `fn` on the bucket page, pinned; it is unpinned clean. */
  read<T>(pageId: PageId, fn: (page: HashBucketPage) => T): T;
  /** Run `fn` on the bucket page, pinned; it is unpinned dirty. */
  write<T>(pageId: PageId, fn: (page: HashBucketPage) => T): T;
  /** A copy of the bucket. */
  readBucket(pageId: PageId): HashBucket;
  /** Replace the bucket's contents with `bucket`, which must fit (`InvariantError` otherwise). */
  writeBucket(pageId: PageId, bucket: HashBucket): void;
  /** True when `bucket` fits one page: at most `bucketCapacity` entries and no more bytes than the page has. */
  fits(bucket: HashBucket): boolean;
  /** A new bucket page holding `bucket` (which must fit); counted in the index's pages. */
  allocateBucket(bucket: HashBucket): PageId;
  /** Give a bucket page that left the index back to the pool (after a merge). */
  freeBucket(pageId: PageId): void;
  /** The index's `splitBucket` (yours when plugged in) on the bucket of `slot`. */
  split(slot: number): void;
}

/** The pluggable pieces of an extendible hash index: exercise 06.1. */
export interface HashIndexAlgorithms {
  /**
   * Add `key → rid`. Returns false, changing nothing, when the key is present; true once
   * the entry is in its bucket, after as many splits (and directory doublings) as it took.
   * Throws `index-full`, changing nothing, when the key's bucket would need a local depth
   * above `maxDepth` to make room.
   */
  readonly hashInsertEntry: (ctx: HashIndexContext, key: Uint8Array, rid: Rid) => boolean;
  /**
   * Split the bucket of directory slot `slot` once, by the bit its local depth d numbers:
   * entries whose hash has that bit set move to a new bucket, both get local depth d + 1,
   * and the slots that pointed to the old bucket are shared between the two. When d equals
   * the global depth the directory doubles first. Throws `index-full`, changing nothing,
   * when d = maxDepth.
   */
  readonly splitBucket: (ctx: HashIndexContext, slot: number) => void;
}
