/**
 * Page size
 * =========
 * The unit of every transfer between disk and memory. We use 8192 bytes by default, the
 * same as PostgreSQL's `BLCKSZ`, so that the numbers in notebook 02 (the lower and upper
 * pointers of a page, tuples per page) can be set next to `pageinspect`'s output for a
 * real PostgreSQL page. (BusTub and SQLite default to 4096, the size of an OS memory
 * page and of most SSD sectors; both choices are common.)
 *
 * A page size is a power of two from 256 to 32768 bytes. The upper bound is PostgreSQL's
 * too: line pointers store offsets and lengths in 15 bits. The lower bound keeps a page
 * large enough to hold a header, a line pointer and a small tuple; tests use small pages
 * so that "the page is full" happens after a handful of inserts.
 */
import { DbError } from "../common/errors.js";

export const DEFAULT_PAGE_SIZE = 8192;
export const MIN_PAGE_SIZE = 256;
export const MAX_PAGE_SIZE = 32768;

/** Throw `invalid-argument` unless `pageSize` is a power of two in MIN_PAGE_SIZE…MAX_PAGE_SIZE. */
export function checkPageSize(pageSize: number): void {
  const powerOfTwo = Number.isInteger(pageSize) && pageSize > 0 && (pageSize & (pageSize - 1)) === 0;
  if (!powerOfTwo || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE) {
    throw new DbError(
      "invalid-argument",
      `page size must be a power of two from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`,
      { pageSize },
    );
  }
}
