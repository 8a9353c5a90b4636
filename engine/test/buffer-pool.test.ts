import { describe, expect, test } from "vitest";
import {
  BufferPoolManager,
  ClockReplacer,
  DbError,
  InvariantError,
  LruKReplacer,
  LruReplacer,
  MemoryDiskManager,
  type FrameId,
  type PageId,
  type Replacer,
} from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same, sameBytes } from "../../test-support/assert.js";
import { expectDbError, expectDbError as throwsKind } from "../../test-support/errors.js";
import { RecordingDisk } from "./support/recording-disk.js";

const PAGE = 256;
const p = (n: number) => n as PageId;

const replacers: [string, (frames: number) => Replacer][] = [
  ["LRU", (n) => new LruReplacer(n)],
  ["clock", (n) => new ClockReplacer(n)],
  ["LRU-2", (n) => new LruKReplacer(n, 2)],
];

function poolOf(frames: number, replacer: Replacer = new LruReplacer(frames), disk = new RecordingDisk(PAGE)) {
  return { pool: new BufferPoolManager({ frames, disk, replacer }), disk };
}

/** Put `count` pages on disk, page i filled with byte 100 + i. */
function seed(disk: RecordingDisk, count: number): void {
  for (let i = 0; i < count; i++) disk.inner.writePage(disk.inner.allocatePage(), new Uint8Array(PAGE).fill(100 + i));
  disk.log.length = 0;
}

type Op =
  | { op: "write"; page: number; value: number }
  | { op: "read"; page: number }
  | { op: "hold"; page: number }
  | { op: "release"; index: number; dirtyValue: number | undefined }
  | { op: "flush"; page: number }
  | { op: "flushAll" }
  | { op: "delete"; page: number }
  | { op: "new" };

describe.each(replacers)("03 buffer pool with %s", (_name, makeReplacer) => {
  test("page contents match a model over seeded random operations; nothing written is ever lost", () => {
    for (const frames of [1, 3, 8]) {
      checkModel<Op>({
        seed: frames * 13,
        count: 1500,
        generate: (rng) => {
          const page = rng.int(14);
          const r = rng.int(100);
          if (r < 25) return { op: "write", page, value: rng.int(256) };
          if (r < 50) return { op: "read", page };
          if (r < 62) return { op: "hold", page };
          if (r < 80) return { op: "release", index: rng.int(4), dirtyValue: rng.bool() ? rng.int(256) : undefined };
          if (r < 86) return { op: "flush", page };
          if (r < 88) return { op: "flushAll" };
          if (r < 94) return { op: "delete", page };
          return { op: "new" };
        },
        run: (ops) => {
          const disk = new RecordingDisk(PAGE);
          seed(disk, 10);
          const pool = new BufferPoolManager({ frames, disk, replacer: makeReplacer(frames) });
          const model = new Map<number, Uint8Array>();
          for (let i = 0; i < 10; i++) model.set(i, new Uint8Array(PAGE).fill(100 + i));
          const held: { page: number; data: Uint8Array }[] = [];
          const pins = new Map<number, number>();
          const pinnedPages = () => [...pins.values()].filter((n) => n > 0).length;
          // Does a fetch of `page` have a frame to go to?
          const fetchable = (page: number) => pool.isResident(p(page)) || pinnedPages() < frames;

          for (const op of ops) {
            switch (op.op) {
              case "write":
              case "read": {
                if (!model.has(op.page)) {
                  if (op.page >= disk.pageCount) throwsKind(() => pool.fetchPage(p(op.page)), "out-of-range", "fetch");
                  break;
                }
                if (!fetchable(op.page)) {
                  throwsKind(() => pool.fetchPage(p(op.page)), "no-free-frame", "fetch with every frame pinned");
                  break;
                }
                if (op.op === "write") {
                  pool.withWritePage(p(op.page), (data) => data.fill(op.value));
                  model.set(op.page, new Uint8Array(PAGE).fill(op.value));
                } else {
                  pool.withReadPage(p(op.page), (data) => sameBytes(data, model.get(op.page), `page ${op.page}`));
                }
                break;
              }
              case "hold": {
                if (!model.has(op.page) || !fetchable(op.page) || held.length >= 4) break;
                const page = pool.fetchPage(p(op.page));
                sameBytes(page.data, model.get(op.page), `held page ${op.page}`);
                held.push({ page: op.page, data: page.data });
                pins.set(op.page, (pins.get(op.page) ?? 0) + 1);
                break;
              }
              case "release": {
                const entry = held.splice(op.index, 1)[0];
                if (entry === undefined) break;
                if (op.dirtyValue !== undefined) {
                  entry.data.fill(op.dirtyValue);
                  model.set(entry.page, new Uint8Array(PAGE).fill(op.dirtyValue));
                }
                pool.unpinPage(p(entry.page), op.dirtyValue !== undefined);
                pins.set(entry.page, (pins.get(entry.page) ?? 0) - 1);
                break;
              }
              case "flush": {
                const resident = pool.isResident(p(op.page));
                same(pool.flushPage(p(op.page)), resident, "flushPage result");
                if (resident) {
                  same(pool.isDirty(p(op.page)), false, "clean after flush");
                  sameBytes(disk.peek(p(op.page)), model.get(op.page), "flushed bytes on disk");
                }
                break;
              }
              case "flushAll":
                pool.flushAll();
                break;
              case "delete": {
                if (!model.has(op.page)) break;
                if ((pins.get(op.page) ?? 0) > 0) {
                  throwsKind(() => pool.deletePage(p(op.page)), "invalid-state", "delete of a pinned page");
                  break;
                }
                pool.deletePage(p(op.page));
                model.delete(op.page);
                same(pool.isResident(p(op.page)), false, "deleted page resident");
                break;
              }
              case "new": {
                if (pinnedPages() === frames) {
                  const before = disk.pageCount;
                  throwsKind(() => pool.newPage(), "no-free-frame", "newPage with every frame pinned");
                  same(disk.pageCount, before, "no page allocated by a failed newPage");
                  break;
                }
                const page = pool.newPage();
                check(!model.has(page.pageId), `newPage returned live page ${page.pageId}`);
                sameBytes(page.data, new Uint8Array(PAGE), "new page is zeros");
                model.set(page.pageId, new Uint8Array(PAGE));
                pool.unpinPage(page.pageId, false);
                break;
              }
            }
            // Pin counts and the frame table agree with what the test holds.
            const snapshot = pool.snapshot();
            same(snapshot.length, frames, "frames");
            const residents = snapshot.filter((s) => s.pageId !== undefined).map((s) => s.pageId as number);
            same(new Set(residents).size, residents.length, "a page in two frames");
            for (const s of snapshot) {
              if (s.pageId === undefined) same(s.pinCount, 0, "free frame pinned");
              else same(s.pinCount, pins.get(s.pageId) ?? 0, `pin count of page ${s.pageId}`);
            }
          }
          // Everything written reaches the disk by flushAll, through any number of evictions.
          for (const entry of held) pool.unpinPage(p(entry.page), false);
          pool.flushAll();
          for (const [page, bytes] of model) sameBytes(disk.peek(p(page)), bytes, `page ${page} on disk at the end`);
        },
      });
    }
  });

  test("a pinned page is never evicted: with every frame pinned, a fetch fails and changes nothing", () => {
    const { pool, disk } = poolOf(3, makeReplacer(3));
    seed(disk, 5);
    for (let i = 0; i < 3; i++) pool.fetchPage(p(i));
    const before = pool.snapshot();
    const statsBefore = pool.stats;
    const error = expectDbError(() => pool.fetchPage(p(3)), "no-free-frame");
    expect(error.message).toContain("3 frames");
    expect(error.details).toMatchObject({ poolSize: 3, pageId: 3 });
    expectDbError(() => pool.newPage(), "no-free-frame");
    expect(pool.snapshot()).toEqual(before);
    expect(pool.stats).toEqual(statsBefore);
    expect(disk.pageCount).toBe(5);
    pool.unpinPage(p(1), false);
    expect(pool.fetchPage(p(3)).pageId).toBe(3);
    expect(pool.isResident(p(1))).toBe(false);
    expect([0, 2, 3].every((i) => pool.isResident(p(i)))).toBe(true);
  });
});

describe("03 buffer pool", () => {
  test("a dirty page is written back before its frame is reused; a clean one is not", () => {
    const { pool, disk } = poolOf(1);
    seed(disk, 3);
    const page = pool.fetchPage(p(0));
    page.data.fill(7);
    pool.unpinPage(p(0), true);
    pool.fetchPage(p(1));
    pool.unpinPage(p(1), false);
    pool.fetchPage(p(2));
    pool.unpinPage(p(2), false);
    expect(disk.log).toEqual(["read 0", "write 0:7", "read 1", "read 2"]);
    expect(disk.peek(p(0))).toEqual(new Uint8Array(PAGE).fill(7));
  });

  test("a pool of one frame still serves every page, one at a time", () => {
    const { pool, disk } = poolOf(1);
    const ids: PageId[] = [];
    for (let i = 0; i < 5; i++) {
      const guard = pool.newPageGuarded();
      guard.data.fill(i + 1);
      ids.push(guard.pageId);
      guard.release();
    }
    expect(ids).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < 5; i++) {
      expect(pool.withReadPage(ids[i]!, (data) => data[0])).toBe(i + 1);
    }
    const guard = pool.readPage(ids[0]!);
    expectDbError(() => pool.readPage(ids[1]!), "no-free-frame");
    guard.release();
    expect(disk.inner.stats.writes).toBe(5);
  });

  test("stats count hits, misses, evictions, reads and writes", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 3);
    pool.withReadPage(p(0), () => undefined); // miss, read
    pool.withReadPage(p(0), () => undefined); // hit
    pool.withWritePage(p(1), (d) => d.fill(1)); // miss, read
    pool.withReadPage(p(2), () => undefined); // miss, read, evicts 0 (clean)
    pool.withReadPage(p(0), () => undefined); // miss, read, evicts 1 (dirty: write)
    expect(pool.stats).toEqual({ hits: 1, misses: 4, evictions: 2, reads: 4, writes: 1 });
    pool.resetStats();
    expect(pool.stats).toEqual({ hits: 0, misses: 0, evictions: 0, reads: 0, writes: 0 });
  });

  test("pin counts: every fetch pins, every unpin unpins; an unpin without a pin is refused", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 2);
    pool.fetchPage(p(0));
    pool.fetchPage(p(0));
    expect(pool.pinCount(p(0))).toBe(2);
    pool.unpinPage(p(0), true);
    pool.unpinPage(p(0), false);
    expect(pool.pinCount(p(0))).toBe(0);
    expect(pool.isDirty(p(0))).toBe(true); // a later clean unpin does not clear it
    expect(expectDbError(() => pool.unpinPage(p(0), false), "invalid-state").details).toMatchObject({ pageId: 0 });
    expectDbError(() => pool.unpinPage(p(1), false), "invalid-state");
    expect(pool.pinCount(p(1))).toBeUndefined();
    expect(pool.isDirty(p(1))).toBeUndefined();
  });

  test("flushPage writes a pinned dirty page and leaves it pinned; flushAll writes only dirty pages", () => {
    const { pool, disk } = poolOf(3);
    seed(disk, 3);
    const page = pool.fetchPage(p(0));
    page.data.fill(9);
    pool.unpinPage(p(0), true);
    pool.fetchPage(p(0));
    expect(pool.flushPage(p(0))).toBe(true);
    expect(pool.pinCount(p(0))).toBe(1);
    expect(disk.peek(p(0))[0]).toBe(9);
    expect(pool.flushPage(p(2))).toBe(false);
    pool.withReadPage(p(1), () => undefined);
    disk.log.length = 0;
    pool.flushAll();
    expect(disk.log).toEqual([]);
  });

  test("deletePage: refused while pinned; otherwise dropped without write-back and reused on disk", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 2);
    const page = pool.fetchPage(p(1));
    page.data.fill(5);
    const error = expectDbError(() => pool.deletePage(p(1)), "invalid-state");
    expect(error.details).toMatchObject({ pageId: 1, pinCount: 1 });
    pool.unpinPage(p(1), true);
    disk.log.length = 0;
    pool.deletePage(p(1));
    expect(disk.log).toEqual(["deallocate 1"]);
    expect(pool.isResident(p(1))).toBe(false);
    const reused = pool.newPage();
    expect(reused.pageId).toBe(1);
    expect(reused.data).toEqual(new Uint8Array(PAGE));
    expectDbError(() => pool.deletePage(p(99)), "out-of-range");
  });

  test("deletePage: a deleted page cannot be fetched or deleted again until newPage hands it out; a disk that refuses changes nothing", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 3);
    const page = pool.fetchPage(p(1));
    page.data.fill(7);
    pool.unpinPage(p(1), true);
    pool.flushPage(p(1)); // the old bytes are on disk: a fetch after the delete must not return them
    pool.deletePage(p(1));
    const stats = pool.stats;
    disk.log.length = 0;
    const fetched = expectDbError(() => pool.fetchPage(p(1)), "invalid-state");
    expect(fetched.message).toMatch(/page 1 was deleted/);
    const again = expectDbError(() => pool.deletePage(p(1)), "invalid-state");
    expect(again.message).toMatch(/page 1 was deleted/);
    expect(disk.log, "disk calls made by the refused fetch and delete").toEqual([]);
    expect(pool.stats).toEqual(stats);
    expect(pool.snapshot().map((f) => f.pageId)).toEqual([undefined, undefined]);
    const reused = pool.newPage();
    expect(reused.pageId).toBe(1);
    pool.unpinPage(reused.pageId, false);
    expect(pool.fetchPage(p(1)).data).toEqual(new Uint8Array(PAGE));
    pool.unpinPage(p(1), false);

    // A disk that refuses the deallocation: the page stays resident, dirty, and fetchable.
    class RefusingDisk extends MemoryDiskManager {
      override deallocatePage(pageId: PageId): void {
        throw new DbError("io", `cannot deallocate page ${pageId}`, { pageId });
      }
    }
    const refusing = new RefusingDisk({ pageSize: PAGE });
    refusing.allocatePage();
    const pool2 = new BufferPoolManager({ frames: 1, disk: refusing, replacer: new LruReplacer(1) });
    pool2.withWritePage(p(0), (data) => data.fill(9));
    expectDbError(() => pool2.deletePage(p(0)), "io");
    expect([pool2.isResident(p(0)), pool2.isDirty(p(0)), pool2.pinCount(p(0))]).toEqual([true, true, 0]);
    expect(pool2.withReadPage(p(0), (data) => data[0])).toBe(9);
    expect(pool2.replacer.size(), "evictable frames: the replacer still tracks the kept page").toBe(1);
  });

  test("the page table follows page ids far beyond its first size, and never mistakes a bad id for a resident page", () => {
    const { pool, disk } = poolOf(4);
    seed(disk, 1000);
    for (const page of [999, 0, 500, 63, 64, 998]) {
      const pinned = pool.fetchPage(p(page));
      expect(pinned.data[0], `byte 0 of page ${page}`).toBe((100 + page) % 256);
      pool.unpinPage(p(page), false);
    }
    expect([999, 0, 500, 63, 64, 998].filter((page) => pool.isResident(p(page))), "resident after LRU evictions").toEqual([500, 63, 64, 998]);
    pool.fetchPage(p(0));
    for (const bad of [-1, 0.5, Number.NaN, 1000, 2 ** 40]) {
      expectDbError(() => pool.fetchPage(bad as PageId), "out-of-range");
      expectDbError(() => pool.unpinPage(bad as PageId, false), "invalid-state");
      expect([pool.isResident(bad as PageId), pool.pinCount(bad as PageId), pool.flushPage(bad as PageId)], `id ${bad}`).toEqual([false, undefined, false]);
    }
    expect(pool.fetchPage(p(0)).pageId, "-0 and 0 are the same page").toBe(pool.fetchPage(-0 as PageId).pageId);
  });

  test("guards unpin once on release, refuse stale access, and write guards mark the page dirty", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 2);
    const read = pool.readPage(p(0));
    expect(read.mode).toBe("read");
    expect(pool.pinCount(p(0))).toBe(1);
    read.release();
    read.release();
    expect(read.released).toBe(true);
    expect(pool.pinCount(p(0))).toBe(0);
    expect(pool.isDirty(p(0))).toBe(false);
    expectDbError(() => read.data, "invalid-state");
    const write = pool.writePage(p(1));
    write.data[0] = 42;
    write.release();
    expect(pool.isDirty(p(1))).toBe(true);
    expect(() =>
      pool.withWritePage(p(0), () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(pool.pinCount(p(0))).toBe(0);
  });

  test("bad input is refused and changes nothing", () => {
    const { pool, disk } = poolOf(2);
    seed(disk, 1);
    const before = pool.snapshot();
    expectDbError(() => pool.fetchPage(p(1)), "out-of-range");
    expectDbError(() => pool.fetchPage(p(-1)), "out-of-range");
    expect(pool.snapshot()).toEqual(before);
    expectDbError(() => new BufferPoolManager({ frames: 0, disk, replacer: new LruReplacer(1) }), "invalid-argument");
    const mismatch = expectDbError(
      () => new BufferPoolManager({ frames: 4, disk, replacer: new ClockReplacer(2) }),
      "invalid-argument",
    );
    expect(mismatch.message).toContain("2 frames");
  });

  test("a failed write-back during eviction keeps the victim resident, dirty and evictable", () => {
    const { pool, disk } = poolOf(1);
    seed(disk, 2);
    pool.withWritePage(p(0), (d) => d.fill(3));
    disk.failNextWrite = new DbError("io", "disk on fire");
    expectDbError(() => pool.fetchPage(p(1)), "io");
    expect(pool.isResident(p(0))).toBe(true);
    expect(pool.isDirty(p(0))).toBe(true);
    expect(pool.withReadPage(p(1), (d) => d[0])).toBe(101);
    expect(disk.peek(p(0))[0]).toBe(3);
  });

  test("a replacer that breaks its contract is caught, not obeyed", () => {
    const liar: Replacer = {
      capacity: 1,
      recordAccess() {},
      setEvictable() {},
      evict: () => 0 as FrameId,
      remove() {},
      size: () => 1,
    };
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    disk.allocatePage();
    disk.allocatePage();
    const pool = new BufferPoolManager({ frames: 1, disk, replacer: liar });
    pool.fetchPage(p(0));
    expect(() => pool.fetchPage(p(1))).toThrow(InvariantError);
    expect(() => pool.fetchPage(p(1))).toThrow(/pinned/);
  });

  test("with the clock replacer, usage counts show what pg_buffercache shows", () => {
    const clock = new ClockReplacer(2);
    const { pool, disk } = poolOf(2, clock);
    seed(disk, 2);
    for (let i = 0; i < 7; i++) pool.withReadPage(p(0), () => undefined);
    pool.withReadPage(p(1), () => undefined);
    const frameOf = (page: number) => pool.snapshot().find((s) => s.pageId === page)!.frameId;
    expect(clock.usageCount(frameOf(0))).toBe(5);
    expect(clock.usageCount(frameOf(1))).toBe(1);
  });
});
