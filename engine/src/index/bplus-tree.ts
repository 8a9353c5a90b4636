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
 * pluggable (`BPlusTreeOptions.algorithms`, see btree-context.ts):
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
 * does what is not an exercise:
 * - bulk load: from sorted input, fill leaves left to right up to the fill factor, then
 *   build each level above from the first keys of the level below: O(n), no splits, and
 *   pages as full as asked (random inserts leave pages about 70% full on average).
 * - check, stats, snapshot, inspectPage: verify and show the tree.
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
 * The tree object caches the meta page's fields and writes them through after every
 * change, so open one `BPlusTree` per meta page at a time.
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
import { DbError, InvariantError, invariant } from "../common/errors.js";
import { INVALID_PAGE_ID, ridToString, type PageId, type Rid } from "../common/ids.js";
import type { BufferPool } from "../storage/buffer-pool.js";
import type {
  BPlusTreeEntry,
  BTreeAlgorithms,
  BTreeContext,
  BTreeNode,
  BTreePathStep,
  RangeBounds,
  SearchResult,
} from "./btree-context.js";
import {
  BTreePage,
  btreePageCapacity,
  entryCost,
  internalSplitPoint,
  leafSplitPoint,
  maxKeySize,
  minFillBytes,
  type BTreePageKind,
  type BTreePageLayout,
} from "./btree-page.js";
import { readBTreeMeta, writeBTreeMeta, type BTreeMeta } from "./btree-meta.js";
import { deleteEntry } from "./delete-entry.js";
import { insertEntry, storeNode } from "./insert-entry.js";
import {
  RID_KEY_SIZE,
  appendRid,
  appendRidBound,
  checkRid,
  compareBytes,
  compareKeyRid,
  encodeKey,
  splitRid,
  toHex,
  type IndexKey,
  type KeyCompare,
} from "./key-codec.js";
import { rangeScan } from "./range-scan.js";
import { searchPage } from "./search-page.js";

/** The engine's own algorithms: what a tree uses for every piece not given in `algorithms`. */
export const ENGINE_BTREE_ALGORITHMS: BTreeAlgorithms = Object.freeze({
  searchPage,
  insertEntry,
  storeNode,
  deleteEntry,
  rangeScan,
});

const ALGORITHM_NAMES = Object.keys(ENGINE_BTREE_ALGORITHMS) as (keyof BTreeAlgorithms)[];

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

export interface BulkLoadOptions {
  /**
   * How full to make each page, 0.5…1 (default 0.9, PostgreSQL's leaf fillfactor).
   * Below one half, the last pages of a level could not keep the quarter-full invariant.
   */
  readonly fillFactor?: number;
}

export interface BPlusTreeLevelStats {
  /** 0 for the leaves. */
  readonly level: number;
  readonly pages: number;
  readonly entries: number;
  /** Bytes of entries and slots, summed over the level's pages. */
  readonly usedBytes: number;
  /** usedBytes / (pages × usable bytes per page), in 0…1. */
  readonly averageFill: number;
}

export interface BPlusTreeStats {
  readonly height: number;
  /** Pages in use, the meta page included. */
  readonly pageCount: number;
  readonly size: number;
  /** Usable bytes per page (pageSize − 16). */
  readonly capacity: number;
  /** Root level first, leaves last. */
  readonly levels: readonly BPlusTreeLevelStats[];
  readonly averageLeafFill: number;
}

/** One page as plain data, for drawing the tree. */
export interface BPlusTreePageSnapshot {
  readonly pageId: PageId;
  readonly level: number;
  /** The keys, formatted (non-unique trees: the key, a space, then the rid as `(page,slot)`). */
  readonly keys: readonly string[];
  /** Bytes of entries and slots in use (out of the snapshot's `capacity`). */
  readonly usedBytes: number;
  /** Leaves: the right sibling, absent for the last leaf. */
  readonly next?: PageId;
  /** Internal pages: the children, left to right (keys.length + 1 of them). */
  readonly children?: readonly PageId[];
}

export interface BPlusTreeLevelSnapshot {
  readonly level: number;
  readonly pages: readonly BPlusTreePageSnapshot[];
}

export interface BPlusTreeSnapshot {
  readonly height: number;
  readonly unique: boolean;
  readonly size: number;
  readonly rootPageId: PageId;
  readonly pageSize: number;
  /** Usable bytes per page (pageSize − 16). */
  readonly capacity: number;
  /** Root level first, leaves last; pages left to right. */
  readonly levels: readonly BPlusTreeLevelSnapshot[];
}

/** Turns a key's bytes into text for a snapshot (see `keyFormatter` in key-codec). */
export type KeyFormat = (key: Uint8Array) => string;

function expectLevel(page: BTreePage, level: number, pageId: PageId): void {
  if (page.level !== level || page.isLeaf !== (level === 0)) {
    throw new DbError(
      "corrupt",
      `page ${pageId} is a ${page.kind} page at level ${page.level}; the tree expected level ${level} there`,
      { pageId, level: page.level, expectedLevel: level },
    );
  }
}

function nodeOf(page: BTreePage): BTreeNode {
  if (page.isLeaf) {
    const { keys, rids } = page.leafEntries();
    return { kind: "leaf", keys, rids, next: page.rightSibling };
  }
  const { keys, children } = page.internalEntries();
  return { kind: "internal", level: page.level, keys, children };
}

function formatNode(bytes: Uint8Array, node: BTreeNode): void {
  if (node.kind === "leaf") BTreePage.formatLeaf(bytes, node.keys, node.rids, node.next);
  else BTreePage.formatInternal(bytes, node.level, node.keys, node.children);
}

/** Allocate a page in `pool`, let `format` fill it while pinned, and unpin it dirty. */
function newPage(pool: BufferPool, format: (bytes: Uint8Array) => void): PageId {
  const guard = pool.newPageGuarded();
  try {
    format(guard.data);
    return guard.pageId;
  } finally {
    guard.release();
  }
}

function resolveAlgorithms(given: Partial<BTreeAlgorithms> | undefined): BTreeAlgorithms {
  if (given === undefined) return ENGINE_BTREE_ALGORITHMS;
  if (given === null || typeof given !== "object") {
    throw new DbError("invalid-argument", `algorithms must be an object like { searchPage }, got ${String(given)}`, {});
  }
  for (const [name, fn] of Object.entries(given)) {
    if (!ALGORITHM_NAMES.includes(name as keyof BTreeAlgorithms)) {
      throw new DbError("invalid-argument", `unknown B+tree algorithm "${name}" (there are: ${ALGORITHM_NAMES.join(", ")})`, {
        name,
      });
    }
    if (fn !== undefined && typeof fn !== "function") {
      throw new DbError("invalid-argument", `algorithm "${name}" must be a function, got ${typeof fn}`, { name });
    }
  }
  const chosen = { ...ENGINE_BTREE_ALGORITHMS };
  for (const name of ALGORITHM_NAMES) {
    const fn = given[name];
    if (fn !== undefined) (chosen as Record<string, unknown>)[name] = fn;
  }
  return Object.freeze(chosen);
}

/** The tree's pages and state as the algorithms see them (see btree-context.ts). */
class TreeContext implements BTreeContext {
  readonly pool: BufferPool;
  readonly unique: boolean;
  readonly compare: KeyCompare;
  readonly capacity: number;
  readonly minFill: number;
  readonly algorithms: BTreeAlgorithms;
  rootPageId: PageId;
  height: number;
  pageCount: number;
  version = 0;

  constructor(pool: BufferPool, meta: BTreeMeta, algorithms: BTreeAlgorithms) {
    this.pool = pool;
    this.unique = meta.unique;
    this.compare = meta.unique ? compareBytes : compareKeyRid;
    this.capacity = btreePageCapacity(pool.pageSize);
    this.minFill = minFillBytes(pool.pageSize);
    this.algorithms = algorithms;
    this.rootPageId = meta.root;
    this.height = meta.height;
    this.pageCount = meta.pageCount;
  }

  search(page: BTreePage, probe: Uint8Array): SearchResult {
    return this.algorithms.searchPage(page, probe, this.compare);
  }

  findLeaf(probe: Uint8Array | undefined, path?: BTreePathStep[]): PageId {
    let pageId = this.rootPageId;
    for (let level = this.height - 1; level > 0; level--) {
      const current = pageId;
      pageId = this.read(current, (page) => {
        expectLevel(page, level, current);
        let index = 0;
        if (probe !== undefined) {
          const { index: at, found } = this.search(page, probe);
          index = found ? at + 1 : at;
        }
        path?.push({ pageId: current, index });
        return page.childAt(index);
      });
    }
    return pageId;
  }

  read<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    return this.pool.withReadPage(pageId, (bytes) => fn(BTreePage.open(bytes, pageId)));
  }

  write<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    return this.pool.withWritePage(pageId, (bytes) => fn(BTreePage.open(bytes, pageId)));
  }

  readNode(pageId: PageId): BTreeNode {
    return this.read(pageId, nodeOf);
  }

  writeNode(pageId: PageId, node: BTreeNode): void {
    this.pool.withWritePage(pageId, (bytes) => formatNode(bytes, node));
  }

  usedBytes(node: BTreeNode): number {
    let total = 0;
    for (const key of node.keys) total += entryCost(node.kind, key.length);
    return total;
  }

  fits(node: BTreeNode): boolean {
    return this.usedBytes(node) <= this.capacity;
  }

  allocate(node: BTreeNode): PageId {
    // Check that it fits before taking a page, so a refused node leaves nothing behind.
    if (!this.fits(node)) {
      throw new InvariantError(`allocate: a ${node.kind} node of ${this.usedBytes(node)} bytes does not fit ${this.capacity}`);
    }
    const pageId = newPage(this.pool, (bytes) => formatNode(bytes, node));
    this.pageCount++;
    return pageId;
  }

  free(pageId: PageId): void {
    this.pool.deletePage(pageId);
    this.pageCount--;
  }

  setRoot(pageId: PageId, height: number): void {
    this.rootPageId = pageId;
    this.height = height;
  }

  store(pageId: PageId, node: BTreeNode, path: BTreePathStep[]): void {
    this.algorithms.storeNode(this, pageId, node, path);
  }

  userKey(stored: Uint8Array): Uint8Array {
    return this.unique ? stored : stored.subarray(0, stored.length - RID_KEY_SIZE);
  }

  storedBound(key: Uint8Array, bound: "min" | "max"): Uint8Array {
    return this.unique ? key : appendRidBound(key, bound);
  }
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

  private constructor(pool: BufferPool, metaPageId: PageId, meta: BTreeMeta, algorithms: BTreeAlgorithms) {
    this.pool = pool;
    this.metaPageId = metaPageId;
    this.unique = meta.unique;
    this.maxKeySize = maxKeySize(pool.pageSize) - (meta.unique ? 0 : RID_KEY_SIZE);
    this.algorithms = algorithms;
    this.#tree = new TreeContext(pool, meta, algorithms);
    this.#size = meta.size;
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
    const algorithms = resolveAlgorithms(options.algorithms);
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
    const algorithms = resolveAlgorithms(options.algorithms);
    const meta = pool.withReadPage(metaPageId, (bytes) => readBTreeMeta(bytes, metaPageId));
    const tree = new BPlusTree(pool, metaPageId, meta, algorithms);
    tree.#tree.read(meta.root, (page) => expectLevel(page, meta.height - 1, meta.root));
    return tree;
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
    const userKey = encodeKey(key);
    if (userKey.length > this.maxKeySize) return undefined;
    if (!this.unique) {
      for (const entry of this.range(userKey, userKey)) return entry.rid;
      return undefined;
    }
    const tree = this.#tree;
    const leafId = tree.findLeaf(userKey);
    return tree.read(leafId, (page) => {
      expectLevel(page, 0, leafId);
      const { index, found } = tree.search(page, userKey);
      return found ? page.ridAt(index) : undefined;
    });
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
   * trees: by key, then rid), filling each page to `fillFactor`. The tree must be empty.
   * Throws `invalid-state` when it is not, `invalid-argument` for a fill factor outside
   * 0.5…1, entries out of order or duplicated (naming the position), a key too long or a
   * bad rid; the tree is unchanged then.
   */
  bulkLoad(entries: Iterable<readonly [IndexKey, Rid]>, options: BulkLoadOptions = {}): void {
    const fillFactor = options.fillFactor ?? 0.9;
    if (typeof fillFactor !== "number" || !(fillFactor >= 0.5 && fillFactor <= 1)) {
      throw new DbError("invalid-argument", `fillFactor must be a number in 0.5…1, got ${String(fillFactor)}`, {
        fillFactor,
      });
    }
    if (this.#size !== 0) {
      throw new DbError("invalid-state", `bulkLoad needs an empty tree; this one has ${this.#size} entries`, {
        size: this.#size,
      });
    }
    const tree = this.#tree;
    const keys: Uint8Array[] = [];
    const rids: Rid[] = [];
    for (const [key, rid] of entries) {
      const userKey = this.#encodeForInsert(key);
      checkRid(rid);
      const stored = this.unique ? userKey : appendRid(userKey, rid);
      const previous = keys[keys.length - 1];
      if (previous !== undefined) {
        const c = tree.compare(previous, stored);
        if (c >= 0) {
          const what = c === 0 ? "a duplicate of the one before" : "smaller than the one before";
          throw new DbError("invalid-argument", `bulkLoad needs sorted, distinct entries: entry ${keys.length} is ${what}`, {
            position: keys.length,
          });
        }
      }
      keys.push(stored);
      rids.push(rid);
    }
    if (keys.length === 0) return;

    const target = Math.floor(fillFactor * tree.capacity);
    const leafRanges = this.#packLevel(
      keys.map((k) => entryCost("leaf", k.length)),
      "leaf",
      target,
    );
    const oldRoot = tree.rootPageId;
    // Allocate the leaves first, empty, so each can be written with its right sibling's id.
    const leafIds = leafRanges.map(() => tree.allocate({ kind: "leaf", keys: [], rids: [], next: INVALID_PAGE_ID }));
    leafRanges.forEach(([s, e], i) => {
      const next = leafIds[i + 1] ?? INVALID_PAGE_ID;
      tree.writeNode(leafIds[i] as PageId, { kind: "leaf", keys: keys.slice(s, e), rids: rids.slice(s, e), next });
    });
    let childIds = leafIds;
    let firstKeys = leafRanges.map(([s]) => keys[s] as Uint8Array);
    let level = 0;
    while (childIds.length > 1) {
      level++;
      const ranges = this.#packLevel(
        firstKeys.map((k) => entryCost("internal", k.length)),
        "internal",
        target,
      );
      const children = childIds;
      const separators = firstKeys;
      const pageLevel = level;
      childIds = ranges.map(([s, e]) =>
        tree.allocate({ kind: "internal", level: pageLevel, keys: separators.slice(s + 1, e), children: children.slice(s, e) }),
      );
      firstKeys = ranges.map(([s]) => separators[s] as Uint8Array);
    }
    // Switch to the new root only now: until here the tree was the old, empty one.
    tree.setRoot(childIds[0] as PageId, level + 1);
    tree.free(oldRoot);
    this.#changed(keys.length);
  }

  /** Pages, entries and fill per level (walks the whole tree). */
  stats(): BPlusTreeStats {
    const capacity = this.#tree.capacity;
    const levels: BPlusTreeLevelStats[] = [];
    let current = { level: -1, pages: 0, entries: 0, usedBytes: 0 };
    const close = () => {
      if (current.pages > 0) levels.push({ ...current, averageFill: current.usedBytes / (current.pages * capacity) });
    };
    this.#forEachPage((level, _pageId, page) => {
      if (level !== current.level) {
        close();
        current = { level, pages: 0, entries: 0, usedBytes: 0 };
      }
      current.pages++;
      current.entries += page.keyCount;
      current.usedBytes += page.usedSpace;
    });
    close();
    const leaves = levels[levels.length - 1] as BPlusTreeLevelStats;
    return {
      height: this.height,
      pageCount: this.pageCount,
      size: this.#size,
      capacity,
      levels,
      averageLeafFill: leaves.averageFill,
    };
  }

  /**
   * The whole tree as plain data, for drawing: levels from the root down, pages left to
   * right, keys formatted by `format` (default: hex; see `keyFormatter`).
   */
  snapshot(format: KeyFormat = toHex): BPlusTreeSnapshot {
    const show = (stored: Uint8Array): string => {
      if (this.unique) return format(stored);
      const { key, rid } = splitRid(stored);
      return `${format(key)} ${ridToString(rid)}`;
    };
    const levels: { level: number; pages: BPlusTreePageSnapshot[] }[] = [];
    let current: { level: number; pages: BPlusTreePageSnapshot[] } | undefined;
    this.#forEachPage((level, pageId, page) => {
      if (current?.level !== level) {
        current = { level, pages: [] };
        levels.push(current);
      }
      const keys: string[] = [];
      for (let i = 0; i < page.keyCount; i++) keys.push(show(page.keyView(i)));
      const next = page.rightSibling;
      const common = { pageId, level, keys, usedBytes: page.usedSpace };
      if (!page.isLeaf) current.pages.push({ ...common, children: page.internalEntries().children });
      else if (next === INVALID_PAGE_ID) current.pages.push(common);
      else current.pages.push({ ...common, next });
    });
    return {
      height: this.height,
      unique: this.unique,
      size: this.#size,
      rootPageId: this.rootPageId,
      pageSize: this.pool.pageSize,
      capacity: this.#tree.capacity,
      levels,
    };
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
   * It uses none of the pluggable algorithms, so it can judge them.
   */
  check(): void {
    const tree = this.#tree;
    const compare = tree.compare;
    const fail = (pageId: PageId | undefined, message: string): never => {
      const where = pageId === undefined ? "" : ` at page ${pageId}`;
      throw new InvariantError(`B+tree check failed${where}: ${message}`);
    };
    const meta = this.pool.withReadPage(this.metaPageId, (bytes) => readBTreeMeta(bytes, this.metaPageId));
    const cached = { root: tree.rootPageId, height: tree.height, pageCount: tree.pageCount, size: this.#size };
    for (const field of ["root", "height", "pageCount", "size"] as const) {
      if (meta[field] !== cached[field]) {
        fail(this.metaPageId, `meta page says ${field} ${meta[field]}, the tree has ${cached[field]}`);
      }
    }
    if (meta.unique !== this.unique) fail(this.metaPageId, `meta page says unique ${meta.unique}`);

    const seen = new Set<PageId>();
    const leaves: { pageId: PageId; next: PageId; first?: Uint8Array; last?: Uint8Array }[] = [];
    let entries = 0;
    const show = (key: Uint8Array | undefined) => (key === undefined ? "∞" : toHex(key));
    const visit = (pageId: PageId, level: number, lo: Uint8Array | undefined, hi: Uint8Array | undefined): void => {
      if (seen.has(pageId)) fail(pageId, "reached twice (a cycle or a shared child)");
      seen.add(pageId);
      const node = this.#checkRead(pageId, (page) => {
        const problems = page.verify(compare);
        if (problems.length > 0) fail(pageId, problems.join("; "));
        if (page.level !== level || page.isLeaf !== (level === 0)) {
          const what = `a ${page.kind} page at level ${page.level} where level ${level} was expected`;
          fail(pageId, `${what} (leaves at unequal depth)`);
        }
        if (pageId !== tree.rootPageId) {
          if (page.usedSpace < tree.minFill) {
            fail(pageId, `uses ${page.usedSpace} bytes, below the minimum ${tree.minFill} for a non-root page`);
          }
          if (page.keyCount === 0) fail(pageId, "a non-root page with no key");
        } else if (!page.isLeaf && page.keyCount === 0) {
          fail(pageId, "an internal root with no key (it should have been replaced by its child)");
        }
        return nodeOf(page);
      });
      node.keys.forEach((key, i) => {
        if (lo !== undefined && compare(key, lo) < 0) {
          fail(pageId, `key ${i} (${toHex(key)}) is below its lower bound ${show(lo)}`);
        }
        if (hi !== undefined && compare(key, hi) >= 0) {
          fail(pageId, `key ${i} (${toHex(key)}) is not below its upper bound ${show(hi)}`);
        }
      });
      if (node.kind === "leaf") {
        entries += node.keys.length;
        leaves.push({ pageId, next: node.next, first: node.keys[0], last: node.keys[node.keys.length - 1] });
        return;
      }
      node.children.forEach((child, i) => {
        visit(child, level - 1, i === 0 ? lo : node.keys[i - 1], i === node.keys.length ? hi : node.keys[i]);
      });
    };
    visit(tree.rootPageId, tree.height - 1, undefined, undefined);

    leaves.forEach((leaf, i) => {
      const expected = leaves[i + 1]?.pageId ?? INVALID_PAGE_ID;
      if (leaf.next !== expected) {
        const where = `leaf ${i} of ${leaves.length} in key order`;
        fail(leaf.pageId, `right sibling is ${leaf.next}, expected ${expected} (${where})`);
      }
      const following = leaves[i + 1];
      if (following?.first !== undefined && leaf.last !== undefined && compare(leaf.last, following.first) >= 0) {
        fail(leaf.pageId, `last key is not below the first key of the next leaf ${following.pageId}`);
      }
    });
    if (entries !== this.#size) fail(undefined, `the leaves hold ${entries} entries, size says ${this.#size}`);
    if (seen.size + 1 !== tree.pageCount) {
      fail(undefined, `reached ${seen.size} pages plus the meta page, pageCount says ${tree.pageCount}`);
    }
  }

  /** `read` for `check()`: a page that cannot even be opened is reported as an InvariantError too. */
  #checkRead<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    try {
      return this.#tree.read(pageId, fn);
    } catch (error) {
      if (error instanceof DbError) throw new InvariantError(`B+tree check failed at page ${pageId}: ${error.message}`);
      throw error;
    }
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

  /** After a change of `delta` entries: count them, tell iterators, save the meta page. */
  #changed(delta: number): void {
    this.#size += delta;
    this.#tree.version++;
    this.#saveMeta();
  }

  /**
   * Group consecutive items (entries for leaves, children for internal pages) into pages,
   * left to right, each filled up to `target` bytes, and return the [start, end) range of
   * each page. An internal page's first child goes in the header, so it costs nothing and
   * the page needs at least two children. When the last page ends up below the minimum
   * fill, it and its left neighbour are merged or split evenly.
   */
  #packLevel(costs: readonly number[], kind: BTreePageKind, target: number): [number, number][] {
    const n = costs.length;
    const skip = kind === "leaf" ? 0 : 1; // items whose cost does not count: the leftmost child
    const cost = (s: number, e: number): number => {
      let total = 0;
      for (let i = s + skip; i < e; i++) total += costs[i] as number;
      return total;
    };
    const ranges: [number, number][] = [];
    for (let s = 0; s < n; ) {
      let e = s + 1 + skip;
      let used = cost(s, Math.min(e, n));
      while (e < n && used + (costs[e] as number) <= target) used += costs[e++] as number;
      e = Math.min(e, n);
      ranges.push([s, e]);
      s = e;
    }
    const last = ranges[ranges.length - 1] as [number, number];
    const previous = ranges[ranges.length - 2];
    if (previous !== undefined && cost(last[0], last[1]) < this.#tree.minFill) {
      const [s, e] = [previous[0], last[1]];
      ranges.length -= 2;
      if (cost(s, e) <= this.#tree.capacity) {
        ranges.push([s, e]);
      } else {
        const m =
          kind === "leaf"
            ? s + leafSplitPoint(costs.slice(s, e))
            : s + 1 + internalSplitPoint(costs.slice(s + 1, e));
        ranges.push([s, m], [m, e]);
      }
    }
    return ranges;
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
  }

  /**
   * Call `fn` on every page, pinned, level by level from the root down and left to right
   * within a level (breadth first). Keeps only the page ids of the next level in memory.
   */
  #forEachPage(fn: (level: number, pageId: PageId, page: BTreePage) => void): void {
    let ids: PageId[] = [this.#tree.rootPageId];
    for (let level = this.#tree.height - 1; level >= 0; level--) {
      const below: PageId[] = [];
      for (const pageId of ids) {
        this.#tree.read(pageId, (page) => {
          expectLevel(page, level, pageId);
          fn(level, pageId, page);
          if (level > 0) below.push(...page.internalEntries().children);
        });
      }
      ids = below;
    }
  }
}
