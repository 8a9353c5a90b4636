/**
 * Heap page (the contract)
 * ========================
 * The page layout a table heap stores its tuples in: a page of `pageSize` bytes that holds
 * variable-length tuples, each named by a slot number that stays attached to it until it is
 * deleted, so that a record id (page, slot) kept by an index stays valid while the page
 * moves tuples around. The heap never reads page bytes itself; it goes through this
 * interface, so a learner's layout plugs in: `new HeapFile(pool, fsm, MySlottedPage)`.
 *
 * Two halves, as a class has them:
 *
 *   HeapPageFormat (the class itself)     HeapPage (a view over one page's bytes)
 *     init(bytes)   format, return a view    insert(t) → slot | undefined (no room now)
 *     isNew(bytes)  never formatted?         get(slot) → copy | undefined
 *     maxTupleSize  the largest tuple ever   update(slot, t) → false (no room on this page)
 *     new (bytes)   view a formatted page    delete(slot) → false (no tuple there)
 *                                            has, freeSpace, entries, slotCount, tupleCount
 *
 * A slot's life:
 *
 *   unused ──insert──► live ──update (fits)──► live, same slot
 *      ▲                 │
 *      └──── delete ─────┘     (an unused slot may be reused by a later insert)
 *
 * Guarantees every layout keeps: all state is in the bytes (two views over the same bytes
 * agree, so a page survives a trip through the buffer pool and the disk); `insert(t)`
 * succeeds exactly when 1 ≤ t.length ≤ `freeSpace()`, and a refused insert or update
 * changes nothing; `maxTupleSize(pageSize)` fits in an empty page. Bad input is a
 * `DbError`: `invalid-argument` (an empty tuple), `tuple-too-large` (larger than any page
 * holds), `corrupt` (a view over bytes that are not a formatted page).
 *
 * The engine's layout is `SlottedPage` (slotted-page.ts, PostgreSQL's line pointers);
 * exercise 02.1 writes one.
 */
import type { SlotId } from "../common/ids.js";

/** A view over one formatted page's bytes. */
export interface HeapPage {
  /** The bytes this page views: a buffer-pool frame, usually. */
  readonly bytes: Uint8Array;
  readonly pageSize: number;
  /** Slot numbers in use or not: valid slots are below this. */
  readonly slotCount: number;
  /** The number of live tuples. */
  readonly tupleCount: number;
  /** True when `slot` names a live tuple. */
  has(slot: SlotId): boolean;
  /** The largest tuple `insert` would accept now, in bytes; never negative. */
  freeSpace(): number;
  /**
   * Store `tuple` and return its slot, or `undefined` when it does not fit now (the page is
   * unchanged). Throws `invalid-argument` for an empty tuple, `tuple-too-large` for one no page holds.
   */
  insert(tuple: Uint8Array): SlotId | undefined;
  /** A copy of the tuple in `slot`, or `undefined` when the slot holds no live tuple. */
  get(slot: SlotId): Uint8Array | undefined;
  /**
   * Replace the tuple in `slot`, keeping the slot; false when it does not fit on this page
   * (unchanged then). Throws `out-of-range` when `slot` holds no live tuple.
   */
  update(slot: SlotId, tuple: Uint8Array): boolean;
  /** Delete the tuple in `slot`; false when there was none. */
  delete(slot: SlotId): boolean;
  /** The live tuples in slot order, as [slot, copy of the bytes]. */
  entries(): IterableIterator<[SlotId, Uint8Array]>;
}

/** The class side of a layout: how the heap formats, recognises and opens pages. */
export interface HeapPageFormat {
  /** A view over an already formatted page; `corrupt` if it is new or inconsistent. */
  new (bytes: Uint8Array): HeapPage;
  /** Format `bytes` as an empty page and return a view on it. */
  init(bytes: Uint8Array): HeapPage;
  /** True for a page that was never formatted (all zeros), as a newly allocated page is. */
  isNew(bytes: Uint8Array): boolean;
  /** The largest tuple an empty page of `pageSize` bytes can hold. */
  maxTupleSize(pageSize: number): number;
}
