/** Hidden suite for exercise 03.1: the clock-sweep replacer. */
import { describe, expect, it } from "vitest";
import { BufferPoolManager, MemoryDiskManager, type FrameId, type PageId } from "@workbook/engine";
import { ClockReplacer } from "@submission";
import { clockReplacerScript, replacerContract } from "../../test-support/contracts/replacer.js";
import { ClockModel, comparePools, compare, randomOps, randomPoolOps, showOp, showPoolOp, throwMismatch } from "./harness.js";
import { checkRun, outcome } from "../../test-support/index.js";

const f = (n: number) => n as FrameId;

/** Track frames 0 … n − 1 with one access each and make them evictable. */
function filled(n: number, capacity = n): ClockReplacer {
  const r = new ClockReplacer(capacity);
  for (let i = 0; i < n; i++) {
    r.recordAccess(f(i));
    r.setEvictable(f(i), true);
  }
  return r;
}

/** Frame `frame` accessed `times` times. */
function access(r: ClockReplacer, frame: number, times: number): void {
  for (let i = 0; i < times; i++) r.recordAccess(f(frame));
}

const usages = (r: ClockReplacer, n: number) => Array.from({ length: n }, (_, i) => r.usageCount(f(i)));
const probe = (r: ClockReplacer | ClockModel, capacity: number) => ({ hand: r.hand, usage: usages(r as ClockReplacer, capacity) });

replacerContract("03.1 clock replacer: the Replacer contract", (capacity) => new ClockReplacer(capacity));

describe("03.1 clock replacer: golden script", () => clockReplacerScript("clock-replacer.golden: the sweep step by step, with the hand and usage counts", (n) => new ClockReplacer(n), { canRewrite: false }));

describe("03.1 clock replacer", () => {
  it("starts empty: size() is 0, evict() is undefined, no frame is tracked, the hand is at 0", () => {
    const r = new ClockReplacer(4);
    expect(r.size(), "size() of a new replacer").toBe(0);
    expect(r.evict(), "evict() on a new replacer").toBeUndefined();
    expect(usages(r, 4), "usageCount of untracked frames").toEqual([undefined, undefined, undefined, undefined]);
    expect(r.hand, "hand of a new replacer").toBe(0);
  });

  it("tracks an accessed frame as not evictable, with usage count 1", () => {
    const r = new ClockReplacer(3);
    r.recordAccess(f(1));
    expect(r.usageCount(f(1)), "usageCount(1) after one access").toBe(1);
    expect(r.size(), "size() after recordAccess only").toBe(0);
    expect(r.evict(), "evict() with the only frame not evictable").toBeUndefined();
    r.setEvictable(f(1), true);
    expect(r.size(), "size() after setEvictable(1, true)").toBe(1);
  });

  it("returns undefined from evict() when every tracked frame is pinned, and after the last victim", () => {
    const r = new ClockReplacer(3);
    for (let i = 0; i < 3; i++) access(r, i, 3);
    expect(r.evict(), "evict() with three pinned frames").toBeUndefined();
    r.setEvictable(f(2), true);
    expect(r.evict(), "evict() with only frame 2 evictable").toBe(2);
    expect(r.evict(), "evict() after the only evictable frame went").toBeUndefined();
    expect(r.size(), "size() afterwards").toBe(0);
  });

  it("gives a second chance: the sweep decrements usage counts and takes the first frame at 0", () => {
    // The header's example: usage 2, 0, pinned, 1, 0, 5 with the hand at 0.
    const r = new ClockReplacer(6);
    const counts = [2, 0, 1, 1, 0, 5];
    for (let i = 0; i < 6; i++) {
      access(r, i, Math.max(1, counts[i]!));
      if (i !== 2) r.setEvictable(f(i), true);
    }
    // Every accessed frame is at 1 or more: the first turn of the hand takes 2 → 1 and every
    // 1 → 0 (skipping pinned frame 2); the second turn finds frame 1 at 0.
    expect(r.evict(), "first victim").toBe(1);
    expect(usages(r, 6), "usage counts after the first evict()").toEqual([0, undefined, 1, 0, 0, 4]);
    expect(r.hand, "hand after the first evict()").toBe(2);
    expect(r.evict(), "second victim").toBe(3);
    expect(r.evict(), "third victim").toBe(4);
    expect(r.hand, "hand after the third evict()").toBe(5);
    expect(r.evict(), "fourth victim").toBe(0);
    expect(r.evict(), "fifth victim (after 4 more sweeps)").toBe(5);
    expect(r.evict(), "only the pinned frame is left").toBeUndefined();
  });

  it("caps usage counts at 5 (PostgreSQL's BM_MAX_USAGE_COUNT)", () => {
    const r = new ClockReplacer(2);
    access(r, 0, 12);
    access(r, 1, 5);
    expect(r.usageCount(f(0)), "usageCount after 12 accesses").toBe(5);
    expect(r.usageCount(f(1)), "usageCount after 5 accesses").toBe(5);
    r.setEvictable(f(0), true);
    r.setEvictable(f(1), true);
    // Both at 5: five full sweeps bring both to 0, then the hand is back at frame 0.
    expect(r.evict(), "victim between a frame accessed 12 times and one accessed 5 times").toBe(0);
    expect(r.usageCount(f(1)), "usageCount(1) after the sweeps").toBe(0);
  });

  it("keeps the usage count when a frame is pinned and unpinned", () => {
    const r = new ClockReplacer(2);
    access(r, 0, 3);
    r.setEvictable(f(0), true);
    r.setEvictable(f(0), false);
    r.setEvictable(f(0), true);
    expect(r.usageCount(f(0)), "usageCount(0) after pin/unpin").toBe(3);
    access(r, 0, 1);
    expect(r.usageCount(f(0)), "usageCount(0) after one more access while evictable").toBe(4);
    expect(r.size(), "an access leaves an evictable frame evictable").toBe(1);
  });

  it("sweeps from where the hand stopped: it moves forward only, past pinned and untracked frames", () => {
    const r = filled(4);
    expect(r.evict(), "first victim: four frames at usage 1, hand at 0").toBe(0);
    expect(r.hand, "hand after the first victim").toBe(1);
    // Frames 1…3 are at 0 now: the hand takes them in order, not frame 0 again.
    access(r, 0, 1);
    r.setEvictable(f(0), true);
    r.setEvictable(f(1), false);
    expect(r.evict(), "second victim: 1 is pinned, 2 is next").toBe(2);
    expect(r.evict(), "third victim").toBe(3);
    expect(r.hand, "the hand wraps around").toBe(0);
    expect(r.evict(), "fourth victim: frame 0 was accessed after its count was swept to 0").toBe(0);
  });

  it("remove() forgets an evictable frame, refuses a pinned one (invalid-state), ignores an untracked one", () => {
    const r = filled(3);
    access(r, 0, 3);
    r.remove(f(0));
    expect(r.size(), "size() after remove(0)").toBe(2);
    expect(r.usageCount(f(0)), "usageCount(0) after remove").toBeUndefined();
    expect(outcome(() => r.remove(f(0))), "remove(0) again").toBe("nothing thrown");
    expect(r.size(), "size() after removing an untracked frame").toBe(2);
    r.setEvictable(f(1), false);
    expect(outcome(() => r.remove(f(1))), "remove(1) while pinned").toBe("DbError invalid-state");
    expect(r.size(), "a refused remove changes nothing").toBe(1);
    expect(r.usageCount(f(1)), "usageCount(1) after the refused remove").toBe(1);
    access(r, 0, 1);
    expect(r.usageCount(f(0)), "a removed frame starts afresh at its next access").toBe(1);
    expect(r.evict(), "evict() after the removals").toBe(2);
  });

  it("forgets an evicted frame: it is untracked, and starts at usage 1 when accessed again", () => {
    const r = filled(2);
    access(r, 0, 4);
    expect(r.evict(), "victim").toBe(1);
    expect(r.usageCount(f(1)), "usageCount of the victim").toBeUndefined();
    r.setEvictable(f(1), true);
    expect(r.size(), "setEvictable on the evicted (untracked) frame").toBe(1);
    access(r, 1, 1);
    expect(r.usageCount(f(1)), "usageCount after the next access").toBe(1);
    expect(r.size(), "the re-accessed frame is not evictable").toBe(1);
  });

  it("rejects frame ids outside 0…capacity−1 (out-of-range) and bad capacities (invalid-argument)", () => {
    const r = new ClockReplacer(3);
    for (const bad of [3, -1, 1.5]) {
      expect(outcome(() => r.recordAccess(f(bad))), `recordAccess(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.setEvictable(f(bad), true)), `setEvictable(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.remove(f(bad))), `remove(${bad}) on 3 frames`).toBe("DbError out-of-range");
      expect(outcome(() => r.usageCount(f(bad))), `usageCount(${bad}) on 3 frames`).toBe("DbError out-of-range");
    }
    expect(r.size(), "size() after the refused calls").toBe(0);
    for (const bad of [0, -2, 2.5]) {
      expect(outcome(() => new ClockReplacer(bad)), `new ClockReplacer(${bad})`).toBe("DbError invalid-argument");
    }
    expect(new ClockReplacer(1).capacity, "capacity of new ClockReplacer(1)").toBe(1);
  });

  it("matches a brute-force clock model over 300 seeded random operation sequences", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const capacity = 1 + (seed % 7);
      const ops = randomOps(seed, capacity, 90);
      const run = (o: readonly (typeof ops)[number][]) =>
        compare(() => new ClockReplacer(capacity), () => new ClockModel(capacity), capacity, o, probe as never, "{ hand, usageCount of each frame }");
      checkRun(ops, (o) => throwMismatch(run(o)), { seed: `seed ${seed}, ${capacity} frames`, show: showOp });
    }
  });

  it("plugged into the engine's BufferPool (2–4 frames), evicts what the model evicts, and pages keep their bytes", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const frames = 2 + (seed % 3);
      const ops = randomPoolOps(seed, 10, 120);
      const run = (o: readonly (typeof ops)[number][]) =>
        comparePools((n) => new ClockReplacer(n), (n) => new ClockModel(n), frames, 10, o);
      checkRun(ops, (o) => throwMismatch(run(o)), { seed: `seed ${seed}, ${frames} frames`, show: showPoolOp });
    }
  });

  it("keeps a hot page through a scan in a 4-frame BufferPool, and raises no-free-frame when all are pinned", () => {
    const disk = new MemoryDiskManager({ pageSize: 256 });
    for (let p = 0; p < 12; p++) disk.allocatePage();
    const pool = new BufferPoolManager({ frames: 4, disk, replacer: new ClockReplacer(4) });
    const touch = (p: number) => pool.unpinPage(pool.fetchPage(p as PageId).pageId, false);
    for (let i = 0; i < 5; i++) touch(0); // page 0: usage 5
    for (let p = 1; p <= 6; p++) touch(p); // a scan: each page once
    expect(pool.isResident(0 as PageId), "hot page 0 after a 6-page scan through 4 frames").toBe(true);
    for (let p = 0; p < 4; p++) pool.fetchPage((p + 6) as PageId);
    expect(outcome(() => pool.fetchPage(11 as PageId)), "fetchPage with all 4 frames pinned").toBe("DbError no-free-frame");
  });
});
