/**
 * Hidden suite for exercise 04.2: the table heap and its sequential scan. Only the public
 * API is used: the heap's insert/get/update/delete/scan/pageIds/freeSpaceMap/open, and the
 * buffer pool's pinCount/snapshot/stats to check that no page stays pinned. Pools are tiny
 * (1–4 frames) and pages small (256–512 bytes), so eviction happens all the time.
 */
import { describe, expect, it } from "vitest";
import { checkRun, errorOf, rng as seeded } from "../../test-support/index.js";
import { engineHeapKit, tableHeapContract } from "../../test-support/contracts/table-heap.js";
import { countingPageFormat } from "../../test-support/contracts/counting-page-format.js";
import * as engine from "@workbook/engine";
import { BufferPoolManager, type BufferPool, FreeSpaceTree, LruReplacer, MemoryDiskManager, SlottedPage, type PageId, type Rid, type SlotId } from "@workbook/engine";
import { HeapFile } from "@submission";

/** Integers in [0, n) from a seed. */
const rng = (seed: number): ((n: number) => number) => {
  const r = seeded(seed);
  return (n) => r.int(n);
};

function setup(pageSize = 512, frames = 3) {
  const disk = new MemoryDiskManager({ pageSize });
  const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
  return { heap: new HeapFile(pool), pool, disk };
}

const key = (rid: Rid) => `(${rid.pageId},${rid.slot})`;
const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill & 0xff);

/** How many tuples of `length` bytes an empty page holds. */
function perPage(pageSize: number, length: number): number {
  const page = SlottedPage.init(new Uint8Array(pageSize));
  let n = 0;
  while (page.insert(new Uint8Array(length)) !== undefined) n++;
  return n;
}

function pinnedFrames(pool: BufferPool): string[] {
  return pool.snapshot().filter((f) => f.pinCount > 0).map((f) => `page ${String(f.pageId)} (pin count ${f.pinCount})`);
}

/** The scan as [rid, bytes] strings, in the order it yields them. */
function scanned(heap: InstanceType<typeof HeapFile>): string[] {
  return [...heap.scan()].map(({ rid, tuple }) => `${key(rid)}=${[...tuple].join(",")}`);
}

/** What a scan must yield for `model`: pages in heap order, slots ascending. */
function expectedScan(heap: InstanceType<typeof HeapFile>, model: Map<string, { rid: Rid; tuple: Uint8Array }>): string[] {
  const order = new Map(heap.pageIds.map((p, i) => [p as number, i]));
  return [...model.values()]
    .sort((a, b) => (order.get(a.rid.pageId) ?? -1) - (order.get(b.rid.pageId) ?? -1) || a.rid.slot - b.rid.slot)
    .map(({ rid, tuple }) => `${key(rid)}=${[...tuple].join(",")}`);
}

tableHeapContract(
  "04.2 TableHeap: the contract's guarantees",
  engineHeapKit(engine),
  (pool, fsm) => new HeapFile(pool, fsm),
);

describe("04.2 TableHeap · insert and get", () => {
  it("get returns a copy of what insert stored; changing either array later changes nothing", () => {
    const { heap } = setup();
    const a = bytes(10, 1);
    const ra = heap.insert(a);
    const rb = heap.insert(bytes(33, 2));
    expect([...heap.get(ra)!], `get${key(ra)}`).toEqual([...bytes(10, 1)]);
    expect([...heap.get(rb)!], `get${key(rb)}`).toEqual([...bytes(33, 2)]);
    a.fill(9);
    heap.get(ra)!.fill(7);
    expect([...heap.get(ra)!], `get${key(ra)} after changing the inserted and the returned arrays`).toEqual([...bytes(10, 1)]);
    expect(key(ra) === key(rb), "two inserts returned the same rid").toBe(false);
  });

  it("starts empty; the first insert allocates the first page; pageIds is a copy", () => {
    const { heap, disk } = setup();
    expect(heap.pageIds, "pageIds of a new heap").toEqual([]);
    expect(disk.pageCount, "pages on disk before any insert").toBe(0);
    const rid = heap.insert(bytes(5, 1));
    expect(heap.pageIds, "pageIds after one insert").toEqual([rid.pageId]);
    heap.pageIds.push(99 as PageId);
    expect(heap.pageIds, "pageIds after pushing onto the returned array").toEqual([rid.pageId]);
  });

  it("fills pages in order: a new page only when no page has room", () => {
    const { heap } = setup(512, 2);
    const n = perPage(512, 60);
    const rids = Array.from({ length: 3 * n + 1 }, (_, i) => heap.insert(bytes(60, i)));
    expect(heap.pageIds.length, `pages after ${3 * n + 1} inserts of 60 bytes (${n} fit a 512-byte page)`).toBe(4);
    const counts = heap.pageIds.map((p) => rids.filter((r) => r.pageId === p).length);
    expect(counts, "tuples per page, in heap order").toEqual([n, n, n, 1]);
  });

  it("reuses the room deletes made, lowest page first, before adding a page", () => {
    const { heap } = setup(512, 2);
    const n = perPage(512, 60);
    const rids = Array.from({ length: 4 * n }, (_, i) => heap.insert(bytes(60, i)));
    const pages = heap.pageIds;
    const on = (k: number) => rids.filter((r) => r.pageId === pages[k]);
    heap.delete(on(3)[2]!);
    heap.delete(on(1)[0]!);
    heap.delete(on(1)[3]!);
    const landed = [0, 1, 2].map((i) => heap.insert(bytes(60, 100 + i)));
    expect(landed.map((r) => r.pageId), "pages of 3 inserts after deleting 2 tuples on the 2nd page and 1 on the 4th").toEqual([pages[1], pages[1], pages[3]]);
    expect(heap.pageIds.length, "pages at the end").toBe(4);
    const extra = heap.insert(bytes(60, 200));
    expect(pages.includes(extra.pageId), "a 4th insert, with every page full, went to an existing page").toBe(false);
  });

  it("keeps the free-space map equal to every page's free space", () => {
    const { heap, pool } = setup(512, 2);
    const fsm = heap.freeSpaceMap;
    const check = (when: string) => {
      for (const p of heap.pageIds) {
        const free = pool.withReadPage(p, (d) => new SlottedPage(d).freeSpace());
        expect(fsm.get(p), `free space map entry of page ${p} ${when}`).toBe(fsm.categoryOf(free) * fsm.step);
      }
    };
    const rids = Array.from({ length: 30 }, (_, i) => heap.insert(bytes(20 + i, i)));
    check("after 30 inserts");
    heap.delete(rids[3]!);
    heap.delete(rids[20]!);
    check("after 2 deletes");
    heap.update(rids[5]!, bytes(4, 1));
    heap.update(rids[6]!, bytes(300, 1));
    check("after 2 updates");
    expect(fsm.snapshot().map((e) => e.pageId), "pages in the free-space map").toEqual([...heap.pageIds].sort((a, b) => a - b));
  });

  it("get, update and delete of a rid that names no live tuple: undefined, undefined, false", () => {
    const { heap, pool } = setup(512, 3);
    const other = new HeapFile(pool);
    const theirs = other.insert(bytes(8, 1));
    expect(heap.get(theirs), `get${key(theirs)}, a rid of another heap, on an empty heap`).toBeUndefined();
    const mine = heap.insert(bytes(8, 2));
    const dead = heap.insert(bytes(8, 3));
    heap.insert(bytes(8, 4));
    expect(heap.delete(dead), `delete${key(dead)}`).toBe(true);
    const nowhere: Rid[] = [theirs, dead, { pageId: mine.pageId, slot: 40 as SlotId }, { pageId: 77 as PageId, slot: 0 as SlotId }];
    for (const rid of nowhere) {
      expect(heap.get(rid), `get${key(rid)}`).toBeUndefined();
      expect(heap.update(rid, bytes(3, 3)), `update${key(rid)}`).toBeUndefined();
      expect(heap.delete(rid), `delete${key(rid)}`).toBe(false);
    }
    expect([...other.get(theirs)!], "the other heap's tuple after all that").toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(scanned(heap).length, "tuples left in the heap").toBe(2);
  });

  it("update keeps the rid when the new version fits its page, and moves it (new rid) when not", () => {
    const { heap } = setup(512, 2);
    const n = perPage(512, 60);
    const rids = Array.from({ length: n }, (_, i) => heap.insert(bytes(60, i)));
    const [a, b] = rids as [Rid, Rid];
    expect(heap.update(a, bytes(20, 50)), `update${key(a)} to 20 bytes`).toEqual(a);
    expect([...heap.get(a)!], `get${key(a)}`).toEqual([...bytes(20, 50)]);
    expect(heap.update(a, bytes(64, 51)), `update${key(a)} to 64 bytes, into the room the shrink left`).toEqual(a);
    const moved = heap.update(b, bytes(300, 52))!;
    expect(moved === undefined || moved.pageId === b.pageId, `update${key(b)} to 300 bytes on a full page stayed on its page`).toBe(false);
    expect(heap.get(b), `get${key(b)}, the old rid of a moved tuple`).toBeUndefined();
    expect([...heap.get(moved)!], `get of the new rid ${key(moved)}`).toEqual([...bytes(300, 52)]);
    expect(scanned(heap).length, "tuples after the move").toBe(n);
  });

  it("delete removes exactly one tuple, once", () => {
    const { heap } = setup();
    const a = heap.insert(bytes(7, 1));
    const b = heap.insert(bytes(7, 2));
    expect(heap.delete(a), `delete${key(a)}`).toBe(true);
    expect(heap.delete(a), `delete${key(a)} again`).toBe(false);
    expect(heap.get(a), `get${key(a)} after delete`).toBeUndefined();
    expect([...heap.get(b)!], `get${key(b)}`).toEqual([...bytes(7, 2)]);
  });

  it("takes a tuple of exactly the maximum size, alone on a page; refuses one byte more with tuple-too-large", () => {
    const { heap, disk } = setup(512, 2);
    const max = SlottedPage.maxTupleSize(512);
    const a = heap.insert(bytes(max, 1));
    const b = heap.insert(bytes(max, 2));
    expect(a.pageId === b.pageId, `two ${max}-byte tuples on one 512-byte page`).toBe(false);
    const pages = disk.pageCount;
    const tooBig = errorOf(() => heap.insert(bytes(max + 1, 3)));
    expect(tooBig?.kind, `insert of ${max + 1} bytes into 512-byte pages`).toBe("tuple-too-large");
    expect(tooBig?.message ?? "", "the error message names the size").toContain(String(max + 1));
    expect(tooBig?.details, "the error's details").toMatchObject({ size: max + 1, max });
    expect(errorOf(() => heap.update(a, bytes(max + 1, 3)))?.kind, `update to ${max + 1} bytes`).toBe("tuple-too-large");
    const empty = errorOf(() => heap.insert(new Uint8Array(0)));
    expect(empty?.kind, "insert of an empty tuple").toBe("invalid-argument");
    expect(empty?.message, "the message of that error").toMatch(/\w/);
    expect(disk.pageCount, "pages on disk after the refused inserts").toBe(pages);
    expect([...heap.get(a)!].length, `get${key(a)} after the refused update`).toBe(max);
    expect(scanned(heap).length, "tuples after the refused calls").toBe(2);
  });
});

describe("04.2 TableHeap · the free-space map it is given", () => {
  it("refuses a map for another page size, or one that already lists pages (invalid-argument)", () => {
    const { pool } = setup(512, 2);
    expect(errorOf(() => new HeapFile(pool, new FreeSpaceTree(1024)))?.kind, "a 1024-byte map for a 512-byte pool").toBe("invalid-argument");
    const used = new FreeSpaceTree(512);
    used.record(3 as PageId, 100);
    expect(errorOf(() => new HeapFile(pool, used))?.kind, "a map that already lists page 3").toBe("invalid-argument");
    const mine = new FreeSpaceTree(512);
    const heap = new HeapFile(pool, mine);
    const rid = heap.insert(bytes(40, 1));
    expect(heap.freeSpaceMap === mine, "heap.freeSpaceMap is the map passed in").toBe(true);
    expect(mine.get(rid.pageId), "the map passed in records the heap's page").toBeDefined();
  });

  it("does not trust an out-of-date entry: a page the map wrongly says has room is corrected, and the tuple goes elsewhere", () => {
    const { pool } = setup(512, 2);
    const fsm = new FreeSpaceTree(512);
    const heap = new HeapFile(pool, fsm);
    const n = perPage(512, 60);
    for (let i = 0; i < n; i++) heap.insert(bytes(60, i));
    const [full] = heap.pageIds as [PageId];
    fsm.record(full, 400); // a lie: the page is full
    const rid = heap.insert(bytes(60, 99));
    expect(rid.pageId === full, "the tuple went onto the full page").toBe(false);
    expect([...heap.get(rid)!], `get${key(rid)}`).toEqual([...bytes(60, 99)]);
    const free = pool.withReadPage(full, (d) => new SlottedPage(d).freeSpace());
    expect(fsm.get(full), "the map's entry for the full page after the insert").toBe(fsm.categoryOf(free) * fsm.step);
    expect(scanned(heap).length, "tuples").toBe(n + 1);
  });
});

describe("04.2 TableHeap · the page layout it is given", () => {
  it("formats, opens and sizes every page through its pageFormat (SlottedPage unless given), so a learner's layout plugs in", () => {
    const { format, counts: used } = countingPageFormat(SlottedPage);
    const { pool } = setup(512, 3);
    const heap = new HeapFile(pool, new FreeSpaceTree(512), format);
    const rids = Array.from({ length: 12 }, (_, i) => heap.insert(bytes(100, i)));
    expect(used.init, "pages formatted with pageFormat.init (one per heap page)").toBe(heap.pageIds.length);
    const opened = used.open;
    heap.get(rids[5]!);
    heap.update(rids[5]!, bytes(30, 50));
    heap.delete(rids[6]!);
    expect(scanned(heap).length, "tuples").toBe(11);
    expect(used.open > opened, "get, update, delete and scan view pages with new pageFormat(data)").toBe(true);
    expect(used.maxTupleSize > 0, "tuple sizes checked with pageFormat.maxTupleSize").toBe(true);
  });
});

describe("04.2 TableHeap · scan", () => {
  it("an empty heap scans to nothing and pins nothing", () => {
    const { heap, pool } = setup();
    expect(scanned(heap), "scan of an empty heap").toEqual([]);
    expect(pinnedFrames(pool), "pinned frames").toEqual([]);
  });

  it("yields every live tuple exactly once, page by page in heap order, slot by slot", () => {
    const { heap, pool } = setup(512, 2);
    const model = new Map<string, { rid: Rid; tuple: Uint8Array }>();
    for (let i = 0; i < 120; i++) {
      const tuple = bytes(1 + ((i * 37) % 90), i);
      const rid = heap.insert(tuple);
      model.set(key(rid), { rid, tuple });
    }
    for (const [k, { rid }] of [...model].filter((_, i) => i % 3 === 1)) {
      heap.delete(rid);
      model.delete(k);
    }
    for (let i = 0; i < 10; i++) {
      const tuple = bytes(5, 200 + i);
      const rid = heap.insert(tuple);
      model.set(key(rid), { rid, tuple });
    }
    expect(heap.pageIds.length, "pages used").toBeGreaterThan(3);
    expect(scanned(heap), "scan").toEqual(expectedScan(heap, model));
    expect(pinnedFrames(pool), "pinned frames after the scan").toEqual([]);
  });

  it("holds no pin while the consumer has a tuple: a 1-frame pool can do other work between tuples", () => {
    const { heap, pool } = setup(512, 1);
    const rids = Array.from({ length: 40 }, (_, i) => heap.insert(bytes(50, i)));
    const far = rids[rids.length - 1]!;
    let n = 0;
    for (const { rid } of heap.scan()) {
      expect(pinnedFrames(pool), `pinned frames while the consumer holds ${key(rid)}`).toEqual([]);
      expect(heap.get(far)?.[0], `get${key(far)} in the middle of the scan`).toBe(39);
      n++;
    }
    expect(n, "tuples scanned").toBe(40);
  });

  it("an abandoned scan leaves no page pinned (break, or next() once and drop it)", () => {
    const { heap, pool } = setup(512, 2);
    for (let i = 0; i < 40; i++) heap.insert(bytes(50, i));
    for (const _ of heap.scan()) break;
    expect(pinnedFrames(pool), "pinned frames after breaking out of a scan").toEqual([]);
    const it = heap.scan();
    it.next();
    it.next();
    expect(pinnedFrames(pool), "pinned frames after two next() calls on a scan that is then dropped").toEqual([]);
    const fresh = new HeapFile(pool);
    for (let i = 0; i < 40; i++) fresh.insert(bytes(50, i));
    expect(scanned(fresh).length, "a second heap still works in the same 2-frame pool").toBe(40);
  });

  it("works across 200 pages through a 3-frame pool", () => {
    const { heap, pool } = setup(256, 3);
    const model = new Map<string, { rid: Rid; tuple: Uint8Array }>();
    for (let i = 0; i < 1600; i++) {
      const tuple = bytes(24, i);
      const rid = heap.insert(tuple);
      model.set(key(rid), { rid, tuple });
    }
    expect(heap.pageIds.length, "pages").toBeGreaterThanOrEqual(200);
    pool.resetStats();
    expect(scanned(heap), "scan").toEqual(expectedScan(heap, model));
    expect(pool.stats.misses, "pool misses during the scan (every page read once)").toBe(heap.pageIds.length);
    expect(pinnedFrames(pool), "pinned frames after the scan").toEqual([]);
  });

  it("deleting the tuple just yielded is safe: each is still seen once", () => {
    const { heap, pool } = setup(512, 2);
    for (let i = 0; i < 60; i++) heap.insert(bytes(1 + (i % 70), i));
    const seen = new Set<string>();
    for (const { rid } of heap.scan()) {
      expect(seen.has(key(rid)), `${key(rid)} yielded twice`).toBe(false);
      seen.add(key(rid));
      if (seen.size % 2 === 0) heap.delete(rid);
    }
    expect(seen.size, "tuples seen while deleting every other one").toBe(60);
    expect(scanned(heap).length, "tuples left").toBe(30);
    expect(pinnedFrames(pool), "pinned frames").toEqual([]);
  });
});

type Op =
  | { op: "insert"; length: number; fill: number }
  | { op: "get"; pick: number }
  | { op: "update"; pick: number; length: number; fill: number }
  | { op: "delete"; pick: number }
  | { op: "scan" }
  | { op: "partial-scan"; take: number };

const show = (o: Op): string =>
  o.op === "insert" ? `insert ${o.length} B` : o.op === "get" ? `get #${o.pick}` : o.op === "update" ? `update #${o.pick} to ${o.length} B` : o.op === "delete" ? `delete #${o.pick}` : o.op === "scan" ? "scan" : `scan, stop after ${o.take}`;

describe("04.2 TableHeap · against a model", () => {
  it.each([[1, 256, 2], [2, 512, 3], [3, 512, 1]])(
    "behaves like a Map<rid, bytes> over seeded random insert/get/update/delete/scan (seed %i, %i-byte pages, %i frames)",
    (seed, pageSize, frames) => {
      const r = rng(seed);
      const max = SlottedPage.maxTupleSize(pageSize);
      const size = () => (r(12) === 0 ? 1 + r(max) : 1 + r(60));
      const ops: Op[] = Array.from({ length: 900 }, (_, i) => {
        const k = r(100);
        if (k < 42) return { op: "insert", length: size(), fill: i };
        if (k < 55) return { op: "get", pick: r(1000) };
        if (k < 72) return { op: "update", pick: r(1000), length: size(), fill: i };
        if (k < 94) return { op: "delete", pick: r(1000) };
        if (k < 97) return { op: "scan" };
        return { op: "partial-scan", take: r(20) };
      });
      checkRun(ops, (run) => {
        const { heap, pool } = setup(pageSize, frames);
        const model = new Map<string, { rid: Rid; tuple: Uint8Array }>();
        const everyRid: Rid[] = []; // dead ones too, so stale rids get tried
        const pick = (n: number) => everyRid[n % everyRid.length];
        for (const o of run) {
          if (o.op === "insert") {
            const tuple = bytes(o.length, o.fill);
            const rid = heap.insert(tuple);
            expect(model.has(key(rid)), `insert returned ${key(rid)}, a rid already in use`).toBe(false);
            model.set(key(rid), { rid, tuple });
            everyRid.push(rid);
          } else if (o.op === "scan") {
            expect(scanned(heap), "scan").toEqual(expectedScan(heap, model));
          } else if (o.op === "partial-scan") {
            let n = 0;
            for (const _ of heap.scan()) if (++n > o.take) break;
          } else if (everyRid.length > 0) {
            const rid = pick(o.pick)!;
            const live = model.get(key(rid));
            if (o.op === "get") {
              const got = heap.get(rid);
              expect(got === undefined ? undefined : [...got], `get${key(rid)}`).toEqual(live === undefined ? undefined : [...live.tuple]);
            } else if (o.op === "delete") {
              expect(heap.delete(rid), `delete${key(rid)}`).toBe(live !== undefined);
              model.delete(key(rid));
            } else {
              const tuple = bytes(o.length, o.fill);
              const now = heap.update(rid, tuple);
              if (live === undefined) {
                expect(now, `update${key(rid)} of a dead rid`).toBeUndefined();
              } else {
                expect(now, `update${key(rid)} of a live rid`).toBeDefined();
                model.delete(key(rid));
                expect(model.has(key(now!)), `update moved ${key(rid)} onto ${key(now!)}, a live rid`).toBe(false);
                model.set(key(now!), { rid: now!, tuple });
                if (key(now!) !== key(rid)) everyRid.push(now!);
              }
            }
          }
          expect(pinnedFrames(pool), `pinned frames after ${show(o)}`).toEqual([]);
        }
        expect(scanned(heap), "final scan").toEqual(expectedScan(heap, model));
        for (const p of heap.pageIds) {
          const free = pool.withReadPage(p, (d) => new SlottedPage(d).freeSpace());
          expect(heap.freeSpaceMap.get(p), `free-space map entry of page ${p}`).toBe(Math.min(255, Math.floor(free / (pageSize / 256))) * (pageSize / 256));
        }
      }, { seed: `seed ${seed}, ${pageSize}-byte pages, ${frames} frames`, show });
    },
  );
});

describe("04.2 TableHeap · open", () => {
  it("rebuilds the heap and its free-space map from the page list, through a new pool", () => {
    const disk = new MemoryDiskManager({ pageSize: 512 });
    const pool = new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(3) });
    const heap = new HeapFile(pool);
    const rids = Array.from({ length: 50 }, (_, i) => heap.insert(bytes(1 + ((i * 13) % 80), i)));
    heap.delete(rids[4]!);
    heap.delete(rids[30]!);
    pool.flushAll();
    const pool2 = new BufferPoolManager({ frames: 2, disk, replacer: new LruReplacer(2) });
    const reopened = HeapFile.open(pool2, heap.pageIds);
    expect(reopened.pageIds, "pageIds of the reopened heap").toEqual(heap.pageIds);
    expect(scanned(reopened), "scan of the reopened heap").toEqual(scanned(heap));
    expect(reopened.freeSpaceMap.snapshot(), "its free-space map").toEqual(heap.freeSpaceMap.snapshot());
    const landed = reopened.insert(bytes(8, 1));
    expect(landed.pageId, "the first insert into the reopened heap goes to the lowest page with room").toBe(heap.freeSpaceMap.find(8));
  });

  it("formats a never-formatted page as empty, and refuses a repeated page id (invalid-argument)", () => {
    const disk = new MemoryDiskManager({ pageSize: 512 });
    const pool = new BufferPoolManager({ frames: 2, disk, replacer: new LruReplacer(2) });
    const fresh = disk.allocatePage();
    const heap = HeapFile.open(pool, [fresh]);
    expect(scanned(heap), "scan of a heap over one never-formatted page").toEqual([]);
    expect(heap.insert(bytes(5, 1)).pageId, "page of the first insert").toBe(fresh);
    expect(errorOf(() => HeapFile.open(pool, [fresh, fresh]))?.kind, `open(pool, [${fresh}, ${fresh}])`).toBe("invalid-argument");
  });
});
