/**
 * HeapFile depends on contracts, not classes: any BufferPool (here one with no #private
 * fields, as a learner's is) and any HeapPageFormat (here a counting one) plug in, and
 * every page the heap touches goes through the format it was given.
 */
import { describe, expect, test } from "vitest";
import {
  BufferPoolManager,
  FreeSpaceTree,
  HeapFile,
  LruReplacer,
  MemoryDiskManager,
  SlottedPage,
  type BufferPool,
  type HeapPage,
  type HeapPageFormat,
  type PageId,
} from "../src/index.js";
import { countingPageFormat } from "../../test-support/contracts/counting-page-format.js";

/** A BufferPool by delegation: a plain object, no class, no #private fields. */
function plainPool(inner: BufferPool): BufferPool {
  return {
    get poolSize() { return inner.poolSize; },
    get pageSize() { return inner.pageSize; },
    get stats() { return inner.stats; },
    resetStats: () => inner.resetStats(),
    newPage: () => inner.newPage(),
    fetchPage: (p) => inner.fetchPage(p),
    unpinPage: (p, d) => inner.unpinPage(p, d),
    flushPage: (p) => inner.flushPage(p),
    flushAll: () => inner.flushAll(),
    deletePage: (p) => inner.deletePage(p),
    readPage: (p) => inner.readPage(p),
    writePage: (p) => inner.writePage(p),
    newPageGuarded: () => inner.newPageGuarded(),
    withReadPage: (p, fn) => inner.withReadPage(p, fn),
    withWritePage: (p, fn) => inner.withWritePage(p, fn),
    pinCount: (p) => inner.pinCount(p),
    isDirty: (p) => inner.isDirty(p),
    isResident: (p) => inner.isResident(p),
    snapshot: () => inner.snapshot(),
  };
}

describe("04 HeapFile takes contracts", () => {
  test("runs on any BufferPool and reaches every page through the HeapPageFormat it is given", () => {
    const disk = new MemoryDiskManager({ pageSize: 512 });
    const pool = plainPool(new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(3) }));
    const { format, counts } = countingPageFormat<HeapPage>(SlottedPage);
    const heap = new HeapFile(pool, new FreeSpaceTree(512), format);
    const rids = Array.from({ length: 20 }, (_, i) => heap.insert(new Uint8Array(100).fill(i)));
    expect(heap.pageIds.length).toBeGreaterThan(1);
    expect(counts.init, "pages formatted through the format").toBe(heap.pageIds.length);
    expect(heap.get(rids[7]!)).toEqual(new Uint8Array(100).fill(7));
    expect(heap.update(rids[7]!, new Uint8Array(50).fill(70))).toEqual(rids[7]);
    expect(heap.delete(rids[3]!)).toBe(true);
    expect([...heap.scan()].length).toBe(19);
    expect(counts.open, "pages opened through the format").toBeGreaterThan(0);
    expect(counts.maxTupleSize, "tuples checked against the format's maximum").toBeGreaterThan(0);

    // Reopening reads every page through the format, formatting a never-written one.
    const fresh = pool.newPage();
    pool.unpinPage(fresh.pageId, false);
    const before = { ...counts };
    const reopened = HeapFile.open(pool, [...heap.pageIds, fresh.pageId as PageId], undefined, format);
    expect(counts.isNew - before.isNew, "pages checked with isNew on open").toBe(heap.pageIds.length + 1);
    expect(counts.init - before.init, "the never-written page formatted on open").toBe(1);
    expect([...reopened.scan()].length).toBe(19);
    const page: HeapPage = pool.withReadPage(heap.pageIds[0]!, (data) => new format(data.slice()));
    expect(page.tupleCount).toBeGreaterThan(0);
  });
});
