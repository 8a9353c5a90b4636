import { describe, expect, test } from "vitest";
import { Random, SlottedPage, type Lsn, type SlotId } from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same, sameBytes } from "../../test-support/assert.js";
import { expectDbError, expectDbError as throwsKind } from "../../test-support/errors.js";

const align8 = (n: number) => Math.ceil(n / 8) * 8;

function tuple(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill & 0xff);
}

function freshPage(pageSize = 256): SlottedPage {
  return SlottedPage.init(new Uint8Array(pageSize));
}

/** Layout invariants that must hold between any two calls. */
function checkLayout(page: SlottedPage): void {
  const layout = page.layout();
  same(layout.lower, 16 + 4 * layout.slotCount, "lower = 16 + 4 × slotCount");
  check(layout.lower <= layout.upper && layout.upper <= layout.pageSize, "lower ≤ upper ≤ pageSize");
  same(layout.upper % 8, 0, "upper aligned");
  const live = layout.slots.filter((s) => s.state === "normal").sort((a, b) => a.offset - b.offset);
  let used = 0;
  for (let i = 0; i < live.length; i++) {
    const s = live[i]!;
    check(s.offset >= layout.upper && s.offset % 8 === 0, `slot ${s.slot} offset ${s.offset}`);
    const end = s.offset + align8(s.length);
    check(end <= layout.pageSize, `slot ${s.slot} runs past the page`);
    if (i + 1 < live.length) check(end <= live[i + 1]!.offset, `slot ${s.slot} overlaps slot ${live[i + 1]!.slot}`);
    used += align8(s.length);
  }
  same(layout.fragmentedBytes, layout.pageSize - layout.upper - used, "fragmented bytes");
  if (layout.slotCount > 0) check(layout.slots[layout.slotCount - 1]!.state !== "unused", "trailing unused slot");
  // The bytes alone describe the page: a second view agrees.
  same(new SlottedPage(page.bytes).freeSpace(), page.freeSpace(), "freeSpace from a fresh view");
}

type Op =
  | { op: "insert"; length: number; fill: number }
  | { op: "update"; slot: number; length: number; fill: number }
  | { op: "delete"; slot: number }
  | { op: "compact" };

describe("02 slotted page", () => {
  test("behaves like a Map<slot, bytes> over seeded random operations; insert succeeds iff length ≤ freeSpace()", () => {
    for (const pageSize of [256, 512, 1024]) {
      checkModel<Op>({
        seed: pageSize,
        count: 1500,
        generate: (rng, i) => {
          const length = rng.bool(0.9) ? rng.intBetween(1, 40) : rng.intBetween(1, SlottedPage.maxTupleSize(pageSize));
          const r = rng.int(100);
          if (r < 45) return { op: "insert", length, fill: i };
          if (r < 70) return { op: "update", slot: rng.int(24), length, fill: i };
          if (r < 97) return { op: "delete", slot: rng.int(24) };
          return { op: "compact" };
        },
        run: (ops) => {
          const page = freshPage(pageSize);
          const model = new Map<number, Uint8Array>();
          for (const op of ops) {
            switch (op.op) {
              case "insert": {
                const free = page.freeSpace();
                const bytes = tuple(op.length, op.fill);
                const slot = page.insert(bytes);
                if (op.length > free) {
                  same(slot, undefined, `insert ${op.length} > freeSpace ${free}`);
                } else {
                  check(slot !== undefined, `insert ${op.length} ≤ freeSpace ${free} failed`);
                  // The lowest unused slot is reused before the array grows.
                  let expected = 0;
                  while (model.has(expected)) expected++;
                  same(slot, expected, "slot chosen");
                  model.set(slot, bytes);
                }
                break;
              }
              case "update": {
                const bytes = tuple(op.length, op.fill);
                if (!model.has(op.slot)) {
                  throwsKind(() => page.update(op.slot as SlotId, bytes), "out-of-range", "update of a dead slot");
                  break;
                }
                const before = page.bytes.slice();
                // Fits iff the new version fits in the free space plus the old version's space.
                const old = model.get(op.slot)!;
                const room = page.freeSpace() + align8(old.length) + (page.slotCount - model.size === 0 ? 4 : 0);
                const ok = page.update(op.slot as SlotId, bytes);
                if (align8(op.length) <= room - (room % 8)) check(ok, `update of ${op.length} refused with room ${room}`);
                if (ok) {
                  model.set(op.slot, bytes);
                } else {
                  check(align8(op.length) > room - (room % 8), `update of ${op.length} refused with room ${room}`);
                  sameBytes(page.bytes, before, "a refused update changes nothing");
                }
                break;
              }
              case "delete":
                same(page.delete(op.slot as SlotId), model.delete(op.slot), `delete(${op.slot})`);
                break;
              case "compact": {
                const free = page.freeSpace();
                page.compact();
                same(page.layout().fragmentedBytes, 0, "no holes after compaction");
                same(page.freeSpace(), free, "compaction keeps freeSpace");
                break;
              }
            }
            for (const [slot, bytes] of model) sameBytes(page.get(slot as SlotId), bytes, `get(${slot})`);
            same(page.tupleCount, model.size, "tupleCount");
            checkLayout(page);
          }
          same([...page.entries()].length, model.size, "entries");
        },
      });
    }
  });

  test("an empty page: header only, matching PostgreSQL's lower/upper arithmetic", () => {
    const page = freshPage(8192);
    expect(page.layout()).toMatchObject({ pageSize: 8192, lower: 16, upper: 8192, slotCount: 0, fragmentedBytes: 0 });
    expect(page.freeSpace()).toBe(8168);
    expect(page.get(0 as SlotId)).toBeUndefined();
    const slot = page.insert(tuple(30, 1));
    expect(slot).toBe(0);
    // One 4-byte line pointer; the 30-byte tuple takes 32 bytes at a multiple of 8.
    expect(page.layout()).toMatchObject({ lower: 20, upper: 8160 });
    expect(page.layout().slots).toEqual([{ slot: 0, state: "normal", offset: 8160, length: 30 }]);
  });

  test("the maximum tuple fits an empty page exactly; one byte more can never fit", () => {
    for (const pageSize of [256, 8192, 32768]) {
      const max = SlottedPage.maxTupleSize(pageSize);
      expect(max).toBe(Math.floor((pageSize - 20) / 8) * 8);
      const page = freshPage(pageSize);
      expect(page.insert(tuple(max, 7))).toBe(0);
      expect(page.freeSpace()).toBe(0);
      sameBytes(page.get(0 as SlotId), tuple(max, 7), "the maximum tuple reads back");
      const error = expectDbError(() => freshPage(pageSize).insert(tuple(max + 1, 7)), "tuple-too-large");
      expect(error.details).toMatchObject({ size: max + 1, max, pageSize });
    }
  });

  test("one byte short: a tuple one byte over freeSpace() is refused and the page is unchanged", () => {
    const page = freshPage(256);
    page.insert(tuple(100, 1));
    page.insert(tuple(50, 2));
    const free = page.freeSpace();
    // gap = upper 96 − lower 24 = 72; less a new 4-byte line pointer = 68; rounded down to 8.
    expect(free).toBe(64);
    const before = page.bytes.slice();
    expect(page.insert(tuple(free + 1, 3))).toBeUndefined();
    expect(page.bytes).toEqual(before);
    expect(page.insert(tuple(free, 3))).toBe(2);
    expect(page.freeSpace()).toBe(0);
  });

  test("a full page reports itself full", () => {
    const page = freshPage(256);
    let inserted = 0;
    while (page.insert(tuple(20, inserted)) !== undefined) inserted++;
    expect(inserted).toBe(Math.floor((256 - 16) / (24 + 4)));
    expect(page.freeSpace()).toBeLessThan(20);
    expect(page.tupleCount).toBe(inserted);
  });

  test("slot numbers survive compaction; only offsets change", () => {
    const page = freshPage(256);
    const slots = [40, 40, 40, 40, 40].map((n, i) => page.insert(tuple(n, i + 1)) as SlotId);
    expect(slots).toEqual([0, 1, 2, 3, 4]);
    page.delete(1 as SlotId);
    page.delete(3 as SlotId);
    const before = page.layout().slots;
    // 80 bytes do not fit the contiguous gap but do fit once the two holes are squeezed out.
    expect(page.upper - page.lower).toBeLessThan(80);
    const big = page.insert(tuple(80, 9));
    expect(big).toBe(1); // the lowest unused slot
    const after = page.layout().slots;
    for (const slot of [0, 2, 4]) {
      expect(page.get(slot as SlotId)).toEqual(tuple(40, slot + 1));
      expect(after[slot]!.length).toBe(40);
    }
    expect(after.map((s) => s.offset)).not.toEqual(before.map((s) => s.offset));
    expect(page.has(3 as SlotId)).toBe(false);
  });

  test("update: in place when it shrinks, moved when it grows, refused when it cannot fit", () => {
    const page = freshPage(256);
    page.insert(tuple(40, 1));
    page.insert(tuple(40, 2));
    const offset = page.layout().slots[0]!.offset;
    expect(page.update(0 as SlotId, tuple(33, 3))).toBe(true);
    expect(page.layout().slots[0]).toMatchObject({ offset, length: 33 });
    expect(page.update(0 as SlotId, tuple(60, 4))).toBe(true);
    expect(page.layout().slots[0]!.offset).not.toBe(offset);
    expect(page.get(0 as SlotId)).toEqual(tuple(60, 4));
    expect(page.get(1 as SlotId)).toEqual(tuple(40, 2));
    // Growing into space that only compaction can provide.
    page.insert(tuple(48, 5));
    expect(page.upper - page.lower).toBeLessThan(96);
    expect(page.update(1 as SlotId, tuple(96, 6))).toBe(true);
    expect(page.get(1 as SlotId)).toEqual(tuple(96, 6));
    expect(page.get(0 as SlotId)).toEqual(tuple(60, 4));
    expect(page.get(2 as SlotId)).toEqual(tuple(48, 5));
    const before = page.bytes.slice();
    expect(page.update(2 as SlotId, tuple(200, 7))).toBe(false);
    expect(page.bytes).toEqual(before);
    expectDbError(() => page.update(9 as SlotId, tuple(1, 1)), "out-of-range");
  });

  test("delete frees the slot for reuse and trims trailing unused slots", () => {
    const page = freshPage(256);
    for (let i = 0; i < 4; i++) page.insert(tuple(8, i));
    expect(page.delete(1 as SlotId)).toBe(true);
    expect(page.delete(1 as SlotId)).toBe(false);
    expect(page.slotCount).toBe(4);
    expect(page.delete(3 as SlotId)).toBe(true);
    expect(page.slotCount).toBe(3);
    expect(page.delete(2 as SlotId)).toBe(true);
    expect(page.slotCount).toBe(1); // slots 2 and 1 were both trailing and unused
    expect(page.delete(0 as SlotId)).toBe(true);
    expect(page.layout()).toMatchObject({ slotCount: 0, lower: 16, upper: 256 });
    expect(page.freeSpace()).toBe(SlottedPage.maxTupleSize(256));
  });

  test("get returns a copy; the lsn round-trips as a u64", () => {
    const page = freshPage(256);
    page.insert(tuple(4, 1));
    const copy = page.get(0 as SlotId)!;
    copy.fill(9);
    expect(page.get(0 as SlotId)).toEqual(tuple(4, 1));
    page.lsn = (2n ** 64n - 1n) as Lsn;
    expect(new SlottedPage(page.bytes).lsn).toBe(2n ** 64n - 1n);
  });

  test("a page inside a larger buffer (a pool frame) works through its own offset", () => {
    const pool = new Uint8Array(3 * 256).fill(0xaa);
    const page = SlottedPage.init(pool.subarray(256, 512));
    page.insert(tuple(10, 1));
    expect(pool[0]).toBe(0xaa);
    expect(pool[512]).toBe(0xaa);
    expect(new SlottedPage(pool.subarray(256, 512)).get(0 as SlotId)).toEqual(tuple(10, 1));
  });

  test("new and corrupt pages are detected", () => {
    const zeros = new Uint8Array(256);
    expect(SlottedPage.isNew(zeros)).toBe(true);
    expectDbError(() => new SlottedPage(zeros), "corrupt");
    const page = freshPage(256);
    expect(SlottedPage.isNew(page.bytes)).toBe(false);
    page.insert(tuple(8, 1));
    const bad = page.bytes.slice();
    new DataView(bad.buffer).setUint16(12, 5, true); // slotCount no longer matches lower
    expect(expectDbError(() => new SlottedPage(bad), "corrupt").details).toMatchObject({ slotCount: 5, lower: 20 });
    const badPointer = page.bytes.slice();
    new DataView(badPointer.buffer).setUint32(16, (1 << 15) | (300 << 17) | 248, true);
    expectDbError(() => new SlottedPage(badPointer).get(0 as SlotId), "corrupt");
    expectDbError(() => new SlottedPage(new Uint8Array(100)), "invalid-argument");
  });

  test("foolish input: empty tuples, non-integer slots", () => {
    const page = freshPage(256);
    expectDbError(() => page.insert(new Uint8Array(0)), "invalid-argument");
    expect(page.get(-1 as SlotId)).toBeUndefined();
    expect(page.get(1.5 as SlotId)).toBeUndefined();
    expect(page.delete(70000 as SlotId)).toBe(false);
    expect(page.slotCount).toBe(0);
  });

  test("a seeded fill of an 8 KB page: tuples per page is what the arithmetic predicts", () => {
    const rng = new Random(8);
    for (const size of [16, 100, 500]) {
      const page = freshPage(8192);
      let n = 0;
      while (page.insert(rng.bytes(size)) !== undefined) n++;
      expect(n).toBe(Math.floor((8192 - 16) / (align8(size) + 4)));
    }
  });
});
