/**
 * Slotted page
 * ============
 * The engine's page layout: a `SlottedHeapPage` (the contract is in slotted-heap-page.ts),
 * so a `HeapPage` (heap-page.ts) a table heap can store tuples in.
 *
 * How variable-length tuples share a fixed-size page. An array of line pointers (slots)
 * grows up from the header; the tuples grow down from the end of the page; the free
 * space is the gap between them, and both sides can grow into it:
 *
 *   0        16      20      24      28 = lower                upper                    pageSize
 *   | header | lp 0  | lp 1  | lp 2  | →      free space       ← | tuple 2 | tuple 1 | tuple 0 |
 *                                                                 ↑ tuples start at multiples of 8
 *
 *   Header, 16 bytes, little-endian:
 *   | lsn u64 (0) | lower u16 (8) | upper u16 (10) | slotCount u16 (12) | flags u16 (14) |
 *     lsn        the page LSN: the last WAL record that changed this page (notebook 09)
 *     lower      end of the line-pointer array = 16 + 4 × slotCount
 *     upper      start of the tuple area (pageSize when the page holds no tuple)
 *     slotCount  line pointers in the array, in use or not (redundant with lower: kept
 *                because it reads better, and checked against it to detect corruption)
 *     flags      bit 0 HAS_FREE_SLOTS: some line pointer is unused and can be reused
 *
 *   Line pointer, 4 bytes, one u32 (PostgreSQL's ItemIdData bit layout):
 *   | offset: bits 0–14 | state: bits 15–16 | length: bits 17–31 |
 *     state 0 unused (free for reuse), 1 normal (a tuple at offset, length bytes);
 *     2 redirect and 3 dead are reserved for HOT and MVCC (notebook 08).
 *
 * A tuple is named by its slot number, never by its offset. That is what lets the page
 * move tuples: `compact()` slides the live tuples together against the end of the page,
 * squeezing out the holes left by deletes and shrinking updates, and rewrites their
 * offsets, but every tuple keeps its slot, so a record id (page, slot) held by an index
 * stays valid. Compaction runs by itself when an insert or update needs the room.
 *
 * Invariants (a view checks the header when made and each line pointer when read, and
 * reports `corrupt` if one is broken):
 * - 16 ≤ lower ≤ upper ≤ pageSize; lower = 16 + 4 × slotCount; upper is a multiple of 8.
 * - Every normal line pointer points into [upper, pageSize) at a multiple of 8, and no two
 *   tuples overlap (each occupies its length rounded up to 8).
 * - A slot number stays attached to its tuple until that tuple is deleted; then the slot
 *   is unused and a later insert may reuse it. Trailing unused slots are removed.
 * - `insert(t)` succeeds exactly when 1 ≤ t.length ≤ `freeSpace()`.
 *
 * The page is a view: all its state is in the bytes, so two `SlottedPage`s over the same
 * bytes (say, before and after the buffer pool writes them to disk and reads them back)
 * always agree.
 *
 * Compared with PostgreSQL's page (bufpage.h): the same lower/upper pair, the same
 * line-pointer bits, the same 8-byte tuple alignment, and the same lazy defragmentation
 * (PageRepairFragmentation). Simpler: a 16-byte header instead of 24 (no checksum, no
 * page-version, no prune xid, no special space, which only index pages use), slots
 * numbered from 0 instead of 1, and a deleted tuple frees its slot at once, where
 * PostgreSQL marks it dead and waits for VACUUM, since an index may still point at it.
 */
import { DbError } from "../common/errors.js";
import { LITTLE_ENDIAN, MAXALIGN, alignDown, alignUp, viewOf } from "../common/bytes.js";
import type { Lsn, SlotId } from "../common/ids.js";
import {
  LP_NORMAL,
  LP_STATE_NAMES,
  LP_UNUSED,
  type LinePointerState,
  type PageLayout,
  type PageSlotLayout,
  type SlottedHeapPage,
} from "./slotted-heap-page.js";
import { checkPageSize } from "./page-size.js";

const OFF_LSN = 0;
const OFF_LOWER = 8;
const OFF_UPPER = 10;
const OFF_SLOT_COUNT = 12;
const OFF_FLAGS = 14;
const HAS_FREE_SLOTS = 0x1;

export class SlottedPage implements SlottedHeapPage {
  static readonly HEADER_SIZE = 16;
  static readonly LINE_POINTER_SIZE = 4;

  /** The bytes this page views: a buffer-pool frame, usually. */
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  /**
   * Format `bytes` as an empty page (all zeros but the header) and return a view on it.
   * Throws `invalid-argument` unless its length is a valid page size.
   */
  static init(bytes: Uint8Array, lsn: Lsn = 0n as Lsn): SlottedPage {
    checkPageSize(bytes.byteLength);
    bytes.fill(0);
    const view = viewOf(bytes);
    view.setBigUint64(OFF_LSN, lsn, LITTLE_ENDIAN);
    view.setUint16(OFF_LOWER, SlottedPage.HEADER_SIZE, LITTLE_ENDIAN);
    view.setUint16(OFF_UPPER, bytes.byteLength, LITTLE_ENDIAN);
    return new SlottedPage(bytes);
  }

  /** True for a page that was never formatted (all-zero header), as a newly allocated page is. */
  static isNew(bytes: Uint8Array): boolean {
    return viewOf(bytes).getUint16(OFF_UPPER, LITTLE_ENDIAN) === 0;
  }

  /** The largest tuple an empty page of `pageSize` bytes can hold. */
  static maxTupleSize(pageSize: number): number {
    return alignDown(pageSize - SlottedPage.HEADER_SIZE - SlottedPage.LINE_POINTER_SIZE, MAXALIGN);
  }

  /**
   * A view over an already formatted page. Throws `invalid-argument` if the length is not
   * a valid page size, `corrupt` if the page is new (use `init`) or its header breaks the
   * invariants.
   */
  constructor(bytes: Uint8Array) {
    checkPageSize(bytes.byteLength);
    this.bytes = bytes;
    this.#view = viewOf(bytes);
    const { lower, upper, slotCount } = this;
    const pageSize = bytes.byteLength;
    if (upper === 0) {
      throw new DbError("corrupt", "page is new (all zeros): format it with SlottedPage.init() first", {
        lower,
        upper,
        slotCount,
        pageSize,
      });
    }
    const consistent =
      lower === SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * slotCount &&
      lower <= upper &&
      upper <= pageSize &&
      upper % MAXALIGN === 0;
    if (!consistent) {
      throw new DbError(
        "corrupt",
        `page header is inconsistent: lower ${lower}, upper ${upper}, slotCount ${slotCount}, pageSize ${pageSize}`,
        { lower, upper, slotCount, pageSize },
      );
    }
  }

  /** The length of the page in bytes. */
  get pageSize(): number {
    return this.bytes.byteLength;
  }

  /** The page LSN (notebook 09 sets it to the LSN of the last WAL record applied here). */
  get lsn(): Lsn {
    return this.#view.getBigUint64(OFF_LSN, LITTLE_ENDIAN) as Lsn;
  }

  /** Stamp the page with the LSN of the WAL record that changed it. */
  set lsn(value: Lsn) {
    this.#view.setBigUint64(OFF_LSN, value, LITTLE_ENDIAN);
  }

  /** The end of the line-pointer array. */
  get lower(): number {
    return this.#view.getUint16(OFF_LOWER, LITTLE_ENDIAN);
  }

  /** The start of the tuple area. */
  get upper(): number {
    return this.#view.getUint16(OFF_UPPER, LITTLE_ENDIAN);
  }

  /** The number of line pointers, in use or not: valid slot numbers are below this. */
  get slotCount(): number {
    return this.#view.getUint16(OFF_SLOT_COUNT, LITTLE_ENDIAN);
  }

  /** The number of live tuples. O(slotCount). */
  get tupleCount(): number {
    let n = 0;
    for (let slot = 0; slot < this.slotCount; slot++) if (this.#state(slot) === LP_NORMAL) n++;
    return n;
  }

  /** True when `slot` names a live tuple. */
  has(slot: SlotId): boolean {
    return Number.isInteger(slot) && slot >= 0 && slot < this.slotCount && this.#state(slot) === LP_NORMAL;
  }

  /**
   * The largest tuple `insert` would accept now, in bytes: the free gap plus the holes
   * that compaction would reclaim, less a new line pointer if no unused one can be reused,
   * rounded down to the tuple alignment (8). Never negative.
   */
  freeSpace(): number {
    const needSlot = this.#firstUnusedSlot() < 0 ? SlottedPage.LINE_POINTER_SIZE : 0;
    const available = this.upper - this.lower + this.#fragmentedBytes() - needSlot;
    return Math.max(0, alignDown(available, MAXALIGN));
  }

  /**
   * Store `tuple` and return its slot: an unused slot if there is one (the lowest), else a
   * new one. Returns `undefined` when it does not fit now (`tuple.length > freeSpace()`);
   * the page is then unchanged. May compact the page first: other tuples move, but keep
   * their slots. Throws `invalid-argument` for an empty tuple and `tuple-too-large` (with
   * the size and the maximum) for one that would not fit even in an empty page.
   */
  insert(tuple: Uint8Array): SlotId | undefined {
    this.#checkTuple(tuple);
    if (tuple.byteLength > this.freeSpace()) return undefined;
    let slot = this.#firstUnusedSlot();
    const reuse = slot >= 0;
    if (!reuse) slot = this.slotCount;
    const need = alignUp(tuple.byteLength, MAXALIGN);
    const lower = this.lower + (reuse ? 0 : SlottedPage.LINE_POINTER_SIZE);
    if (this.upper - need < lower) this.compact();
    const offset = this.upper - need;
    this.bytes.set(tuple, offset);
    this.#setUpper(offset);
    if (!reuse) {
      this.#setSlotCount(slot + 1);
    }
    this.#setLinePointer(slot, offset, LP_NORMAL, tuple.byteLength);
    if (reuse && this.#scanForUnusedSlot() < 0) this.#setFlags(this.#flags() & ~HAS_FREE_SLOTS);
    return slot as SlotId;
  }

  /** A copy of the tuple in `slot`, or `undefined` when the slot holds no live tuple. */
  get(slot: SlotId): Uint8Array | undefined {
    if (!this.has(slot)) return undefined;
    const { offset, length } = this.#linePointer(slot);
    return this.bytes.slice(offset, offset + length);
  }

  /**
   * Replace the tuple in `slot` by `tuple`, keeping the slot. In place when the new version
   * needs no more aligned space than the old; otherwise it moves within the page, compacting
   * if needed. Returns false when it cannot fit on this page even after compaction; the
   * page is then unchanged. Throws `out-of-range` when `slot` holds no live tuple, and
   * `invalid-argument` / `tuple-too-large` for a bad tuple as `insert` does.
   */
  update(slot: SlotId, tuple: Uint8Array): boolean {
    this.#checkTuple(tuple);
    if (!this.has(slot)) {
      throw new DbError("out-of-range", `slot ${String(slot)} holds no live tuple`, {
        slot,
        slotCount: this.slotCount,
      });
    }
    const old = this.#linePointer(slot);
    const need = alignUp(tuple.byteLength, MAXALIGN);
    const oldNeed = alignUp(old.length, MAXALIGN);
    if (need <= oldNeed) {
      this.bytes.set(tuple, old.offset);
      this.#setLinePointer(slot, old.offset, LP_NORMAL, tuple.byteLength);
      return true;
    }
    // The old version's space counts as free: it is released when the new one is written.
    if (need > this.upper - this.lower + this.#fragmentedBytes() + oldNeed) return false;
    if (this.upper - need < this.lower) {
      // Detach the old version so that compaction squeezes it out, then place the new one.
      this.#setLinePointer(slot, 0, LP_UNUSED, 0);
      this.compact();
    }
    const offset = this.upper - need;
    this.bytes.set(tuple, offset);
    this.#setUpper(offset);
    this.#setLinePointer(slot, offset, LP_NORMAL, tuple.byteLength);
    return true;
  }

  /**
   * Delete the tuple in `slot`: its line pointer becomes unused (a later insert may reuse
   * the slot number) and its bytes become a hole for compaction to reclaim. Trailing unused
   * line pointers are removed. Returns false when the slot held no live tuple.
   */
  delete(slot: SlotId): boolean {
    if (!this.has(slot)) return false;
    this.#setLinePointer(slot, 0, LP_UNUSED, 0);
    let count = this.slotCount;
    while (count > 0 && this.#state(count - 1) === LP_UNUSED) count--;
    this.#setSlotCount(count);
    const anyUnused = this.#scanForUnusedSlot() >= 0;
    this.#setFlags(anyUnused ? this.#flags() | HAS_FREE_SLOTS : this.#flags() & ~HAS_FREE_SLOTS);
    if (count === 0) this.#setUpper(this.pageSize);
    return true;
  }

  /**
   * Slide every live tuple against the end of the page, in offset order, so the free space
   * is one gap; zero that gap. Slot numbers, tuple bytes and `freeSpace()` are unchanged.
   */
  compact(): void {
    const live: { slot: number; offset: number; length: number }[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.#state(slot) === LP_NORMAL) live.push({ slot, ...this.#linePointer(slot) });
    }
    // Highest offset first: each tuple moves towards the end by at least zero bytes, so a
    // move never overwrites a tuple not yet moved (copyWithin handles the overlap).
    live.sort((a, b) => b.offset - a.offset);
    let upper = this.pageSize;
    for (const { slot, offset, length } of live) {
      upper -= alignUp(length, MAXALIGN);
      if (upper !== offset) this.bytes.copyWithin(upper, offset, offset + length);
      this.#setLinePointer(slot, upper, LP_NORMAL, length);
    }
    this.bytes.fill(0, this.lower, upper);
    this.#setUpper(upper);
  }

  /** The live tuples in slot order, as [slot, copy of the bytes]. */
  *entries(): IterableIterator<[SlotId, Uint8Array]> {
    for (let slot = 0; slot < this.slotCount; slot++) {
      const tuple = this.get(slot as SlotId);
      if (tuple !== undefined) yield [slot as SlotId, tuple];
    }
  }

  /** The page as plain data: header fields and every line pointer. */
  layout(): PageLayout {
    const slots: PageSlotLayout[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) {
      const word = this.#view.getUint32(SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * slot, LITTLE_ENDIAN);
      slots.push({
        slot: slot as SlotId,
        state: LP_STATE_NAMES[(word >>> 15) & 0x3] as LinePointerState,
        offset: word & 0x7fff,
        length: word >>> 17,
      });
    }
    return {
      pageSize: this.pageSize,
      lsn: this.lsn,
      lower: this.lower,
      upper: this.upper,
      slotCount: this.slotCount,
      flags: this.#flags(),
      freeSpace: this.freeSpace(),
      fragmentedBytes: this.#fragmentedBytes(),
      slots,
    };
  }

  #checkTuple(tuple: Uint8Array): void {
    if (!(tuple instanceof Uint8Array) || tuple.byteLength === 0) {
      throw new DbError("invalid-argument", "a tuple is a non-empty Uint8Array", {
        length: tuple instanceof Uint8Array ? 0 : undefined,
      });
    }
    const max = SlottedPage.maxTupleSize(this.pageSize);
    if (tuple.byteLength > max) {
      throw new DbError(
        "tuple-too-large",
        `tuple of ${tuple.byteLength} bytes exceeds the maximum of ${max} for a ${this.pageSize}-byte page`,
        { size: tuple.byteLength, max, pageSize: this.pageSize },
      );
    }
  }

  /** Bytes in [upper, pageSize) not used by a live tuple. */
  #fragmentedBytes(): number {
    let used = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.#state(slot) === LP_NORMAL) used += alignUp(this.#linePointer(slot).length, MAXALIGN);
    }
    return this.pageSize - this.upper - used;
  }

  /** The lowest unused slot, or −1; the HAS_FREE_SLOTS hint spares the scan on most pages. */
  #firstUnusedSlot(): number {
    if ((this.#flags() & HAS_FREE_SLOTS) === 0) return -1;
    return this.#scanForUnusedSlot();
  }

  #scanForUnusedSlot(): number {
    for (let slot = 0; slot < this.slotCount; slot++) if (this.#state(slot) === LP_UNUSED) return slot;
    return -1;
  }

  #state(slot: number): number {
    return (this.#view.getUint32(SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * slot, LITTLE_ENDIAN) >>> 15) & 0x3;
  }

  #linePointer(slot: number): { offset: number; length: number } {
    const word = this.#view.getUint32(SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * slot, LITTLE_ENDIAN);
    const offset = word & 0x7fff;
    const length = word >>> 17;
    if (offset < this.upper || offset % MAXALIGN !== 0 || offset + length > this.pageSize) {
      throw new DbError("corrupt", `line pointer ${slot} points outside the tuple area: offset ${offset}, length ${length}`, {
        slot,
        offset,
        length,
        upper: this.upper,
        pageSize: this.pageSize,
      });
    }
    return { offset, length };
  }

  #setLinePointer(slot: number, offset: number, state: number, length: number): void {
    const word = (offset & 0x7fff) | ((state & 0x3) << 15) | (length << 17);
    this.#view.setUint32(SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * slot, word >>> 0, LITTLE_ENDIAN);
  }

  #setUpper(upper: number): void {
    this.#view.setUint16(OFF_UPPER, upper, LITTLE_ENDIAN);
  }

  #setSlotCount(count: number): void {
    this.#view.setUint16(OFF_SLOT_COUNT, count, LITTLE_ENDIAN);
    this.#view.setUint16(OFF_LOWER, SlottedPage.HEADER_SIZE + SlottedPage.LINE_POINTER_SIZE * count, LITTLE_ENDIAN);
  }

  #flags(): number {
    return this.#view.getUint16(OFF_FLAGS, LITTLE_ENDIAN);
  }

  #setFlags(flags: number): void {
    this.#view.setUint16(OFF_FLAGS, flags, LITTLE_ENDIAN);
  }
}
