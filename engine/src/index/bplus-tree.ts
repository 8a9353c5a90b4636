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
 * Operations (single pass down, then repairs on the way back up, along the recorded path):
 * - search: from the root, binary-search each page for the child to follow (`upperBound`),
 *   then binary-search the leaf (`lowerBound`).
 * - insert: put the entry in its leaf. When it does not fit, split the leaf in half by
 *   bytes, *copy* the right half's first key up as the separator, and insert that into the
 *   parent; a full parent splits too, *moving* its middle key up; a root split makes a new
 *   root, the only way the tree grows taller.
 * - delete: remove the entry. A non-root page left with less than a quarter of its space
 *   in use borrows from a sibling (the two pages' entries are redistributed evenly and the
 *   separator between them replaced) or, when both fit in one page, merges with it (the
 *   parent loses a separator and may underflow in turn). With variable-length keys the
 *   new separator can be longer than the old one, so a delete can even split the parent.
 *   A root with no key left is replaced by its only child, the only way the tree gets
 *   shorter; an empty tree is one empty leaf (height 1).
 * - range: find the first leaf, then follow right-sibling links; no internal page is read
 *   again. The iterator copies out one leaf at a time and holds no pin between `next()`
 *   calls; when the tree changes meanwhile it drops the rest of its copy and finds its
 *   place again from the root (just after the last entry it returned), so changes ahead
 *   of it are seen as they are now, and deleting entries as you iterate is safe.
 * - bulk load: from sorted input, fill leaves left to right up to the fill factor, then
 *   build each level above from the first keys of the level below: O(n), no splits, and
 *   pages as full as asked (random inserts leave pages about 70% full on average).
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
 * read or changed, and unpinned (dirty if changed) in a try/finally, and everything an
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
import { INVALID_PAGE_ID, ridEquals, ridToString, type PageId, type Rid } from "../common/ids.js";
import type { BufferPool } from "../storage/buffer-pool.js";
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
} from "./key-codec.js";

export interface BPlusTreeOptions {
  /** True: at most one entry per key. False: any number, told apart by their rids. */
  readonly unique: boolean;
}

/** One index entry as returned by `range`: the key's bytes (without any rid suffix) and its rid. */
export interface BPlusTreeEntry {
  readonly key: Uint8Array;
  readonly rid: Rid;
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
  /** Root level first, leaves last; pages left to right. */
  readonly levels: readonly BPlusTreeLevelSnapshot[];
}

/** Turns a key's bytes into text for a snapshot (see `keyFormatter` in key-codec). */
export type KeyFormat = (key: Uint8Array) => string;

/** A step of a descent: the internal page and the child index taken there. */
interface PathStep {
  readonly pageId: PageId;
  readonly index: number;
}

interface LeafNode {
  readonly kind: "leaf";
  keys: Uint8Array[];
  rids: Rid[];
  next: PageId;
}

interface InternalNode {
  readonly kind: "internal";
  readonly level: number;
  keys: Uint8Array[];
  children: PageId[];
}

type Node = LeafNode | InternalNode;

type Compare = (a: Uint8Array, b: Uint8Array) => number;

export class BPlusTree {
  readonly pool: BufferPool;
  /** The page that records the root: give it to `BPlusTree.open` to reopen the tree. */
  readonly metaPageId: PageId;
  readonly unique: boolean;
  /** The longest key `insert` accepts, in encoded bytes (6 less in a non-unique tree, for the rid). */
  readonly maxKeySize: number;
  readonly #compare: Compare;
  readonly #capacity: number;
  readonly #minFill: number;
  #root: PageId;
  #height: number;
  #pageCount: number;
  #size: number;
  /** Bumped by every change, so iterators notice that the leaf they would read next may be stale. */
  #version = 0;

  private constructor(pool: BufferPool, metaPageId: PageId, meta: BTreeMeta) {
    this.pool = pool;
    this.metaPageId = metaPageId;
    this.unique = meta.unique;
    this.maxKeySize = maxKeySize(pool.pageSize) - (meta.unique ? 0 : RID_KEY_SIZE);
    this.#compare = meta.unique ? compareBytes : compareKeyRid;
    this.#capacity = btreePageCapacity(pool.pageSize);
    this.#minFill = minFillBytes(pool.pageSize);
    this.#root = meta.root;
    this.#height = meta.height;
    this.#pageCount = meta.pageCount;
    this.#size = meta.size;
  }

  /**
   * A new, empty tree in `pool`: a meta page and an empty root leaf. Throws
   * `invalid-argument` when `options.unique` is not a boolean, `no-free-frame` when every
   * frame of the pool is pinned.
   */
  static create(pool: BufferPool, options: BPlusTreeOptions): BPlusTree {
    if (typeof options?.unique !== "boolean") {
      throw new DbError("invalid-argument", "BPlusTree.create needs { unique: true | false }", { options });
    }
    const metaPageId = newPage(pool, (bytes) => bytes.fill(0));
    let root: PageId;
    try {
      root = newPage(pool, (bytes) => BTreePage.initLeaf(bytes));
    } catch (error) {
      pool.deletePage(metaPageId);
      throw error;
    }
    const tree = new BPlusTree(pool, metaPageId, { unique: options.unique, root, height: 1, pageCount: 2, size: 0 });
    tree.#saveMeta();
    return tree;
  }

  /**
   * The tree whose meta page is `metaPageId`, as last saved. Throws `corrupt` when that
   * page is not a B+tree meta page or the root is not where it says, `out-of-range` for
   * a page the disk does not have.
   */
  static open(pool: BufferPool, metaPageId: PageId): BPlusTree {
    const meta = pool.withReadPage(metaPageId, (bytes) => readBTreeMeta(bytes, metaPageId));
    const tree = new BPlusTree(pool, metaPageId, meta);
    tree.#read(meta.root, (page) => tree.#expectLevel(page, meta.height - 1, meta.root));
    return tree;
  }

  /** The current root page. */
  get rootPageId(): PageId {
    return this.#root;
  }

  /** Levels, leaves included: 1 for a tree that is a single leaf. */
  get height(): number {
    return this.#height;
  }

  /** Pages in use, the meta page included. */
  get pageCount(): number {
    return this.#pageCount;
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
    const leafId = this.#findLeaf(userKey);
    return this.#read(leafId, (page) => {
      this.#expectLevel(page, 0, leafId);
      const pos = page.lowerBound(userKey, this.#compare);
      return pos < page.keyCount && compareBytes(page.keyView(pos), userKey) === 0 ? page.ridAt(pos) : undefined;
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
    const path: PathStep[] = [];
    const leafId = this.#findLeaf(stored, path);
    const outcome = this.#edit(leafId, (page, markDirty) => {
      this.#expectLevel(page, 0, leafId);
      const pos = page.lowerBound(stored, this.#compare);
      if (pos < page.keyCount && this.#compare(page.keyView(pos), stored) === 0) return "duplicate";
      if (!page.fits(stored.length)) return pos;
      markDirty();
      page.insertLeafAt(pos, stored, rid);
      return "done";
    });
    if (outcome === "duplicate") return false;
    if (outcome !== "done") {
      // The leaf is full: split it with the new entry in place (in memory), then fix the parent.
      const leaf = this.#readLeaf(leafId);
      leaf.keys.splice(outcome, 0, stored);
      leaf.rids.splice(outcome, 0, rid);
      this.#splitLeaf(leafId, leaf, path);
    }
    this.#size++;
    this.#version++;
    this.#saveMeta();
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
    if (this.unique) return this.#deleteEntry(userKey, rid) ? 1 : 0;
    if (rid !== undefined) return this.#deleteEntry(appendRid(userKey, rid), undefined) ? 1 : 0;
    const rids = this.getAll(userKey);
    for (const r of rids) {
      const removed = this.#deleteEntry(appendRid(userKey, r), undefined);
      invariant(removed, `delete: entry ${toHex(userKey)} ${ridToString(r)} vanished between lookup and removal`);
    }
    return rids.length;
  }

  /**
   * The entries with lo ≤ key ≤ hi in key order (then rid order); an absent bound is
   * open. `options` makes either end exclusive. Reads one leaf per batch and holds no pin
   * between calls; changes to the tree during the iteration are allowed (see the header).
   */
  *range(lo?: IndexKey, hi?: IndexKey, options: BPlusTreeRangeOptions = {}): Generator<BPlusTreeEntry, void, undefined> {
    const loInclusive = options.loInclusive ?? options.inclusive ?? true;
    const hiInclusive = options.hiInclusive ?? options.inclusive ?? true;
    const loKey = lo === undefined ? undefined : encodeKey(lo);
    const hiKey = hi === undefined ? undefined : encodeKey(hi);
    const start = loKey === undefined ? undefined : this.unique ? loKey : appendRidBound(loKey, "min");
    // Where to read next: a leaf, and either the first slot ≥ `start`, the first slot after
    // `resumeAfter` (the stored key last returned), or slot 0 when following a sibling link.
    let leafId = this.#findLeaf(start);
    let seek: "start" | "resume" | "first" = "start";
    let resumeAfter: Uint8Array | undefined;
    let version = this.#version;
    for (;;) {
      const batch: { entry: BPlusTreeEntry; stored: Uint8Array }[] = [];
      let done = false;
      const next = this.#read(leafId, (page) => {
        this.#expectLevel(page, 0, leafId);
        let pos = 0;
        if (seek === "start" && start !== undefined) pos = page.lowerBound(start, this.#compare);
        if (seek === "resume" && resumeAfter !== undefined) pos = page.upperBound(resumeAfter, this.#compare);
        for (; pos < page.keyCount; pos++) {
          const stored = page.keyView(pos);
          const userKey = this.unique ? stored : stored.subarray(0, stored.length - RID_KEY_SIZE);
          if (loKey !== undefined && !loInclusive && compareBytes(userKey, loKey) === 0) continue;
          if (hiKey !== undefined) {
            const c = compareBytes(userKey, hiKey);
            if (c > 0 || (c === 0 && !hiInclusive)) {
              done = true;
              break;
            }
          }
          batch.push({ entry: { key: userKey.slice(), rid: page.ridAt(pos) }, stored: stored.slice() });
        }
        return page.rightSibling;
      });
      let changed = false;
      for (const { entry, stored } of batch) {
        resumeAfter = stored;
        yield entry;
        // The caller changed the tree: the rest of the batch may be stale and `next` may
        // have been merged away or reused. Find the place again from the root.
        changed = this.#version !== version;
        if (changed) break;
      }
      if (!changed && (done || next === INVALID_PAGE_ID)) return;
      if (changed) {
        version = this.#version;
        seek = resumeAfter === undefined ? "start" : "resume";
        leafId = this.#findLeaf(resumeAfter ?? start);
        continue;
      }
      leafId = next;
      seek = "first";
    }
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
    const keys: Uint8Array[] = [];
    const rids: Rid[] = [];
    for (const [key, rid] of entries) {
      const userKey = this.#encodeForInsert(key);
      checkRid(rid);
      const stored = this.unique ? userKey : appendRid(userKey, rid);
      const previous = keys[keys.length - 1];
      if (previous !== undefined) {
        const c = this.#compare(previous, stored);
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

    const target = Math.floor(fillFactor * this.#capacity);
    const leafRanges = this.#packLevel(
      keys.map((k) => entryCost("leaf", k.length)),
      "leaf",
      target,
    );
    const oldRoot = this.#root;
    const leafIds = leafRanges.map(() => this.#newPage((bytes) => BTreePage.initLeaf(bytes)));
    leafRanges.forEach(([s, e], i) => {
      const next = leafIds[i + 1] ?? INVALID_PAGE_ID;
      this.#writeNode(leafIds[i] as PageId, { kind: "leaf", keys: keys.slice(s, e), rids: rids.slice(s, e), next });
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
        this.#newPage((bytes) =>
          BTreePage.formatInternal(bytes, pageLevel, separators.slice(s + 1, e), children.slice(s, e)),
        ),
      );
      firstKeys = ranges.map(([s]) => separators[s] as Uint8Array);
    }
    // Switch to the new root only now: until here the tree was the old, empty one.
    this.#root = childIds[0] as PageId;
    this.#height = level + 1;
    this.#size = keys.length;
    this.#freePage(oldRoot);
    this.#version++;
    this.#saveMeta();
  }

  /** Pages, entries and fill per level (walks the whole tree). */
  stats(): BPlusTreeStats {
    const levels: BPlusTreeLevelStats[] = [];
    let current = { level: -1, pages: 0, entries: 0, usedBytes: 0 };
    const close = () => {
      if (current.pages > 0) levels.push({ ...current, averageFill: current.usedBytes / (current.pages * this.#capacity) });
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
      height: this.#height,
      pageCount: this.#pageCount,
      size: this.#size,
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
      if (!page.isLeaf) current.pages.push({ pageId, level, keys, children: page.internalEntries().children });
      else if (next === INVALID_PAGE_ID) current.pages.push({ pageId, level, keys });
      else current.pages.push({ pageId, level, keys, next });
    });
    return { height: this.#height, unique: this.unique, size: this.#size, rootPageId: this.#root, levels };
  }

  /**
   * One page of the tree as plain data: header fields and items with their offsets, like
   * pageinspect's `bt_page_stats` and `bt_page_items`. Throws `corrupt` for a page that is
   * not a leaf or internal page (the meta page included: its fields are this tree's getters).
   */
  inspectPage(pageId: PageId): BTreePageLayout {
    return this.#read(pageId, (page) => page.layout());
  }

  /**
   * Verify every invariant listed in the header, reading every page once. Throws
   * `InvariantError` naming the page and what is wrong; returns nothing when all hold.
   */
  check(): void {
    const fail = (pageId: PageId | undefined, message: string): never => {
      const where = pageId === undefined ? "" : ` at page ${pageId}`;
      throw new InvariantError(`B+tree check failed${where}: ${message}`);
    };
    const meta = this.pool.withReadPage(this.metaPageId, (bytes) => readBTreeMeta(bytes, this.metaPageId));
    const cached = { root: this.#root, height: this.#height, pageCount: this.#pageCount, size: this.#size };
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
        const problems = page.verify(this.#compare);
        if (problems.length > 0) fail(pageId, problems.join("; "));
        if (page.level !== level || page.isLeaf !== (level === 0)) {
          const what = `a ${page.kind} page at level ${page.level} where level ${level} was expected`;
          fail(pageId, `${what} (leaves at unequal depth)`);
        }
        if (pageId !== this.#root) {
          if (page.usedSpace < this.#minFill) {
            fail(pageId, `uses ${page.usedSpace} bytes, below the minimum ${this.#minFill} for a non-root page`);
          }
          if (page.keyCount === 0) fail(pageId, "a non-root page with no key");
        } else if (!page.isLeaf && page.keyCount === 0) {
          fail(pageId, "an internal root with no key (it should have been replaced by its child)");
        }
        return this.#nodeOf(page);
      });
      node.keys.forEach((key, i) => {
        if (lo !== undefined && this.#compare(key, lo) < 0) {
          fail(pageId, `key ${i} (${toHex(key)}) is below its lower bound ${show(lo)}`);
        }
        if (hi !== undefined && this.#compare(key, hi) >= 0) {
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
    visit(this.#root, this.#height - 1, undefined, undefined);

    leaves.forEach((leaf, i) => {
      const expected = leaves[i + 1]?.pageId ?? INVALID_PAGE_ID;
      if (leaf.next !== expected) {
        const where = `leaf ${i} of ${leaves.length} in key order`;
        fail(leaf.pageId, `right sibling is ${leaf.next}, expected ${expected} (${where})`);
      }
      const following = leaves[i + 1];
      if (following?.first !== undefined && leaf.last !== undefined && this.#compare(leaf.last, following.first) >= 0) {
        fail(leaf.pageId, `last key is not below the first key of the next leaf ${following.pageId}`);
      }
    });
    if (entries !== this.#size) fail(undefined, `the leaves hold ${entries} entries, size says ${this.#size}`);
    if (seen.size + 1 !== this.#pageCount) {
      fail(undefined, `reached ${seen.size} pages plus the meta page, pageCount says ${this.#pageCount}`);
    }
  }

  /** `#read` for `check()`: a page that cannot even be opened is reported as an InvariantError too. */
  #checkRead<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    try {
      return this.#read(pageId, fn);
    } catch (error) {
      if (error instanceof DbError) throw new InvariantError(`B+tree check failed at page ${pageId}: ${error.message}`);
      throw error;
    }
  }

  // ── descent ──────────────────────────────────────────────────────────────────────────

  /**
   * The leaf whose key range holds `probe` (the leftmost leaf when `probe` is undefined),
   * recording the internal pages passed and the child taken at each in `path`.
   */
  #findLeaf(probe: Uint8Array | undefined, path?: PathStep[]): PageId {
    let pageId = this.#root;
    for (let level = this.#height - 1; level > 0; level--) {
      const current = pageId;
      pageId = this.#read(current, (page) => {
        this.#expectLevel(page, level, current);
        const index = probe === undefined ? 0 : page.upperBound(probe, this.#compare);
        path?.push({ pageId: current, index });
        return page.childAt(index);
      });
    }
    return pageId;
  }

  // ── insert ───────────────────────────────────────────────────────────────────────────

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

  /** Write `node` to its page, splitting it (and the ancestors on `path`) if it does not fit. */
  #store(pageId: PageId, node: Node, path: PathStep[]): void {
    if (this.#used(node) <= this.#capacity) this.#writeNode(pageId, node);
    else if (node.kind === "leaf") this.#splitLeaf(pageId, node, path);
    else this.#splitInternal(pageId, node, path);
  }

  /** `leaf` (too big for one page) becomes two; the right half's first key is copied up. */
  #splitLeaf(pageId: PageId, leaf: LeafNode, path: PathStep[]): void {
    const mid = leafSplitPoint(leaf.keys.map((k) => entryCost("leaf", k.length)));
    const right: LeafNode = { kind: "leaf", keys: leaf.keys.slice(mid), rids: leaf.rids.slice(mid), next: leaf.next };
    // Allocate first: if the pool has no frame, nothing has changed yet.
    const rightId = this.#newPage((bytes) => BTreePage.formatLeaf(bytes, right.keys, right.rids, right.next));
    this.#writeNode(pageId, { kind: "leaf", keys: leaf.keys.slice(0, mid), rids: leaf.rids.slice(0, mid), next: rightId });
    this.#insertIntoParent(path, pageId, right.keys[0] as Uint8Array, rightId, 0);
  }

  /** `node` (too big for one page) becomes two; its middle key moves up. */
  #splitInternal(pageId: PageId, node: InternalNode, path: PathStep[]): void {
    const j = internalSplitPoint(node.keys.map((k) => entryCost("internal", k.length)));
    const rightKeys = node.keys.slice(j + 1);
    const rightChildren = node.children.slice(j + 1);
    const rightId = this.#newPage((bytes) => BTreePage.formatInternal(bytes, node.level, rightKeys, rightChildren));
    this.#writeNode(pageId, {
      kind: "internal",
      level: node.level,
      keys: node.keys.slice(0, j),
      children: node.children.slice(0, j + 1),
    });
    this.#insertIntoParent(path, pageId, node.keys[j] as Uint8Array, rightId, node.level);
  }

  /** After `leftId` (at `childLevel`) split off `rightId`, add `separator → rightId` to the parent. */
  #insertIntoParent(path: PathStep[], leftId: PageId, separator: Uint8Array, rightId: PageId, childLevel: number): void {
    const step = path.pop();
    if (step === undefined) {
      // The root split: a new root above the two halves, and the tree is one level taller.
      const level = childLevel + 1;
      this.#root = this.#newPage((bytes) => BTreePage.formatInternal(bytes, level, [separator], [leftId, rightId]));
      this.#height = level + 1;
      return;
    }
    const inserted = this.#edit(step.pageId, (page, markDirty) => {
      invariant(page.childAt(step.index) === leftId, `page ${step.pageId}: child ${step.index} is not ${leftId}`);
      if (!page.fits(separator.length)) return false;
      markDirty();
      page.insertInternalAt(step.index, separator, rightId);
      return true;
    });
    if (inserted) return;
    const parent = this.#readInternal(step.pageId);
    parent.keys.splice(step.index, 0, separator);
    parent.children.splice(step.index + 1, 0, rightId);
    this.#splitInternal(step.pageId, parent, path);
  }

  // ── delete ───────────────────────────────────────────────────────────────────────────

  /** Remove the entry stored as `stored` (and pointing to `rid`, when given); false if absent. */
  #deleteEntry(stored: Uint8Array, rid: Rid | undefined): boolean {
    const path: PathStep[] = [];
    const leafId = this.#findLeaf(stored, path);
    const outcome = this.#edit(leafId, (page, markDirty) => {
      this.#expectLevel(page, 0, leafId);
      const pos = page.lowerBound(stored, this.#compare);
      if (pos >= page.keyCount || this.#compare(page.keyView(pos), stored) !== 0) return "absent";
      if (rid !== undefined && !ridEquals(page.ridAt(pos), rid)) return "absent";
      markDirty();
      page.removeAt(pos);
      return page.usedSpace < this.#minFill ? "underflow" : "done";
    });
    if (outcome === "absent") return false;
    this.#size--;
    this.#version++;
    if (outcome === "underflow") this.#rebalance(leafId, path);
    this.#saveMeta();
    return true;
  }

  /**
   * Page `pageId` (reached through `path`) is below the minimum fill: merge it with a
   * sibling or redistribute the two, then repair the parent, and so on up the path.
   */
  #rebalance(pageId: PageId, path: PathStep[]): void {
    let underfull = pageId;
    for (;;) {
      const step = path.pop();
      if (step === undefined) return; // the root has no minimum
      const parent = this.#readInternal(step.pageId);
      invariant(parent.children[step.index] === underfull, `page ${step.pageId}: child ${step.index} is not ${underfull}`);
      // The sibling to the left if there is one, else the one to the right; `sep` is the
      // separator between the pair.
      const sep = step.index > 0 ? step.index - 1 : 0;
      const leftId = parent.children[sep] as PageId;
      const rightId = parent.children[sep + 1] as PageId;
      const left = this.#readNode(leftId);
      const right = this.#readNode(rightId);
      if (left.kind === "leaf" && right.kind === "leaf") {
        const keys = [...left.keys, ...right.keys];
        const rids = [...left.rids, ...right.rids];
        if (this.#used({ kind: "leaf", keys, rids, next: right.next }) <= this.#capacity) {
          this.#writeNode(leftId, { kind: "leaf", keys, rids, next: right.next });
          this.#freePage(rightId);
          parent.keys.splice(sep, 1);
          parent.children.splice(sep + 1, 1);
        } else {
          const mid = leafSplitPoint(keys.map((k) => entryCost("leaf", k.length)));
          this.#writeNode(leftId, { kind: "leaf", keys: keys.slice(0, mid), rids: rids.slice(0, mid), next: rightId });
          this.#writeNode(rightId, { kind: "leaf", keys: keys.slice(mid), rids: rids.slice(mid), next: right.next });
          parent.keys[sep] = keys[mid] as Uint8Array;
        }
      } else if (left.kind === "internal" && right.kind === "internal") {
        // The separator comes down between the two pages' keys, as the key of right's leftmost child.
        const keys = [...left.keys, parent.keys[sep] as Uint8Array, ...right.keys];
        const children = [...left.children, ...right.children];
        const merged: InternalNode = { kind: "internal", level: left.level, keys, children };
        if (this.#used(merged) <= this.#capacity) {
          this.#writeNode(leftId, merged);
          this.#freePage(rightId);
          parent.keys.splice(sep, 1);
          parent.children.splice(sep + 1, 1);
        } else {
          const j = internalSplitPoint(keys.map((k) => entryCost("internal", k.length)));
          const level = left.level;
          this.#writeNode(leftId, { kind: "internal", level, keys: keys.slice(0, j), children: children.slice(0, j + 1) });
          this.#writeNode(rightId, { kind: "internal", level, keys: keys.slice(j + 1), children: children.slice(j + 1) });
          parent.keys[sep] = keys[j] as Uint8Array;
        }
      } else {
        throw new DbError("corrupt", `siblings ${leftId} and ${rightId} are not both leaves or both internal`, {
          leftId,
          rightId,
        });
      }

      if (path.length === 0) {
        // The parent is the root: with no key left, its one child takes its place.
        if (parent.keys.length === 0) {
          this.#root = parent.children[0] as PageId;
          this.#freePage(step.pageId);
          this.#height--;
        } else {
          this.#store(step.pageId, parent, path);
        }
        return;
      }
      // A new separator may be longer than the old one (the parent splits) or shorter
      // (the parent may now be underfull itself).
      const used = this.#used(parent);
      if (used > this.#capacity) {
        this.#splitInternal(step.pageId, parent, path);
        return;
      }
      this.#writeNode(step.pageId, parent);
      if (used >= this.#minFill) return;
      underfull = step.pageId;
    }
  }

  // ── bulk load ────────────────────────────────────────────────────────────────────────

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
    if (previous !== undefined && cost(last[0], last[1]) < this.#minFill) {
      const [s, e] = [previous[0], last[1]];
      ranges.length -= 2;
      if (cost(s, e) <= this.#capacity) {
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

  // ── pages ────────────────────────────────────────────────────────────────────────────

  #expectLevel(page: BTreePage, level: number, pageId: PageId): void {
    if (page.level !== level || page.isLeaf !== (level === 0)) {
      throw new DbError(
        "corrupt",
        `page ${pageId} is a ${page.kind} page at level ${page.level}; the tree expected level ${level} there`,
        { pageId, level: page.level, expectedLevel: level },
      );
    }
  }

  /** Run `fn` on page `pageId`, pinned for reading. */
  #read<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    return this.pool.withReadPage(pageId, (bytes) => fn(BTreePage.open(bytes, pageId)));
  }

  /** Run `fn` on page `pageId`, pinned; the page is unpinned dirty only if `fn` called `markDirty` (before changing it). */
  #edit<T>(pageId: PageId, fn: (page: BTreePage, markDirty: () => void) => T): T {
    const pinned = this.pool.fetchPage(pageId);
    let dirty = false;
    try {
      return fn(BTreePage.open(pinned.data, pageId), () => {
        dirty = true;
      });
    } finally {
      this.pool.unpinPage(pageId, dirty);
    }
  }

  #nodeOf(page: BTreePage): Node {
    if (page.isLeaf) {
      const { keys, rids } = page.leafEntries();
      return { kind: "leaf", keys, rids, next: page.rightSibling };
    }
    const { keys, children } = page.internalEntries();
    return { kind: "internal", level: page.level, keys, children };
  }

  #readNode(pageId: PageId): Node {
    return this.#read(pageId, (page) => this.#nodeOf(page));
  }

  #readLeaf(pageId: PageId): LeafNode {
    const node = this.#readNode(pageId);
    invariant(node.kind === "leaf", `page ${pageId} is not a leaf`);
    return node;
  }

  #readInternal(pageId: PageId): InternalNode {
    const node = this.#readNode(pageId);
    invariant(node.kind === "internal", `page ${pageId} is not an internal page`);
    return node;
  }

  /** Replace page `pageId`'s contents with `node`, which must fit. */
  #writeNode(pageId: PageId, node: Node): void {
    this.pool.withWritePage(pageId, (bytes) => {
      if (node.kind === "leaf") BTreePage.formatLeaf(bytes, node.keys, node.rids, node.next);
      else BTreePage.formatInternal(bytes, node.level, node.keys, node.children);
    });
  }

  /** Bytes of entries and slots `node` needs. */
  #used(node: Node): number {
    let total = 0;
    for (const key of node.keys) total += entryCost(node.kind, key.length);
    return total;
  }

  #newPage(format: (bytes: Uint8Array) => void): PageId {
    const pageId = newPage(this.pool, format);
    this.#pageCount++;
    return pageId;
  }

  #freePage(pageId: PageId): void {
    this.pool.deletePage(pageId);
    this.#pageCount--;
  }

  #saveMeta(): void {
    const meta: BTreeMeta = {
      unique: this.unique,
      root: this.#root,
      height: this.#height,
      pageCount: this.#pageCount,
      size: this.#size,
    };
    this.pool.withWritePage(this.metaPageId, (bytes) => writeBTreeMeta(bytes, meta));
  }

  /**
   * Call `fn` on every page, pinned, level by level from the root down and left to right
   * within a level (breadth first). Keeps only the page ids of the next level in memory.
   */
  #forEachPage(fn: (level: number, pageId: PageId, page: BTreePage) => void): void {
    let ids: PageId[] = [this.#root];
    for (let level = this.#height - 1; level >= 0; level--) {
      const below: PageId[] = [];
      for (const pageId of ids) {
        this.#read(pageId, (page) => {
          this.#expectLevel(page, level, pageId);
          fn(level, pageId, page);
          if (level > 0) below.push(...page.internalEntries().children);
        });
      }
      ids = below;
    }
  }
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
