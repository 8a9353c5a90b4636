/**
 * Free-space tree
 * ===============
 * The engine's `FreeSpaceMap` (the contract, with its guarantees, is in free-space-map.ts).
 *
 * Where can a new tuple of N bytes go? Reading every page to find out would make each
 * insert a full scan, so the heap keeps a coarse summary: one byte per page, the page's
 * free space in 256 categories (PostgreSQL's FSM does the same: with 8 KB pages, each
 * category is 32 bytes wide).
 *
 *   category(page) = ⌊freeBytes / step⌋, capped at 255,      step = pageSize / 256
 *   a search for N bytes wants category ≥ ⌈N / step⌉ (at least 1)
 *
 * Rounding the recorded space down and the request up makes the map conservative: a page
 * it returns really has room (as long as its entry is up to date), at the price of
 * sometimes missing a page with a few bytes more than recorded.
 *
 * The categories are the leaves of a binary max-tree, so a search is O(log pages): each
 * inner node holds the largest category below it, and the search walks down towards the
 * leftmost leaf that is big enough. PostgreSQL's FSM pages are organised the same way.
 *
 *   inner nodes:            [ 9 ]                 max of the children
 *                       [ 9 ]     [ 4 ]
 *   leaves (pages 0–3): [ 2 ][ 9 ][ 4 ][ 0 ]      find(5 × step) → page 1
 *
 * Invariants: every inner node is the max of its two children; the leaf count is a power
 * of two that grows by doubling when a larger page id is recorded; a page that was
 * never recorded (or was forgotten) has category 0 and is never returned.
 *
 * Simpler than PostgreSQL: the map lives in memory only (PostgreSQL stores it in its own
 * fork of the relation, not WAL-logged, and rebuilds it with VACUUM; we rebuild it by
 * reading the heap's pages on open); the search always returns the lowest page that fits
 * (PostgreSQL remembers where the last search ended, `fp_next_slot`, to spread concurrent
 * inserters over different pages).
 */
import { DbError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";
import { FSM_CATEGORIES, type FreeSpaceEntry, type FreeSpaceMap } from "./free-space-map.js";
import { DEFAULT_PAGE_SIZE, checkPageSize } from "./page-size.js";

export class FreeSpaceTree implements FreeSpaceMap {
  readonly pageSize: number;
  /** Bytes per category: pageSize / 256. */
  readonly step: number;
  /** tree[1] is the root; the children of i are 2i and 2i + 1; leaves start at `#leaves`. */
  #tree: Uint8Array;
  #recorded: Uint8Array;
  #leaves: number;

  /** An empty map for pages of `pageSize` bytes. */
  constructor(pageSize: number = DEFAULT_PAGE_SIZE) {
    checkPageSize(pageSize);
    this.pageSize = pageSize;
    this.step = pageSize / FSM_CATEGORIES;
    this.#leaves = 8;
    this.#tree = new Uint8Array(2 * this.#leaves);
    this.#recorded = new Uint8Array(this.#leaves);
  }

  /** The category that records `freeBytes` of free space (rounded down, at most 255). */
  categoryOf(freeBytes: number): number {
    return Math.min(FSM_CATEGORIES - 1, Math.floor(Math.max(0, freeBytes) / this.step));
  }

  /**
   * Record that page `pageId` has `freeBytes` free (for a slotted page: its `freeSpace()`).
   * Throws `invalid-argument` for a negative or non-integer page id or free-space amount.
   */
  record(pageId: PageId, freeBytes: number): void {
    if (!Number.isInteger(pageId) || pageId < 0) {
      throw new DbError("invalid-argument", `page id must be a whole number ≥ 0, got ${String(pageId)}`, { pageId });
    }
    if (!Number.isInteger(freeBytes) || freeBytes < 0) {
      throw new DbError("invalid-argument", `free space must be a whole number of bytes ≥ 0, got ${String(freeBytes)}`, {
        pageId,
        freeBytes,
      });
    }
    while (pageId >= this.#leaves) this.#grow();
    this.#recorded[pageId] = 1;
    this.#set(pageId, this.categoryOf(freeBytes));
  }

  /** Forget page `pageId` (it left the heap): it will not be returned by `find`. */
  forget(pageId: PageId): void {
    if (!Number.isInteger(pageId) || pageId < 0 || pageId >= this.#leaves) return;
    this.#recorded[pageId] = 0;
    this.#set(pageId, 0);
  }

  /** The free space the map guarantees for `pageId` (category × step), or `undefined` if never recorded. */
  get(pageId: PageId): number | undefined {
    if (!Number.isInteger(pageId) || pageId < 0 || pageId >= this.#leaves || this.#recorded[pageId] === 0) {
      return undefined;
    }
    return (this.#tree[this.#leaves + pageId] as number) * this.step;
  }

  /**
   * The lowest page id recorded with at least `needed` bytes free, or `undefined` if there
   * is none (or `needed` is more than the largest category can promise). O(log pages).
   * Throws `invalid-argument` for a negative or non-integer `needed`.
   */
  find(needed: number): PageId | undefined {
    if (!Number.isInteger(needed) || needed < 0) {
      throw new DbError("invalid-argument", `needed space must be a whole number of bytes ≥ 0, got ${String(needed)}`, {
        needed,
      });
    }
    const want = Math.max(1, Math.ceil(needed / this.step));
    if (want >= FSM_CATEGORIES || (this.#tree[1] as number) < want) return undefined;
    let node = 1;
    while (node < this.#leaves) {
      node = (this.#tree[2 * node] as number) >= want ? 2 * node : 2 * node + 1;
    }
    return (node - this.#leaves) as PageId;
  }

  /** Every recorded page in id order, as plain data. */
  snapshot(): FreeSpaceEntry[] {
    const out: FreeSpaceEntry[] = [];
    for (let pageId = 0; pageId < this.#leaves; pageId++) {
      if (this.#recorded[pageId] === 0) continue;
      const category = this.#tree[this.#leaves + pageId] as number;
      out.push({ pageId: pageId as PageId, category, freeBytes: category * this.step });
    }
    return out;
  }

  #set(pageId: number, category: number): void {
    let node = this.#leaves + pageId;
    this.#tree[node] = category;
    // Restore "inner node = max of its children" on the path to the root.
    for (node >>= 1; node >= 1; node >>= 1) {
      this.#tree[node] = Math.max(this.#tree[2 * node] as number, this.#tree[2 * node + 1] as number);
    }
  }

  #grow(): void {
    const oldLeaves = this.#leaves;
    const leaves = oldLeaves * 2;
    const tree = new Uint8Array(2 * leaves);
    tree.set(this.#tree.subarray(oldLeaves, 2 * oldLeaves), leaves);
    for (let node = leaves - 1; node >= 1; node--) {
      tree[node] = Math.max(tree[2 * node] as number, tree[2 * node + 1] as number);
    }
    const recorded = new Uint8Array(leaves);
    recorded.set(this.#recorded);
    this.#tree = tree;
    this.#recorded = recorded;
    this.#leaves = leaves;
  }
}
