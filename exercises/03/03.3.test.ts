/** Hidden suite for exercise 03.3: the buffer pool. Public API only: any page table, any frame layout. */
import { describe, expect, it } from "vitest";
import {
  ClockReplacer,
  DbError,
  LruKReplacer,
  LruReplacer,
  MemoryDiskManager,
  type DiskManager,
  type FrameId,
  type PageId,
  type Replacer,
} from "@workbook/engine";
import { BufferPoolManager } from "@submission";
import { checkRun, errorOf, outcome, RecordingDisk, rng } from "../../test-support/index.js";
import { throwMismatch } from "./harness.js";

const PAGE = 256;
const p = (n: number) => n as PageId;

/** A disk of `pages` pages (page i filled with the byte i + 1) that records every call the pool makes. */
const recordingDisk = (pages = 0) => new RecordingDisk(new MemoryDiskManager({ pageSize: PAGE }), pages);

/** A replacer that passes every call to an LruReplacer and remembers them. */
class SpyReplacer implements Replacer {
  readonly inner: LruReplacer;
  readonly calls: string[] = [];
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
    this.inner = new LruReplacer(capacity);
  }
  recordAccess(frame: FrameId): void {
    this.calls.push(`access ${frame}`);
    this.inner.recordAccess(frame);
  }
  setEvictable(frame: FrameId, evictable: boolean): void {
    this.calls.push(`${evictable ? "evictable" : "pinned"} ${frame}`);
    this.inner.setEvictable(frame, evictable);
  }
  evict(): FrameId | undefined {
    const v = this.inner.evict();
    this.calls.push(`evict → ${v}`);
    return v;
  }
  remove(frame: FrameId): void {
    this.calls.push(`remove ${frame}`);
    this.inner.remove(frame);
  }
  size(): number {
    return this.inner.size();
  }
}

/** An LRU replacer that, once `lie` is set, answers evict() with that frame instead. */
class LyingReplacer extends SpyReplacer {
  lie: number | undefined;
  override evict(): FrameId | undefined {
    return this.lie === undefined ? super.evict() : (this.lie as FrameId);
  }
}

/** A disk manager with only the required methods: no deallocatePage. */
class MinimalDisk implements DiskManager {
  readonly inner = new MemoryDiskManager({ pageSize: PAGE });
  constructor(pages: number) {
    for (let i = 0; i < pages; i++) this.inner.allocatePage();
  }
  get pageSize(): number {
    return this.inner.pageSize;
  }
  get pageCount(): number {
    return this.inner.pageCount;
  }
  readPage(pageId: PageId, into: Uint8Array): void {
    this.inner.readPage(pageId, into);
  }
  writePage(pageId: PageId, bytes: Uint8Array): void {
    this.inner.writePage(pageId, bytes);
  }
  allocatePage(): PageId {
    return this.inner.allocatePage();
  }
  sync(): void {}
  close(): void {}
}

/** Stats as one readable line, so a failure shows every counter. */
function showStats(s: { hits: number; misses: number; evictions: number; reads: number; writes: number }): string {
  return `hits ${s.hits}, misses ${s.misses}, evictions ${s.evictions}, reads ${s.reads}, writes ${s.writes}`;
}

function setup(frames: number, pages: number, replacer: Replacer = new LruReplacer(frames)) {
  const disk = recordingDisk(pages);
  return { disk, pool: new BufferPoolManager({ frames, disk, replacer }) };
}

/** Fetch and unpin at once (a read that keeps nothing pinned). */
function touch(pool: BufferPoolManager, page: number): void {
  pool.fetchPage(p(page));
  pool.unpinPage(p(page), false);
}

describe("03.3 buffer pool", () => {
  it("is built from { frames, disk, replacer }; refuses a bad frame count or a smaller replacer (invalid-argument)", () => {
    const disk = recordingDisk(2);
    const replacer = new LruReplacer(3);
    const pool = new BufferPoolManager({ frames: 3, disk, replacer });
    expect([pool.poolSize, pool.pageSize], "[poolSize, pageSize]").toEqual([3, PAGE]);
    expect(pool.disk === disk && pool.replacer === replacer, "pool.disk and pool.replacer are the ones given").toBe(true);
    expect(showStats(pool.stats), "stats of a new pool").toBe("hits 0, misses 0, evictions 0, reads 0, writes 0");
    for (const frames of [0, -1, 2.5]) {
      expect(outcome(() => new BufferPoolManager({ frames, disk, replacer: new LruReplacer(3) })), `frames: ${frames}`).toBe("DbError invalid-argument");
    }
    expect(outcome(() => new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(2) })), "3 frames, a replacer made for 2").toBe(
      "DbError invalid-argument",
    );
    expect(outcome(() => new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(4) })), "3 frames, a replacer made for 4").toBe(
      "nothing thrown",
    );
    expect(disk.log, "building a pool touches no page").toEqual([]);
  });

  it("newPage() allocates a page on disk and returns it pinned, zero-filled and clean", () => {
    const { disk, pool } = setup(1, 2);
    touch(pool, 0); // the only frame now holds page 0's bytes (all 1s)
    const page = pool.newPage();
    expect(page.pageId, "id of the new page on a disk of 2 pages").toBe(2);
    expect(disk.pageCount, "pages on disk after newPage()").toBe(3);
    expect(page.data.length, "bytes in the new page").toBe(PAGE);
    expect(page.data.every((b) => b === 0), "the new page's bytes are all zero (even in a reused frame)").toBe(true);
    expect([pool.pinCount(page.pageId), pool.isDirty(page.pageId), pool.isResident(page.pageId)], "[pinCount, isDirty, isResident]").toEqual([
      1,
      false,
      true,
    ]);
    expect(page.frameId, "frameId of the page in a pool of 1 frame").toBe(0);
    expect(disk.ops().join(", "), "disk calls: read page 0, then allocate (page 0 was clean: no write)").toBe("read 0, allocate 2");
    expect(pool.isResident(p(0)), "page 0 after its frame went to the new page").toBe(false);
  });

  it("fetchPage() of a page on disk is a miss that reads it once; fetching it again is a hit on the same bytes", () => {
    const { disk, pool } = setup(3, 4);
    const first = pool.fetchPage(p(2));
    expect([first.pageId, first.data[0], first.data[PAGE - 1]], "[pageId, first byte, last byte] of page 2").toEqual([2, 3, 3]);
    expect(disk.ops().join(", "), "disk calls after one fetch").toBe("read 2");
    const again = pool.fetchPage(p(2));
    expect(again.data === first.data || again.data.byteOffset === first.data.byteOffset, "a hit returns the same frame's bytes").toBe(true);
    expect(again.frameId, "frameId of the hit").toBe(first.frameId);
    expect(pool.pinCount(p(2)), "pinCount after two fetches").toBe(2);
    expect(disk.ops().join(", "), "a hit does not read the disk").toBe("read 2");
    expect([pool.stats.hits, pool.stats.misses, pool.stats.reads], "[hits, misses, reads]").toEqual([1, 1, 1]);
    first.data[7] = 99;
    expect(again.data[7], "the bytes are the frame itself, not a copy").toBe(99);
  });

  it("fetchPage() refuses a page the disk does not have (out-of-range) and changes nothing", () => {
    const { disk, pool } = setup(2, 3);
    touch(pool, 1);
    for (const bad of [3, 100, -1]) expect(outcome(() => pool.fetchPage(p(bad))), `fetchPage(${bad}) on a disk of 3 pages`).toBe("DbError out-of-range");
    expect(disk.ops().join(", "), "disk calls").toBe("read 1");
    expect(showStats(pool.stats), "stats").toBe("hits 0, misses 1, evictions 0, reads 1, writes 0");
    touch(pool, 0);
    touch(pool, 2);
    expect(pool.stats.evictions, "the refused fetches leaked no frame: a third page evicts one").toBe(1);
  });

  it("unpinPage() gives back one pin; a dirty flag sticks (false never clears true)", () => {
    const { pool } = setup(2, 2);
    pool.fetchPage(p(0));
    pool.fetchPage(p(0));
    pool.unpinPage(p(0), true);
    expect([pool.pinCount(p(0)), pool.isDirty(p(0))], "[pinCount, isDirty] after unpin(dirty)").toEqual([1, true]);
    pool.unpinPage(p(0), false);
    expect([pool.pinCount(p(0)), pool.isDirty(p(0))], "[pinCount, isDirty] after unpin(clean)").toEqual([0, true]);
    expect([pool.pinCount(p(1)), pool.isDirty(p(1))], "[pinCount, isDirty] of a page not resident").toEqual([undefined, undefined]);
  });

  it("unpinPage() refuses a page that is not resident or not pinned (invalid-state) and changes nothing", () => {
    const { pool } = setup(2, 3);
    expect(outcome(() => pool.unpinPage(p(1), false)), "unpin of a page never fetched").toBe("DbError invalid-state");
    touch(pool, 1);
    expect(outcome(() => pool.unpinPage(p(1), true)), "unpin of a page with pin count 0").toBe("DbError invalid-state");
    expect([pool.pinCount(p(1)), pool.isDirty(p(1))], "[pinCount, isDirty] after the refused unpin").toEqual([0, false]);
    pool.fetchPage(p(0));
    pool.fetchPage(p(2)); // evicts page 1: the refused unpin did not make anything pinned or dirty
    expect(pool.isResident(p(1)), "page 1 was evictable").toBe(false);
    expect(pool.stats.writes, "nothing written").toBe(0);
  });

  it("writes a dirty page back, with its changed bytes, before its frame holds another page", () => {
    const { disk, pool } = setup(2, 4);
    const page = pool.fetchPage(p(0));
    page.data.fill(0xab, 10, 20);
    pool.unpinPage(p(0), true);
    touch(pool, 1);
    touch(pool, 2); // LRU victim: page 0 (dirty)
    expect(disk.ops().join(", "), "disk calls, in order").toBe("read 0, read 1, write 0, read 2");
    const written = disk.writes[0]!.bytes;
    expect([written[9], written[10], written[19], written[20]], "bytes 9, 10, 19, 20 of the page written").toEqual([1, 0xab, 0xab, 1]);
    expect([...disk.peek(0).subarray(9, 21)], "page 0 on disk").toEqual([1, ...new Array(10).fill(0xab), 1]);
    expect([pool.stats.writes, pool.stats.evictions], "[writes, evictions]").toEqual([1, 1]);
  });

  it("evicts a clean page without writing it", () => {
    const { disk, pool } = setup(2, 4);
    for (const page of [0, 1, 2, 3, 0]) touch(pool, page);
    expect(disk.ops("write").join(", "), "writes").toBe("");
    expect(showStats(pool.stats), "stats").toBe("hits 0, misses 5, evictions 3, reads 5, writes 0");
  });

  it("evicts the victim the replacer chooses", () => {
    const { pool } = setup(3, 5);
    for (const page of [0, 1, 2, 0]) touch(pool, page); // LRU order now: 1, 2, 0
    touch(pool, 3);
    expect([0, 1, 2, 3].map((x) => pool.isResident(p(x))), "resident pages 0…3 after fetching 3 (LRU evicts 1)").toEqual([true, false, true, true]);
    const clock = setup(3, 5, new ClockReplacer(3)).pool;
    for (const page of [0, 0, 0, 1, 2]) touch(clock, page);
    touch(clock, 3);
    expect([0, 1, 2, 3].map((x) => clock.isResident(p(x))), "with a ClockReplacer (page 0 used 3 times)").toEqual([true, false, true, true]);
  });

  it("tells the replacer about every access, pin and unpin: a pinned frame is never evictable", () => {
    const spy = new SpyReplacer(2);
    const { pool } = setup(2, 3, spy);
    const a = pool.fetchPage(p(0));
    expect(spy.size(), "replacer.size() with page 0 pinned").toBe(0);
    expect(spy.calls, "replacer calls for the first fetch").toContain(`access ${a.frameId}`);
    pool.fetchPage(p(0));
    expect(spy.calls.filter((c) => c === `access ${a.frameId}`).length, "recordAccess calls after a miss and a hit").toBe(2);
    pool.unpinPage(p(0), false);
    expect(spy.size(), "replacer.size() with page 0 still pinned once").toBe(0);
    pool.unpinPage(p(0), false);
    expect(spy.size(), "replacer.size() once page 0's pin count is 0").toBe(1);
    expect(spy.calls.at(-1), "last call").toBe(`evictable ${a.frameId}`);
    pool.fetchPage(p(0));
    expect(spy.size(), "replacer.size() once page 0 is pinned again").toBe(0);
    pool.fetchPage(p(1));
    expect(spy.calls.some((c) => c.startsWith("evict →")), "evict() asked while a frame is free").toBe(false);
    expect(outcome(() => pool.fetchPage(p(2))), "fetchPage(2) with both frames pinned").toBe("DbError no-free-frame");
    expect(spy.calls.at(-1), "the pool asked the replacer before giving up").toBe("evict → undefined");
  });

  it("throws no-free-frame when every frame is pinned, from fetchPage and newPage, and changes nothing", () => {
    const { disk, pool } = setup(2, 3);
    pool.fetchPage(p(0));
    pool.fetchPage(p(1));
    const before = disk.ops();
    expect(outcome(() => pool.fetchPage(p(2))), "fetchPage(2) with 2 of 2 frames pinned").toBe("DbError no-free-frame");
    expect(outcome(() => pool.newPage()), "newPage() with 2 of 2 frames pinned").toBe("DbError no-free-frame");
    expect(disk.ops().join(", "), "disk calls (newPage must not allocate before it has a frame)").toBe(before.join(", "));
    expect(disk.pageCount, "pages on disk").toBe(3);
    expect([pool.pinCount(p(0)), pool.pinCount(p(1)), pool.isResident(p(2))], "[pin 0, pin 1, page 2 resident]").toEqual([1, 1, false]);
    expect(pool.fetchPage(p(1)).pageId, "a resident pinned page can still be fetched").toBe(1);
    pool.unpinPage(p(0), false);
    expect(pool.fetchPage(p(2)).data[0], "page 2 once page 0 is unpinned").toBe(3);
  });

  it("works with a pool of one frame", () => {
    const { disk, pool } = setup(1, 3);
    for (let round = 1; round <= 3; round++) {
      for (let page = 0; page < 3; page++) {
        const pinned = pool.fetchPage(p(page));
        expect(pinned.data[5], `round ${round}, page ${page}: byte 5`).toBe(round === 1 ? page + 1 : 10 * page + round - 1);
        pinned.data[5] = 10 * page + round;
        pool.unpinPage(p(page), true);
      }
    }
    const held = pool.fetchPage(p(0));
    expect(outcome(() => pool.fetchPage(p(1))), "fetchPage(1) while page 0 holds the only frame").toBe("DbError no-free-frame");
    expect(outcome(() => pool.newPage()), "newPage() while page 0 holds the only frame").toBe("DbError no-free-frame");
    expect(held.data[5], "page 0 is untouched").toBe(3);
    pool.unpinPage(p(0), false);
    const fresh = pool.newPage();
    expect([fresh.pageId, disk.peek(0)[5]], "[new page id, byte 5 of page 0 on disk]").toEqual([3, 3]);
  });

  it("flushPage() writes a dirty page's bytes and marks it clean, pinned or not; false when not resident", () => {
    const { disk, pool } = setup(2, 3);
    const page = pool.fetchPage(p(1));
    page.data[0] = 42;
    pool.unpinPage(p(1), true);
    pool.fetchPage(p(1)); // pinned again: flushing a pinned page is allowed
    expect(pool.flushPage(p(1)), "flushPage(1) of a resident page").toBe(true);
    expect([disk.ops("write").join(", "), disk.peek(1)[0]], "[writes, byte 0 of page 1 on disk]").toEqual(["write 1", 42]);
    expect([pool.isDirty(p(1)), pool.pinCount(p(1))], "[isDirty, pinCount] after the flush").toEqual([false, 1]);
    expect(pool.flushPage(p(1)), "flushPage(1) again").toBe(true);
    expect(disk.ops("write").join(", "), "a clean page is not written again").toBe("write 1");
    expect(pool.flushPage(p(2)), "flushPage(2) of a page not resident").toBe(false);
    expect(pool.stats.writes, "stats.writes").toBe(1);
    pool.unpinPage(p(1), false);
    touch(pool, 0);
    touch(pool, 2); // evicts page 1, which is clean now
    expect(disk.ops("write").join(", "), "no write when the flushed page is evicted").toBe("write 1");
  });

  it("flushAll() writes every dirty resident page once, and leaves them resident and clean", () => {
    const { disk, pool } = setup(3, 4);
    for (const page of [0, 1, 2]) {
      const pinned = pool.fetchPage(p(page));
      pinned.data[1] = 50 + page;
      pool.unpinPage(p(page), page !== 1);
    }
    pool.flushAll();
    expect(disk.ops("write").sort().join(", "), "writes").toBe("write 0, write 2");
    expect([0, 2].map((x) => disk.peek(x)[1]), "byte 1 of pages 0 and 2 on disk").toEqual([50, 52]);
    expect([0, 1, 2].map((x) => [pool.isResident(p(x)), pool.isDirty(p(x))]), "[resident, dirty] of pages 0…2").toEqual([
      [true, false],
      [true, false],
      [true, false],
    ]);
    pool.flushAll();
    expect(disk.ops("write").length, "a second flushAll() writes nothing").toBe(2);
  });

  it("keeps every page's bytes through eviction and refetch (3 frames, 20 pages)", () => {
    const { disk, pool } = setup(3, 20);
    const expected = Array.from({ length: 20 }, (_, i) => i + 1);
    const g = rng(3);
    for (let i = 0; i < 400; i++) {
      const page = g.int(20);
      const pinned = pool.fetchPage(p(page));
      expect(pinned.data[100], `step ${i}: byte 100 of page ${page}`).toBe(expected[page]);
      const write = g.bool(0.5);
      if (write) pinned.data[100] = expected[page] = g.int(256);
      pool.unpinPage(p(page), write);
    }
    pool.flushAll();
    expect(Array.from({ length: 20 }, (_, i) => disk.peek(i)[100]), "byte 100 of every page on disk after flushAll()").toEqual(expected);
  });

  it("deletePage() drops a page without writing it and frees its frame; refuses a pinned page (invalid-state)", () => {
    const spy = new SpyReplacer(2);
    const { disk, pool } = setup(2, 4, spy);
    const page = pool.fetchPage(p(1));
    page.data[0] = 77;
    expect(outcome(() => pool.deletePage(p(1))), "deletePage(1) while pinned").toBe("DbError invalid-state");
    expect(spy.calls.filter((c) => c.startsWith("remove")), "replacer.remove calls: the pool refuses a pinned page itself").toEqual([]);
    expect([pool.isResident(p(1)), pool.pinCount(p(1))], "[resident, pinCount] after the refused delete").toEqual([true, 1]);
    pool.unpinPage(p(1), true);
    touch(pool, 0);
    pool.deletePage(p(1));
    expect([pool.isResident(p(1)), pool.pinCount(p(1))], "[resident, pinCount] after deletePage(1)").toEqual([false, undefined]);
    expect(spy.size(), "evictable frames in the replacer after the delete").toBe(1);
    expect(
      pool.snapshot().filter((f) => f.pageId === undefined).map((f) => [f.pinCount, f.isDirty]),
      "[pinCount, isDirty] of the freed frame (the dirty page was dropped)",
    ).toEqual([[0, false]]);
    expect(disk.ops().filter((e) => !e.startsWith("read")).join(", "), "disk calls besides reads").toBe("deallocate 1");
    pool.fetchPage(p(0));
    pool.fetchPage(p(2)); // uses the freed frame: page 0 stays
    expect([pool.isResident(p(0)), pool.stats.evictions], "[page 0 resident, evictions] after fetching page 2").toEqual([true, 0]);
    expect(outcome(() => pool.deletePage(p(9))), "deletePage(9) on a disk of 4 pages").toBe("DbError out-of-range");
    pool.deletePage(p(3)); // not resident: only deallocated on disk
    expect(disk.ops("deallocate").join(", "), "deallocations").toBe("deallocate 1, deallocate 3");
    pool.unpinPage(p(0), false);
    pool.unpinPage(p(2), false);
    expect(pool.newPage().pageId, "newPage() reuses the lowest deallocated page").toBe(1);
    const minimal = new BufferPoolManager({ frames: 2, disk: new MinimalDisk(3), replacer: new LruReplacer(2) });
    touch(minimal, 1);
    expect(outcome(() => minimal.deletePage(p(1))), "deletePage on a disk manager without deallocatePage").toBe("nothing thrown");
    expect(minimal.isResident(p(1)), "page 1 resident after deletePage").toBe(false);
  });

  it("a deleted page cannot be fetched (no old bytes) or deleted again (invalid-state, nothing changes) until newPage hands it out", () => {
    const { disk, pool } = setup(2, 3);
    const page = pool.fetchPage(p(1));
    page.data[0] = 77;
    pool.unpinPage(p(1), true);
    pool.flushPage(p(1)); // the changed bytes are on disk
    pool.deletePage(p(1));
    const before = disk.log.length;
    const stats = showStats(pool.stats);
    expect(outcome(() => pool.fetchPage(p(1))), "fetchPage(1) after deletePage(1)").toBe("DbError invalid-state");
    expect(outcome(() => pool.deletePage(p(1))), "a second deletePage(1)").toBe("DbError invalid-state");
    expect(disk.ops().slice(before).join(", "), "disk calls made by the refused fetch and delete").toBe("");
    expect(showStats(pool.stats), "stats after the refused calls").toBe(stats);
    expect(pool.snapshot().map((f) => f.pageId ?? "free").join(", "), "frames after the refused calls").toBe("free, free");
    const reused = pool.newPage();
    expect(reused.pageId, "newPage() hands out the deleted id again").toBe(1);
    pool.unpinPage(reused.pageId, false);
    expect(pool.withReadPage(p(1), (data) => data[0]), "byte 0 of page 1 once newPage made it again").toBe(0);
  });

  it("never reuses a frame the replacer should not have offered (a pinned one): throws, and nothing changes", () => {
    const liar = new LyingReplacer(2);
    const { disk, pool } = setup(2, 4, liar);
    const zero = pool.fetchPage(p(0));
    zero.data[0] = 99;
    pool.fetchPage(p(1));
    liar.lie = zero.frameId;
    expect(outcome(() => pool.fetchPage(p(2))), "fetchPage(2) when the replacer offers pinned page 0's frame").not.toBe("nothing thrown");
    expect(outcome(() => pool.newPage()), "newPage() when the replacer offers pinned page 0's frame").not.toBe("nothing thrown");
    expect([pool.isResident(p(0)), pool.pinCount(p(0)), zero.data[0], pool.isResident(p(2))], "[0 resident, pinCount(0), byte 0, 2 resident]").toEqual([
      true,
      1,
      99,
      false,
    ]);
    expect([disk.ops("write").join(", "), disk.pageCount], "[writes, pages on disk]").toEqual(["", 4]);
  });

  it("never takes a frame the replacer names wrongly (out of range, or holding no page): throws, and nothing changes", () => {
    for (const lie of [2, -1, 1.5]) {
      const liar = new LyingReplacer(2);
      const { disk, pool } = setup(2, 4, liar);
      pool.fetchPage(p(0)).data[0] = 77;
      pool.unpinPage(p(0), true);
      pool.fetchPage(p(1));
      pool.unpinPage(p(1), false);
      liar.lie = lie;
      expect(outcome(() => pool.fetchPage(p(2))), `fetchPage(2) when the replacer offers frame ${lie}`).not.toBe("nothing thrown");
      expect([pool.isResident(p(0)), pool.isResident(p(1)), pool.isResident(p(2)), disk.ops("write").join(", ")], `[0, 1, 2 resident, writes] after frame ${lie}`).toEqual([
        true,
        true,
        false,
        "",
      ]);
    }
  });

  it("serves pages with ids far beyond those on disk when it was made: fetch, write back on eviction, refetch, pin counts", () => {
    // The disk grows after the pool is built (newPage), so any table sized from the disk at
    // construction must grow too.
    const { disk, pool } = setup(2, 1);
    for (let i = 1; i < 700; i++) {
      const fresh = pool.newPage();
      fresh.data[0] = (fresh.pageId + 1) & 0xff;
      pool.unpinPage(fresh.pageId, true);
    }
    for (const page of [650, 699, 130, 65, 699]) {
      const pinned = pool.fetchPage(p(page));
      expect(pinned.data[0], `byte 0 of page ${page} (written as page id + 1 when it was made)`).toBe((page + 1) & 0xff);
      pinned.data[1] = page & 0xff;
      expect(pool.pinCount(p(page)), `pinCount(${page}) while pinned`).toBe(1);
      pool.unpinPage(p(page), true);
    }
    for (const page of [650, 130, 65]) {
      expect(pool.isResident(p(page)), `page ${page} resident after 4 later fetches through 2 frames`).toBe(false);
      expect(pool.pinCount(p(page)), `pinCount(${page}) of a page not resident`).toBeUndefined();
      expect(pool.fetchPage(p(page)).data[1], `page ${page}'s written byte after eviction and refetch`).toBe(page & 0xff);
      pool.unpinPage(p(page), false);
    }
    expect(disk.pageCount, "pages on disk").toBe(700);
  });

  it("says what went wrong in its error messages: the page id, the pool size, the pin count, the bad frame count", () => {
    const { pool } = setup(3, 6);
    const message = (fn: () => unknown) => String(errorOf(fn)?.message ?? "nothing thrown");
    expect(message(() => new BufferPoolManager({ frames: 0, disk: recordingDisk(1), replacer: new LruReplacer(1) })), "frames: 0").toMatch(/0/);
    expect(message(() => new BufferPoolManager({ frames: 7, disk: recordingDisk(1), replacer: new LruReplacer(5) })), "7 frames, a replacer for 5").toMatch(/5[^]*7|7[^]*5/);
    expect(message(() => pool.unpinPage(p(4), false)), "unpinPage(4) of a page not resident").toMatch(/4/);
    touch(pool, 4);
    expect(message(() => pool.unpinPage(p(4), false)), "unpinPage(4) of a page not pinned").toMatch(/4/);
    for (const page of [0, 1]) pool.fetchPage(p(page));
    pool.fetchPage(p(1));
    expect(message(() => pool.deletePage(p(1))), "deletePage(1) of a page with pin count 2").toMatch(/2/);
    pool.fetchPage(p(2));
    const full = message(() => pool.fetchPage(p(5)));
    expect(full, "fetchPage(5) with all 3 frames pinned: names the pool size and the page").toMatch(/3[^]*5|5[^]*3/);
    const fullNew = message(() => pool.newPage());
    expect(fullNew.includes("3") && !fullNew.includes("undefined"), `newPage() with all 3 frames pinned: "${fullNew}"`).toBe(true);
  });

  it("counts hits, misses, evictions, reads and writes in stats; resetStats() zeroes them", () => {
    const { pool } = setup(2, 4);
    for (const page of [0, 0, 1, 2, 2, 0]) {
      const pinned = pool.fetchPage(p(page));
      pinned.data[3] = 1;
      pool.unpinPage(p(page), page === 0);
    }
    // 0 miss, 0 hit, 1 miss, 2 miss (evicts dirty 0: write), 2 hit, 0 miss (evicts 1)
    expect(showStats(pool.stats), "stats").toBe("hits 2, misses 4, evictions 2, reads 4, writes 1");
    const snapshot = pool.stats;
    touch(pool, 3);
    expect(snapshot.misses, "stats returns a copy, not a live object").toBe(4);
    pool.resetStats();
    expect(showStats(pool.stats), "stats after resetStats()").toBe("hits 0, misses 0, evictions 0, reads 0, writes 0");
    touch(pool, 3);
    pool.newPage();
    expect(showStats(pool.stats), "stats after a hit and a newPage()").toBe("hits 1, misses 0, evictions 1, reads 0, writes 1");
  });

  it("hands out guards: release() unpins once, a write guard marks the page dirty, with…Page unpins even on a throw", () => {
    const { pool } = setup(2, 3);
    const read = pool.readPage(p(1));
    expect([read.pageId, read.data[0], pool.pinCount(p(1))], "[pageId, byte 0, pinCount] under a read guard").toEqual([1, 2, 1]);
    read.release();
    read.release();
    expect([pool.pinCount(p(1)), pool.isDirty(p(1)), read.released], "[pinCount, isDirty, released] after release() twice").toEqual([0, false, true]);
    expect(outcome(() => read.data), "data after release").toBe("DbError invalid-state");
    const write = pool.writePage(p(1));
    write.data[0] = 9;
    write.release();
    expect([pool.pinCount(p(1)), pool.isDirty(p(1))], "[pinCount, isDirty] after a write guard").toEqual([0, true]);
    expect(pool.withReadPage(p(2), (data) => data[0]), "withReadPage returns the callback's value").toBe(3);
    expect(pool.pinCount(p(2)), "pinCount after withReadPage").toBe(0);
    const boom = new Error("boom");
    expect(errorOf(() => pool.withWritePage(p(2), () => { throw boom; })), "withWritePage rethrows the callback's error").toBe(boom);
    expect([pool.pinCount(p(2)), pool.isDirty(p(2))], "[pinCount, isDirty] after withWritePage threw").toEqual([0, true]);
    expect(errorOf(() => pool.withReadPage(p(0), () => { throw boom; })), "withReadPage rethrows").toBe(boom);
    expect(pool.pinCount(p(0)), "pinCount after withReadPage threw").toBe(0);
    const fresh = pool.newPageGuarded();
    expect([fresh.pageId, fresh.data.every((b) => b === 0), pool.pinCount(fresh.pageId)], "[pageId, zeroed, pinCount] of newPageGuarded()").toEqual([
      3,
      true,
      1,
    ]);
    fresh.release();
    expect([pool.pinCount(p(3)), pool.isDirty(p(3))], "[pinCount, isDirty] after releasing newPageGuarded()").toEqual([0, true]);
  });

  it("snapshot() lists every frame in order with its page, pin count and dirty bit", () => {
    const { pool } = setup(3, 3);
    pool.fetchPage(p(2));
    touch(pool, 0);
    pool.fetchPage(p(0)).data[0] = 1;
    pool.unpinPage(p(0), true);
    const snap = pool.snapshot();
    expect(snap.map((f) => f.frameId), "frame ids").toEqual([0, 1, 2]);
    const byPage = new Map(snap.filter((f) => f.pageId !== undefined).map((f) => [f.pageId, f]));
    expect(snap.filter((f) => f.pageId === undefined).map((f) => [f.pinCount, f.isDirty]), "the free frame").toEqual([[0, false]]);
    expect([byPage.get(p(2))?.pinCount, byPage.get(p(2))?.isDirty], "page 2's frame").toEqual([1, false]);
    expect([byPage.get(p(0))?.pinCount, byPage.get(p(0))?.isDirty], "page 0's frame").toEqual([0, true]);
  });

  it("lets a disk error propagate and stays consistent: no frame leaked, a victim that failed to write stays dirty", () => {
    // A read fails on a miss: the frame taken for it is not lost.
    const a = setup(1, 3);
    a.disk.failNextRead = new DbError("io", "simulated read failure");
    expect(outcome(() => a.pool.fetchPage(p(0))), "fetchPage when the disk read fails").toBe("DbError io");
    expect([a.pool.isResident(p(0)), a.pool.stats.misses], "[resident, misses] after the failed read").toEqual([false, 0]);
    expect(a.pool.fetchPage(p(0)).data[0], "the next fetch, in the pool's only frame").toBe(1);
    // Writing a dirty victim back fails: the victim stays resident, dirty and evictable.
    a.pool.fetchPage(p(0)).data[0] = 55;
    a.pool.unpinPage(p(0), true);
    a.pool.unpinPage(p(0), false);
    a.disk.failNextWrite = new DbError("io", "simulated write failure");
    expect(outcome(() => a.pool.fetchPage(p(1))), "fetchPage when writing the victim back fails").toBe("DbError io");
    expect([a.pool.isResident(p(0)), a.pool.isDirty(p(0)), a.pool.isResident(p(1))], "[0 resident, 0 dirty, 1 resident]").toEqual([true, true, false]);
    expect(a.pool.fetchPage(p(1)).data[0], "the next fetch of page 1").toBe(2);
    expect(a.disk.peek(0)[0], "page 0 reached the disk on the second try").toBe(55);
    // An allocation fails: newPage gives its frame back.
    const b = setup(1, 1);
    b.disk.failNextAllocate = new DbError("io", "simulated allocate failure");
    expect(outcome(() => b.pool.newPage()), "newPage when the allocation fails").toBe("DbError io");
    expect([b.disk.pageCount, b.pool.newPage().pageId], "[pages on disk after the failure, id of the next new page]").toEqual([1, 1]);
  });

  it("after a failed read, allocation and write-back, every frame can still be pinned at once and no byte is lost (3 frames)", () => {
    const { disk, pool } = setup(3, 8);
    pool.fetchPage(p(0)).data[0] = 77;
    pool.unpinPage(p(0), true);
    disk.failNextRead = new DbError("io", "simulated read failure");
    expect(outcome(() => pool.fetchPage(p(1))), "fetchPage(1) when the read fails").toBe("DbError io");
    disk.failNextAllocate = new DbError("io", "simulated allocation failure");
    expect(outcome(() => pool.newPage()), "newPage() when the allocation fails").toBe("DbError io");
    pool.fetchPage(p(1));
    pool.fetchPage(p(2));
    disk.failNextWrite = new DbError("io", "simulated write failure");
    expect(outcome(() => pool.fetchPage(p(3))), "fetchPage(3) when writing dirty page 0 back fails").toBe("DbError io");
    expect([pool.isResident(p(0)), pool.isDirty(p(0))], "[page 0 resident, dirty] after the failed write-back").toEqual([true, true]);
    expect(outcome(() => pool.fetchPage(p(3))), "fetchPage(3) again, the disk working").toBe("nothing thrown");
    expect(pool.snapshot().map((f) => `${String(f.pageId)}:${f.pinCount}`).sort().join(", "), "frames: three pages pinned at once").toBe("1:1, 2:1, 3:1");
    expect(disk.peek(0)[0], "byte 0 of page 0 on disk").toBe(77);
  });

  it("a deleted page's frame starts afresh in the replacer (clock: its usage count is forgotten), and a deleted page that was never resident cannot be fetched", () => {
    const { pool } = setup(2, 5, new ClockReplacer(2));
    for (let i = 0; i < 5; i++) touch(pool, 0); // frame of page 0: usage 5
    touch(pool, 1);
    touch(pool, 1); // frame of page 1: usage 2
    pool.deletePage(p(0));
    touch(pool, 2); // into page 0's old frame: usage 1, not 5 + 1
    pool.fetchPage(p(3));
    expect([pool.isResident(p(2)), pool.isResident(p(1))], "[page 2 resident, page 1 resident] after fetching page 3: the sweep takes page 2 (usage 1) before page 1 (usage 2)").toEqual([false, true]);
    pool.deletePage(p(4));
    expect(outcome(() => pool.fetchPage(p(4))), "fetchPage(4) after deletePage(4), never resident").toBe("DbError invalid-state");
  });

  it("agrees with a model (each page's bytes in a Map) over 200 seeded random operation sequences, 1–4 frames", () => {
    const replacers = [(n: number) => new LruReplacer(n), (n: number) => new ClockReplacer(n), (n: number) => new LruKReplacer(n, 2)];
    const names = ["LRU", "clock", "LRU-2"];
    for (let seed = 1; seed <= 200; seed++) {
      const frames = 1 + (seed % 4);
      const which = seed % 3;
      const ops = randomPoolOps(seed, 70);
      checkRun(ops, (o) => throwMismatch(runModel(frames, replacers[which]!, o)), { seed: `seed ${seed}, ${frames} frames, ${names[which]}`, show: showPoolOp });
    }
  });
});

// ── the model-based run ────────────────────────────────────────────────────────────────

type PoolOp =
  | { readonly kind: "new" }
  | { readonly kind: "fetch"; readonly pick: number }
  | { readonly kind: "fetch-missing" }
  | { readonly kind: "write"; readonly pick: number; readonly offset: number; readonly value: number }
  | { readonly kind: "unpin"; readonly pick: number; readonly dirty: boolean }
  | { readonly kind: "flush"; readonly pick: number }
  | { readonly kind: "flush-all" }
  | { readonly kind: "delete"; readonly pick: number };

function showPoolOp(op: PoolOp): string {
  switch (op.kind) {
    case "new":
    case "flush-all":
    case "fetch-missing":
      return op.kind;
    case "write":
      return `write #${op.pick} [${op.offset}]=${op.value}`;
    case "unpin":
      return `unpin #${op.pick}${op.dirty ? " dirty" : ""}`;
    default:
      return `${op.kind} #${op.pick}`;
  }
}

function randomPoolOps(seed: number, length: number): PoolOp[] {
  const r = rng(seed);
  const ops: PoolOp[] = [];
  for (let i = 0; i < length; i++) {
    const x = r.int(100);
    const pick = r.int(16);
    if (x < 12) ops.push({ kind: "new" });
    else if (x < 40) ops.push({ kind: "fetch", pick });
    else if (x < 42) ops.push({ kind: "fetch-missing" });
    else if (x < 58) ops.push({ kind: "write", pick, offset: r.int(PAGE), value: 1 + r.int(255) });
    else if (x < 84) ops.push({ kind: "unpin", pick, dirty: r.bool(0.2) });
    else if (x < 91) ops.push({ kind: "flush", pick });
    else if (x < 94) ops.push({ kind: "flush-all" });
    else ops.push({ kind: "delete", pick });
  }
  return ops;
}

interface Mismatch {
  what: string;
  got: unknown;
  want: unknown;
}

/** The first byte where two pages differ, as "byte i = v"; undefined when equal. */
function firstDifference(got: Uint8Array, want: Uint8Array): { got: string; want: string } | undefined {
  for (let i = 0; i < PAGE; i++) if (got[i] !== want[i]) return { got: `byte ${i} = ${got[i]}`, want: `byte ${i} = ${want[i]}` };
  return undefined;
}

/**
 * Run `ops` on a pool over a RecordingDisk, next to a model that knows what every page must
 * hold and how often it is pinned. Returns the first disagreement, or undefined.
 */
function runModel(frames: number, makeReplacer: (n: number) => Replacer, ops: readonly PoolOp[]): Mismatch | undefined {
  const disk = recordingDisk(3);
  const pool = new BufferPoolManager({ frames, disk, replacer: makeReplacer(frames) });
  const content = new Map<number, Uint8Array>([0, 1, 2].map((i) => [i, new Uint8Array(PAGE).fill(i + 1)]));
  const pins: { page: number; data: Uint8Array; wrote: boolean }[] = [];
  let fetches = 0;
  const live = () => [...content.keys()].sort((a, b) => a - b);
  const pinCount = (page: number) => pins.filter((h) => h.page === page).length;
  const allPinned = () => new Set(pins.map((h) => h.page)).size === frames;

  for (const op of ops) {
    const call = showPoolOp(op);
    switch (op.kind) {
      case "new": {
        const count = disk.pageCount;
        let page: { pageId: PageId; data: Uint8Array } | undefined;
        const got = outcome(() => (page = pool.newPage()));
        const want = allPinned() ? "DbError no-free-frame" : "nothing thrown";
        if (got !== want) return { what: call, got, want };
        if (page === undefined) {
          if (disk.pageCount !== count) return { what: `pages on disk after ${call}`, got: disk.pageCount, want: count };
          break;
        }
        if (content.has(page.pageId)) return { what: `${call} returned a page in use`, got: page.pageId, want: "a new page id" };
        const zero = new Uint8Array(PAGE);
        const diff = firstDifference(page.data, zero);
        if (diff) return { what: `new page ${page.pageId}`, ...diff };
        content.set(page.pageId, zero);
        pins.push({ page: page.pageId, data: page.data, wrote: false });
        break;
      }
      case "fetch":
      case "fetch-missing": {
        const pages = live();
        const target = op.kind === "fetch-missing" ? disk.pageCount : pages[op.pick % Math.max(1, pages.length)];
        if (target === undefined) break;
        let page: { data: Uint8Array } | undefined;
        const got = outcome(() => (page = pool.fetchPage(p(target))));
        const want =
          op.kind === "fetch-missing"
            ? "DbError out-of-range"
            : allPinned() && pinCount(target) === 0
              ? "DbError no-free-frame"
              : "nothing thrown";
        if (got !== want) return { what: `${call} (page ${target})`, got, want };
        if (page === undefined) break;
        fetches++;
        const diff = firstDifference(page.data, content.get(target)!);
        if (diff) return { what: `bytes of page ${target} from ${call}`, ...diff };
        pins.push({ page: target, data: page.data, wrote: false });
        break;
      }
      case "write": {
        if (pins.length === 0) break;
        const h = pins[op.pick % pins.length]!;
        h.data[op.offset] = op.value;
        content.get(h.page)![op.offset] = op.value;
        h.wrote = true;
        break;
      }
      case "unpin": {
        if (pins.length === 0) break;
        const [h] = pins.splice(op.pick % pins.length, 1);
        const got = outcome(() => pool.unpinPage(p(h!.page), h!.wrote || op.dirty));
        if (got !== "nothing thrown") return { what: `${call} (page ${h!.page})`, got, want: "nothing thrown" };
        break;
      }
      case "flush": {
        const pages = live();
        const target = pages[op.pick % Math.max(1, pages.length)];
        if (target === undefined) break;
        const resident = pool.isResident(p(target));
        const got = pool.flushPage(p(target));
        if (got !== resident) return { what: `flushPage(${target}) of a page ${resident ? "" : "not "}resident`, got, want: resident };
        if (resident && pool.isDirty(p(target)) !== false) return { what: `isDirty(${target}) after flushPage`, got: pool.isDirty(p(target)), want: false };
        break;
      }
      case "flush-all":
        pool.flushAll();
        // A page pinned by a caller who changed it is not dirty until that caller unpins it.
        for (const page of live().filter((x) => !pins.some((h) => h.page === x && h.wrote))) {
          const diff = firstDifference(disk.peek(page), content.get(page)!);
          if (diff) return { what: `page ${page} on disk after flushAll()`, ...diff };
        }
        break;
      case "delete": {
        const pages = live();
        const target = pages[op.pick % Math.max(1, pages.length)];
        if (target === undefined) break;
        const got = outcome(() => pool.deletePage(p(target)));
        const want = pinCount(target) > 0 ? "DbError invalid-state" : "nothing thrown";
        if (got !== want) return { what: `${call} (page ${target}, pin count ${pinCount(target)})`, got, want };
        if (got === "nothing thrown") content.delete(target);
        break;
      }
    }
    // Invariants after every operation.
    let resident = 0;
    for (const page of live()) {
      const isResident = pool.isResident(p(page));
      if (isResident) resident++;
      const pinned = pinCount(page);
      if (pinned > 0 && (!isResident || pool.pinCount(p(page)) !== pinned)) {
        return { what: `pinCount(${page}) after ${call}`, got: pool.pinCount(p(page)), want: pinned };
      }
      // A page that is not resident, or resident, unpinned and clean, is on disk as the model says.
      if (!isResident || (pinned === 0 && pool.isDirty(p(page)) === false)) {
        const diff = firstDifference(disk.peek(page), content.get(page)!);
        if (diff) return { what: `page ${page} on disk (${isResident ? "resident, clean" : "not resident"}) after ${call}`, ...diff };
      }
    }
    if (resident > frames) return { what: `resident pages after ${call}`, got: resident, want: `at most ${frames}` };
    const s = pool.stats;
    if (s.hits + s.misses !== fetches) return { what: `stats.hits + stats.misses after ${call}`, got: s.hits + s.misses, want: fetches };
    if (s.reads !== disk.ops("read").length) return { what: `stats.reads after ${call}`, got: s.reads, want: disk.ops("read").length };
    if (s.writes !== disk.ops("write").length) return { what: `stats.writes after ${call}`, got: s.writes, want: disk.ops("write").length };
  }
  return undefined;
}
