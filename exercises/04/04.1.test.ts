/**
 * Hidden suite for exercise 04.1: the free-space map. The map alone (categories, find,
 * forget, snapshot, against a brute-force model over seeded random operations), then
 * plugged into the engine's HeapFile over a tiny buffer pool, where it decides which page
 * every insert lands on.
 */
import { describe, expect, it } from "vitest";
import { checkRun, errorOf, rng as seeded } from "../../test-support/index.js";
import { freeSpaceMapContract } from "../../test-support/contracts/free-space-map.js";
import { BufferPoolManager, type BufferPool, LruReplacer, MemoryDiskManager, SlottedPage, HeapFile, type PageId } from "@workbook/engine";
import { FreeSpaceTree } from "@submission";

/** Integers in [0, n) from a seed. */
const rng = (seed: number): ((n: number) => number) => {
  const r = seeded(seed);
  return (n) => r.int(n);
};

/** What a correct map records for `free` bytes: the category, times the step. */
function guaranteed(free: number, pageSize: number): number {
  const step = pageSize / 256;
  return Math.min(255, Math.floor(free / step)) * step;
}

describe("04.1 FreeSpaceMap · categories", () => {
  it("has 256 categories: step = pageSize / 256, and 8192-byte pages by default", () => {
    expect(new FreeSpaceTree().pageSize, "new FreeSpaceTree().pageSize").toBe(8192);
    expect(new FreeSpaceTree().step, "new FreeSpaceTree().step").toBe(32);
    expect(new FreeSpaceTree(1024).pageSize, "new FreeSpaceTree(1024).pageSize").toBe(1024);
    expect(new FreeSpaceTree(1024).step, "new FreeSpaceTree(1024).step").toBe(4);
    expect(new FreeSpaceTree(256).step, "new FreeSpaceTree(256).step").toBe(1);
  });

  it("refuses a page size that is not a power of two from 256 to 32768 (invalid-argument)", () => {
    for (const size of [1000, 128, 65536, 0]) {
      expect(errorOf(() => new FreeSpaceTree(size))?.kind, `new FreeSpaceTree(${size})`).toBe("invalid-argument");
    }
  });

  it("categoryOf rounds down to a whole category and caps at 255", () => {
    const fsm = new FreeSpaceTree(8192);
    const cases: [number, number][] = [[0, 0], [31, 0], [32, 1], [63, 1], [64, 2], [4000, 125], [8159, 254], [8160, 255], [8192, 255], [100_000, 255]];
    for (const [free, category] of cases) expect(fsm.categoryOf(free), `categoryOf(${free}) with 8192-byte pages`).toBe(category);
    const small = new FreeSpaceTree(256);
    expect(small.categoryOf(255), "categoryOf(255) with 256-byte pages").toBe(255);
    expect(small.categoryOf(256), "categoryOf(256) with 256-byte pages").toBe(255);
    expect(small.categoryOf(7), "categoryOf(7) with 256-byte pages").toBe(7);
  });

  it("get gives the recorded free space rounded down to its category (category × step)", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(3 as PageId, 100);
    fsm.record(4 as PageId, 8192);
    fsm.record(5 as PageId, 31);
    expect(fsm.get(3 as PageId), "after record(3, 100): get(3)").toBe(96);
    expect(fsm.get(4 as PageId), "after record(4, 8192): get(4)").toBe(8160);
    expect(fsm.get(5 as PageId), "after record(5, 31): get(5)").toBe(0);
    fsm.record(3 as PageId, 4000);
    expect(fsm.get(3 as PageId), "after record(3, 4000): get(3)").toBe(4000);
  });

  it("get is undefined for a page never recorded, including odd ids", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(2 as PageId, 500);
    for (const page of [0, 1, 3, 7, 8, 1000, -1, 1.5]) expect(fsm.get(page as PageId), `get(${page})`).toBeUndefined();
  });
});

describe("04.1 FreeSpaceMap · find", () => {
  it("returns the lowest page whose category covers the request", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(0 as PageId, 100);
    fsm.record(1 as PageId, 3000);
    fsm.record(2 as PageId, 5000);
    fsm.record(3 as PageId, 3000);
    expect(fsm.find(50), "find(50)").toBe(0);
    expect(fsm.find(2000), "find(2000)").toBe(1);
    expect(fsm.find(4000), "find(4000)").toBe(2);
    expect(fsm.find(6000), "find(6000)").toBeUndefined();
    fsm.record(1 as PageId, 0);
    expect(fsm.find(2000), "find(2000) after record(1, 0)").toBe(2);
    fsm.record(0 as PageId, 7000);
    expect(fsm.find(6000), "find(6000) after record(0, 7000)").toBe(0);
  });

  it("rounds the request up: a page is returned only when its category guarantees the bytes", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(0 as PageId, 64); // category 2: guarantees 64
    fsm.record(1 as PageId, 95); // also category 2: 95 rounds down to 64
    expect(fsm.find(64), "find(64)").toBe(0);
    expect(fsm.find(65), "find(65)").toBeUndefined();
    expect(fsm.find(33), "find(33)").toBe(0);
    fsm.record(5 as PageId, 96); // category 3
    expect(fsm.find(65), "find(65) after record(5, 96)").toBe(5);
  });

  it("never returns a page with no room, not even for find(0)", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(0 as PageId, 0);
    fsm.record(1 as PageId, 31);
    expect(fsm.find(0), "find(0) with only full pages").toBeUndefined();
    expect(fsm.find(1), "find(1) with only full pages").toBeUndefined();
    fsm.record(2 as PageId, 32);
    expect(fsm.find(0), "find(0)").toBe(2);
    expect(fsm.find(1), "find(1)").toBe(2);
  });

  it("is undefined for a request larger than category 255 promises, and on an empty map", () => {
    const fsm = new FreeSpaceTree(8192);
    expect(fsm.find(1), "find(1) on an empty map").toBeUndefined();
    fsm.record(0 as PageId, 8192);
    expect(fsm.find(8160), "find(8160)").toBe(0);
    expect(fsm.find(8161), "find(8161)").toBeUndefined();
    expect(fsm.find(9000), "find(9000)").toBeUndefined();
  });

  it("keeps working as page ids grow large", () => {
    const fsm = new FreeSpaceTree(8192);
    for (let p = 0; p < 20; p++) fsm.record(p as PageId, 100);
    fsm.record(100_000 as PageId, 4000);
    expect(fsm.find(4000), "find(4000)").toBe(100_000);
    fsm.record(70_000 as PageId, 5000);
    expect(fsm.find(3000), "find(3000)").toBe(70_000);
    expect(fsm.find(50), "find(50)").toBe(0);
    expect(fsm.get(100_000 as PageId), "get(100000)").toBe(4000);
    expect(fsm.get(19 as PageId), "get(19)").toBe(96);
    expect(fsm.get(99_999 as PageId), "get(99999)").toBeUndefined();
    expect(fsm.snapshot().map((e) => e.pageId).slice(-2), "last two snapshot page ids").toEqual([70_000, 100_000]);
  });
});

describe("04.1 FreeSpaceMap · forget, snapshot, bad input", () => {
  it("forget drops a page: no longer found, get is undefined", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(2 as PageId, 4000);
    fsm.record(6 as PageId, 1000);
    fsm.forget(2 as PageId);
    expect(fsm.get(2 as PageId), "get(2) after forget(2)").toBeUndefined();
    expect(fsm.find(2000), "find(2000) after forget(2)").toBeUndefined();
    expect(fsm.find(500), "find(500) after forget(2)").toBe(6);
    for (const page of [2, 3, 8, 16, 500, -1, 2.5]) expect(errorOf(() => fsm.forget(page as PageId)), `forget(${page})`).toBeUndefined();
    expect(fsm.snapshot().map((e) => e.pageId), "snapshot page ids").toEqual([6]);
    expect(fsm.find(500), "find(500) after forgetting pages never recorded").toBe(6);
    fsm.record(2 as PageId, 64);
    expect(fsm.get(2 as PageId), "get(2) after recording it again").toBe(64);
  });

  it("forgetting a page never recorded disturbs no other page", () => {
    const fsm = new FreeSpaceTree(8192);
    for (let p = 0; p < 6; p++) fsm.record(p as PageId, 1000 * (p + 1));
    for (const page of [6, 7, 8, 15, 16, 64, 4096, -1, -8, 0.5]) fsm.forget(page as PageId);
    expect(fsm.snapshot().map((e) => e.freeBytes), "free bytes of pages 0–5").toEqual([992, 1984, 2976, 4000, 4992, 5984]);
    expect(fsm.find(1), "find(1)").toBe(0);
    expect(fsm.find(4500), "find(4500)").toBe(4);
  });

  it("snapshot lists every recorded page in id order, with category and guaranteed bytes", () => {
    const fsm = new FreeSpaceTree(8192);
    expect(fsm.snapshot(), "snapshot of an empty map").toEqual([]);
    fsm.record(5 as PageId, 320);
    fsm.record(1 as PageId, 0);
    fsm.record(3 as PageId, 8192);
    fsm.record(9 as PageId, 33);
    expect(fsm.snapshot()).toEqual([
      { pageId: 1, category: 0, freeBytes: 0 },
      { pageId: 3, category: 255, freeBytes: 8160 },
      { pageId: 5, category: 10, freeBytes: 320 },
      { pageId: 9, category: 1, freeBytes: 32 },
    ]);
  });

  it("refuses a negative or fractional page id, free amount or request (invalid-argument) and changes nothing", () => {
    const fsm = new FreeSpaceTree(8192);
    fsm.record(1 as PageId, 640);
    const calls: [string, () => unknown][] = [
      ["record(-1, 10)", () => fsm.record(-1 as PageId, 10)],
      ["record(1.5, 10)", () => fsm.record(1.5 as PageId, 10)],
      ["record(NaN, 10)", () => fsm.record(Number.NaN as PageId, 10)],
      ["record(1, -1)", () => fsm.record(1 as PageId, -1)],
      ["record(1, 2.5)", () => fsm.record(1 as PageId, 2.5)],
      ["record(1, NaN)", () => fsm.record(1 as PageId, Number.NaN)],
      ["find(-1)", () => fsm.find(-1)],
      ["find(1.5)", () => fsm.find(1.5)],
      ["find(NaN)", () => fsm.find(Number.NaN)],
    ];
    for (const [what, call] of calls) {
      const error = errorOf(call);
      expect(error?.kind, what).toBe("invalid-argument");
      const bad = what.includes("NaN") ? "NaN" : (what.match(/-1|1\.5|2\.5/) ?? [""])[0];
      expect(error?.message ?? "", `the message of ${what} names the bad value`).toContain(bad);
    }
    expect(fsm.snapshot(), "snapshot after the refused calls").toEqual([{ pageId: 1, category: 20, freeBytes: 640 }]);
  });
});

freeSpaceMapContract("04.1 FreeSpaceMap: the contract, against a brute-force model", (pageSize) => new FreeSpaceTree(pageSize));

/**
 * The learner's map behind a guard: the heap calls it through this wrapper, which stops a
 * map that keeps answering with a full page from spinning the heap's insert loop forever.
 */
function guarded(fsm: InstanceType<typeof FreeSpaceTree>) {
  let finds = 0;
  return {
    get pageSize() { return fsm.pageSize; },
    get step() { return fsm.step; },
    categoryOf: (free: number) => fsm.categoryOf(free),
    record: (page: PageId, free: number) => fsm.record(page, free),
    forget: (page: PageId) => fsm.forget(page),
    get: (page: PageId) => fsm.get(page),
    snapshot: () => fsm.snapshot(),
    find(needed: number) {
      if (++finds > 50_000) throw new Error("find was called over 50,000 times: does record() update the page the heap just found full?");
      return fsm.find(needed);
    },
  };
}

function heapWithMap(pageSize: number, frames: number) {
  const disk = new MemoryDiskManager({ pageSize });
  const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
  const fsm = new FreeSpaceTree(pageSize);
  return { heap: new HeapFile(pool, guarded(fsm)), pool, fsm };
}

function freeOn(pool: BufferPool, page: PageId): number {
  return pool.withReadPage(page, (data) => new SlottedPage(data).freeSpace());
}

/** How many tuples of `length` bytes an empty page holds. */
function perPage(pageSize: number, length: number): number {
  const page = SlottedPage.init(new Uint8Array(pageSize));
  let n = 0;
  while (page.insert(new Uint8Array(length)) !== undefined) n++;
  return n;
}

describe("04.1 FreeSpaceMap · inside the engine's TableHeap", () => {
  it("fills a page before starting the next: a new page only when no page has room", () => {
    const { heap } = heapWithMap(512, 3);
    const n = perPage(512, 60);
    const rids = Array.from({ length: 3 * n + 1 }, (_, i) => heap.insert(new Uint8Array(60).fill(i)));
    expect(heap.pageIds.length, `pages after ${3 * n + 1} inserts of 60 bytes (${n} fit a 512-byte page)`).toBe(4);
    const onFirst = rids.filter((r) => r.pageId === heap.pageIds[0]).length;
    expect(onFirst, "tuples on the first page").toBe(n);
  });

  it("sends new tuples into the room deletes made, lowest page first, before adding a page", () => {
    const { heap } = heapWithMap(512, 3);
    const n = perPage(512, 60);
    const rids = Array.from({ length: 4 * n }, (_, i) => heap.insert(new Uint8Array(60).fill(i)));
    const pages = heap.pageIds;
    const onPage = (k: number) => rids.filter((r) => r.pageId === pages[k]);
    heap.delete(onPage(3)[1]!);
    heap.delete(onPage(1)[0]!);
    heap.delete(onPage(1)[2]!);
    const landed = [0, 1, 2, 3].map((i) => heap.insert(new Uint8Array(60).fill(200 + i)).pageId);
    expect(landed, `pages of 4 inserts after deleting 2 tuples on page ${pages[1]} and 1 on page ${pages[3]}`).toEqual([pages[1], pages[1], pages[3], landed[3]]);
    expect(pages.includes(landed[3]!), "the 4th insert found no room and needed a new page").toBe(false);
    expect(heap.pageIds.length, "pages at the end").toBe(5);
  });

  it("keeps the heap's choices right over seeded random inserts, deletes and updates (3-frame pool)", () => {
    type HeapOp = { op: "insert"; length: number } | { op: "delete"; pick: number } | { op: "update"; pick: number; length: number };
    const pageSize = 512;
    const max = SlottedPage.maxTupleSize(pageSize);
    for (const seed of [7, 8]) {
      const r = rng(seed);
      const size = () => (r(10) === 0 ? 1 + r(max) : 1 + r(80));
      const ops: HeapOp[] = Array.from({ length: 700 }, () => {
        const k = r(100);
        if (k < 55) return { op: "insert", length: size() };
        if (k < 80) return { op: "delete", pick: r(1000) };
        return { op: "update", pick: r(1000), length: size() };
      });
      checkRun(ops, (run) => {
        const { heap, pool } = heapWithMap(pageSize, 3);
        const live: { pageId: PageId; slot: number }[] = [];
        const step = pageSize / 256;
        for (const o of run) {
          if (o.op === "insert") {
            const before = heap.pageIds.map((p) => ({ p, free: freeOn(pool, p) }));
            const want = Math.max(1, Math.ceil(o.length / step));
            const fits = before.filter(({ free }) => Math.min(255, Math.floor(free / step)) >= want).map(({ p }) => p);
            const rid = heap.insert(new Uint8Array(o.length).fill(o.length));
            const chosen = before.some(({ p }) => p === rid.pageId) ? rid.pageId : "a new page";
            expect(chosen, `page chosen for a ${o.length}-byte insert`).toBe(fits.length > 0 ? Math.min(...fits) : "a new page");
            live.push(rid);
          } else if (live.length > 0) {
            const i = o.pick % live.length;
            if (o.op === "delete") {
              heap.delete(live[i]!);
              live.splice(i, 1);
            } else {
              live[i] = heap.update(live[i]!, new Uint8Array(o.length).fill(o.length))!;
            }
          }
          for (const p of heap.pageIds) {
            expect(heap.freeSpaceMap.get(p), `free space recorded for page ${p}`).toBe(guaranteed(freeOn(pool, p), pageSize));
          }
        }
        expect([...heap.scan()].length, "tuples scanned at the end").toBe(live.length);
      }, { seed, show: (o) => (o.op === "insert" ? `insert ${o.length} B` : o.op === "delete" ? `delete #${o.pick}` : `update #${o.pick} to ${o.length} B`) });
    }
  });
});
