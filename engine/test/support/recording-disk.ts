import { MemoryDiskManager, type DiskManager, type PageId } from "../../src/index.js";

/** A MemoryDiskManager that logs every call, to check the order of reads and writes. */
export class RecordingDisk implements DiskManager {
  readonly inner: MemoryDiskManager;
  readonly log: string[] = [];
  /** When set, writePage throws this error (once) before writing. */
  failNextWrite: Error | undefined;

  constructor(pageSize = 256) {
    this.inner = new MemoryDiskManager({ pageSize });
  }
  get pageSize(): number {
    return this.inner.pageSize;
  }
  get pageCount(): number {
    return this.inner.pageCount;
  }
  readPage(pageId: PageId, into: Uint8Array): void {
    this.inner.readPage(pageId, into);
    this.log.push(`read ${pageId}`);
  }
  writePage(pageId: PageId, bytes: Uint8Array): void {
    const failure = this.failNextWrite;
    if (failure !== undefined) {
      this.failNextWrite = undefined;
      throw failure;
    }
    this.inner.writePage(pageId, bytes);
    this.log.push(`write ${pageId}:${bytes[0]}`);
  }
  allocatePage(): PageId {
    const pageId = this.inner.allocatePage();
    this.log.push(`allocate ${pageId}`);
    return pageId;
  }
  deallocatePage(pageId: PageId): void {
    this.inner.deallocatePage(pageId);
    this.log.push(`deallocate ${pageId}`);
  }
  sync(): void {
    this.inner.sync();
  }
  close(): void {
    this.inner.close();
  }
  /** The bytes on disk now, bypassing the pool. */
  peek(pageId: PageId): Uint8Array {
    const into = new Uint8Array(this.pageSize);
    this.inner.readPage(pageId, into);
    return into;
  }
}
