/**
 * The FreeSpaceMap contract, as tests
 * ===================================
 * What every free-space map promises (engine/src/storage/free-space-map.ts): 256
 * categories of `pageSize / 256` bytes; `record` rounds the free space down to its
 * category and `find` rounds the request up, so a page it returns always has the room;
 * `find` returns the lowest such page; `forget` drops a page; bad input is refused with
 * `invalid-argument` and changes nothing; entries survive however large page ids grow.
 *
 * One body, two callers: engine/test/free-space-map.test.ts runs it on `FreeSpaceTree`,
 * the hidden suite of 04.1 on the learner's map. `make(pageSize)` builds an empty map
 * (each test calls it first, so a starter fails every test on its NotImplemented).
 * Types are structural: the engine's source and its build brand page ids differently.
 */
import { describe, expect, it } from "vitest";
import { errorOf } from "../errors.js";
import { checkRun } from "../model-check.js";
import { rng } from "../random.js";

export interface FreeSpaceMapLike {
  readonly pageSize: number;
  readonly step: number;
  categoryOf(freeBytes: number): number;
  record(pageId: number, freeBytes: number): void;
  forget(pageId: number): void;
  get(pageId: number): number | undefined;
  find(needed: number): number | undefined;
  snapshot(): readonly { readonly pageId: number; readonly category: number; readonly freeBytes: number }[];
}

type Op = { op: "record"; page: number; free: number } | { op: "forget"; page: number } | { op: "find"; needed: number } | { op: "get"; page: number };

const showOp = (o: Op): string =>
  o.op === "record" ? `record(${o.page}, ${o.free})` : o.op === "forget" ? `forget(${o.page})` : o.op === "find" ? `find(${o.needed})` : `get(${o.page})`;

export function freeSpaceMapContract(name: string, make: (pageSize: number) => FreeSpaceMapLike): void {
  describe(name, () => {
    it.each([[256], [8192]])("matches a brute-force search over seeded random operations (%i-byte pages)", (pageSize) => {
      const g = rng(pageSize);
      const r = (n: number) => g.int(n);
      const ops: Op[] = Array.from({ length: 2500 }, () => {
        const k = r(100);
        const page = r(10) < 9 ? r(40) : r(3000);
        if (k < 45) return { op: "record", page, free: r(10) === 0 ? pageSize : r(pageSize) };
        if (k < 52) return { op: "forget", page };
        if (k < 62) return { op: "get", page };
        // Some requests of 0 or 1 byte: even those need a page with at least one category of room.
        return { op: "find", needed: r(10) === 0 ? r(pageSize + 64) : r(5) === 0 ? r(2) : r(pageSize / 3) };
      });
      const step = pageSize / 256;
      checkRun(ops, (run) => {
        const fsm = make(pageSize);
        const model = new Map<number, number>(); // page → category
        for (const o of run) {
          if (o.op === "record") {
            fsm.record(o.page, o.free);
            model.set(o.page, Math.min(255, Math.floor(o.free / step)));
          } else if (o.op === "forget") {
            fsm.forget(o.page);
            model.delete(o.page);
          } else if (o.op === "get") {
            const c = model.get(o.page);
            expect(fsm.get(o.page), `get(${o.page})`).toBe(c === undefined ? undefined : c * step);
          } else {
            const want = Math.max(1, Math.ceil(o.needed / step));
            let best: number | undefined;
            for (const [page, c] of model) if (want <= 255 && c >= want && (best === undefined || page < best)) best = page;
            expect(fsm.find(o.needed), `find(${o.needed})`).toBe(best);
          }
        }
        const expected = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([pageId, category]) => ({ pageId, category, freeBytes: category * step }));
        expect(fsm.snapshot(), "snapshot at the end").toEqual(expected);
      }, { seed: `${pageSize}-byte pages`, show: showOp });
    });

    it("keeps every entry as it grows: 64 pages with distinct amounts, then page 5000", () => {
      const fsm = make(8192);
      for (let p = 0; p < 64; p++) fsm.record(p, 32 * (p + 1));
      fsm.record(5000, 32);
      const entries = fsm.snapshot().map((e) => `${e.pageId}:${e.category}`);
      expect(entries, "snapshot after growing to page 5000").toEqual([...Array.from({ length: 64 }, (_, p) => `${p}:${p + 1}`), "5000:1"]);
      for (let p = 0; p < 64; p++) if (fsm.get(p) !== 32 * (p + 1)) expect.fail(`get(${p}) after growing: expected ${32 * (p + 1)}, received ${fsm.get(p)}`);
      expect(fsm.find(64 * 32), `find(${64 * 32}): only page 63 has that much`).toBe(63);
    });

    it("a refused record leaves the page's entry as it was", () => {
      const fsm = make(8192);
      fsm.record(3, 640);
      for (const bad of [100.5, -32, Number.NaN, Infinity]) {
        expect(errorOf(() => fsm.record(3, bad))?.kind, `record(3, ${bad})`).toBe("invalid-argument");
        expect(fsm.get(3), `get(3) after record(3, ${bad}) was refused`).toBe(640);
      }
      expect(fsm.find(640), "find(640) after the refused records").toBe(3);
    });
  });
}
