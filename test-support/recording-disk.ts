/**
 * A disk that remembers
 * =====================
 * Wraps any `DiskManager` (usually the engine's `MemoryDiskManager`, which the caller
 * passes in so that an engine test and a hidden suite each use their own copy of the
 * engine) and records every call the code under test makes, in order:
 *
 *   log     ["allocate 0", "read 0", "write 0:7", "deallocate 0"]   (a write shows its first byte)
 *   writes  [{ pageId: 0, bytes: <the whole page as written> }]
 *
 * It can be told to fail the next read, write or allocation, to test what a caller does
 * when the disk refuses. `peek` reads what the disk holds without logging.
 */

export type DiskOp = "read" | "write" | "allocate" | "deallocate";

/**
 * The engine's `DiskManager`, structurally, over the page-id type `Id`: an engine test
 * (engine source) and a hidden suite (engine build) each have their own branded `PageId`.
 */
export interface DiskLike<Id extends number = number> {
  readonly pageSize: number;
  readonly pageCount: number;
  readPage(pageId: Id, into: Uint8Array): void;
  writePage(pageId: Id, bytes: Uint8Array): void;
  allocatePage(): Id;
  deallocatePage?(pageId: Id): void;
  sync(): void;
  close(): void;
}

export class RecordingDisk<Id extends number = number> implements DiskLike<Id> {
  readonly log: string[] = [];
  readonly writes: { pageId: number; bytes: Uint8Array }[] = [];
  /** When set, the next read (write, allocation) throws this error, once, and does nothing. */
  failNextRead: Error | undefined;
  failNextWrite: Error | undefined;
  failNextAllocate: Error | undefined;

  /** Records calls to `inner`; `pages` pages are allocated first, page i filled with the byte i + 1 (not logged). */
  constructor(
    readonly inner: DiskLike<Id>,
    pages = 0,
  ) {
    for (let i = 0; i < pages; i++) inner.writePage(inner.allocatePage(), new Uint8Array(inner.pageSize).fill(i + 1));
  }
  get pageSize(): number {
    return this.inner.pageSize;
  }
  get pageCount(): number {
    return this.inner.pageCount;
  }
  readPage(pageId: Id, into: Uint8Array): void {
    this.#failIfTold("failNextRead");
    this.inner.readPage(pageId, into);
    this.log.push(`read ${pageId}`);
  }
  writePage(pageId: Id, bytes: Uint8Array): void {
    this.#failIfTold("failNextWrite");
    this.inner.writePage(pageId, bytes);
    this.log.push(`write ${pageId}:${bytes[0]}`);
    this.writes.push({ pageId, bytes: bytes.slice() });
  }
  allocatePage(): Id {
    this.#failIfTold("failNextAllocate");
    const pageId = this.inner.allocatePage();
    this.log.push(`allocate ${pageId}`);
    return pageId;
  }
  deallocatePage(pageId: Id): void {
    if (this.inner.deallocatePage === undefined) throw new Error("the inner disk cannot deallocate");
    this.inner.deallocatePage(pageId);
    this.log.push(`deallocate ${pageId}`);
  }
  sync(): void {
    this.inner.sync();
  }
  close(): void {
    this.inner.close();
  }
  /** The bytes on disk now, bypassing the code under test (not logged). */
  peek(pageId: number): Uint8Array {
    const into = new Uint8Array(this.pageSize);
    this.inner.readPage(pageId as Id, into);
    return into;
  }
  /** The log's calls of one kind, without a write's byte: `["read 0", "read 2"]`. */
  ops(kind?: DiskOp): string[] {
    return this.log.filter((line) => kind === undefined || line.startsWith(`${kind} `)).map((line) => line.replace(/:\d+$/, ""));
  }
  #failIfTold(which: "failNextRead" | "failNextWrite" | "failNextAllocate"): void {
    const error = this[which];
    if (error === undefined) return;
    this[which] = undefined;
    throw error;
  }
}
