import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  BufferPoolManager, type BufferPool,
  ClockReplacer,
  FileDiskManager,
  LruReplacer,
  MemoryDiskManager,
  SlottedPage,
  HeapFile,
  TupleCodec,
  ridToString,
  type DiskManager,
  type PageId,
  type Rid,
} from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same, sameBytes } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";
import { engineHeapKit, tableHeapContract } from "../../test-support/contracts/table-heap.js";
import * as engine from "../src/index.js";

const PAGE = 256;

function heapOf(frames = 3, disk: DiskManager = new MemoryDiskManager({ pageSize: PAGE })) {
  const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
  return { heap: new HeapFile(pool), pool, disk };
}

function bytes(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill & 0xff);
}

/** Scan the heap and check it returns exactly the model's tuples, each once. */
function checkScan(heap: HeapFile, model: Map<string, Uint8Array>): void {
  const seen = new Set<string>();
  for (const { rid, tuple } of heap.scan()) {
    const key = ridToString(rid);
    check(!seen.has(key), `scan returned ${key} twice`);
    seen.add(key);
    sameBytes(tuple, model.get(key), `scan tuple ${key}`);
  }
  same(seen.size, model.size, "scan count");
}

function checkNoPins(pool: BufferPool): void {
  for (const frame of pool.snapshot()) same(frame.pinCount, 0, `frame ${frame.frameId} left pinned`);
}

type Op =
  | { op: "insert"; length: number; fill: number }
  | { op: "get"; pick: number }
  | { op: "update"; pick: number; length: number; fill: number }
  | { op: "delete"; pick: number }
  | { op: "scan" };

// The guarantees every heap keeps: the same tests the hidden suite 04.2 runs on the learner's heap.
tableHeapContract(
  "04 table heap: HeapFile keeps the TableHeap contract",
  engineHeapKit(engine),
  (pool, fsm) => new HeapFile(pool, fsm),
);

describe("04 table heap", () => {
  test("behaves like a Map<rid, bytes> over seeded random operations, through a 3-frame pool", () => {
    for (const seed of [1, 2]) {
      checkModel<Op>({
        seed,
        count: 1500,
        generate: (rng, i) => {
          const length = rng.bool(0.9) ? rng.intBetween(1, 60) : rng.intBetween(1, SlottedPage.maxTupleSize(PAGE));
          const r = rng.int(100);
          // Picks index into the list of every rid ever returned, so dead rids are tried too.
          const pick = rng.int(1 << 30);
          if (r < 40) return { op: "insert", length, fill: i };
          if (r < 55) return { op: "get", pick };
          if (r < 75) return { op: "update", pick, length, fill: i };
          if (r < 97) return { op: "delete", pick };
          return { op: "scan" };
        },
        run: (ops) => {
          const { heap, pool } = heapOf(3);
          const model = new Map<string, Uint8Array>();
          const everyRid: Rid[] = [];
          const pickRid = (pick: number) => everyRid[pick % Math.max(1, everyRid.length)];
          for (const op of ops) {
            switch (op.op) {
              case "insert": {
                const tuple = bytes(op.length, op.fill);
                const rid = heap.insert(tuple);
                check(!model.has(ridToString(rid)), `insert returned the live rid ${ridToString(rid)}`);
                model.set(ridToString(rid), tuple);
                everyRid.push(rid);
                break;
              }
              case "get": {
                const rid = pickRid(op.pick);
                if (rid !== undefined) sameBytes(heap.get(rid), model.get(ridToString(rid)), `get ${ridToString(rid)}`);
                break;
              }
              case "update": {
                const rid = pickRid(op.pick);
                if (rid === undefined) break;
                const tuple = bytes(op.length, op.fill);
                const moved = heap.update(rid, tuple);
                if (!model.has(ridToString(rid))) {
                  same(moved, undefined, "update of a dead rid");
                  break;
                }
                check(moved !== undefined, "update of a live rid returned undefined");
                model.delete(ridToString(rid));
                check(!model.has(ridToString(moved)), "update moved onto a live rid");
                model.set(ridToString(moved), tuple);
                if (ridToString(moved) !== ridToString(rid)) {
                  same(heap.get(rid) === undefined || model.has(ridToString(rid)), true, "old rid still live");
                  everyRid.push(moved);
                }
                break;
              }
              case "delete": {
                const rid = pickRid(op.pick);
                if (rid !== undefined) same(heap.delete(rid), model.delete(ridToString(rid)), `delete ${ridToString(rid)}`);
                break;
              }
              case "scan":
                checkScan(heap, model);
                break;
            }
          }
          checkScan(heap, model);
          checkNoPins(pool);
          // The free-space map agrees with every page.
          for (const pageId of heap.pageIds) {
            const free = pool.withReadPage(pageId, (data) => new SlottedPage(data).freeSpace());
            same(heap.freeSpaceMap.get(pageId), heap.freeSpaceMap.categoryOf(free) * heap.freeSpaceMap.step, "FSM entry");
          }
        },
      });
    }
  });

  test("the free-space map sends new tuples into the room deletes made: no new pages", () => {
    const { heap } = heapOf(4);
    const rids = Array.from({ length: 60 }, (_, i) => heap.insert(bytes(40, i)));
    const pages = heap.pageIds.length;
    expect(pages).toBeGreaterThan(5);
    for (const rid of rids.filter((_, i) => i % 2 === 0)) heap.delete(rid);
    for (let i = 0; i < 30; i++) heap.insert(bytes(40, 100 + i));
    expect(heap.pageIds.length).toBe(pages);
    expect([...heap.scan()]).toHaveLength(60);
  });

  test("update keeps the rid when the tuple fits its page, and moves it when it does not", () => {
    const { heap } = heapOf(2);
    const a = heap.insert(bytes(60, 1));
    const b = heap.insert(bytes(60, 2));
    const c = heap.insert(bytes(60, 3));
    expect(new Set([a, b, c].map((r) => r.pageId)).size).toBe(1);
    expect(heap.update(a, bytes(30, 4))).toEqual(a);
    expect(heap.update(a, bytes(80, 5))).toEqual(a); // uses the room left by shrinking
    const moved = heap.update(b, bytes(200, 6))!;
    expect(moved.pageId).not.toBe(b.pageId);
    expect(heap.get(b)).toBeUndefined();
    expect(heap.get(moved)).toEqual(bytes(200, 6));
    expect(heap.get(c)).toEqual(bytes(60, 3));
    expect(heap.update(b, bytes(1, 1))).toBeUndefined();
  });

  test("scan: every live tuple exactly once, no pins held, and deleting while scanning is safe", () => {
    const { heap, pool } = heapOf(2);
    for (let i = 0; i < 50; i++) heap.insert(bytes(1 + (i % 50), i));
    let n = 0;
    for (const { rid } of heap.scan()) {
      checkNoPins(pool);
      if (n++ % 3 === 0) heap.delete(rid);
    }
    expect(n).toBe(50);
    expect([...heap.scan()]).toHaveLength(33);
    // Stopping early leaks nothing either.
    for (const _ of heap.scan()) break;
    checkNoPins(pool);
  });

  test("maximum tuple: one per page; one byte more is refused with evidence", () => {
    const { heap } = heapOf(2);
    const max = SlottedPage.maxTupleSize(PAGE);
    const a = heap.insert(bytes(max, 1));
    const b = heap.insert(bytes(max, 2));
    expect(a.pageId).not.toBe(b.pageId);
    const error = expectDbError(() => heap.insert(bytes(max + 1, 3)), "tuple-too-large");
    expect(error.details).toMatchObject({ size: max + 1, max, pageSize: PAGE });
    expectDbError(() => heap.update(a, bytes(max + 1, 3)), "tuple-too-large");
    expectDbError(() => heap.insert(new Uint8Array(0)), "invalid-argument");
    expect(heap.get(a)).toEqual(bytes(max, 1));
  });

  test("edge cases: an empty heap, rids of other heaps and of nothing", () => {
    const { heap, pool } = heapOf(2);
    expect([...heap.scan()]).toEqual([]);
    expect(heap.pageIds).toEqual([]);
    const rid = { pageId: 0 as PageId, slot: 0 as Rid["slot"] };
    expect(heap.get(rid)).toBeUndefined();
    expect(heap.delete(rid)).toBe(false);
    expect(heap.update(rid, bytes(1, 1))).toBeUndefined();
    const other = new HeapFile(pool);
    const theirs = other.insert(bytes(10, 1));
    expect(heap.get(theirs)).toBeUndefined();
    const mine = heap.insert(bytes(10, 2));
    expect(mine.pageId).not.toBe(theirs.pageId);
    expect(heap.get({ pageId: mine.pageId, slot: 7 as Rid["slot"] })).toBeUndefined();
  });

  test("reopening from the page list after flushAll gives the same tuples and free space", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const { heap, pool } = heapOf(3, disk);
    for (let i = 0; i < 40; i++) heap.insert(bytes(1 + ((i * 7) % 70), i));
    pool.flushAll();
    disk.sync();
    disk.crash(); // only what was synced survives: all of it
    const pool2 = new BufferPoolManager({ frames: 2, disk, replacer: new ClockReplacer(2) });
    const reopened = HeapFile.open(pool2, heap.pageIds);
    const before = [...heap.scan()].map((t) => [ridToString(t.rid), [...t.tuple]]);
    const after = [...reopened.scan()].map((t) => [ridToString(t.rid), [...t.tuple]]);
    expect(after).toEqual(before);
    expect(reopened.freeSpaceMap.snapshot()).toEqual(heap.freeSpaceMap.snapshot());
    expectDbError(() => HeapFile.open(pool2, [0 as PageId, 0 as PageId]), "invalid-argument");
    expectDbError(() => HeapFile.open(pool2, [999 as PageId]), "out-of-range");
  });

  test("a never-formatted page in the list is opened as an empty page", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const pool = new BufferPoolManager({ frames: 2, disk, replacer: new LruReplacer(2) });
    const pageId = disk.allocatePage();
    const heap = HeapFile.open(pool, [pageId]);
    expect([...heap.scan()]).toEqual([]);
    expect(heap.insert(bytes(5, 1)).pageId).toBe(pageId);
  });

  test("rows through the codec into a heap in a real file, closed and reopened", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-heap-"));
    try {
      const file = path.join(dir, "table");
      const codec = new TupleCodec([
        { name: "id", type: "int4", nullable: false },
        { name: "name", type: "text" },
        { name: "balance", type: "int8" },
      ]);
      const rows = Array.from({ length: 300 }, (_, i) => [i, i % 5 === 0 ? null : `customer #${i}`, BigInt(i) * 1000n]);
      const disk = new FileDiskManager(file, { pageSize: 1024 });
      const pool = new BufferPoolManager({ frames: 4, disk, replacer: new ClockReplacer(4) });
      const heap = new HeapFile(pool);
      for (const row of rows) heap.insert(codec.encode(row));
      const pageIds = heap.pageIds;
      pool.flushAll();
      disk.sync();
      disk.close();

      const disk2 = new FileDiskManager(file, { pageSize: 1024 });
      const pool2 = new BufferPoolManager({ frames: 4, disk: disk2, replacer: new LruReplacer(4) });
      const reopened = HeapFile.open(pool2, pageIds);
      const decoded = [...reopened.scan()].map(({ tuple }) => codec.decode(tuple));
      // A heap is unordered: short rows fill gaps on earlier pages, so compare by id.
      decoded.sort((a, b) => (a[0] as number) - (b[0] as number));
      expect(decoded).toEqual(rows);
      disk2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("04 page-at-a-time scan (scanHeapBatches)", () => {
  /** A heap after seeded inserts, updates and deletes, so pages have holes and unused slots. */
  function churnedHeap(frames: number) {
    const { heap, pool } = heapOf(frames);
    const rng = new engine.Random(404);
    const rids: Rid[] = [];
    for (let i = 0; i < 400; i++) rids.push(heap.insert(bytes(rng.intBetween(1, 40), i)));
    for (let i = 0; i < rids.length; i += 3) heap.delete(rids[i]!);
    for (let i = 1; i < rids.length; i += 7) rids[i] = heap.update(rids[i]!, bytes(rng.intBetween(1, 60), 1000 + i))!;
    return { heap, pool };
  }
  const inPlace = (heap: engine.TableHeap) => {
    const out: { rid: string; tuple: number[] }[] = [];
    engine.scanHeapBatches(heap, (b) => {
      for (let i = 0; i < b.count; i++) {
        out.push({ rid: ridToString({ pageId: b.pageId, slot: b.slots[i] as engine.SlotId }), tuple: [...b.bytes.subarray(b.starts[i], b.ends[i])] });
      }
    });
    return out;
  };

  test("yields the same tuples, record ids and order as the copying scan()", () => {
    const { heap, pool } = churnedHeap(3);
    const copied = [...heap.scan()].map(({ rid, tuple }) => ({ rid: ridToString(rid), tuple: [...tuple] }));
    expect(copied.length).toBeGreaterThan(200);
    expect(inPlace(heap)).toEqual(copied);
    checkNoPins(pool);
  });

  test("hands out the pinned frame's bytes (no copy), one page pinned at a time", () => {
    const { heap, pool } = churnedHeap(3);
    const pinnedDuring: number[] = [];
    const pages = engine.scanHeapBatches(heap, (b) => {
      expect(pool.pinCount(b.pageId)).toBe(1);
      pinnedDuring.push(pool.snapshot().filter((f) => f.pinCount > 0).length);
      expect(b.bytes.length).toBe(PAGE); // the frame itself, not a slice of the tuples
    });
    expect(pages).toBe(heap.pageIds.length);
    expect(new Set(pinnedDuring)).toEqual(new Set([1]));
    checkNoPins(pool);
  });

  test("releases the pin when the visitor stops the scan (false) or throws", () => {
    const { heap, pool } = churnedHeap(2);
    let visited = 0;
    expect(engine.scanHeapBatches(heap, () => (++visited === 2 ? false : undefined))).toBe(2);
    expect(visited).toBe(2);
    checkNoPins(pool);
    expect(() => engine.scanHeapBatches(heap, () => { throw new Error("consumer failed"); })).toThrow("consumer failed");
    checkNoPins(pool);
    // With the pins back, a 2-frame pool still serves a full scan and a get on every page.
    expect(inPlace(heap).length).toBe([...heap.scan()].length);
  });

  test("a batch is dead after its visit: its bytes are emptied so a kept reference reads nothing", () => {
    const { heap } = churnedHeap(3);
    let kept: engine.HeapBatch | undefined;
    engine.scanHeapBatches(heap, (b) => { kept = b; return false; });
    expect(kept!.bytes.length).toBe(0);
  });

  test("runs on any TableHeap: a plain-object heap over the contract's pool and page list", () => {
    const { heap, pool } = churnedHeap(3);
    const plain: engine.TableHeap = {
      pool,
      freeSpaceMap: heap.freeSpaceMap,
      get pageIds() { return heap.pageIds; },
      insert: (t) => heap.insert(t),
      get: (r) => heap.get(r),
      update: (r, t) => heap.update(r, t),
      delete: (r) => heap.delete(r),
      scan: () => heap.scan(),
    };
    expect(inPlace(plain)).toEqual(inPlace(heap));
  });

  test("a page that is not a slotted page is corrupt, named, and left unpinned", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const pool = new BufferPoolManager({ frames: 2, disk, replacer: new LruReplacer(2) });
    const heap = new HeapFile(pool);
    const rid = heap.insert(bytes(10, 7));
    pool.withWritePage(rid.pageId, (data) => { data[8] = 3; }); // lower no longer matches slotCount
    expectDbError(() => engine.scanHeapBatches(heap, () => undefined), "corrupt");
    checkNoPins(pool);
    pool.withWritePage(rid.pageId, (data) => {
      SlottedPage.init(data).insert(bytes(10, 7));
      data[SlottedPage.HEADER_SIZE + 2] = data[SlottedPage.HEADER_SIZE + 2]! | 0xfe; // line pointer 0's length runs past the page
      data[SlottedPage.HEADER_SIZE + 3] = 0xff;
    });
    expectDbError(() => engine.scanHeapBatches(heap, () => undefined), "corrupt");
    checkNoPins(pool);
  });

  test("reads tuples in place through TupleReader: a lazy sum equals the decoded one", () => {
    const { heap } = heapOf(4);
    const schema: engine.Schema = [
      { name: "id", type: "int4", nullable: false },
      { name: "name", type: "text" },
      { name: "score", type: "int4" },
    ];
    const codec = new TupleCodec(schema);
    for (let i = 0; i < 500; i++) heap.insert(codec.encode([i, i % 4 === 0 ? null : `n${i}`, i % 9 === 0 ? null : i * 3]));
    const reader = new engine.TupleReader(schema);
    let lazy = 0;
    engine.scanHeapBatches(heap, (b) => {
      for (let i = 0; i < b.count; i++) lazy += (reader.attach(b.bytes, b.starts[i], b.ends[i]).value(2) as number | null) ?? 0;
    });
    let decoded = 0;
    for (const { tuple } of heap.scan()) decoded += (codec.decode(tuple)[2] as number | null) ?? 0;
    expect(lazy).toBe(decoded);
    expect(lazy).toBeGreaterThan(0);
  });
});
