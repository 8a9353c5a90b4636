/**
 * Buffer pool (the contract)
 * ==========================
 * Pages live on disk; a buffer pool keeps a fixed number of them in memory, in *frames*,
 * so that most accesses never touch the disk. Everything above the disk (the heap, the
 * B+tree, later the WAL and the executor) reaches pages only through this interface, so a
 * learner's pool plugs in wherever the engine's `BufferPoolManager` does:
 *
 *   new HeapFile(myPool)            BPlusTree.create(myPool, …)
 *
 * Callers ask for a page by id and get its bytes *pinned*; a pinned frame is never reused.
 * When done they unpin it, saying whether they changed it (*dirty*). A page's life in a pool:
 *
 *                 fetchPage / newPage                      unpinPage (last pin)
 *   on disk only ─────────────────────► resident, pinned ─────────────────────► resident, unpinned
 *        ▲   ▲                            ▲      │ fetchPage (+1 pin)                │   │
 *        │   │                            └──────┘◄──────────── fetchPage ──────────┘   │
 *        │   └───────── evicted (written back first if dirty) ──────────────────────────┤
 *        │                                                                               │
 *        └── newPage may hand the id out again ◄── deleted ◄──── deletePage ─────────────┘
 *
 * Guarantees every implementation keeps:
 * - A pinned page stays in its frame: its `data` is valid until the matching `unpinPage`.
 * - A dirty page is written to disk before its frame holds another page; `deletePage` is
 *   the one exception (a deleted page's changes are dropped on purpose).
 * - Bad input gets a typed `DbError` and changes nothing: `out-of-range` (a page the disk
 *   does not have), `invalid-state` (unpin without a pin, deleting a pinned page, using a
 *   deleted page), `no-free-frame` (every frame pinned: the message names the pool size).
 * - Errors from the disk propagate and leave the pool usable.
 *
 * The engine's implementation is `BufferPoolManager` (buffer-pool-manager.ts), with a
 * `Replacer` (replacer.ts) choosing victims; exercise 03.3 writes one.
 */
import type { FrameId, PageId } from "../common/ids.js";
import type { DiskManager } from "./disk-manager.js";
import type { ReadPageGuard, WritePageGuard } from "./page-guard.js";
import type { Replacer } from "./replacer.js";

/** What a pool is made from: `new BufferPoolManager({ frames, disk, replacer })`. */
export interface BufferPoolOptions {
  /** The number of frames (pages held in memory at once), ≥ 1. */
  frames: number;
  disk: DiskManager;
  /** The eviction policy, made for the same number of frames (its `capacity` ≥ frames). */
  replacer: Replacer;
}

/** A page pinned by `newPage` or `fetchPage`: valid until the matching `unpinPage`. */
export interface PinnedPage {
  readonly pageId: PageId;
  readonly frameId: FrameId;
  /** The frame's bytes (not a copy): changes here are the page's changes. */
  readonly data: Uint8Array;
}

export interface BufferPoolStats {
  /** Fetches of a resident page. */
  readonly hits: number;
  /** Fetches that had to read the page from disk. */
  readonly misses: number;
  /** Frames taken from one page for another (via the replacer). */
  readonly evictions: number;
  /** Pages read from disk. */
  readonly reads: number;
  /** Pages written to disk: dirty evictions and flushes. */
  readonly writes: number;
}

/** One frame as plain data, like a row of PostgreSQL's `pg_buffercache`. */
export interface FrameSnapshot {
  readonly frameId: FrameId;
  /** `undefined` for a free frame. */
  readonly pageId: PageId | undefined;
  readonly pinCount: number;
  readonly isDirty: boolean;
}

export interface BufferPool {
  /** The number of frames. */
  readonly poolSize: number;
  /** Bytes per page: the disk's page size. */
  readonly pageSize: number;

  /** Hits, misses, evictions, reads and writes since creation or `resetStats()` (a copy). */
  readonly stats: BufferPoolStats;
  /** Zero the counters. */
  resetStats(): void;

  /**
   * Allocate a page on disk and return it pinned, in a zero-filled frame, clean. Throws
   * `no-free-frame` when every frame is pinned; no page is allocated then.
   */
  newPage(): PinnedPage;

  /**
   * Pin page `pageId` and return it, reading it from disk on a miss. Throws `out-of-range`
   * for a page the disk does not have, `invalid-state` for a deleted page, and
   * `no-free-frame` when the page is not resident and every frame is pinned.
   */
  fetchPage(pageId: PageId): PinnedPage;

  /**
   * Give back one pin; `isDirty` true records that the caller changed the page (false never
   * clears an earlier true). Throws `invalid-state` when the page is not resident or not pinned.
   */
  unpinPage(pageId: PageId, isDirty: boolean): void;

  /** Write the page if it is resident and dirty (pinned or not), and mark it clean; false when not resident. */
  flushPage(pageId: PageId): boolean;

  /** `flushPage` for every resident page. No sync: call `disk.sync()` for durability. */
  flushAll(): void;

  /**
   * Drop the page without writing it back and deallocate it on disk (when the disk can).
   * Until `newPage` hands the id out again, `fetchPage` and `deletePage` of it throw
   * `invalid-state`. Throws `invalid-state` (with the pin count) for a pinned page and
   * `out-of-range` for a page the disk does not have; nothing changes then.
   */
  deletePage(pageId: PageId): void;

  /** Pin for reading, as `fetchPage`; the guard unpins (clean) on release. */
  readPage(pageId: PageId): ReadPageGuard;
  /** Pin for writing, as `fetchPage`; the guard unpins and marks the page dirty on release. */
  writePage(pageId: PageId): WritePageGuard;
  /** A new page, as `newPage`, held by a write guard. */
  newPageGuarded(): WritePageGuard;

  /** Run `fn` on the page's bytes, pinned for reading; unpinned afterwards even if `fn` throws. */
  withReadPage<T>(pageId: PageId, fn: (data: Uint8Array) => T): T;
  /** As `withReadPage`, pinned for writing: the page is marked dirty afterwards. */
  withWritePage<T>(pageId: PageId, fn: (data: Uint8Array) => T): T;

  /** The pin count of `pageId`, or `undefined` when it is not resident. */
  pinCount(pageId: PageId): number | undefined;
  /** Whether `pageId` has changes not yet written back, or `undefined` when it is not resident. */
  isDirty(pageId: PageId): boolean | undefined;
  /** True when `pageId` is in a frame. */
  isResident(pageId: PageId): boolean;
  /** Every frame as plain data, in frame order (PostgreSQL: `SELECT * FROM pg_buffercache`). */
  snapshot(): FrameSnapshot[];
}

/** How a pool is built: the engine's `BufferPoolManager` and exercise 03.3's class both fit. */
export type BufferPoolConstructor = new (options: BufferPoolOptions) => BufferPool;
