/**
 * Disk manager
 * ============
 * The lowest layer: it moves whole pages between a file and memory. Everything above it
 * (the buffer pool, the heap, the B+tree) sees the database as an array of fixed-size
 * pages numbered 0 … pageCount − 1, and never a byte offset in a file:
 *
 *   file:  | page 0 | page 1 | page 2 | …          page p lives at byte p × pageSize
 *          0        8192     16384
 *
 * This file is the contract; the engine's implementations are `MemoryDiskManager` (tests,
 * notebooks) and `FileDiskManager` (a real file). A page id's life:
 *
 *   beyond pageCount ──allocatePage──► allocated: reads as zeros ──writePage──► holds bytes
 *                                        ▲         │                              │ (writePage: new bytes)
 *                                        │         └───── deallocatePage ─────────┴──► deallocated
 *                                        └──── allocatePage reuses it (zeros again) ◄──┘
 *
 * Ids are never taken back: `pageCount` only grows.
 *
 * Contract, for every implementation:
 * - Transfers are page-granular: every buffer passed in has exactly `pageSize` bytes.
 * - A page that was allocated but never written reads as zeros (PostgreSQL calls such a
 *   page "new"; the layer above formats it on first use).
 * - `writePage` hands the bytes to the operating system; only `sync()` makes every
 *   write before it durable (fsync). A crash may lose any write not followed by a
 *   completed `sync()`. `close()` does not sync.
 * - Bad input (a page id never allocated, a buffer of the wrong size, use after close)
 *   gets a typed `DbError` and changes nothing.
 *
 * Synchronous, deliberately. The interface is blocking (`readPage` returns when the bytes
 * are in `into`), and the file implementation uses Node's `readSync`/`writeSync`/
 * `fsyncSync`, which are plain pread/pwrite/fsync system calls. Reasons:
 * - A buffer-pool miss happens in the middle of a B+tree descent or a scan; an async disk
 *   would turn every layer above into async functions and every notebook cell into a
 *   chain of awaits, for no gain in a single-user engine.
 * - While a page read is awaited, other code could run and touch the same frame; that
 *   needs latches, which only arrive with concurrency control (notebook 07). Blocking
 *   calls keep one operation at a time, as a PostgreSQL backend is one process that blocks
 *   in read(2).
 * - The cost, blocking Node's event loop for the duration of a read, matters to a server
 *   with many clients, not to a notebook; the wire-protocol server (notebook 13) runs the
 *   engine one statement at a time anyway.
 *
 * Simpler than PostgreSQL: one file holds every page of the database (PostgreSQL has one
 * file per relation and fork, split into 1 GB segments, behind its `smgr` layer); the
 * page size is not recorded in the file; the list of deallocated pages lives in memory
 * only (after a restart they are leaked, not reused; PostgreSQL finds free space through
 * the free-space map instead and returns trailing empty pages with truncation).
 */
import { DbError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";

export interface DiskManager {
  /** Bytes per page. Every buffer passed to `readPage` or `writePage` has this length. */
  readonly pageSize: number;

  /** The number of pages in the file: the valid page ids are 0 … pageCount − 1. */
  readonly pageCount: number;

  /**
   * Copy page `pageId` into `into` (exactly `pageSize` bytes). A page allocated but never
   * written reads as zeros. Throws `out-of-range` for an id ≥ pageCount, `invalid-argument`
   * for a buffer of the wrong size, `invalid-state` after `close()`, `io` if the OS fails.
   */
  readPage(pageId: PageId, into: Uint8Array): void;

  /**
   * Write `bytes` (exactly `pageSize` of them) as page `pageId`. Returns once the OS has
   * the bytes; they are durable only after the next `sync()`. Errors as for `readPage`.
   */
  writePage(pageId: PageId, bytes: Uint8Array): void;

  /**
   * Reserve a page and return its id: a deallocated page if there is one, else a new page
   * at the end of the file. The page reads as zeros. Throws `invalid-state` after close.
   */
  allocatePage(): PageId;

  /**
   * Give page `pageId` back for reuse by a later `allocatePage`. Optional: a disk manager
   * may never reuse pages. Throws `out-of-range` for an id ≥ pageCount and `invalid-state`
   * for a page already deallocated.
   */
  deallocatePage?(pageId: PageId): void;

  /** Make every write and allocation so far durable (fsync). Throws `io` if the OS fails. */
  sync(): void;

  /** Release the file. Does not sync. Later calls throw `invalid-state`; a second close does nothing. */
  close(): void;
}

/** Counters kept by the workbook's disk managers, for measuring I/O in the notebooks. */
export interface DiskStats {
  readonly reads: number;
  readonly writes: number;
  readonly syncs: number;
  readonly allocations: number;
}

/** The contract's check on a page id: throws `out-of-range` unless 0 ≤ pageId < pageCount. */
export function checkPageId(pageId: PageId, pageCount: number): void {
  if (!Number.isInteger(pageId) || pageId < 0 || pageId >= pageCount) {
    throw new DbError("out-of-range", `page ${String(pageId)} does not exist (the file has ${pageCount} pages)`, {
      pageId,
      pageCount,
    });
  }
}

/** The contract's check on a buffer: throws `invalid-argument` unless it has exactly `pageSize` bytes. */
export function checkPageBuffer(bytes: Uint8Array, pageSize: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== pageSize) {
    const length = bytes instanceof Uint8Array ? bytes.byteLength : undefined;
    throw new DbError("invalid-argument", `a page buffer must have ${pageSize} bytes, got ${String(length)}`, {
      pageSize,
      length,
    });
  }
}
