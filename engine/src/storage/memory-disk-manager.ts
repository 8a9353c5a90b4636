/**
 * In-memory disk with simulated crashes
 * =====================================
 * A `DiskManager` whose "file" is an array of pages in memory: fast enough for tests that
 * do thousands of page transfers, and able to show what durability means. It keeps two
 * images of the disk:
 *
 *   current  — what reads return: every write so far            (the OS page cache)
 *   durable  — what survives a crash: the image at the last sync (the platter)
 *
 *   write(p) ──► current[p]          sync() ──► durable := current
 *   crash()  ──► current := durable  (unsynced writes and allocations are lost)
 *
 * `crash(rng)` is meaner: like a real OS that flushed some dirty pages on its own before
 * power failed, each page written since the last sync independently survives or not, as
 * decided by the seeded `rng`. Recovery code must cope with any such subset (notebook 10).
 * After a crash the disk keeps working, like a machine after reboot.
 *
 * Invariant: durable ⊆ history of current; a page id < pageCount always has bytes (zeros
 * if never written). Writes are whole pages: there are no torn pages here (a real 8 KB
 * write can be torn into 4 KB halves, which is why PostgreSQL writes full-page images to
 * the WAL after each checkpoint).
 */
import { DbError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";
import type { Random } from "../common/random.js";
import { checkPageBuffer, checkPageId, type DiskManager, type DiskStats } from "./disk-manager.js";
import { DEFAULT_PAGE_SIZE, checkPageSize } from "./page-size.js";

export interface MemoryDiskManagerOptions {
  pageSize?: number;
}

export class MemoryDiskManager implements DiskManager {
  readonly pageSize: number;
  #current: Uint8Array[] = [];
  #durable: Uint8Array[] = [];
  /** Pages written or allocated since the last sync. */
  #unsynced = new Set<PageId>();
  #free: PageId[] = [];
  #closed = false;
  #stats = { reads: 0, writes: 0, syncs: 0, allocations: 0 };

  /** An empty disk. Throws `invalid-argument` for a bad page size (see `checkPageSize`). */
  constructor(options: MemoryDiskManagerOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    checkPageSize(this.pageSize);
  }

  /** The number of pages: valid ids are 0 … pageCount − 1. */
  get pageCount(): number {
    return this.#current.length;
  }

  /** Reads, writes, syncs and allocations since creation (a copy). */
  get stats(): DiskStats {
    return { ...this.#stats };
  }

  /** The number of pages written or allocated since the last sync: what a crash now could lose. */
  get unsyncedPages(): number {
    return this.#unsynced.size;
  }

  /** See `DiskManager.readPage`. */
  readPage(pageId: PageId, into: Uint8Array): void {
    this.#checkOpen();
    checkPageId(pageId, this.pageCount);
    checkPageBuffer(into, this.pageSize);
    into.set(this.#current[pageId] as Uint8Array);
    this.#stats.reads++;
  }

  /** See `DiskManager.writePage`. */
  writePage(pageId: PageId, bytes: Uint8Array): void {
    this.#checkOpen();
    checkPageId(pageId, this.pageCount);
    checkPageBuffer(bytes, this.pageSize);
    this.#current[pageId] = bytes.slice();
    this.#unsynced.add(pageId);
    this.#stats.writes++;
  }

  /** See `DiskManager.allocatePage`: the lowest deallocated page first, else a new one at the end. */
  allocatePage(): PageId {
    this.#checkOpen();
    // Reuse the lowest deallocated page first, so files stay compact.
    this.#free.sort((a, b) => b - a);
    const reused = this.#free.pop();
    const pageId = reused ?? (this.#current.length as PageId);
    this.#current[pageId] = new Uint8Array(this.pageSize);
    this.#unsynced.add(pageId);
    this.#stats.allocations++;
    return pageId;
  }

  /** See `DiskManager.deallocatePage`. The free list lives in memory only. */
  deallocatePage(pageId: PageId): void {
    this.#checkOpen();
    checkPageId(pageId, this.pageCount);
    if (this.#free.includes(pageId)) {
      throw new DbError("invalid-state", `page ${pageId} is already deallocated`, { pageId });
    }
    this.#free.push(pageId);
  }

  /** Make the current image durable: what a later `crash()` keeps. */
  sync(): void {
    this.#checkOpen();
    for (const pageId of this.#unsynced) this.#durable[pageId] = this.#current[pageId] as Uint8Array;
    this.#durable.length = this.#current.length;
    this.#unsynced.clear();
    this.#stats.syncs++;
  }

  /** Refuse further calls until `crash()` (a reboot). Does not sync. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Simulate power loss and reboot. Without `rng`, every write and allocation since the
   * last `sync()` is lost. With `rng`, each page written since then survives (with its
   * latest bytes) or not, each with probability one half; the file keeps the length
   * needed by the highest surviving page. The in-memory free list is lost either way. A
   * closed disk is reopened.
   */
  crash(rng?: Random): void {
    let length = this.#durable.length;
    if (rng !== undefined) {
      for (const pageId of [...this.#unsynced].sort((a, b) => a - b)) {
        if (!rng.bool()) continue;
        this.#durable[pageId] = this.#current[pageId] as Uint8Array;
        length = Math.max(length, pageId + 1);
      }
    }
    const pages: Uint8Array[] = [];
    for (let p = 0; p < length; p++) pages.push(this.#durable[p] ?? new Uint8Array(this.pageSize));
    this.#durable = pages;
    this.#current = [...pages];
    this.#unsynced.clear();
    this.#free = [];
    this.#closed = false;
  }

  #checkOpen(): void {
    if (this.#closed) throw new DbError("invalid-state", "the disk manager is closed");
  }
}
