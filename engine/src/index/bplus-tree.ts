/**
 * Disk B+tree
 * ===========
 * An index maps keys to record ids (where the rows live in the heap) so that a lookup or a
 * range scan reads a handful of pages instead of the whole table. A B+tree keeps every
 * entry in its leaves, sorted and linked left to right; the internal pages above hold only
 * separator keys that steer a search to the right leaf. One node is one page (a
 * `BTreePage`), so a tree of height 3 with 8 KB pages reaches millions of entries with
 * three page reads, and the top levels stay in the buffer pool.
 *
 *   meta page ──► root (level 2)            [ 40 ]
 *                                         /        \
 *   level 1                     [ 20 | 30 ]          [ 60 ]
 *                              /     |     \        /      \
 *   leaves (level 0)  [5 10] → [20 25] → [30 35] → [40 50] → [60 70 80] → ∅
 *
 *   child i of an internal page holds the keys k with key[i−1] ≤ k < key[i].
 *
 * This class is the shell around the algorithms, which live in their own modules and are
 * pluggable (`BPlusTreeOptions.algorithms`; the contract is btree-algorithms.ts, what
 * they may do to the tree is btree-context.ts):
 * - search (search-page.ts): binary search in each page on the way down; a descent
 *   follows child `found ? index + 1 : index`, and records the path it took.
 * - insert (insert-entry.ts): put the entry in its leaf; a full leaf splits in half by
 *   bytes and *copies* the right half's first key up; a full parent splits too, *moving*
 *   its middle key up; a root split makes a new root, the only way the tree grows taller.
 * - delete (delete-entry.ts): remove the entry; a non-root page left with less than a
 *   quarter of its space in use borrows from a sibling or merges with it, up the path; a
 *   root with no key left is replaced by its only child, the only way the tree gets
 *   shorter; an empty tree is one empty leaf (height 1).
 * - range (range-scan.ts): find the first leaf, then follow right-sibling links, one leaf
 *   copied out at a time, holding no pin between entries and re-finding its place when
 *   the tree changed under it.
 * The shell encodes and checks keys and rids, counts entries, saves the meta page, and
 * hands the rest to one module per job:
 *
 *   tree-context.ts              the BTreeContext the algorithms (and the jobs below) get
 *   engine-btree-algorithms.ts   the engine's algorithms; resolving plugged-in ones
 *   bulk-load.ts                 building from sorted input, O(n), pages filled as asked
 *   check-tree.ts                verifying every invariant below
 *   tree-snapshot.ts             stats and snapshot, for tables and drawings
 *
 * Invariants (`check()` verifies all of them and throws `InvariantError` with the page):
 * keys strictly increase within a page and along the leaf chain; every key in child i lies
 * in [key i−1, key i) of its parent; all leaves are at depth height − 1 and a page's level
 * is its height above the leaves; every page but the root uses at least a quarter of its
 * space (so at least one key); the sibling links visit every leaf once, in key order; the
 * meta page's size and page count match the tree.
 *
 * Keys are bytes from `encodeKey` (or raw bytes), compared bytewise. A unique tree stores
 * the key; `insert` of a key that is already present returns false and changes nothing
 * (the SQL layer turns that into unique_violation, SQLSTATE 23505). A non-unique tree makes
 * every entry unique by storing key ‖ rid (`appendRid`) and ordering by key, then rid, so
 * duplicates of one key sit together in rid order, a run of them can span pages, and a
 * delete can name the exact entry. `insert` returns false only for an identical (key, rid).
 * (The rid is then stored twice, in the key and as the leaf entry's value: 6 bytes spent to
 * keep one leaf layout for both kinds of tree.)
 *
 * The tree object caches the meta page's fields and writes the meta page when the root,
 * the height or the page count changes (a split, a merge, a bulk load), not on every
 * insert: most inserts change one leaf, and rewriting the meta page too would cost each
 * of them a second page write. The entry count is kept in memory; `open` recounts it
 * from the leaves' headers (PostgreSQL's metapage keeps no count either). Open one
 * `BPlusTree` per meta page at a time.
 *
 * Pages are touched only through the buffer pool, one pin at a time: a page is pinned,
 * read or changed, and unpinned (dirty if changed) in a callback, and everything an
 * operation needs later is copied out first. So the tree works with a pool of a single
 * frame, where every step may evict the page it just used.
 *
 * Concurrency: none. One operation runs at a time and takes no latches, so there is no
 * latch crabbing (lock a child before releasing its parent, as BusTub does). PostgreSQL's
 * nbtree follows Lehman and Yao (1981) instead: every page has a right link and a "high
 * key", so a reader that arrives at a page just split moves right instead of restarting,
 * and a search holds at most one page lock at a time (notebook 07).
 *
 * Unlike nbtree, underfull pages are merged or rebalanced at once, the textbook way:
 * PostgreSQL only removes pages that became empty, later, in VACUUM, because moving
 * entries between pages under concurrent readers is hard. Simpler than nbtree: no
 * deduplication into posting lists, no suffix truncation of separators, no "fast root";
 * and no WAL, so a crash in the middle of a split can leave the tree broken (notebook 09
 * fixes that).
 */
import { DbError, invariant } from "../common/errors.js";
import { ridToString, type PageId, type Rid } from "../common/ids.js";
import type { BufferPool } from "../storage/index.js";
import type { BTreeAlgorithms } from "./btree-algorithms.js";
import type { BPlusTreeEntry, RangeBounds } from "./btree-context.js";
import { readBTreeMeta, writeBTreeMeta, type BTreeMeta } from "./btree-meta.js";
import { BTreePage, maxKeySize, type BTreePageLayout } from "./btree-page.js";
import { bulkLoad, type BulkLoadOptions } from "./bulk-load.js";
import { checkTree } from "./check-tree.js";
import { resolveBTreeAlgorithms } from "./engine-btree-algorithms.js";
import { INT_KEY_SIZE, RID_KEY_SIZE, appendRid, checkRid, encodeInt64Into, encodeKey, toHex, type IndexKey } from "./key-codec.js";
import { expectLevel, newPage, TreeContext } from "./tree-context.js";
import { treeSnapshot, treeStats, type BPlusTreeSnapshot, type BPlusTreeStats, type KeyFormat } from "./tree-snapshot.js";

export interface BPlusTreeOptions {
  /** True: at most one entry per key. False: any number, told apart by their rids. */
  readonly unique: boolean;
  /** Replacements for the engine's algorithms (the notebook's exercises); the rest stay the engine's. */
  readonly algorithms?: Partial<BTreeAlgorithms>;
}

export interface BPlusTreeOpenOptions {
  readonly algorithms?: Partial<BTreeAlgorithms>;
}

export interface BPlusTreeRangeOptions {
  /** Include entries equal to `lo` and `hi` (default true); overridden by the two below. */
  readonly inclusive?: boolean;
  readonly loInclusive?: boolean;
  readonly hiInclusive?: boolean;
}

export class BPlusTree {
  readonly pool: BufferPool;
  /** The page that records the root: give it to `BPlusTree.open` to reopen the tree. */
  readonly metaPageId: PageId;
  readonly unique: boolean;
  /** The longest key `insert` accepts, in encoded bytes (6 less in a non-unique tree, for the rid). */
  readonly maxKeySize: number;
  /** The algorithms this tree runs: the engine's, or the ones passed in. */
  readonly algorithms: BTreeAlgorithms;
  readonly #tree: TreeContext;
  #size: number;
  /** The meta page as last written. */
  #saved: BTreeMeta;
  /** `get`'s probe for number keys, reused (see `get`). */
  readonly #probe = new Uint8Array(INT_KEY_SIZE);

  private constructor(pool: BufferPool, metaPageId: PageId, meta: BTreeMeta, algorithms: BTreeAlgorithms) {
    this.pool = pool;
    this.metaPageId = metaPageId;
    this.unique = meta.unique;
    this.maxKeySize = maxKeySize(pool.pageSize) - (meta.unique ? 0 : RID_KEY_SIZE);
    this.algorithms = algorithms;
    this.#tree = new TreeContext(pool, meta, algorithms);
    this.#size = meta.size;
    this.#saved = meta;
  }

  /**
   * A new, empty tree in `pool`: a meta page and an empty root leaf. Throws
   * `invalid-argument` when `options.unique` is not a boolean or `options.algorithms` is
   * not an object of functions named as in `BTreeAlgorithms`, `no-free-frame` when every
   * frame of the pool is pinned.
   */
  static create(pool: BufferPool, options: BPlusTreeOptions): BPlusTree {
    if (typeof options?.unique !== "boolean") {
      throw new DbError("invalid-argument", "BPlusTree.create needs { unique: true | false }", { options });
    }
    const algorithms = resolveBTreeAlgorithms(options.algorithms);
    const metaPageId = newPage(pool, (bytes) => bytes.fill(0));
    let root: PageId;
    try {
      root = newPage(pool, (bytes) => BTreePage.initLeaf(bytes));
    } catch (error) {
      pool.deletePage(metaPageId);
      throw error;
    }
    const meta = { unique: options.unique, root, height: 1, pageCount: 2, size: 0 };
    const tree = new BPlusTree(pool, metaPageId, meta, algorithms);
    tree.#saveMeta();
    return tree;
  }

  /**
   * The tree whose meta page is `metaPageId`, as last saved. Throws `corrupt` when that
   * page is not a B+tree meta page or the root is not where it says, `out-of-range` for
   * a page the disk does not have, `invalid-argument` for bad `options.algorithms`.
   */
  static open(pool: BufferPool, metaPageId: PageId, options: BPlusTreeOpenOptions = {}): BPlusTree {
    const algorithms = resolveBTreeAlgorithms(options.algorithms);
    const saved = pool.withReadPage(metaPageId, (bytes) => readBTreeMeta(bytes, metaPageId));
    const context = new TreeContext(pool, saved, algorithms);
    context.read(saved.root, (page) => expectLevel(page, saved.height - 1, saved.root));
    // The saved size is as of the last structural change: count the leaves' entries.
    return new BPlusTree(pool, metaPageId, { ...saved, size: context.countEntries() }, algorithms);
  }

  /** The current root page. */
  get rootPageId(): PageId {
    return this.#tree.rootPageId;
  }

  /** Levels, leaves included: 1 for a tree that is a single leaf. */
  get height(): number {
    return this.#tree.height;
  }

  /** Pages in use, the meta page included. */
  get pageCount(): number {
    return this.#tree.pageCount;
  }

  /** Entries in the tree. */
  get size(): number {
    return this.#size;
  }

  /**
   * The rid stored under `key`, or `undefined`. In a non-unique tree, the entry with the
   * smallest rid. Throws as `encodeKey` for a key that cannot be encoded.
   */
  get(key: IndexKey): Rid | undefined {
    const tree = this.#tree;
    if (typeof key === "number" && tree.preparedInt64) {
      // A number key in a unique tree on the engine's search: encoded into one reused
      // probe (no allocation per lookup), which only the engine's code sees.
      const probe = this.#probe;
      encodeInt64Into(key, probe);
      return tree.ridIn(tree.findLeaf(probe), probe);
    }
    const userKey = encodeKey(key);
    if (userKey.length > this.maxKeySize) return undefined;
    if (!this.unique) {
      for (const entry of this.range(userKey, userKey)) return entry.rid;
      return undefined;
    }
    return tree.ridIn(tree.findLeaf(userKey), userKey);
  }

  /** Every rid stored under `key`, in rid order (at most one in a unique tree). */
  getAll(key: IndexKey): Rid[] {
    const userKey = encodeKey(key);
    if (userKey.length > this.maxKeySize) return [];
    if (this.unique) {
      const rid = this.get(userKey);
      return rid === undefined ? [] : [rid];
    }
    return [...this.range(userKey, userKey)].map((entry) => entry.rid);
  }

  /**
   * Add `key → rid`. Returns true when added, false when the tree already has the entry
   * (unique tree: the key; non-unique tree: the same key and rid), and then changes
   * nothing. Throws `invalid-argument` when the encoded key is longer than `maxKeySize`
   * (the message gives both sizes) or the rid is not valid, and as `encodeKey` for a key
   * that cannot be encoded; the tree is unchanged then.
   */
  insert(key: IndexKey, rid: Rid): boolean {
    const userKey = this.#encodeForInsert(key);
    checkRid(rid);
    const stored = this.unique ? userKey : appendRid(userKey, rid);
    if (!this.algorithms.insertEntry(this.#tree, stored, rid)) return false;
    this.#changed(+1);
    return true;
  }

  /**
   * Remove entries for `key` and return how many were removed. Unique tree: the key's
   * entry, but only if it points to `rid` when `rid` is given. Non-unique tree: the entry
   * (key, rid) when `rid` is given, else every entry for the key. Absent keys give 0.
   */
  delete(key: IndexKey, rid?: Rid): number {
    const userKey = encodeKey(key);
    if (rid !== undefined) checkRid(rid);
    if (userKey.length > this.maxKeySize) return 0;
    if (this.unique) return this.#deleteStored(userKey, rid) ? 1 : 0;
    if (rid !== undefined) return this.#deleteStored(appendRid(userKey, rid), undefined) ? 1 : 0;
    const rids = this.getAll(userKey);
    for (const r of rids) {
      const removed = this.#deleteStored(appendRid(userKey, r), undefined);
      invariant(removed, `delete: entry ${toHex(userKey)} ${ridToString(r)} vanished between lookup and removal`);
    }
    return rids.length;
  }

  /**
   * The entries with lo ≤ key ≤ hi in key order (then rid order); an absent bound is
   * open. `options` makes either end exclusive. Reads one leaf per batch and holds no pin
   * between calls; changes to the tree during the iteration are allowed (see range-scan.ts).
   */
  *range(lo?: IndexKey, hi?: IndexKey, options: BPlusTreeRangeOptions = {}): Generator<BPlusTreeEntry, void, undefined> {
    const bounds: RangeBounds = {
      ...(lo === undefined ? {} : { lo: encodeKey(lo) }),
      ...(hi === undefined ? {} : { hi: encodeKey(hi) }),
      loInclusive: options.loInclusive ?? options.inclusive ?? true,
      hiInclusive: options.hiInclusive ?? options.inclusive ?? true,
    };
    yield* this.algorithms.rangeScan(this.#tree, bounds);
  }

  /** Every entry, in order: `range()` with no bounds. */
  entries(): Generator<BPlusTreeEntry, void, undefined> {
    return this.range();
  }

  /**
   * Build the tree from `entries`, which must be in strictly increasing order (non-unique
   * trees: by key, then rid), filling each page to `fillFactor` (see bulk-load.ts). The
   * tree must be empty. Throws `invalid-state` when it is not, `invalid-argument` for a
   * fill factor outside 0.5…1, entries out of order or duplicated (naming the position), a
   * key too long or a bad rid; the tree is unchanged then.
   */
  bulkLoad(entries: Iterable<readonly [IndexKey, Rid]>, options: BulkLoadOptions = {}): void {
    const stored = function* (tree: BPlusTree): Generator<readonly [Uint8Array, Rid]> {
      for (const [key, rid] of entries) {
        const userKey = tree.#encodeForInsert(key);
        checkRid(rid);
        yield [tree.unique ? userKey : appendRid(userKey, rid), rid];
      }
    };
    const loaded = bulkLoad(this.#tree, this.#size, stored(this), options);
    if (loaded > 0) this.#changed(loaded);
  }

  /** Pages, entries and fill per level (walks the whole tree). */
  stats(): BPlusTreeStats {
    return treeStats(this.#tree, this.#size);
  }

  /**
   * The whole tree as plain data, for drawing: levels from the root down, pages left to
   * right, keys formatted by `format` (default: hex; see `keyFormatter`).
   */
  snapshot(format: KeyFormat = toHex): BPlusTreeSnapshot {
    return treeSnapshot(this.#tree, this.#size, format);
  }

  /**
   * One page of the tree as plain data: header fields and items with their offsets, like
   * pageinspect's `bt_page_stats` and `bt_page_items`. Throws `corrupt` for a page that is
   * not a leaf or internal page (the meta page included: its fields are this tree's getters).
   */
  inspectPage(pageId: PageId): BTreePageLayout {
    return this.#tree.read(pageId, (page) => page.layout());
  }

  /**
   * Verify every invariant listed in the header, reading every page once. Throws
   * `InvariantError` naming the page and what is wrong; returns nothing when all hold.
   * It uses none of the pluggable algorithms, so it can judge them (check-tree.ts).
   */
  check(): void {
    checkTree(this.#tree, this.metaPageId, this.#size);
  }

  #encodeForInsert(key: IndexKey): Uint8Array {
    const userKey = encodeKey(key);
    if (userKey.length > this.maxKeySize) {
      throw new DbError(
        "invalid-argument",
        `index key is ${userKey.length} bytes; the largest key a ${this.pool.pageSize}-byte page accepts ` +
          `in a ${this.unique ? "unique" : "non-unique"} index is ${this.maxKeySize} bytes`,
        { keySize: userKey.length, maxKeySize: this.maxKeySize, pageSize: this.pool.pageSize },
      );
    }
    return userKey;
  }

  #deleteStored(stored: Uint8Array, rid: Rid | undefined): boolean {
    if (!this.algorithms.deleteEntry(this.#tree, stored, rid)) return false;
    this.#changed(-1);
    return true;
  }

  /** After a change of `delta` entries: count them, tell iterators, save the meta page if the shape changed. */
  #changed(delta: number): void {
    this.#size += delta;
    const tree = this.#tree;
    tree.version++;
    const saved = this.#saved;
    if (saved.root !== tree.rootPageId || saved.height !== tree.height || saved.pageCount !== tree.pageCount) this.#saveMeta();
  }

  #saveMeta(): void {
    const tree = this.#tree;
    const meta: BTreeMeta = {
      unique: this.unique,
      root: tree.rootPageId,
      height: tree.height,
      pageCount: tree.pageCount,
      size: this.#size,
    };
    this.pool.withWritePage(this.metaPageId, (bytes) => writeBTreeMeta(bytes, meta));
    this.#saved = meta;
  }
}
