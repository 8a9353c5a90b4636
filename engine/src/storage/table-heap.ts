/**
 * Table heap (the contract)
 * =========================
 * A table stored as an unordered collection of pages, reached through a buffer pool. Each
 * tuple is named by its record id, (page, slot), which is what indexes store. The layers
 * above (the executor's scans, MVCC, the catalog) take this interface, so a learner's heap
 * plugs in wherever the engine's `HeapFile` does.
 *
 *   insert(t) → rid          get(rid) → copy | undefined
 *   update(rid, t) → rid' | undefined (rid' ≠ rid when the tuple had to move)
 *   delete(rid) → false when there was no tuple      scan() → every live tuple
 *
 * A tuple's life:
 *
 *   insert ──► live at rid ──update (fits on its page)──► live at rid
 *                 │      └───update (does not fit)──────► live at rid' (rid is gone)
 *                 └─ delete ─► gone: get(rid) is undefined, update/delete return undefined/false
 *
 * Guarantees every heap keeps:
 * - A record id stays valid until its tuple is deleted or moved by `update`, which returns
 *   the new one; a failed update (say, no free frame for the move) leaves the old version.
 * - `scan()` yields each live tuple exactly once, in page order then slot order, if nothing
 *   changes during the scan, and holds no pin between yields (a consumer that stops early
 *   leaks nothing).
 * - "Not found" is `undefined` or `false`, never an exception; bad input is a `DbError`:
 *   `invalid-argument` (an empty tuple), `tuple-too-large` (larger than a page holds), and
 *   the pool's errors (`no-free-frame`) pass through, changing nothing.
 *
 * The engine's heap is `HeapFile` (heap-file.ts), over a `BufferPool`, a `FreeSpaceMap`
 * and a `HeapPageFormat`; exercise 04.2 writes one.
 */
import type { PageId, Rid } from "../common/ids.js";
import type { BufferPool } from "./buffer-pool.js";
import type { FreeSpaceMap } from "./free-space-map.js";
import type { HeapPageFormat } from "./heap-page.js";

/** One tuple yielded by a scan. */
export interface HeapTuple {
  readonly rid: Rid;
  readonly tuple: Uint8Array;
}

export interface TableHeap {
  /** The pool the heap's pages are reached through. */
  readonly pool: BufferPool;
  /** Free space per heap page (PostgreSQL: the relation's FSM fork). */
  readonly freeSpaceMap: FreeSpaceMap;
  /** The heap's pages, in scan order (a copy). */
  readonly pageIds: PageId[];
  /** Store `tuple`; its record id. */
  insert(tuple: Uint8Array): Rid;
  /** A copy of the tuple at `rid`, or `undefined` when `rid` names no live tuple of this heap. */
  get(rid: Rid): Uint8Array | undefined;
  /** Replace the tuple at `rid`; where it lives now, or `undefined` when there was none. */
  update(rid: Rid, tuple: Uint8Array): Rid | undefined;
  /** Delete the tuple at `rid`; false when there was none. */
  delete(rid: Rid): boolean;
  /** Every live tuple with its record id, in page order then slot order; no pin held between yields. */
  scan(): IterableIterator<HeapTuple>;
}

/**
 * How a heap is built and reopened: the engine's `HeapFile` and exercise 04.2's class both
 * fit. The map must be empty and made for the pool's page size; `pageFormat` is the page
 * layout (the engine's `SlottedPage` unless given).
 */
export interface TableHeapConstructor {
  new (pool: BufferPool, freeSpaceMap?: FreeSpaceMap, pageFormat?: HeapPageFormat): TableHeap;
  /** The heap made of `pageIds` (as saved from `heap.pageIds`), its map rebuilt by reading every page. */
  open(pool: BufferPool, pageIds: readonly PageId[], freeSpaceMap?: FreeSpaceMap, pageFormat?: HeapPageFormat): TableHeap;
}
