/**
 * Free-space map (the contract)
 * =============================
 * Where can a new tuple of N bytes go? A table heap asks its free-space map instead of
 * reading every page: the map keeps, per page, a coarse category of its free space, and
 * answers `find(N)` with a page that has room. The heap takes this interface, so a
 * learner's map plugs in: `new HeapFile(pool, myMap)`.
 *
 *   category(free) = ⌊free / step⌋, capped at 255,          step = pageSize / 256
 *   find(N) → the lowest recorded page with category ≥ ⌈N / step⌉ (at least 1)
 *
 * A page's life in the map:
 *
 *   unrecorded ──record(p, free)──► recorded (category of free) ──record──► recorded …
 *        ▲                                     │
 *        └──────────────── forget(p) ──────────┘
 *
 * Guarantees every map keeps: it is conservative (the recorded space rounds down, the
 * request up, so a page `find` returns has room as long as its entry is up to date); an
 * unrecorded or forgotten page is never returned; `find` returns the lowest page id that
 * fits, so every map makes the same choices; bad input (a negative or non-integer page id,
 * free-space amount or request) is `invalid-argument` and changes nothing. When a page has
 * less room than the map says (the map is out of date), the heap records the page's real
 * free space and asks again.
 *
 * The engine's map is `FreeSpaceTree` (free-space-tree.ts, a binary max-tree as
 * PostgreSQL's FSM pages are); exercise 04.1 writes one.
 */
import type { PageId } from "../common/ids.js";

/** Categories a page's free space is recorded in: one byte per page, as in PostgreSQL. */
export const FSM_CATEGORIES = 256;

/** One recorded page, as plain data (PostgreSQL: `pg_freespace(rel)`). */
export interface FreeSpaceEntry {
  readonly pageId: PageId;
  readonly category: number;
  /** The free space the category guarantees: category × step. */
  readonly freeBytes: number;
}

export interface FreeSpaceMap {
  /** The page size the map was made for; a heap refuses a map made for another. */
  readonly pageSize: number;
  /** Bytes per category: pageSize / 256. */
  readonly step: number;
  /** The category that records `freeBytes` of free space (rounded down, at most 255). */
  categoryOf(freeBytes: number): number;
  /** Record that `pageId` has `freeBytes` free. `invalid-argument` for bad input. */
  record(pageId: PageId, freeBytes: number): void;
  /** Forget `pageId`: `find` no longer returns it. Nothing for an unrecorded page. */
  forget(pageId: PageId): void;
  /** The free space guaranteed for `pageId` (category × step), or `undefined` if not recorded. */
  get(pageId: PageId): number | undefined;
  /**
   * The lowest recorded page with at least `needed` bytes free, or `undefined` if none (or
   * `needed` is more than the largest category promises). `invalid-argument` for bad input.
   */
  find(needed: number): PageId | undefined;
  /** Every recorded page in id order, as plain data. */
  snapshot(): FreeSpaceEntry[];
}

/** How a map is built: the engine's `FreeSpaceTree` and exercise 04.1's class both fit. */
export type FreeSpaceMapConstructor = new (pageSize?: number) => FreeSpaceMap;
