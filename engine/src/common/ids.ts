/**
 * Typed ids
 * =========
 * A page id, a frame id and a slot number are all small integers, and mixing them up is
 * the classic buffer-pool bug: `replacer.recordAccess(pageId)` compiles and then evicts
 * the wrong frame. Each id here is a *branded* number: at run time it is a plain number
 * (no boxing, no cost), but the compiler refuses a `PageId` where a `FrameId` is wanted.
 * A bare number becomes an id through a constructor that checks its range (`pageId(7)`),
 * or, in hot paths that already know the value is valid, through a cast (`7 as PageId`).
 *
 * Sentinels. Ids that are stored in pages use the all-ones value of the width they are
 * stored in, as PostgreSQL does (`InvalidBlockNumber` = 0xFFFFFFFF), so a sentinel
 * survives a round trip through a `u32`/`u16` field unchanged:
 *
 *   | id      | stored as | valid range          | sentinel                      |
 *   |---------|-----------|----------------------|-------------------------------|
 *   | PageId  | u32       | 0 … 0xFFFF_FFFE      | INVALID_PAGE_ID = 0xFFFF_FFFF |
 *   | SlotId  | u16       | 0 … 0xFFFE           | INVALID_SLOT_ID = 0xFFFF      |
 *   | FrameId | (memory)  | 0 … frames − 1       | INVALID_FRAME_ID = −1         |
 *   | Lsn     | u64       | 1 … 2⁶⁴ − 1          | INVALID_LSN = 0               |
 *
 * A record id (`Rid`) names a tuple: the page it lives on and its slot in that page's
 * line-pointer array. It is PostgreSQL's `ctid`, printed the same way: `(page,slot)`.
 * One difference: PostgreSQL numbers line pointers from 1 (`OffsetNumber`, with 0 as the
 * invalid value); we number slots from 0, as array indexes are.
 */
import { DbError } from "./errors.js";

declare const brand: unique symbol;

/** `T` tagged with a compile-time-only `Name`, so ids of different kinds do not mix. */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

/** The number of a page on disk (PostgreSQL: `BlockNumber`). */
export type PageId = Brand<number, "PageId">;
/** The index of a frame (a page-sized slot of memory) in the buffer pool. */
export type FrameId = Brand<number, "FrameId">;
/** The index of a line pointer within a slotted page. */
export type SlotId = Brand<number, "SlotId">;
/** A log sequence number: a byte position in the write-ahead log (notebook 09). */
export type Lsn = Brand<bigint, "Lsn">;

/** A record id: where a tuple lives (PostgreSQL: `ItemPointerData`, shown as `ctid`). */
export interface Rid {
  readonly pageId: PageId;
  readonly slot: SlotId;
}

export const INVALID_PAGE_ID = 0xffff_ffff as PageId;
export const INVALID_SLOT_ID = 0xffff as SlotId;
export const INVALID_FRAME_ID = -1 as FrameId;
export const INVALID_LSN = 0n as Lsn;
export const INVALID_RID: Rid = Object.freeze({ pageId: INVALID_PAGE_ID, slot: INVALID_SLOT_ID });

/** The largest valid page id. */
export const MAX_PAGE_ID = (INVALID_PAGE_ID - 1) as PageId;
/** The largest valid slot number. */
export const MAX_SLOT_ID = (INVALID_SLOT_ID - 1) as SlotId;

function checkInteger(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new DbError("invalid-argument", `${what} must be an integer in 0…${max}, got ${String(value)}`, {
      what,
      value,
      max,
    });
  }
}

/** A page id from a number. Throws `invalid-argument` unless `n` is an integer in 0…MAX_PAGE_ID. */
export function pageId(n: number): PageId {
  checkInteger("page id", n, MAX_PAGE_ID);
  return n as PageId;
}

/** A frame id from a number. Throws `invalid-argument` unless `n` is a non-negative integer. */
export function frameId(n: number): FrameId {
  checkInteger("frame id", n, Number.MAX_SAFE_INTEGER);
  return n as FrameId;
}

/** A slot id from a number. Throws `invalid-argument` unless `n` is an integer in 0…MAX_SLOT_ID. */
export function slotId(n: number): SlotId {
  checkInteger("slot id", n, MAX_SLOT_ID);
  return n as SlotId;
}

/** A record id. Both parts are range-checked as by `pageId` and `slotId`. */
export function rid(page: number, slot: number): Rid {
  return { pageId: pageId(page), slot: slotId(slot) };
}

/** True when both record ids name the same tuple. */
export function ridEquals(a: Rid, b: Rid): boolean {
  return a.pageId === b.pageId && a.slot === b.slot;
}

/** `(page,slot)`, the way PostgreSQL prints a `ctid`. Also a convenient `Map` key. */
export function ridToString(r: Rid): string {
  return `(${r.pageId},${r.slot})`;
}
