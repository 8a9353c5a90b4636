import { describe, expect, test } from "vitest";
import {
  BTREE_PAGE_HEADER_SIZE,
  BTreePage,
  BufferPoolManager,
  INVALID_PAGE_ID,
  InvariantError,
  LruReplacer,
  MAX_KEY_SIZE,
  MemoryDiskManager,
  Random,
  compareBytes,
  compareKeyRid,
  encodeKey,
  entryCost,
  internalSplitPoint,
  leafSplitPoint,
  maxKeySize,
  minFillBytes,
  readBTreeMeta,
  rid,
  searchPage,
  toHex,
  writeBTreeMeta,
  type PageId,
  type Rid,
} from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const PAGE = 256;
const bytes = (...b: number[]) => new Uint8Array(b);
const p = (n: number) => n as PageId;
/** The first slot ≥ probe (searchPage's index) and the first slot > probe, as the descent uses it. */
const lowerBound = (page: BTreePage, probe: Uint8Array, compare = compareBytes) => searchPage(page, probe, compare).index;
const upperBound = (page: BTreePage, probe: Uint8Array) => {
  const { index, found } = searchPage(page, probe, compareBytes);
  return found ? index + 1 : index;
};

function keyOf(rng: Random, maxLength: number): Uint8Array {
  // Few distinct byte values, so equal prefixes and equal keys are common.
  return Uint8Array.from({ length: rng.int(maxLength + 1) }, () => rng.pick([0, 1, 0x61, 0xff]));
}

/** Every layout invariant, from the bytes alone. */
function checkPage(page: BTreePage): void {
  const problems = page.verify(compareBytes);
  check(problems.length === 0, problems.join("; "));
  const layout = page.layout();
  const used = layout.items.reduce((n, item) => n + 4 + item.length, 0);
  same(layout.usedSpace, used, "usedSpace = Σ (slot + entry)");
  same(layout.freeSpace, page.pageSize - BTREE_PAGE_HEADER_SIZE - used, "freeSpace = capacity − used");
  same(BTreePage.open(page.bytes).keyCount, page.keyCount, "a fresh view agrees");
}

type Op = { op: "insert"; key: number[]; page: number; slot: number } | { op: "remove"; at: number };

describe("05 B+tree page", () => {
  test("a leaf behaves like a sorted array of (key, rid) over seeded random inserts and removes", () => {
    checkModel<Op>({
      seed: 51,
      count: 3000,
      generate: (rng, i) =>
        rng.int(100) < (i % 400 < 250 ? 70 : 30)
          ? { op: "insert", key: [...keyOf(rng, 12)], page: rng.int(1000), slot: rng.int(50) }
          : { op: "remove", at: rng.int(1000) },
      run: (ops) => {
        const page = BTreePage.initLeaf(new Uint8Array(PAGE));
        const model: { key: Uint8Array; rid: Rid }[] = [];
        for (const op of ops) {
          if (op.op === "insert") {
            const key = Uint8Array.from(op.key);
            const pos = lowerBound(page, key);
            same(pos, model.filter((e) => compareBytes(e.key, key) < 0).length, "lowerBound");
            if (pos < page.keyCount && compareBytes(page.keyView(pos), key) === 0) continue; // keep keys distinct
            const fits = entryCost("leaf", key.length) <= page.freeSpace;
            same(page.fits(key.length), fits, "fits");
            const before = page.bytes.slice();
            same(page.insertLeafAt(pos, key, rid(op.page, op.slot)), fits, "insert succeeds iff it fits");
            if (fits) model.splice(pos, 0, { key, rid: rid(op.page, op.slot) });
            else same(toHex(page.bytes), toHex(before), "a refused insert changes nothing");
          } else if (model.length > 0) {
            const at = op.at % model.length;
            page.removeAt(at);
            model.splice(at, 1);
          }
          checkPage(page);
          same(page.keyCount, model.length, "keyCount");
          model.forEach((e, i) => {
            same(toHex(page.keyAt(i)), toHex(e.key), `key ${i}`);
            same(page.ridAt(i).pageId, e.rid.pageId, `rid ${i}`);
            same(page.ridAt(i).slot, e.rid.slot, `rid slot ${i}`);
          });
        }
      },
    });
  });

  test("an empty leaf: header only; removing everything restores the empty page byte for byte", () => {
    const page = BTreePage.initLeaf(new Uint8Array(PAGE));
    const empty = page.bytes.slice();
    expect(page.kind).toBe("leaf");
    expect(page.level).toBe(0);
    expect(page.keyCount).toBe(0);
    expect(page.upper).toBe(PAGE);
    expect(page.freeSpace).toBe(PAGE - 16);
    expect(page.rightSibling).toBe(INVALID_PAGE_ID);
    expect(lowerBound(page, bytes(1))).toBe(0);
    for (let i = 0; i < 10; i++) expect(page.insertLeafAt(i, bytes(i, i), rid(i, i))).toBe(true);
    expect(page.freeSpace).toBe(PAGE - 16 - 10 * (4 + 6 + 2));
    page.rightSibling = p(9);
    page.rightSibling = INVALID_PAGE_ID;
    for (const i of [5, 0, 7, 3, 0, 0, 1, 0, 1, 0]) page.removeAt(Math.min(i, page.keyCount - 1));
    expect(toHex(page.bytes)).toBe(toHex(empty));
  });

  test("searchPage: the first slot ≥ the probe and whether it is equal; + 1 when equal gives the first slot >", () => {
    const page = BTreePage.initLeaf(new Uint8Array(PAGE));
    ["b", "d", "f"].forEach((k, i) => page.insertLeafAt(i, new TextEncoder().encode(k), rid(i, 0)));
    const at = (s: string) => new TextEncoder().encode(s);
    expect(["a", "b", "c", "d", "f", "g"].map((k) => lowerBound(page, at(k)))).toEqual([0, 0, 1, 1, 2, 3]);
    expect(["a", "b", "c", "d", "f", "g"].map((k) => upperBound(page, at(k)))).toEqual([0, 1, 1, 2, 3, 3]);
    expect(["a", "b", "c", "d", "f", "g"].map((k) => searchPage(page, at(k), compareBytes).found)).toEqual([false, true, false, true, true, false]);
    expect(searchPage(BTreePage.initLeaf(new Uint8Array(PAGE)), at("a"), compareBytes)).toEqual({ index: 0, found: false });
    // A custom order: descending.
    const desc = BTreePage.initLeaf(new Uint8Array(PAGE));
    ["f", "d", "b"].forEach((k, i) => desc.insertLeafAt(i, at(k), rid(i, 0)));
    expect(lowerBound(desc, at("c"), (a, b) => compareBytes(b, a))).toBe(2);
  });

  test("compareAt(i, probe, compare) has the sign of compare(keyView(i), probe), for the engine's orders and any other", () => {
    const rng = new Random(23);
    const descending = (a: Uint8Array, b: Uint8Array) => compareBytes(b, a);
    for (const kind of ["leaf", "internal"] as const) {
      const page = kind === "leaf" ? BTreePage.initLeaf(new Uint8Array(1024)) : BTreePage.initInternal(new Uint8Array(1024), 1, 7 as PageId);
      // 8-byte keys (the integer fast path) and keys of other lengths, sharing prefixes.
      const keys = Array.from({ length: 30 }, () => (rng.bool(0.6) ? encodeKey(rng.intBetween(-3, 3) * 2 ** 32 + rng.int(5)) : rng.bytes(rng.intBetween(1, 12))));
      keys.forEach((k, i) => (kind === "leaf" ? page.insertLeafAt(i, k, rid(1, 1)) : page.insertInternalAt(i, k, 9 as PageId)));
      for (let t = 0; t < 400; t++) {
        const probe = rng.bool(0.3) ? (keys[rng.int(keys.length)] as Uint8Array).slice() : rng.bool(0.5) ? encodeKey(rng.intBetween(-3, 3) * 2 ** 32 + rng.int(5)) : rng.bytes(rng.intBetween(0, 12));
        const i = rng.int(keys.length);
        for (const compare of [compareBytes, compareKeyRid, descending]) {
          const probeFor = compare === compareKeyRid && probe.length < 6 ? new Uint8Array(6) : probe;
          const keyFor = page.keyView(i);
          if (compare === compareKeyRid && keyFor.length < 6) continue;
          expect(Math.sign(page.compareAt(i, probeFor, compare)), `${kind} key ${toHex(keyFor)} vs ${toHex(probeFor)}`).toBe(Math.sign(compare(keyFor, probeFor)));
        }
      }
      expectDbError(() => page.compareAt(keys.length, encodeKey(1), compareBytes), "out-of-range");
      expectDbError(() => page.compareAt(0.5, encodeKey(1), compareBytes), "out-of-range");
    }
  });

  test("an internal page: child 0 in the header, child i + 1 beside key i", () => {
    const page = BTreePage.initInternal(new Uint8Array(PAGE), 2, p(10));
    expect(page.kind).toBe("internal");
    expect(page.level).toBe(2);
    expect(page.childAt(0)).toBe(10);
    page.insertInternalAt(0, bytes(50), p(12));
    page.insertInternalAt(0, bytes(20), p(11));
    page.insertInternalAt(2, bytes(80), p(13));
    expect(page.internalEntries()).toEqual({ keys: [bytes(20), bytes(50), bytes(80)], children: [10, 11, 12, 13] });
    // Descent: child i holds [key i−1, key i).
    expect([0, 20, 49, 50, 79, 80, 255].map((k) => page.childAt(upperBound(page, bytes(k))))).toEqual([10, 11, 11, 12, 12, 13, 13]);
    page.removeAt(1);
    expect(page.internalEntries()).toEqual({ keys: [bytes(20), bytes(80)], children: [10, 11, 13] });
    checkPage(page);
    expect(page.usedSpace).toBe(2 * (4 + 4 + 1));
    const reformatted = BTreePage.formatInternal(new Uint8Array(PAGE), 2, [bytes(20), bytes(80)], [p(10), p(11), p(13)]);
    expect(toHex(reformatted.bytes)).toBe(toHex(BTreePage.formatInternal(new Uint8Array(PAGE), 2, ...entriesOf(page)).bytes));
  });

  test("the page is a view: it survives a round trip through the buffer pool and the disk", () => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    const pool = new BufferPoolManager({ frames: 1, disk, replacer: new LruReplacer(1) });
    const guard = pool.newPageGuarded();
    const id = guard.pageId;
    const written = BTreePage.formatLeaf(guard.data, [bytes(1), bytes(2, 2)], [rid(7, 1), rid(8, 2)], p(42)).layout();
    guard.release();
    pool.withWritePage(pool.newPage().pageId, () => undefined); // evicts page `id` (one frame)
    pool.unpinPage((id + 1) as PageId, false);
    expect(pool.isResident(id)).toBe(false);
    expect(pool.withReadPage(id, (data) => BTreePage.open(data, id).layout())).toEqual(written);
    expect(written.rightSibling).toBe(42);
    expect(written.items.map((item) => item.rid)).toEqual([rid(7, 1), rid(8, 2)]);
  });

  test("size limits: a quarter of the page per entry, so four of the largest always fit", () => {
    expect(maxKeySize(256)).toBe(50);
    expect(maxKeySize(8192)).toBe(2034);
    expect(MAX_KEY_SIZE).toBe(2034);
    expect(minFillBytes(256)).toBe(60);
    for (const size of [256, 512, 4096, 8192, 32768]) {
      const leaf = BTreePage.initLeaf(new Uint8Array(size));
      for (let i = 0; i < 4; i++) expect(leaf.insertLeafAt(i, new Uint8Array(maxKeySize(size)).fill(i), rid(i, 0))).toBe(true);
      const internal = BTreePage.initInternal(new Uint8Array(size), 1, p(0));
      for (let i = 0; i < 4; i++) expect(internal.insertInternalAt(i, new Uint8Array(maxKeySize(size)).fill(i), p(i + 1))).toBe(true);
      expect(entryCost("leaf", maxKeySize(size))).toBeLessThanOrEqual(minFillBytes(size));
    }
  });

  test("split points: the first point holding half the bytes, never leaving a side without keys", () => {
    expect(leafSplitPoint([10, 10, 10, 10, 10, 10])).toBe(3);
    expect(leafSplitPoint([10, 10, 10, 10, 10])).toBe(3);
    expect(leafSplitPoint([60, 10, 10, 10])).toBe(1);
    expect(leafSplitPoint([100, 1])).toBe(1);
    expect(leafSplitPoint([1, 100])).toBe(1);
    expect(internalSplitPoint([10, 10, 10, 10, 10])).toBe(2);
    expect(internalSplitPoint([100, 1, 1])).toBe(1);
    expect(internalSplitPoint([1, 1, 100])).toBe(1);
    expect(() => leafSplitPoint([5])).toThrow(InvariantError);
    expect(() => internalSplitPoint([5, 5])).toThrow(InvariantError);
    // With every cost ≤ a quarter of C and a total above C, both sides get more than C/4.
    const rng = new Random(52);
    const C = 240;
    for (let trial = 0; trial < 2000; trial++) {
      const costs: number[] = [];
      while (costs.reduce((a, b) => a + b, 0) <= C) costs.push(rng.intBetween(11, 60));
      const m = leafSplitPoint(costs);
      const left = costs.slice(0, m).reduce((a, b) => a + b, 0);
      const right = costs.slice(m).reduce((a, b) => a + b, 0);
      check(left >= C / 4 && right >= C / 4 && left <= C && right <= C, `leaf split ${costs} at ${m}`);
      const j = internalSplitPoint(costs);
      const l = costs.slice(0, j).reduce((a, b) => a + b, 0);
      const r = costs.slice(j + 1).reduce((a, b) => a + b, 0);
      check(l >= C / 4 && r >= C / 4 && l <= C && r <= C, `internal split ${costs} at ${j}`);
    }
  });

  test("formatLeaf refuses entries that do not fit, and mismatched children", () => {
    const tooMany = Array.from({ length: 20 }, (_, i) => new Uint8Array(10).fill(i));
    expect(() => BTreePage.formatLeaf(new Uint8Array(PAGE), tooMany, tooMany.map(() => rid(1, 1)), INVALID_PAGE_ID)).toThrow(
      InvariantError,
    );
    expect(() => BTreePage.formatInternal(new Uint8Array(PAGE), 1, [bytes(1)], [p(1)])).toThrow(InvariantError);
  });

  test("new, foreign and inconsistent pages are refused with `corrupt`", () => {
    expect(expectDbError(() => BTreePage.open(new Uint8Array(PAGE), p(4)), "corrupt").message).toMatch(/page 4.*new/);
    const meta = new Uint8Array(PAGE);
    writeBTreeMeta(meta, { unique: true, root: p(1), height: 1, pageCount: 2, size: 0 });
    expectDbError(() => BTreePage.open(meta), "corrupt");
    const leaf = BTreePage.initLeaf(new Uint8Array(PAGE));
    leaf.bytes[2] = 1; // a leaf at level 1
    expectDbError(() => BTreePage.open(leaf.bytes), "corrupt");
    const internal = BTreePage.initInternal(new Uint8Array(PAGE), 1, p(0));
    internal.bytes[4] = 200; // 200 slots cannot fit below upper
    expectDbError(() => BTreePage.open(internal.bytes), "corrupt");
    expectDbError(() => BTreePage.open(new Uint8Array(100)), "invalid-argument");
  });

  test("verify() reports overlapping entries and keys out of order", () => {
    const rids = [rid(0, 0), rid(0, 1), rid(0, 2)];
    const page = BTreePage.formatLeaf(new Uint8Array(PAGE), [bytes(1), bytes(2), bytes(3)], rids, INVALID_PAGE_ID);
    expect(page.verify(compareBytes)).toEqual([]);
    const copy = BTreePage.open(page.bytes.slice());
    copy.bytes.copyWithin(16, 20, 24); // slot 0 := slot 1
    expect(copy.verify().join()).toMatch(/overlap/);
    const swapped = BTreePage.open(page.bytes.slice());
    const s0 = swapped.bytes.slice(16, 20);
    swapped.bytes.copyWithin(16, 20, 24);
    swapped.bytes.set(s0, 20);
    expect(swapped.verify(compareBytes).join()).toMatch(/not in increasing order/);
  });

  test("foolish input: wrong page kind, slots out of range, bad levels", () => {
    const leaf = BTreePage.initLeaf(new Uint8Array(PAGE));
    const internal = BTreePage.initInternal(new Uint8Array(PAGE), 1, p(0));
    expectDbError(() => leaf.childAt(0), "invalid-state");
    expectDbError(() => internal.ridAt(0), "invalid-state");
    expectDbError(() => leaf.insertInternalAt(0, bytes(1), p(1)), "invalid-state");
    expectDbError(() => internal.insertLeafAt(0, bytes(1), rid(1, 1)), "invalid-state");
    expectDbError(() => leaf.keyAt(0), "out-of-range");
    expectDbError(() => leaf.removeAt(0), "out-of-range");
    expectDbError(() => leaf.insertLeafAt(1, bytes(1), rid(1, 1)), "out-of-range");
    expectDbError(() => leaf.insertLeafAt(-1, bytes(1), rid(1, 1)), "out-of-range");
    expectDbError(() => BTreePage.initInternal(new Uint8Array(PAGE), 0, p(0)), "invalid-argument");
    expect(leaf.keyCount).toBe(0);
  });

  test("meta page: round trip, and refusal of foreign pages or another page size", () => {
    const meta = new Uint8Array(512);
    const written = { unique: false, root: p(77), height: 3, pageCount: 120, size: 2 ** 40 };
    writeBTreeMeta(meta, written);
    expect(readBTreeMeta(meta)).toEqual(written);
    expectDbError(() => readBTreeMeta(BTreePage.initLeaf(new Uint8Array(512)).bytes), "corrupt");
    expectDbError(() => readBTreeMeta(meta.subarray(0, 256)), "corrupt");
    const versioned = meta.slice();
    versioned[2] = 9;
    expect(expectDbError(() => readBTreeMeta(versioned, p(0)), "corrupt").message).toMatch(/version 9/);
  });
});

function entriesOf(page: BTreePage): [Uint8Array[], PageId[]] {
  const { keys, children } = page.internalEntries();
  return [keys, children];
}
