/**
 * Slotted heap page (the contract)
 * ================================
 * A `HeapPage` (heap-page.ts) with PostgreSQL's slotted layout, whose header and line
 * pointers can be read: what notebook 02's cells and the PostgreSQL comparisons rely on,
 * so a learner's page (exercise 02.1) plugs in wherever the engine's `SlottedPage` does,
 * and, being a `HeapPageFormat` too, under a table heap (notebook 04).
 *
 *   0        16      20      24      28 = lower                upper                    pageSize
 *   | header | lp 0  | lp 1  | lp 2  | →      free space       ← | tuple 2 | tuple 1 | tuple 0 |
 *                                                                 ↑ tuples start at multiples of 8
 *
 *   header, 16 bytes, little-endian:
 *   | lsn u64 (0) | lower u16 (8) | upper u16 (10) | slotCount u16 (12) | flags u16 (14) |
 *
 *   line pointer, 4 bytes at 16 + 4 × slot, one u32 (PostgreSQL's ItemIdData bits):
 *   | offset: bits 0–14 | state: bits 15–16 | length: bits 17–31 |
 *     state LP_UNUSED 0, LP_NORMAL 1; LP_REDIRECT 2 and LP_DEAD 3 are kept for MVCC (notebook 08)
 *
 * What it adds to `HeapPage`, and what each part guarantees:
 * - `lower` (= 16 + 4 × slotCount) and `upper` (a multiple of 8; the page size when the
 *   page holds no tuple) with 16 ≤ lower ≤ upper ≤ pageSize; `lsn`, the page LSN.
 * - `compact()` slides the live tuples against the end of the page, in offset order, and
 *   zeroes the gap: slot numbers, tuple bytes and `freeSpace()` do not change. Inserts and
 *   updates that need the room compact by themselves.
 * - `layout()` returns the header and every line pointer as plain data (`PageLayout`),
 *   what pageinspect's `page_header` and `heap_page_items` show for a PostgreSQL page.
 * - The format (the class) formats a page with an LSN (`init(bytes, lsn)`) and names the
 *   sizes of the header and of a line pointer.
 *
 * Bad input, as for every `HeapPage`: `invalid-argument` (a page size that is not a power
 * of two from 256 to 32768, an empty tuple), `tuple-too-large`, `out-of-range` (updating a
 * slot with no tuple), `corrupt` (viewing a page never formatted, or whose header or a line
 * pointer breaks the invariants above).
 *
 * The engine's page is `SlottedPage`; exercise 02.1 writes one.
 */
import type { Lsn, SlotId } from "../common/ids.js";
import type { HeapPage, HeapPageFormat } from "./heap-page.js";

/** Line-pointer states, named and numbered as in PostgreSQL's itemid.h. */
export const LP_UNUSED = 0;
export const LP_NORMAL = 1;
export const LP_REDIRECT = 2;
export const LP_DEAD = 3;

/** A line pointer's state by name: index i names state i. */
export const LP_STATE_NAMES = ["unused", "normal", "redirect", "dead"] as const;
export type LinePointerState = (typeof LP_STATE_NAMES)[number];

/** One line pointer, as plain data. */
export interface PageSlotLayout {
  readonly slot: SlotId;
  readonly state: LinePointerState;
  /** Where the tuple starts in the page (0 for an unused pointer). */
  readonly offset: number;
  /** The tuple's length in bytes (0 for an unused pointer). */
  readonly length: number;
}

/** A page as plain data, for drawing it next to pageinspect's `page_header` and `heap_page_items`. */
export interface PageLayout {
  readonly pageSize: number;
  readonly lsn: Lsn;
  readonly lower: number;
  readonly upper: number;
  readonly slotCount: number;
  readonly flags: number;
  /** What `freeSpace()` returns: the largest tuple an insert would accept now. */
  readonly freeSpace: number;
  /** Bytes between upper and pageSize that no live tuple uses (reclaimed by compaction). */
  readonly fragmentedBytes: number;
  readonly slots: readonly PageSlotLayout[];
}

/** A view over one formatted slotted page's bytes. */
export interface SlottedHeapPage extends HeapPage {
  /** The page LSN: the last WAL record that changed this page (notebook 09); settable. */
  lsn: Lsn;
  /** The end of the line-pointer array: 16 + 4 × slotCount. */
  readonly lower: number;
  /** The start of the tuple area: a multiple of 8, the page size when no tuple is stored. */
  readonly upper: number;
  /** Slide every live tuple against the end of the page; slots, tuples and `freeSpace()` stay as they were. */
  compact(): void;
  /** The header and every line pointer, as plain data. */
  layout(): PageLayout;
}

/** The class side: `Page.init(bytes, lsn)`, `new Page(bytes)`, and the layout's constants. */
export interface SlottedHeapPageFormat extends HeapPageFormat {
  /** A view over an already formatted page; `corrupt` if it is new or its header is inconsistent. */
  new (bytes: Uint8Array): SlottedHeapPage;
  /** Format `bytes` as an empty page (all zeros but the header, stamped with `lsn`, default 0) and return a view on it. */
  init(bytes: Uint8Array, lsn?: Lsn): SlottedHeapPage;
  /** Bytes of the page header: 16. */
  readonly HEADER_SIZE: number;
  /** Bytes of one line pointer: 4. */
  readonly LINE_POINTER_SIZE: number;
}
