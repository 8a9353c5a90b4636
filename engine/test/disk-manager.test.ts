import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { FileDiskManager, MemoryDiskManager, Random, type DiskManager, type PageId } from "../src/index.js";
import { expectDbError } from "../../test-support/errors.js";

const PAGE = 256;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-disk-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function filled(byte: number): Uint8Array {
  return new Uint8Array(PAGE).fill(byte);
}

// One contract, every implementation (the Kysely way: one test body per dialect).
const implementations: [string, () => DiskManager][] = [
  ["MemoryDiskManager", () => new MemoryDiskManager({ pageSize: PAGE })],
  ["FileDiskManager", () => new FileDiskManager(path.join(dir, "db"), { pageSize: PAGE })],
];

describe.each(implementations)("02 disk manager contract: %s", (_name, make) => {
  test("a new page reads as zeros; what is written reads back", () => {
    const disk = make();
    expect(disk.pageSize).toBe(PAGE);
    expect(disk.pageCount).toBe(0);
    const a = disk.allocatePage();
    const b = disk.allocatePage();
    expect([a, b]).toEqual([0, 1]);
    expect(disk.pageCount).toBe(2);
    const into = filled(0xee);
    disk.readPage(b, into);
    expect(into).toEqual(new Uint8Array(PAGE));
    disk.writePage(a, filled(1));
    disk.writePage(b, filled(2));
    disk.readPage(a, into);
    expect(into).toEqual(filled(1));
    disk.readPage(b, into);
    expect(into).toEqual(filled(2));
    disk.close();
  });

  test("writes are copies: changing the buffer afterwards changes nothing on disk", () => {
    const disk = make();
    const p = disk.allocatePage();
    const bytes = filled(7);
    disk.writePage(p, bytes);
    bytes.fill(9);
    const into = new Uint8Array(PAGE);
    disk.readPage(p, into);
    expect(into).toEqual(filled(7));
    disk.close();
  });

  test("reads into a subarray honour its offset", () => {
    const disk = make();
    const p = disk.allocatePage();
    disk.writePage(p, filled(5));
    const pool = new Uint8Array(PAGE * 3);
    disk.readPage(p, pool.subarray(PAGE, 2 * PAGE));
    expect(pool.subarray(0, PAGE)).toEqual(new Uint8Array(PAGE));
    expect(pool.subarray(PAGE, 2 * PAGE)).toEqual(filled(5));
    expect(pool.subarray(2 * PAGE)).toEqual(new Uint8Array(PAGE));
    disk.close();
  });

  test("random pages written in random order all read back (seeded)", () => {
    const disk = make();
    const rng = new Random(2);
    const model: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      disk.allocatePage();
      model.push(new Uint8Array(PAGE));
    }
    for (let i = 0; i < 300; i++) {
      const p = rng.int(40) as PageId;
      const bytes = rng.bytes(PAGE);
      disk.writePage(p, bytes);
      model[p] = bytes;
    }
    const into = new Uint8Array(PAGE);
    model.forEach((bytes, p) => {
      disk.readPage(p as PageId, into);
      expect(into).toEqual(bytes);
    });
    disk.close();
  });

  test("deallocated pages are reused, lowest first, and come back zeroed", () => {
    const disk = make();
    for (let i = 0; i < 4; i++) disk.writePage(disk.allocatePage(), filled(i + 1));
    disk.deallocatePage?.(2 as PageId);
    disk.deallocatePage?.(1 as PageId);
    expectDbError(() => disk.deallocatePage?.(1 as PageId), "invalid-state");
    expect(disk.allocatePage()).toBe(1);
    expect(disk.allocatePage()).toBe(2);
    expect(disk.allocatePage()).toBe(4);
    const into = new Uint8Array(PAGE);
    disk.readPage(2 as PageId, into);
    expect(into).toEqual(new Uint8Array(PAGE));
    disk.close();
  });

  test("bad input gets a typed error and changes nothing", () => {
    const disk = make();
    const p = disk.allocatePage();
    disk.writePage(p, filled(3));
    expect(expectDbError(() => disk.readPage(1 as PageId, new Uint8Array(PAGE)), "out-of-range").details).toMatchObject({
      pageId: 1,
      pageCount: 1,
    });
    expectDbError(() => disk.writePage(-1 as PageId, filled(0)), "out-of-range");
    expectDbError(() => disk.writePage(p, new Uint8Array(PAGE - 1)), "invalid-argument");
    expectDbError(() => disk.readPage(p, new Uint8Array(PAGE + 1)), "invalid-argument");
    expect(disk.pageCount).toBe(1);
    const into = new Uint8Array(PAGE);
    disk.readPage(p, into);
    expect(into).toEqual(filled(3));
    disk.close();
    disk.close(); // a second close does nothing
    expectDbError(() => disk.readPage(p, into), "invalid-state");
    expectDbError(() => disk.allocatePage(), "invalid-state");
    expectDbError(() => disk.sync(), "invalid-state");
  });
});

describe("02 file disk manager", () => {
  test("round trip through close and reopen; the file is pageCount × pageSize bytes", () => {
    const file = path.join(dir, "db");
    const disk = new FileDiskManager(file, { pageSize: PAGE });
    for (let i = 0; i < 5; i++) disk.writePage(disk.allocatePage(), filled(10 + i));
    disk.allocatePage(); // allocated, never written: still part of the file
    disk.sync();
    disk.close();
    expect(fs.statSync(file).size).toBe(6 * PAGE);

    const again = new FileDiskManager(file, { pageSize: PAGE });
    expect(again.pageCount).toBe(6);
    const into = new Uint8Array(PAGE);
    for (let i = 0; i < 5; i++) {
      again.readPage(i as PageId, into);
      expect(into).toEqual(filled(10 + i));
    }
    again.readPage(5 as PageId, into);
    expect(into).toEqual(new Uint8Array(PAGE));
    expect(again.stats).toEqual({ reads: 6, writes: 0, syncs: 0, allocations: 0 });
    again.close();
  });

  test("page p is at byte p × pageSize of the file", () => {
    const file = path.join(dir, "db");
    const disk = new FileDiskManager(file, { pageSize: PAGE });
    disk.allocatePage();
    disk.writePage(disk.allocatePage(), filled(0xab));
    disk.close();
    const raw = fs.readFileSync(file);
    expect(raw[PAGE - 1]).toBe(0);
    expect(raw[PAGE]).toBe(0xab);
    expect(raw[2 * PAGE - 1]).toBe(0xab);
  });

  test("a file that is not a whole number of pages is refused as corrupt", () => {
    const file = path.join(dir, "torn");
    fs.writeFileSync(file, new Uint8Array(PAGE + 10));
    const error = expectDbError(() => new FileDiskManager(file, { pageSize: PAGE }), "corrupt");
    expect(error.details).toMatchObject({ size: PAGE + 10, pageSize: PAGE });
  });

  test("OS failures become io errors naming the file", () => {
    const file = path.join(dir, "missing-dir", "db");
    const error = expectDbError(() => new FileDiskManager(file, { pageSize: PAGE }), "io");
    expect(error.message).toContain(file);
    expect(error.details).toMatchObject({ code: "ENOENT" });
  });

  test("bad page sizes are refused", () => {
    expectDbError(() => new FileDiskManager(path.join(dir, "x"), { pageSize: 1000 }), "invalid-argument");
    expectDbError(() => new MemoryDiskManager({ pageSize: 128 }), "invalid-argument");
    expectDbError(() => new MemoryDiskManager({ pageSize: 65536 }), "invalid-argument");
    expect(new MemoryDiskManager().pageSize).toBe(8192);
  });
});

describe("02 memory disk manager: simulated crashes", () => {
  test("crash() loses every write and allocation after the last sync, and keeps what was synced", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const p = disk.allocatePage();
    disk.writePage(p, filled(1));
    disk.sync();
    disk.writePage(p, filled(2));
    disk.writePage(disk.allocatePage(), filled(3));
    expect(disk.unsyncedPages).toBe(2);
    disk.crash();
    expect(disk.pageCount).toBe(1);
    const into = new Uint8Array(PAGE);
    disk.readPage(p, into);
    expect(into).toEqual(filled(1));
    expect(disk.unsyncedPages).toBe(0);
  });

  test("close() is not sync(): a crash after close still loses unsynced writes", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    disk.writePage(disk.allocatePage(), filled(1));
    disk.close();
    disk.crash();
    expect(disk.pageCount).toBe(0);
  });

  test("crash(rng) keeps a seeded subset of the unsynced pages, each whole", () => {
    const run = (seed: number) => {
      const disk = new MemoryDiskManager({ pageSize: PAGE });
      for (let i = 0; i < 4; i++) disk.writePage(disk.allocatePage(), filled(1));
      disk.sync();
      for (let i = 0; i < 4; i++) disk.writePage(i as PageId, filled(2));
      for (let i = 0; i < 4; i++) disk.writePage(disk.allocatePage(), filled(3));
      disk.crash(new Random(seed));
      const into = new Uint8Array(PAGE);
      const pages: number[] = [];
      for (let i = 0; i < disk.pageCount; i++) {
        disk.readPage(i as PageId, into);
        expect(into.every((b) => b === into[0])).toBe(true); // no torn pages
        pages.push(into[0] as number);
      }
      return pages;
    };
    expect(run(1)).toEqual(run(1));
    const outcomes = [1, 2, 3, 4, 5, 6].map(run);
    for (const pages of outcomes) {
      expect(pages.length).toBeGreaterThanOrEqual(4);
      pages.slice(0, 4).forEach((b) => expect([1, 2]).toContain(b));
      pages.slice(4).forEach((b) => expect([0, 3]).toContain(b));
    }
    expect(new Set(outcomes.map((p) => p.join())).size).toBeGreaterThan(1);
  });

  test("stats count reads, writes, syncs and allocations", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const p = disk.allocatePage();
    disk.writePage(p, filled(1));
    disk.readPage(p, new Uint8Array(PAGE));
    disk.sync();
    expect(disk.stats).toEqual({ reads: 1, writes: 1, syncs: 1, allocations: 1 });
  });
});
