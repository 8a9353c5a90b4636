/** Hidden suite for exercise 03.2: the LRU-K replacer. */
import { describe, expect, it } from "vitest";
import { BufferPoolManager, MemoryDiskManager, type FrameId, type PageId } from "@workbook/engine";
import { LruKReplacer } from "@submission";
import { replacerContract } from "../../test-support/contracts/replacer.js";
import { LruKModel, comparePools, compare, randomOps, randomPoolOps, showOp, showPoolOp, throwMismatch } from "./harness.js";
import { checkRun, outcome } from "../../test-support/index.js";

const f = (n: number) => n as FrameId;

/** Record accesses to the frames in `frames`, in order. */
function accesses(r: LruKReplacer, frames: number[]): void {
  for (const frame of frames) r.recordAccess(f(frame));
}

function allEvictable(r: LruKReplacer, frames: number[]): void {
  for (const frame of frames) r.setEvictable(f(frame), true);
}

function drain(r: LruKReplacer): number[] {
  const out: number[] = [];
  for (let v = r.evict(); v !== undefined; v = r.evict()) out.push(v);
  return out;
}

const distances = (r: LruKReplacer | LruKModel, n: number) => Array.from({ length: n }, (_, i) => r.kDistance(f(i)));
const probe = (r: LruKReplacer | LruKModel, capacity: number) => distances(r, capacity).map(String);

replacerContract("03.2 LRU-K replacer (K = 2): the Replacer contract", (capacity) => new LruKReplacer(capacity, 2));

describe("03.2 LRU-K replacer", () => {
  it("starts empty: size() is 0, evict() is undefined, kDistance is undefined; keeps capacity and k", () => {
    const r = new LruKReplacer(3, 2);
    expect(r.size(), "size() of a new replacer").toBe(0);
    expect(r.evict(), "evict() on a new replacer").toBeUndefined();
    expect(distances(r, 3), "kDistance of untracked frames").toEqual([undefined, undefined, undefined]);
    expect([r.capacity, r.k], "[capacity, k] of new LruKReplacer(3, 2)").toEqual([3, 2]);
  });

  it("computes backward K-distances: the header's example (K = 2)", () => {
    const r = new LruKReplacer(4, 2);
    accesses(r, [0, 2, 3, 0, 2, 1, 0]);
    expect(distances(r, 4), "kDistance of frames 0…3 after accesses 0 2 3 0 2 1 0").toEqual([3, Infinity, 5, Infinity]);
    allEvictable(r, [0, 1, 2, 3]);
    expect(drain(r), "eviction order").toEqual([3, 1, 2, 0]);
  });

  it("evicts a frame with fewer than K accesses (+∞) before any frame with K, however recent", () => {
    const r = new LruKReplacer(3, 2);
    accesses(r, [0, 0, 1, 1, 2]);
    allEvictable(r, [0, 1, 2]);
    expect(r.evict(), "victim: frame 2 has one access (the most recent of all), 0 and 1 have two").toBe(2);
    expect(r.evict(), "then the largest finite distance").toBe(0);
  });

  it("breaks ties among +∞ frames by the oldest first access, not the most recent one", () => {
    const r = new LruKReplacer(3, 3);
    accesses(r, [0, 1, 0, 2]); // K = 3: all at +∞; first accesses at times 1, 2, 4
    allEvictable(r, [0, 1, 2]);
    expect(r.evict(), "victim: frame 0 was first accessed earliest (though accessed again later)").toBe(0);
    expect(r.evict(), "next victim").toBe(1);
    expect(r.evict(), "last victim").toBe(2);
  });

  it("evicts the largest backward K-distance, which is not what LRU would evict", () => {
    const r = new LruKReplacer(2, 2);
    accesses(r, [0, 1, 1, 0]); // LRU would take 1 (last used at 3); frame 0's 2nd most recent is at 1
    allEvictable(r, [0, 1]);
    expect(distances(r, 2), "kDistance of frames 0 and 1").toEqual([3, 2]);
    expect(r.evict(), "victim").toBe(0);
  });

  it("keeps only the last K accesses of a frame", () => {
    const r = new LruKReplacer(2, 2);
    accesses(r, [0, 0, 1, 1, 0, 0]); // frame 0: times 1 2 5 6, frame 1: 3 4; now = 6
    expect(distances(r, 2), "kDistance of frames 0 and 1").toEqual([1, 3]);
    allEvictable(r, [0, 1]);
    expect(r.evict(), "victim: frame 1's 2nd most recent access (3) is older than frame 0's (5)").toBe(1);
  });

  it("with K = 1 is exactly LRU", () => {
    const r = new LruKReplacer(4, 1);
    accesses(r, [2, 0, 3, 1, 2, 0]);
    allEvictable(r, [0, 1, 2, 3]);
    expect(distances(r, 4), "kDistance with K = 1 (time since the last access)").toEqual([0, 2, 1, 3]);
    expect(drain(r), "eviction order with K = 1").toEqual([3, 1, 2, 0]);
  });

  it("keeps a frame's history across pin and unpin, and forgets it on evict and remove", () => {
    const r = new LruKReplacer(3, 2);
    accesses(r, [0, 0, 1, 1, 2, 2]);
    r.setEvictable(f(0), true);
    r.setEvictable(f(0), false);
    r.setEvictable(f(0), true);
    expect(r.kDistance(f(0)), "kDistance(0) after pin/unpin").toBe(5);
    expect(r.evict(), "victim").toBe(0);
    expect(r.kDistance(f(0)), "kDistance of the victim").toBeUndefined();
    r.recordAccess(f(0));
    expect(r.kDistance(f(0)), "kDistance of the victim after one new access").toBe(Infinity);
    r.setEvictable(f(1), true);
    r.remove(f(1));
    expect(r.kDistance(f(1)), "kDistance after remove").toBeUndefined();
    r.recordAccess(f(1));
    expect(r.kDistance(f(1)), "kDistance of a removed frame after one new access").toBe(Infinity);
  });

  it("remove() forgets an evictable frame, refuses a pinned one (invalid-state), ignores an untracked one", () => {
    const r = new LruKReplacer(3, 2);
    accesses(r, [0, 1, 2]);
    allEvictable(r, [0, 1, 2]);
    r.remove(f(0));
    expect(r.size(), "size() after remove(0)").toBe(2);
    expect(outcome(() => r.remove(f(0))), "remove(0) again").toBe("nothing thrown");
    expect(r.size(), "size() after removing an untracked frame").toBe(2);
    r.setEvictable(f(1), false);
    expect(outcome(() => r.remove(f(1))), "remove(1) while pinned").toBe("DbError invalid-state");
    expect([r.size(), r.kDistance(f(1))], "[size(), kDistance(1)] after the refused remove").toEqual([1, Infinity]);
    expect(drain(r), "what is left to evict").toEqual([2]);
  });

  it("rejects frame ids outside 0…capacity−1 (out-of-range), and bad capacities or K (invalid-argument)", () => {
    const r = new LruKReplacer(3, 2);
    for (const bad of [3, -1, 0.5]) {
      expect(outcome(() => r.recordAccess(f(bad))), `recordAccess(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.setEvictable(f(bad), true)), `setEvictable(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.remove(f(bad))), `remove(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.kDistance(f(bad))), `kDistance(${bad}) on 3 frames`).toBe("DbError out-of-range");
    }
    r.recordAccess(f(2));
    expect(r.kDistance(f(2)), "kDistance(2) after the refused calls").toBe(Infinity);
    for (const [capacity, k] of [[0, 2], [2.5, 2], [3, 0], [3, 1.5], [3, -1]] as const) {
      expect(outcome(() => new LruKReplacer(capacity, k)), `new LruKReplacer(${capacity}, ${k})`).toBe("DbError invalid-argument");
    }
    expect(new LruKReplacer(1, 1).k, "k of new LruKReplacer(1, 1)").toBe(1);
  });

  it("matches a brute-force LRU-K model (K = 1, 2, 3) over 300 seeded random operation sequences", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const capacity = 1 + (seed % 7);
      const k = 1 + (seed % 3);
      const ops = randomOps(seed, capacity, 90);
      const run = (o: readonly (typeof ops)[number][]) =>
        compare(() => new LruKReplacer(capacity, k), () => new LruKModel(capacity, k), capacity, o, probe as never, "kDistance of each frame");
      checkRun(ops, (o) => throwMismatch(run(o)), { seed: `seed ${seed}, ${capacity} frames, K = ${k}`, show: showOp });
    }
  });

  it("plugged into the engine's BufferPool (2–4 frames), evicts what the model evicts, and pages keep their bytes", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const frames = 2 + (seed % 3);
      const k = 1 + (seed % 2);
      const ops = randomPoolOps(seed, 10, 120);
      const run = (o: readonly (typeof ops)[number][]) =>
        comparePools((n) => new LruKReplacer(n, k), (n) => new LruKModel(n, k), frames, 10, o);
      checkRun(ops, (o) => throwMismatch(run(o)), { seed: `seed ${seed}, ${frames} frames, K = ${k}`, show: showPoolOp });
    }
  });

  it("with K = 2 keeps pages used twice through a scan in a 4-frame BufferPool; all pinned → no-free-frame", () => {
    const disk = new MemoryDiskManager({ pageSize: 256 });
    for (let p = 0; p < 12; p++) disk.allocatePage();
    const pool = new BufferPoolManager({ frames: 4, disk, replacer: new LruKReplacer(4, 2) });
    const touch = (p: number) => pool.unpinPage(pool.fetchPage(p as PageId).pageId, false);
    for (const p of [0, 1, 0, 1]) touch(p);
    for (let p = 2; p < 12; p++) touch(p); // a scan of 10 pages, each once
    expect([pool.isResident(0 as PageId), pool.isResident(1 as PageId)], "pages 0 and 1 resident after the scan").toEqual([true, true]);
    pool.resetStats();
    touch(0);
    touch(1);
    expect(pool.stats.hits, "hits when re-reading pages 0 and 1").toBe(2);
    for (let p = 8; p < 12; p++) pool.fetchPage(p as PageId);
    expect(outcome(() => pool.fetchPage(0 as PageId)), "fetchPage with all 4 frames pinned").toBe("DbError no-free-frame");
  });
});
