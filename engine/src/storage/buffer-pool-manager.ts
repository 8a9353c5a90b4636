/**
 * Buffer pool manager
 * ===================
 * The engine's `BufferPool` (the contract, with its guarantees, is in buffer-pool.ts).
 *
 * Pages live on disk; the pool keeps a fixed number of them in memory, in *frames*, so
 * that most accesses never touch the disk. Callers ask for a page by id and get its bytes
 * *pinned*: a pinned frame is never reused. When they are done they unpin it, saying
 * whether they changed it (*dirty*). When a page that is not resident is wanted, the pool
 * takes a free frame or, failing that, asks the replacer for a victim among the unpinned
 * frames, writes the victim back if it is dirty, and reads the wanted page in its place.
 *
 *   page table                frames (one ArrayBuffer, frames × pageSize bytes)
 *   ┌─────────┬───────┐      ┌──────────────┬──────────────┬──────────────┬─────
 *   │ page 12 │ → 0   │      │ frame 0      │ frame 1      │ frame 2      │ …
 *   │ page 3  │ → 2   │      │ page 12      │ (free)       │ page 3       │
 *   └─────────┴───────┘      │ pin 1, dirty │              │ pin 0, clean │
 *                            └──────────────┴──────────────┴──────────────┴─────
 *   free list: [1]           replacer: knows frame 2 is evictable, frame 0 is not
 *
 *   fetchPage(p):  resident? ── yes ─► pin, recordAccess → hit
 *                     │ no
 *                     ▼
 *                  free frame? ── no ─► replacer.evict() ── none ─► DbError "no-free-frame"
 *                     │ yes                  │ victim
 *                     │                      ▼
 *                     │              dirty? write it back; drop it from the page table
 *                     ▼                      │
 *                  read p into the frame ◄───┘, pin, recordAccess → miss
 *
 * The hit path is what every page access pays, so it is kept to a few array reads: the
 * page table is an Int32Array indexed by page id (page ids are dense, 0 … pageCount − 1,
 * so it needs no hashing; it grows with the largest resident id), pin counts and dirty
 * bits are typed arrays indexed by frame, each resident page has one `PinnedPage` handle
 * made when it is read in (a hit allocates nothing), the replacer hears `setEvictable`
 * only when the pin count crosses 0, and the page id is validated only on a miss (a
 * typed array answers `undefined` for any id that is not a resident page's). That made a
 * hit with the clock replacer about 2–4× a bare `Map.get`, from 4–5× with a `Map` page
 * table and a new handle per fetch.
 *
 * Invariants:
 * - The page table maps exactly the resident pages to their frames; a frame is either on
 *   the free list or holds exactly one page.
 * - A frame with pinCount > 0 is not evictable in the replacer and is never reused.
 * - A dirty page is written to disk before its frame holds another page; `deletePage`
 *   is the one exception: a deleted page's changes are dropped on purpose.
 * - Bad input (an unknown page, an unpin without a pin, deleting a pinned page) gets a
 *   typed `DbError` and changes nothing.
 *
 * Compared with PostgreSQL's buffer manager (bufmgr.c): the same page table (there a hash
 * table from buffer tag to buffer id, as tags are not dense), pin counts, dirty bits and
 * clock sweep (when the replacer is a `ClockReplacer`). Left out for now: the WAL rule (a dirty page
 * may be written only after the log records describing its changes are durable:
 * notebook 09), a background writer and checkpointer, ring buffers for big scans, and
 * the locks that let many backends share the pool (notebook 07).
 */
import { DbError, invariant } from "../common/errors.js";
import type { FrameId, PageId } from "../common/ids.js";
import { checkPageId, type DiskManager } from "./disk-manager.js";
import type { BufferPool, BufferPoolOptions, BufferPoolStats, FrameSnapshot, PinnedPage } from "./buffer-pool.js";
import { ReadPageGuard, WritePageGuard } from "./page-guard.js";
import type { Replacer } from "./replacer.js";

/** Page-table entry of a page that is not resident; `#pageOf` entry of a free frame. */
const NO_FRAME = -1;
const NO_PAGE = -1;

export class BufferPoolManager implements BufferPool {
  readonly poolSize: number;
  readonly pageSize: number;
  readonly disk: DiskManager;
  readonly replacer: Replacer;
  readonly #frames: Uint8Array[];
  /** The page table: page id → frame, NO_FRAME when not resident; grown to the largest resident id. */
  #frameOf: Int32Array;
  /** Per frame: its page id (NO_PAGE when free), pin count, dirty bit, and the handle `fetchPage` returns. */
  readonly #pageOf: Int32Array;
  readonly #pinCount: Int32Array;
  readonly #isDirty: Uint8Array;
  readonly #handles: (PinnedPage | undefined)[];
  /** Pages deleted and not handed out again by `newPage`: fetching them is a caller's bug. */
  readonly #deleted = new Set<PageId>();
  /** Free frames; popped from the end, so frame 0 is used first. */
  readonly #freeList: FrameId[];
  #stats = { hits: 0, misses: 0, evictions: 0, reads: 0, writes: 0 };

  /**
   * A pool of `frames` empty frames over `disk`, evicting by `replacer`. Throws
   * `invalid-argument` when `frames` is not an integer ≥ 1, or when the replacer's `capacity`
   * says it was made for fewer frames.
   */
  constructor(options: BufferPoolOptions) {
    const { frames, disk, replacer } = options;
    if (!Number.isInteger(frames) || frames < 1) {
      throw new DbError("invalid-argument", `a buffer pool needs a whole number of frames ≥ 1, got ${String(frames)}`, {
        frames,
      });
    }
    const capacity = replacer.capacity;
    if (!(capacity >= frames)) {
      throw new DbError("invalid-argument", `the replacer was made for ${capacity} frames, the pool has ${frames}`, {
        frames,
        replacerCapacity: capacity,
      });
    }
    this.poolSize = frames;
    this.pageSize = disk.pageSize;
    this.disk = disk;
    this.replacer = replacer;
    const memory = new Uint8Array(frames * disk.pageSize);
    this.#frames = Array.from({ length: frames }, (_, f) => memory.subarray(f * disk.pageSize, (f + 1) * disk.pageSize));
    this.#frameOf = new Int32Array(Math.max(64, disk.pageCount)).fill(NO_FRAME);
    this.#pageOf = new Int32Array(frames).fill(NO_PAGE);
    this.#pinCount = new Int32Array(frames);
    this.#isDirty = new Uint8Array(frames);
    this.#handles = new Array<PinnedPage | undefined>(frames).fill(undefined);
    this.#freeList = Array.from({ length: frames }, (_, f) => (frames - 1 - f) as FrameId);
  }

  /** Hits, misses, evictions, reads and writes since creation or `resetStats()` (a copy). */
  get stats(): BufferPoolStats {
    return { ...this.#stats };
  }

  /** Zero the counters, e.g. between the warm-up and the measured part of a benchmark. */
  resetStats(): void {
    this.#stats = { hits: 0, misses: 0, evictions: 0, reads: 0, writes: 0 };
  }

  /**
   * Allocate a new page on disk and return it pinned, in a frame filled with zeros (what
   * the disk holds for it, so the page starts clean). Throws `no-free-frame` (naming the
   * pool size) when every frame is pinned; no page is allocated then.
   */
  newPage(): PinnedPage {
    const frame = this.#acquireFrame(undefined);
    let pageId: PageId;
    try {
      pageId = this.disk.allocatePage();
    } catch (error) {
      this.#freeList.push(frame);
      throw error;
    }
    this.#deleted.delete(pageId);
    (this.#frames[frame] as Uint8Array).fill(0);
    this.#install(frame, pageId);
    return this.#pin(frame);
  }

  /**
   * Pin page `pageId` and return it, reading it from disk if it is not resident. Throws
   * `out-of-range` for a page the disk does not have, `invalid-state` for a deleted page,
   * and `no-free-frame` (naming the pool size) when the page is not resident and every
   * frame is pinned; nothing changes then.
   */
  fetchPage(pageId: PageId): PinnedPage {
    // The hit path, kept short: a bad id is never in the table (a typed array answers
    // undefined for a negative, fractional or too-large index), so it is checked on a miss.
    const resident = this.#frameOf[pageId];
    if (resident !== undefined && resident !== NO_FRAME) {
      this.#stats.hits++;
      return this.#pin(resident as FrameId);
    }
    checkPageId(pageId, this.disk.pageCount);
    this.#checkNotDeleted(pageId);
    const frame = this.#acquireFrame(pageId);
    try {
      this.disk.readPage(pageId, this.#frames[frame] as Uint8Array);
    } catch (error) {
      this.#freeList.push(frame);
      throw error;
    }
    this.#stats.misses++;
    this.#stats.reads++;
    this.#install(frame, pageId);
    return this.#pin(frame);
  }

  /**
   * Give back one pin on `pageId`; `isDirty` true records that the caller changed it (a
   * false never clears an earlier true). At pin count 0 the frame becomes evictable.
   * Throws `invalid-state` when the page is not resident or not pinned.
   */
  unpinPage(pageId: PageId, isDirty: boolean): void {
    const frame = this.#frameOf[pageId];
    if (frame === undefined || frame === NO_FRAME) {
      throw new DbError("invalid-state", `page ${pageId} is not in the buffer pool`, { pageId });
    }
    const pins = this.#pinCount[frame] as number;
    if (pins === 0) throw new DbError("invalid-state", `page ${pageId} is not pinned`, { pageId, frameId: frame });
    if (isDirty) this.#isDirty[frame] = 1;
    this.#pinCount[frame] = pins - 1;
    if (pins === 1) this.replacer.setEvictable(frame as FrameId, true);
  }

  /**
   * Write page `pageId` to disk if it is resident and dirty, and mark it clean; pinned
   * pages may be flushed. Returns false when the page is not resident. The write reaches
   * the OS, not the platter: call `disk.sync()` for durability.
   */
  flushPage(pageId: PageId): boolean {
    const frame = this.#residentFrame(pageId);
    if (frame === undefined) return false;
    this.#writeBack(frame);
    return true;
  }

  /** Write every dirty resident page to disk, in frame order, and mark it clean (no sync, as `flushPage`). */
  flushAll(): void {
    for (let frame = 0; frame < this.poolSize; frame++) {
      if (this.#pageOf[frame] !== NO_PAGE) this.#writeBack(frame as FrameId);
    }
  }

  /**
   * Delete page `pageId`: drop it from the pool without writing it back, and deallocate it
   * on disk (when the disk manager supports that). Until `newPage` hands the id out again,
   * fetching or deleting it throws `invalid-state`. Throws `invalid-state` (with the pin
   * count) if it is pinned, `out-of-range` if the disk does not have it, and whatever the
   * disk throws when it refuses the deallocation; nothing changes then.
   */
  deletePage(pageId: PageId): void {
    checkPageId(pageId, this.disk.pageCount);
    this.#checkNotDeleted(pageId);
    const frame = this.#residentFrame(pageId);
    if (frame !== undefined) {
      const pinCount = this.#pinCount[frame] as number;
      if (pinCount > 0) {
        throw new DbError("invalid-state", `page ${pageId} is pinned (pin count ${pinCount}) and cannot be deleted`, {
          pageId,
          pinCount,
        });
      }
    }
    // The disk may refuse: ask it before the frame is touched, so a refusal changes nothing.
    this.disk.deallocatePage?.(pageId);
    this.#deleted.add(pageId);
    if (frame !== undefined) {
      this.replacer.remove(frame);
      this.#uninstall(frame);
      this.#freeList.push(frame);
    }
  }

  /** Pin `pageId` for reading, as `fetchPage`; the guard unpins (clean) on release. */
  readPage(pageId: PageId): ReadPageGuard {
    const page = this.fetchPage(pageId);
    return new ReadPageGuard(pageId, page.data, () => this.unpinPage(pageId, false));
  }

  /** Pin `pageId` for writing, as `fetchPage`; the guard unpins and marks it dirty on release. */
  writePage(pageId: PageId): WritePageGuard {
    const page = this.fetchPage(pageId);
    return new WritePageGuard(pageId, page.data, () => this.unpinPage(pageId, true));
  }

  /** A new page, as `newPage`, held by a write guard. */
  newPageGuarded(): WritePageGuard {
    const page = this.newPage();
    return new WritePageGuard(page.pageId, page.data, () => this.unpinPage(page.pageId, true));
  }

  /**
   * Run `fn` on page `pageId`'s bytes, pinned for reading, and unpin afterwards even if
   * `fn` throws. `fn` must be synchronous: the pin is gone once it returns.
   */
  withReadPage<T>(pageId: PageId, fn: (data: Uint8Array) => T): T {
    const guard = this.readPage(pageId);
    try {
      return fn(guard.data);
    } finally {
      guard.release();
    }
  }

  /** As `withReadPage`, pinned for writing: the page is marked dirty afterwards. */
  withWritePage<T>(pageId: PageId, fn: (data: Uint8Array) => T): T {
    const guard = this.writePage(pageId);
    try {
      return fn(guard.data);
    } finally {
      guard.release();
    }
  }

  /** The pin count of `pageId`, or `undefined` when it is not resident. */
  pinCount(pageId: PageId): number | undefined {
    const frame = this.#residentFrame(pageId);
    return frame === undefined ? undefined : this.#pinCount[frame];
  }

  /** Whether `pageId` has changes not yet written back, or `undefined` when it is not resident. */
  isDirty(pageId: PageId): boolean | undefined {
    const frame = this.#residentFrame(pageId);
    return frame === undefined ? undefined : this.#isDirty[frame] === 1;
  }

  /** True when `pageId` is in a frame. */
  isResident(pageId: PageId): boolean {
    return this.#residentFrame(pageId) !== undefined;
  }

  /** Every frame as plain data, in frame order (PostgreSQL: `SELECT * FROM pg_buffercache`). */
  snapshot(): FrameSnapshot[] {
    return this.#frames.map((_, f) => {
      const page = this.#pageOf[f] as number;
      return {
        frameId: f as FrameId,
        pageId: page === NO_PAGE ? undefined : (page as PageId),
        pinCount: this.#pinCount[f] as number,
        isDirty: this.#isDirty[f] === 1,
      };
    });
  }

  /** The frame holding `pageId`, or `undefined` when it is not resident (or no page id at all). */
  #residentFrame(pageId: PageId): FrameId | undefined {
    const frame = this.#frameOf[pageId];
    return frame === undefined || frame === NO_FRAME ? undefined : (frame as FrameId);
  }

  #checkNotDeleted(pageId: PageId): void {
    if (this.#deleted.has(pageId)) {
      throw new DbError("invalid-state", `page ${pageId} was deleted (newPage may hand its id out again)`, { pageId });
    }
  }

  /** A frame to load `pageId` into: a free one, else a victim, written back first if dirty. */
  #acquireFrame(pageId: PageId | undefined): FrameId {
    const free = this.#freeList.pop();
    if (free !== undefined) return free;
    const victim = this.replacer.evict();
    if (victim === undefined) {
      const what = pageId === undefined ? "a new page" : `page ${pageId}`;
      throw new DbError(
        "no-free-frame",
        `all ${this.poolSize} frames of the buffer pool are pinned: no room for ${what}`,
        { poolSize: this.poolSize, pageId },
      );
    }
    invariant(
      Number.isInteger(victim) && victim >= 0 && victim < this.poolSize && this.#pageOf[victim] !== NO_PAGE,
      `the replacer returned frame ${victim}, which holds no page`,
    );
    invariant(
      this.#pinCount[victim] === 0,
      `the replacer returned frame ${victim}, which is pinned (pin count ${this.#pinCount[victim]})`,
    );
    try {
      this.#writeBack(victim);
    } catch (error) {
      // The page stays resident and evictable; only its recency changed.
      this.replacer.recordAccess(victim);
      this.replacer.setEvictable(victim, true);
      throw error;
    }
    this.#uninstall(victim);
    this.#stats.evictions++;
    return victim;
  }

  #install(frame: FrameId, pageId: PageId): void {
    if (pageId >= this.#frameOf.length) {
      const grown = new Int32Array(Math.max(pageId + 1, 2 * this.#frameOf.length)).fill(NO_FRAME);
      grown.set(this.#frameOf);
      this.#frameOf = grown;
    }
    this.#frameOf[pageId] = frame;
    this.#pageOf[frame] = pageId;
    this.#isDirty[frame] = 0;
    this.#pinCount[frame] = 0;
    // One handle per installed page: every pin of it returns the same object.
    this.#handles[frame] = { pageId, frameId: frame, data: this.#frames[frame] as Uint8Array };
  }

  #uninstall(frame: FrameId): void {
    this.#frameOf[this.#pageOf[frame] as number] = NO_FRAME;
    this.#pageOf[frame] = NO_PAGE;
    this.#isDirty[frame] = 0;
    this.#handles[frame] = undefined;
  }

  /** Pin count + 1; the replacer hears of the access, and of the pin when it is the first. */
  #pin(frame: FrameId): PinnedPage {
    const pins = this.#pinCount[frame] as number;
    this.#pinCount[frame] = pins + 1;
    this.replacer.recordAccess(frame);
    if (pins === 0) this.replacer.setEvictable(frame, false);
    return this.#handles[frame] as PinnedPage;
  }

  #writeBack(frame: FrameId): void {
    if (this.#isDirty[frame] === 0) return;
    this.disk.writePage(this.#pageOf[frame] as PageId, this.#frames[frame] as Uint8Array);
    this.#isDirty[frame] = 0;
    this.#stats.writes++;
  }
}
