/**
 * The tree context
 * ================
 * What a `BPlusTree` hands its algorithms: the `BTreeContext` contract (btree-context.ts)
 * over a buffer pool, with the tree's root, height and page count cached from the meta
 * page. Pages are reached one pin at a time: `read` and `write` pin a page (the pool's
 * `fetchPage`, no guard object), hand a `BTreePage` view over the frame's bytes to a
 * callback, and unpin it; the view is valid only inside the callback.
 *
 * A descent (`findLeaf`, `ridIn`) runs the tree's `searchPage` on every page, unless the
 * tree runs the engine's own over `compareBytes` and the probe is an 8-byte integer key:
 * then it takes the prepared-probe search of int-key-search.ts, on the frame's bytes
 * through a DataView kept per page and frame, with no page or result object per level.
 * The answers are the same; a tree given another `searchPage` always runs that one.
 *
 * The bulk loader, the checker and the snapshot (bulk-load.ts, check-tree.ts,
 * tree-snapshot.ts) work on the same context, so none of them reaches into the shell.
 */
import { DbError, InvariantError } from "../common/errors.js";
import { INVALID_PAGE_ID, type PageId, type Rid, type SlotId } from "../common/ids.js";
import type { BufferPool } from "../storage/index.js";
import type { BTreeAlgorithms } from "./btree-algorithms.js";
import type { BTreeContext, BTreeNode, BTreePathStep, SearchResult } from "./btree-context.js";
import type { BTreeMeta } from "./btree-meta.js";
import { BTREE_PAGE_INTERNAL, BTREE_PAGE_LEAF, BTreePage, btreePageCapacity, entryCost, minFillBytes } from "./btree-page.js";
import { keyHi, keyLo, searchInt64Key } from "./int-key-search.js";
import { RID_KEY_SIZE, appendRidBound, compareBytes, compareKeyRid, type KeyCompare } from "./key-codec.js";
import { searchPage } from "./search-page.js";

/** Views a tree may remake for pages it saw before, before it stops using the prepared-probe search. */
const VIEW_CHURN_LIMIT = 10_000;

/** Throw `corrupt` unless the page is at `level` (a leaf exactly when level 0). */
export function expectLevel(page: BTreePage, level: number, pageId: PageId): void {
  if (page.level !== level || page.isLeaf !== (level === 0)) {
    throw new DbError(
      "corrupt",
      `page ${pageId} is a ${page.kind} page at level ${page.level}; the tree expected level ${level} there`,
      { pageId, level: page.level, expectedLevel: level },
    );
  }
}

/** A copy of the page as a node. */
export function nodeOf(page: BTreePage): BTreeNode {
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
export function newPage(pool: BufferPool, format: (bytes: Uint8Array) => void): PageId {
  const guard = pool.newPageGuarded();
  try {
    format(guard.data);
    return guard.pageId;
  } finally {
    guard.release();
  }
}

/** The tree's pages and state as the algorithms see them (see btree-context.ts). */
export class TreeContext implements BTreeContext {
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
  /**
   * The tree runs the engine's `searchPage` over `compareBytes`: 8-byte probes then take
   * the prepared-probe search of int-key-search.ts, with the same answers.
   */
  #int64: boolean;
  /** Whether the tree is unique and runs the engine's `searchPage`: 8-byte probes then take the prepared-probe search. */
  get preparedInt64(): boolean {
    return this.#int64;
  }
  /** The frame size `BTreePage.open` accepted (0: none yet): the fast path's header check compares with it. */
  #checkedSize = 0;
  /** Per page id: the frame last seen holding it, and a view over that frame (`#viewOf`). */
  readonly #frames: (Uint8Array | undefined)[] = [];
  readonly #views: DataView<ArrayBufferLike>[] = [];
  /** Views made again for a page already seen (`#viewOf`). */
  #viewChurn = 0;
  /** The page `read` or `write` pinned last, and its frame (for `search`). */
  #pinnedId = 0 as PageId;
  #pinnedBytes: Uint8Array | undefined;

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
    this.#int64 = algorithms.searchPage === searchPage && this.compare === compareBytes;
  }

  search(page: BTreePage, probe: Uint8Array): SearchResult {
    if (this.#int64 && probe.length === 8) {
      const b = page.bytes;
      // The page `read` or `write` pinned last (an insert's leaf): its view is remembered.
      const view = b === this.#pinnedBytes ? this.#viewOf(this.#pinnedId, b) : new DataView(b.buffer, b.byteOffset, b.byteLength);
      const r = searchInt64Key(b, view, 0, page.isLeaf ? 6 : 4, probe, keyHi(probe), keyLo(probe));
      return { index: r >>> 1, found: (r & 1) === 1 };
    }
    return this.algorithms.searchPage(page, probe, this.compare);
  }

  /**
   * Whether the frame `b` passes `BTreePage.open`'s checks and `expectLevel`'s as a page
   * of `type` at `level`, read in place through `view` at `base`. False sends the caller
   * to those two for the error (or, for a frame size not seen yet, for the check that
   * accepts it).
   */
  #headerOk(b: Uint8Array, view: DataView, base: number, type: number, level: number): boolean {
    const upper = view.getUint16(base + 6, true);
    return (
      b.byteLength === this.#checkedSize &&
      view.getUint8(base) === type &&
      view.getUint16(base + 2, true) === level &&
      16 + 4 * view.getUint16(base + 4, true) <= upper &&
      upper <= b.byteLength
    );
  }

  /** `BTreePage.open` and `expectLevel` on a frame `#headerOk` refused: throws, or accepts its size. */
  #openChecked(b: Uint8Array, level: number, pageId: PageId): void {
    expectLevel(BTreePage.open(b, pageId), level, pageId);
    this.#checkedSize = b.byteLength;
  }

  /**
   * A DataView over the frame `b` that holds `pageId`, made once per page and frame, not
   * per visit (a DataView costs ~100 ns to create, and so does asking a typed array for
   * its buffer): remembered by page id, valid while the page stays in that frame.
   */
  #viewOf(pageId: PageId, b: Uint8Array): DataView<ArrayBufferLike> {
    if (this.#frames[pageId] === b) return this.#views[pageId] as DataView<ArrayBufferLike>;
    // A page seen before in another array: a pool that hands out a new array per fetch
    // (or one that evicts all the time) makes a view per visit, which costs more than
    // it saves. After many, the tree goes back to the general search for good.
    if (this.#frames[pageId] !== undefined && ++this.#viewChurn > VIEW_CHURN_LIMIT) this.#int64 = false;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.#frames[pageId] = b;
    this.#views[pageId] = view;
    return view;
  }




  findLeaf(probe: Uint8Array | undefined, path?: BTreePathStep[]): PageId {
    if (probe !== undefined && this.#int64 && probe.length === 8) return this.#findLeafInt64(probe, path);
    // The hottest loop of the tree: one page per level, pinned and unpinned directly (no
    // guard object, no callback), the child read while the page is pinned.
    const pool = this.pool;
    let pageId = this.rootPageId;
    for (let level = this.height - 1; level > 0; level--) {
      const current = pageId;
      const data = pool.fetchPage(current).data;
      try {
        const page = BTreePage.open(data, current);
        expectLevel(page, level, current);
        let index = 0;
        if (probe !== undefined) {
          const at = this.search(page, probe);
          index = at.found ? at.index + 1 : at.index;
        }
        path?.push({ pageId: current, index });
        pageId = page.childAt(index);
      } finally {
        pool.unpinPage(current, false);
      }
    }
    return pageId;
  }

  /**
   * `findLeaf` with a prepared probe (int-key-search.ts): the probe's words decoded once,
   * each level searched on the frame's bytes, no page object, no result object.
   */
  #findLeafInt64(probe: Uint8Array, path: BTreePathStep[] | undefined): PageId {
    const pool = this.pool;
    const hi = keyHi(probe);
    const lo = keyLo(probe);
    let pageId = this.rootPageId;
    for (let level = this.height - 1; level > 0; level--) {
      const current = pageId;
      const b = pool.fetchPage(current).data;
      try {
        const view = this.#viewOf(current, b);
        const base = 0;
        if (!this.#headerOk(b, view, base, BTREE_PAGE_INTERNAL, level)) this.#openChecked(b, level, current);
        const r = searchInt64Key(b, view, base, 4, probe, hi, lo);
        // found ? index + 1 : index; child 0 is in the header, child i + 1 in entry i.
        const index = (r >>> 1) + (r & 1);
        path?.push({ pageId: current, index });
        const at = index === 0 ? 12 : view.getUint16(base + 16 + 4 * (index - 1), true);
        pageId = view.getUint32(base + at, true) as PageId;
      } finally {
        pool.unpinPage(current, false);
      }
    }
    return pageId;
  }

  /**
   * The rid stored under `probe` in leaf `leafId`, or `undefined`: a point lookup's last
   * step, pinned directly like `findLeaf` (a callback here would share its call site with
   * every other `read` and stop being inlined once inserts have run).
   */
  ridIn(leafId: PageId, probe: Uint8Array): Rid | undefined {
    const pool = this.pool;
    const data = pool.fetchPage(leafId).data;
    if (this.#int64 && probe.length === 8) {
      try {
        const view = this.#viewOf(leafId, data);
        const base = 0;
        if (!this.#headerOk(data, view, base, BTREE_PAGE_LEAF, 0)) this.#openChecked(data, 0, leafId);
        const r = searchInt64Key(data, view, base, 6, probe, keyHi(probe), keyLo(probe));
        if ((r & 1) === 0) return undefined;
        const at = base + view.getUint16(base + 16 + 4 * (r >>> 1), true);
        return { pageId: view.getUint32(at, true) as PageId, slot: view.getUint16(at + 4, true) as SlotId };
      } finally {
        pool.unpinPage(leafId, false);
      }
    }
    try {
      const page = BTreePage.open(data, leafId);
      expectLevel(page, 0, leafId);
      const at = this.search(page, probe);
      return at.found ? page.ridAt(at.index) : undefined;
    } finally {
      pool.unpinPage(leafId, false);
    }
  }

  /** Entries in the tree: the leftmost leaf, then the right-sibling links, summing key counts. */
  countEntries(): number {
    let entries = 0;
    let pageId = this.findLeaf(undefined);
    while (pageId !== INVALID_PAGE_ID) {
      pageId = this.read(pageId, (page) => {
        entries += page.keyCount;
        return page.rightSibling;
      });
    }
    return entries;
  }

  read<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    return this.#pinned(pageId, false, fn);
  }

  write<T>(pageId: PageId, fn: (page: BTreePage) => T): T {
    return this.#pinned(pageId, true, fn);
  }

  /** Pin the page (no guard object), run `fn` on it, unpin it (dirty when `dirty`). */
  #pinned<T>(pageId: PageId, dirty: boolean, fn: (page: BTreePage) => T): T {
    const data = this.pool.fetchPage(pageId).data;
    this.#pinnedId = pageId;
    this.#pinnedBytes = data;
    try {
      return fn(BTreePage.open(data, pageId));
    } finally {
      this.pool.unpinPage(pageId, dirty);
    }
  }

  readNode(pageId: PageId): BTreeNode {
    return this.read(pageId, nodeOf);
  }

  writeNode(pageId: PageId, node: BTreeNode): void {
    // Pinned directly, as in #pinned: no guard object, no closure.
    const data = this.pool.fetchPage(pageId).data;
    try {
      formatNode(data, node);
    } finally {
      this.pool.unpinPage(pageId, true);
    }
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
