/**
 * Heap file
 * =========
 * The engine's `TableHeap` (the contract, with its guarantees, is in table-heap.ts).
 *
 * A table stored as an unordered collection of pages in a layout (`HeapPageFormat`,
 * `SlottedPage` unless told), reached through the buffer pool. Each tuple is named by its
 * record id, (page, slot); indexes store record ids.
 *
 *   heap pages (in the heap's own order)   free-space map (one category a page)
 *   ┌────────┐ ┌────────┐ ┌────────┐        page 4: 0   (full)
 *   │ page 4 │ │ page 9 │ │ page 2 │        page 9: 37  (≥ 1184 bytes)
 *   │ slots… │ │ slots… │ │ slots… │        page 2: 255 (nearly empty)
 *   └────────┘ └────────┘ └────────┘
 *
 *   insert(t): FSM.find(|t|) → a page with room, or a new page appended to the heap
 *   get(rid), update(rid, t), delete(rid): one page, found by rid.pageId
 *   scan(): every page in heap order, every live slot in slot order
 *
 * Choices, each with its reason:
 * - The heap keeps the list of its page ids. PostgreSQL gives every table its own file, so
 *   its heap is simply blocks 0 … n − 1 of that file; our disk holds every page of the
 *   database (indexes included, notebook 05), so the heap must remember which are its
 *   own. The list lives in memory; `HeapFile.open(pool, pageIds)` rebuilds a heap from a
 *   saved list (the catalog of notebook 13 will save it).
 * - update is in place when the new version fits on its page (the page compacts if it
 *   must). Otherwise the tuple *moves*: it is inserted elsewhere first, then deleted from
 *   its old page, and `update` returns the new record id; the caller (an index) must
 *   follow it. Inserting first means a failed move leaves the old version intact. A
 *   forwarding stub would keep the record id stable at the cost of an extra page read on
 *   every later access; PostgreSQL does neither: every update writes a new version
 *   (MVCC, notebook 08) linked from the old one by t_ctid, and HOT keeps it on the same
 *   page when it can.
 * - scan pins one page at a time and copies that page's live tuples before yielding them,
 *   so a consumer that stops early leaks no pin, and deleting the tuple just yielded is
 *   safe. It visits the pages the heap had when the scan started: tuples inserted or
 *   moved into those pages later may or may not be seen (an update that moves tuples
 *   forward during a scan could meet them twice: the Halloween problem, which executors
 *   avoid by collecting record ids first).
 * - An empty page stays in the heap (the FSM steers new tuples to it); PostgreSQL also
 *   keeps empty pages, returning only trailing ones to the OS when VACUUM truncates.
 *
 * Invariants: every page in the list is a formatted page of the heap's layout; the FSM entry of each
 * heap page is its `freeSpace()` as of the last change made through this heap; `scan`
 * yields each live tuple exactly once if nothing changes during the scan.
 */
import { DbError } from "../common/errors.js";
import type { PageId, Rid, SlotId } from "../common/ids.js";
import type { BufferPool } from "./buffer-pool.js";
import type { FreeSpaceMap } from "./free-space-map.js";
import { FreeSpaceTree } from "./free-space-tree.js";
import type { HeapPageFormat } from "./heap-page.js";
import { SlottedPage } from "./slotted-page.js";
import type { HeapTuple, TableHeap } from "./table-heap.js";

export class HeapFile implements TableHeap {
  readonly pool: BufferPool;
  /** Free space per heap page (PostgreSQL: the relation's FSM fork). */
  readonly freeSpaceMap: FreeSpaceMap;
  /** The page layout: how pages are formatted and read. */
  readonly pageFormat: HeapPageFormat;
  readonly #pageIds: PageId[] = [];
  readonly #pageSet = new Set<PageId>();

  /**
   * An empty heap: its first insert allocates its first page. `freeSpaceMap` defaults to
   * a new `FreeSpaceTree`; one passed in must be made for the pool's page size and be
   * empty (`invalid-argument` otherwise). `pageFormat` is the page layout, `SlottedPage`
   * unless given.
   */
  constructor(
    pool: BufferPool,
    freeSpaceMap: FreeSpaceMap = new FreeSpaceTree(pool.pageSize),
    pageFormat: HeapPageFormat = SlottedPage,
  ) {
    if (freeSpaceMap.pageSize !== pool.pageSize) {
      throw new DbError(
        "invalid-argument",
        `the free-space map is for ${freeSpaceMap.pageSize}-byte pages, the pool has ${pool.pageSize}-byte pages`,
        { mapPageSize: freeSpaceMap.pageSize, poolPageSize: pool.pageSize },
      );
    }
    if (freeSpaceMap.snapshot().length > 0) {
      throw new DbError("invalid-argument", "a new heap needs an empty free-space map");
    }
    this.pool = pool;
    this.freeSpaceMap = freeSpaceMap;
    this.pageFormat = pageFormat;
  }

  /**
   * The heap made of `pageIds` (as saved from `heap.pageIds`), with its free-space map
   * (`freeSpaceMap`, or a new one) rebuilt by reading every page. A page that was
   * allocated but never formatted (all zeros, say after a crash) is formatted as empty.
   * Throws `invalid-argument` for a repeated page id, `out-of-range` for a page the disk
   * does not have, and `corrupt` for a page whose header is not a slotted page's.
   */
  static open(
    pool: BufferPool,
    pageIds: readonly PageId[],
    freeSpaceMap?: FreeSpaceMap,
    pageFormat: HeapPageFormat = SlottedPage,
  ): HeapFile {
    if (new Set(pageIds).size !== pageIds.length) {
      throw new DbError("invalid-argument", "a heap's page ids must be distinct", { pageIds: [...pageIds] });
    }
    const heap = new HeapFile(pool, freeSpaceMap, pageFormat);
    for (const pageId of pageIds) {
      let free = pool.withReadPage(pageId, (data) =>
        pageFormat.isNew(data) ? undefined : new pageFormat(data).freeSpace(),
      );
      if (free === undefined) free = pool.withWritePage(pageId, (data) => pageFormat.init(data).freeSpace());
      heap.#addPage(pageId, free);
    }
    return heap;
  }

  /** The heap's pages, in heap (scan) order. A copy. */
  get pageIds(): PageId[] {
    return [...this.#pageIds];
  }

  /**
   * Store `tuple` and return its record id: on the lowest page the free-space map says has
   * room, else on a new page. Throws `tuple-too-large` (with the size and the maximum) for a
   * tuple no page could hold, `invalid-argument` for an empty one, and `no-free-frame` when
   * the pool has no frame for the page.
   */
  insert(tuple: Uint8Array): Rid {
    this.#checkTuple(tuple);
    for (;;) {
      const pageId = this.freeSpaceMap.find(tuple.byteLength);
      if (pageId === undefined) break;
      const slot = this.pool.withWritePage(pageId, (data) => {
        const page = new this.pageFormat(data);
        const inserted = page.insert(tuple);
        this.freeSpaceMap.record(pageId, page.freeSpace());
        return inserted;
      });
      if (slot !== undefined) return { pageId, slot };
      // The map was out of date for this page; it is corrected now, so search again.
    }
    const guard = this.pool.newPageGuarded();
    try {
      const page = this.pageFormat.init(guard.data);
      const slot = page.insert(tuple) as SlotId;
      this.#addPage(guard.pageId, page.freeSpace());
      return { pageId: guard.pageId, slot };
    } finally {
      guard.release();
    }
  }

  /** A copy of the tuple at `rid`, or `undefined` when `rid` names no live tuple of this heap. */
  get(rid: Rid): Uint8Array | undefined {
    if (!this.#pageSet.has(rid.pageId)) return undefined;
    return this.pool.withReadPage(rid.pageId, (data) => new this.pageFormat(data).get(rid.slot));
  }

  /**
   * Replace the tuple at `rid` and return where it now lives: `rid` itself when it fit on
   * its page, or a new record id when it had to move (see the module header). Returns
   * `undefined` when `rid` names no live tuple of this heap. Throws as `insert` does for a
   * bad tuple; if the move fails, the old version is left in place.
   */
  update(rid: Rid, tuple: Uint8Array): Rid | undefined {
    this.#checkTuple(tuple);
    if (!this.#pageSet.has(rid.pageId)) return undefined;
    const outcome = this.pool.withWritePage(rid.pageId, (data) => {
      const page = new this.pageFormat(data);
      if (!page.has(rid.slot)) return "missing";
      if (!page.update(rid.slot, tuple)) return "move";
      this.freeSpaceMap.record(rid.pageId, page.freeSpace());
      return "updated";
    });
    if (outcome === "missing") return undefined;
    if (outcome === "updated") return rid;
    const moved = this.insert(tuple);
    this.delete(rid);
    return moved;
  }

  /** Delete the tuple at `rid`. Returns false when `rid` names no live tuple of this heap. */
  delete(rid: Rid): boolean {
    if (!this.#pageSet.has(rid.pageId)) return false;
    return this.pool.withWritePage(rid.pageId, (data) => {
      const page = new this.pageFormat(data);
      if (!page.delete(rid.slot)) return false;
      this.freeSpaceMap.record(rid.pageId, page.freeSpace());
      return true;
    });
  }

  /**
   * Every live tuple, page by page in heap order and slot by slot, each with its record id.
   * Holds no pin between yields (see the module header for what concurrent changes do).
   */
  *scan(): IterableIterator<HeapTuple> {
    for (const pageId of [...this.#pageIds]) {
      const tuples = this.pool.withReadPage(pageId, (data) => [...new this.pageFormat(data).entries()]);
      for (const [slot, tuple] of tuples) yield { rid: { pageId, slot }, tuple };
    }
  }

  #addPage(pageId: PageId, free: number): void {
    this.#pageIds.push(pageId);
    this.#pageSet.add(pageId);
    this.freeSpaceMap.record(pageId, free);
  }

  #checkTuple(tuple: Uint8Array): void {
    if (!(tuple instanceof Uint8Array) || tuple.byteLength === 0) {
      throw new DbError("invalid-argument", "a tuple is a non-empty Uint8Array");
    }
    const max = this.pageFormat.maxTupleSize(this.pool.pageSize);
    if (tuple.byteLength > max) {
      throw new DbError(
        "tuple-too-large",
        `tuple of ${tuple.byteLength} bytes exceeds the maximum of ${max} for ${this.pool.pageSize}-byte pages`,
        { size: tuple.byteLength, max, pageSize: this.pool.pageSize },
      );
    }
  }
}
