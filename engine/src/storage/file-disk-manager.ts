/**
 * File disk manager
 * =================
 * A `DiskManager` over one real file. Page p occupies bytes [p × pageSize, (p+1) × pageSize):
 *
 *   offset  0          pageSize     2·pageSize                   pageCount·pageSize
 *           | page 0   | page 1     | page 2     | …  | last page |  ← end of file
 *
 * Invariant: the file length is always pageCount × pageSize. `allocatePage` extends the
 * file by writing a page of zeros right away, as PostgreSQL's `smgrextend` does, so a
 * page id once handed out always exists in the file and reopening finds it.
 *
 * Durability, step by step: `writePage` is a positional write (pwrite) into the OS page
 * cache; `sync()` is `fsync(2)`, which returns only when the device has the data. When
 * this manager created the file, the first `sync()` also fsyncs the parent directory,
 * because on Linux a new file's directory entry is itself unsynced metadata: without it,
 * a crash can lose the whole file even though its contents were fsynced.
 *
 * On open, a file whose length is not a multiple of the page size is reported as
 * `corrupt` (a torn extension, or the wrong page size): we refuse to guess. PostgreSQL
 * instead tolerates and later overwrites a partial last block.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DbError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";
import { checkPageBuffer, checkPageId, type DiskManager, type DiskStats } from "./disk-manager.js";
import { DEFAULT_PAGE_SIZE, checkPageSize } from "./page-size.js";

export interface FileDiskManagerOptions {
  pageSize?: number;
}

export class FileDiskManager implements DiskManager {
  readonly path: string;
  readonly pageSize: number;
  #fd: number | undefined;
  #pageCount: number;
  #free: PageId[] = [];
  #directoryUnsynced: boolean;
  #stats = { reads: 0, writes: 0, syncs: 0, allocations: 0 };

  /**
   * Open the database file at `filePath`, creating it (empty) if it does not exist.
   * Throws `invalid-argument` for a bad page size, `corrupt` if the file's length is not a
   * multiple of the page size, `io` if the OS refuses.
   */
  constructor(filePath: string, options: FileDiskManagerOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    checkPageSize(this.pageSize);
    this.path = filePath;
    const existed = fs.existsSync(filePath);
    const fd = this.#io("open", undefined, () =>
      fs.openSync(filePath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644),
    );
    const size = this.#io("stat", undefined, () => fs.fstatSync(fd).size);
    if (size % this.pageSize !== 0) {
      fs.closeSync(fd);
      throw new DbError(
        "corrupt",
        `${filePath} is ${size} bytes, not a whole number of ${this.pageSize}-byte pages`,
        { path: filePath, size, pageSize: this.pageSize },
      );
    }
    this.#fd = fd;
    this.#pageCount = size / this.pageSize;
    this.#directoryUnsynced = !existed;
  }

  /** The number of pages: valid ids are 0 … pageCount − 1. */
  get pageCount(): number {
    return this.#pageCount;
  }

  /** Reads, writes, syncs and allocations since this manager opened the file (a copy). */
  get stats(): DiskStats {
    return { ...this.#stats };
  }

  /** See `DiskManager.readPage`. */
  readPage(pageId: PageId, into: Uint8Array): void {
    const fd = this.#open();
    checkPageId(pageId, this.#pageCount);
    checkPageBuffer(into, this.pageSize);
    this.#io("read", pageId, () => {
      let done = 0;
      while (done < this.pageSize) {
        const n = fs.readSync(fd, into, done, this.pageSize - done, pageId * this.pageSize + done);
        if (n === 0) {
          // Cannot happen while the length invariant holds; zeros are what a new page holds.
          into.fill(0, done);
          break;
        }
        done += n;
      }
    });
    this.#stats.reads++;
  }

  /** See `DiskManager.writePage`. */
  writePage(pageId: PageId, bytes: Uint8Array): void {
    this.#open();
    checkPageId(pageId, this.#pageCount);
    checkPageBuffer(bytes, this.pageSize);
    this.#write(pageId, bytes);
    this.#stats.writes++;
  }

  /** See `DiskManager.allocatePage`: the lowest deallocated page first, else a new one at the end. */
  allocatePage(): PageId {
    this.#open();
    this.#free.sort((a, b) => b - a);
    const reused = this.#free.pop();
    const pageId = reused ?? (this.#pageCount as PageId);
    this.#write(pageId, new Uint8Array(this.pageSize));
    if (reused === undefined) this.#pageCount++;
    this.#stats.allocations++;
    return pageId;
  }

  /** See `DiskManager.deallocatePage`. The free list lives in memory only. */
  deallocatePage(pageId: PageId): void {
    this.#open();
    checkPageId(pageId, this.#pageCount);
    if (this.#free.includes(pageId)) {
      throw new DbError("invalid-state", `page ${pageId} is already deallocated`, { pageId, path: this.path });
    }
    this.#free.push(pageId);
  }

  /** fsync the file (and, the first time after creating it, its directory). Throws `io` on failure. */
  sync(): void {
    const fd = this.#open();
    this.#io("fsync", undefined, () => fs.fsyncSync(fd));
    if (this.#directoryUnsynced) {
      this.#syncDirectory();
      this.#directoryUnsynced = false;
    }
    this.#stats.syncs++;
  }

  /** Close the file. Does not sync. Later calls throw `invalid-state`; a second close does nothing. */
  close(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    this.#io("close", undefined, () => fs.closeSync(fd));
  }

  #write(pageId: PageId, bytes: Uint8Array): void {
    const fd = this.#open();
    this.#io("write", pageId, () => {
      let done = 0;
      while (done < this.pageSize) {
        done += fs.writeSync(fd, bytes, done, this.pageSize - done, pageId * this.pageSize + done);
      }
    });
  }

  #syncDirectory(): void {
    // Windows cannot open a directory for fsync; its file system journals the entry itself.
    if (process.platform === "win32") return;
    const directory = path.dirname(path.resolve(this.path));
    const fd = this.#io("open directory", undefined, () => fs.openSync(directory, "r"));
    try {
      this.#io("fsync directory", undefined, () => fs.fsyncSync(fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  #open(): number {
    if (this.#fd === undefined) {
      throw new DbError("invalid-state", `the disk manager for ${this.path} is closed`, { path: this.path });
    }
    return this.#fd;
  }

  /** Run an fs call, turning an OS error into a DbError("io") that names the file and page. */
  #io<T>(operation: string, pageId: PageId | undefined, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new DbError(
        "io",
        `${operation} failed on ${this.path}${pageId === undefined ? "" : ` (page ${pageId})`}: ${String(cause)}`,
        { path: this.path, pageId, operation, code, cause },
      );
    }
  }
}
