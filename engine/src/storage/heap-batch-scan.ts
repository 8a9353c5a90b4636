/**
 * Page-at-a-time heap scan
 * ========================
 * `heap.scan()` hands out one copied tuple at a time, so that it holds no pin between
 * yields (the contract in table-heap.ts). The copies are its ceiling: a `new Uint8Array`
 * per row costs more than summing a column of it. A scan that a query runs to the end can
 * do what PostgreSQL does instead:
 *
 *   heapgetpage()          pin one page, note where its live tuples are (rs_vistuples)
 *   heap_getnextslot()     hand out each tuple *in place*: a pointer into the pinned page
 *   slot_getsomeattrs(n)   decode a tuple lazily, only up to the columns the query reads
 *   next page              unpin, pin the next: one pin at a time
 *
 * `scanHeapBatches(heap, visit)` is the first two steps. For each of the heap's pages, in
 * heap order, it pins the page, fills one `HeapBatch` (the pinned bytes and, per live
 * tuple, its slot and its [start, end) in those bytes, no copy), calls `visit(batch)`, and
 * unpins, whatever `visit` does: returns, returns `false` (stop the scan), or throws. The
 * third step is `TupleReader.attach(batch.bytes, start, end)` (tuple-reader.ts):
 *
 *   scanHeapBatches(heap, (b) => {
 *     for (let i = 0; i < b.count; i++) sum += reader.attach(b.bytes, b.starts[i], b.ends[i]).value(delay);
 *   });
 *
 *   page 4 pinned ─► visit({ bytes, count: 3, slots [0 1 3], starts [8104 8040 7976], ends […] }) ─► unpinned
 *   page 9 pinned ─► visit(…) ─► unpinned …
 *
 * Why a callback and not a generator: a generator that yields while its page is pinned
 * leaks the pin when its consumer drops it without calling `return()` (notebook 04 shows
 * it). A callback's pin is scoped by the call: it cannot outlive it. The price is the
 * rule the batch states: its bytes and arrays are valid only inside `visit` (the frame may
 * hold another page afterwards, and the batch object is reused for the next page); copy
 * a tuple (`bytes.slice(start, end)`) to keep it.
 *
 * It reads the heap through the `TableHeap` contract only (`pool`, `pageIds`), so it runs
 * on a learner's heap too, and it reads each page's line pointers from the slotted-page
 * byte format (slotted-page.ts has the diagram; exercise 02.1 checks a learner's page
 * writes it byte for byte). A page that is not in that format is `corrupt`, named.
 *
 * Simpler than PostgreSQL: no visibility check per tuple (there are no versions until
 * notebook 08), and the heap's page list is read once, when the scan starts.
 */
import { DbError } from "../common/errors.js";
import type { PageId, SlotId } from "../common/ids.js";
import { SlottedPage } from "./slotted-page.js";
import type { TableHeap } from "./table-heap.js";

/** One page's live tuples, in place: valid only during the `visit` call it is passed to. */
export interface HeapBatch {
  readonly pageId: PageId;
  /** The pinned page's bytes (the frame itself, not a copy). Never write to them. */
  readonly bytes: Uint8Array;
  /** Live tuples on the page: entries 0 … count − 1 of the arrays below are this page's. */
  readonly count: number;
  /** Each tuple's slot, in slot order: its record id is (pageId, slots[i]). */
  readonly slots: Int32Array;
  /** Where tuple i starts in `bytes`. */
  readonly starts: Int32Array;
  /** Where tuple i ends in `bytes` (exclusive). */
  readonly ends: Int32Array;
}

/** Called once per page; return `false` to stop the scan after this page. */
export type HeapBatchVisitor = (batch: HeapBatch) => boolean | void;

// The slotted-page format (slotted-page.ts): header fields, little-endian u16s.
const OFF_LOWER = 8;
const OFF_UPPER = 10;
const OFF_SLOT_COUNT = 12;
const HEADER_SIZE = SlottedPage.HEADER_SIZE;
const LP_SIZE = SlottedPage.LINE_POINTER_SIZE;
/** A line pointer's state bits (15–16) for a normal tuple. */
const LP_NORMAL = 1;
const EMPTY = new Uint8Array(0);

class Batch implements HeapBatch {
  pageId = 0 as PageId;
  bytes: Uint8Array = EMPTY;
  count = 0;
  slots = new Int32Array(0);
  starts = new Int32Array(0);
  ends = new Int32Array(0);

  /** Fill from the slotted page in `bytes`; `corrupt` when its header or a line pointer is off. */
  fill(pageId: PageId, bytes: Uint8Array): void {
    const lower = (bytes[OFF_LOWER] as number) | ((bytes[OFF_LOWER + 1] as number) << 8);
    const upper = (bytes[OFF_UPPER] as number) | ((bytes[OFF_UPPER + 1] as number) << 8);
    const slotCount = (bytes[OFF_SLOT_COUNT] as number) | ((bytes[OFF_SLOT_COUNT + 1] as number) << 8);
    if (lower !== HEADER_SIZE + LP_SIZE * slotCount || lower > upper || upper > bytes.length) {
      throw new DbError("corrupt", `page ${pageId} is not a slotted page: lower ${lower}, upper ${upper}, slotCount ${slotCount}`, {
        pageId,
        lower,
        upper,
        slotCount,
      });
    }
    if (this.slots.length < slotCount) {
      this.slots = new Int32Array(slotCount);
      this.starts = new Int32Array(slotCount);
      this.ends = new Int32Array(slotCount);
    }
    let count = 0;
    for (let slot = 0, at = HEADER_SIZE; slot < slotCount; slot++, at += LP_SIZE) {
      const word = ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
      if (((word >>> 15) & 0x3) !== LP_NORMAL) continue;
      const offset = word & 0x7fff;
      const end = offset + (word >>> 17);
      if (offset < upper || end > bytes.length) {
        throw new DbError("corrupt", `page ${pageId}: line pointer ${slot} points outside the tuple area (offset ${offset}, end ${end})`, {
          pageId,
          slot: slot as SlotId,
          offset,
          end,
        });
      }
      this.slots[count] = slot;
      this.starts[count] = offset;
      this.ends[count] = end;
      count++;
    }
    this.pageId = pageId;
    this.bytes = bytes;
    this.count = count;
  }
}

/**
 * Visit every page of `heap` in heap order with its live tuples in place (see the module
 * header); one page pinned at a time, unpinned after its `visit` even if `visit` throws.
 * Returns the number of pages visited. The pool's errors (`no-free-frame`) pass through.
 */
export function scanHeapBatches(heap: TableHeap, visit: HeapBatchVisitor): number {
  const pool = heap.pool;
  const batch = new Batch();
  let pages = 0;
  for (const pageId of heap.pageIds) {
    const bytes = pool.fetchPage(pageId).data;
    let goOn: boolean | void;
    try {
      batch.fill(pageId, bytes);
      pages++;
      goOn = visit(batch);
    } finally {
      batch.bytes = EMPTY;
      pool.unpinPage(pageId, false);
    }
    if (goOn === false) break;
  }
  return pages;
}
