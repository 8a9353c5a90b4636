import { describe, expect, test } from "vitest";
import { FreeSpaceTree, type PageId } from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";
import { freeSpaceMapContract } from "../../test-support/contracts/free-space-map.js";

// What every free-space map promises: the same tests the hidden suite 04.1 runs on the learner's map.
freeSpaceMapContract("04 free-space map: FreeSpaceTree keeps the FreeSpaceMap contract", (pageSize) => new FreeSpaceTree(pageSize));

type Op = { op: "record"; page: number; free: number } | { op: "forget"; page: number } | { op: "find"; needed: number };

describe("04 free-space map", () => {
  test("find returns the lowest page a brute-force search over the categories returns (seeded)", () => {
    for (const pageSize of [256, 8192]) {
      checkModel<Op>({
        seed: pageSize,
        count: 3000,
        generate: (rng) => {
          const r = rng.int(100);
          const page = rng.bool(0.9) ? rng.int(40) : rng.int(300);
          if (r < 50) return { op: "record", page, free: rng.int(pageSize) };
          if (r < 55) return { op: "forget", page };
          return { op: "find", needed: rng.bool(0.1) ? rng.int(pageSize + 10) : rng.int(pageSize / 4) };
        },
        run: (ops) => {
          const fsm = new FreeSpaceTree(pageSize);
          const actual = new Map<number, number>();
          const step = pageSize / 256;
          for (const op of ops) {
            switch (op.op) {
              case "record":
                fsm.record(op.page as PageId, op.free);
                actual.set(op.page, op.free);
                same(fsm.get(op.page as PageId), Math.min(255, Math.floor(op.free / step)) * step, "get");
                break;
              case "forget":
                fsm.forget(op.page as PageId);
                actual.delete(op.page);
                same(fsm.get(op.page as PageId), undefined, "get after forget");
                break;
              case "find": {
                const want = Math.max(1, Math.ceil(op.needed / step));
                const candidates = [...actual.entries()]
                  .filter(([, free]) => want < 256 && Math.min(255, Math.floor(free / step)) >= want)
                  .map(([page]) => page);
                const expected = candidates.length === 0 ? undefined : Math.min(...candidates);
                const found = fsm.find(op.needed);
                same(found, expected, `find(${op.needed})`);
                // Conservative: a page it returns really has the room.
                if (found !== undefined) check(actual.get(found)! >= op.needed, "find returned a page without room");
                break;
              }
            }
          }
          same(fsm.snapshot().length, actual.size, "recorded pages");
        },
      });
    }
  });

  test("8 KB pages: 32-byte categories, rounded down when recorded and up when searched", () => {
    const fsm = new FreeSpaceTree(8192);
    expect(fsm.step).toBe(32);
    fsm.record(0 as PageId, 100); // category 3: promises 96 bytes
    expect(fsm.get(0 as PageId)).toBe(96);
    expect(fsm.find(96)).toBe(0);
    expect(fsm.find(97)).toBeUndefined(); // would need category 4, although 100 bytes are free
    fsm.record(1 as PageId, 8168); // an empty page: category 255
    expect(fsm.find(97)).toBe(1);
    expect(fsm.find(8160)).toBe(1); // category 255 promises 255 × 32 = 8160 bytes
    expect(fsm.find(8161)).toBeUndefined(); // more than the largest category can promise
    expect(fsm.snapshot()).toEqual([
      { pageId: 0, category: 3, freeBytes: 96 },
      { pageId: 1, category: 255, freeBytes: 8160 },
    ]);
  });

  test("grows for large page ids and keeps earlier entries", () => {
    const fsm = new FreeSpaceTree(256);
    fsm.record(3 as PageId, 100);
    fsm.record(5000 as PageId, 200);
    expect(fsm.get(3 as PageId)).toBe(100);
    expect(fsm.find(150)).toBe(5000);
    expect(fsm.find(50)).toBe(3);
    expect(fsm.get(4999 as PageId)).toBeUndefined();
  });

  test("edge cases: empty map, zero bytes needed, foolish input", () => {
    const fsm = new FreeSpaceTree(256);
    expect(fsm.find(0)).toBeUndefined();
    fsm.record(2 as PageId, 0);
    expect(fsm.find(0)).toBeUndefined(); // a full page is never offered
    fsm.record(2 as PageId, 1);
    expect(fsm.find(0)).toBe(2);
    expectDbError(() => fsm.find(-1), "invalid-argument");
    expectDbError(() => fsm.record(-1 as PageId, 10), "invalid-argument");
    expectDbError(() => fsm.record(1 as PageId, 1.5), "invalid-argument");
    fsm.forget(999 as PageId); // never recorded: nothing to do
  });
});
