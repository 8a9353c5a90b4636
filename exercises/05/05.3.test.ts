/**
 * Hidden suite of exercise 05.3: `deleteEntry`, plugged into real trees next to the
 * engine's insert. Every change is followed by `check()` and an outside check of the
 * snapshot; the tree's shape is compared with the engine's reference tree after the same
 * operations (merge when the pair fits one page, else redistribute at the split points,
 * the left sibling first), and a few cases are spelled out by hand.
 */
import { describe, expect, it } from "vitest";
import { keyFormatter, rid, toHex, type IndexKey } from "@workbook/engine";
import { deleteEntry } from "@submission";
import {
  intKeys,
  makeTree,
  wideIntKeys,
  modelCheck,
  randomOps,
  reopened,
  rng,
  shape,
  shapeDiff,
  showKey,
  stringKeys,
  structureProblem,
  type Made,
  type TreeOp,
} from "./harness.js";

const mine = { deleteEntry };
const int = keyFormatter("int");

/** A learner's tree and the engine's, both bulk-loaded with `keys` at `fillFactor`. */
function pair(keys: readonly IndexKey[], fillFactor: number, setup: { unique?: boolean; frames?: number } = {}) {
  const unique = setup.unique ?? true;
  const made = makeTree({ unique, frames: setup.frames ?? 3, algorithms: mine });
  const reference = makeTree({ unique, frames: 3 }).tree;
  const entries = keys.map((k, i) => [k, rid(i, 0)] as const);
  made.tree.bulkLoad(entries, { fillFactor });
  reference.bulkLoad(entries, { fillFactor });
  return { made, reference };
}

/** Delete `keys` from both trees; after each, check the structure and compare shapes. */
function deleteBoth(made: Made, reference: Made["tree"], keys: readonly IndexKey[], what: string, every = 1): void {
  keys.forEach((key, i) => {
    const want = reference.delete(key);
    expect(made.tree.delete(key), `${what}: delete(${showKey(key)}) returned`).toBe(want);
    if (i % every !== 0 && i !== keys.length - 1) return;
    const problem = structureProblem(made);
    if (problem !== undefined) expect.fail(`${what}, after delete(${showKey(key)}) (#${i + 1}): ${problem}`);
    const diff = shapeDiff(shape(reference.snapshot(int)), shape(made.tree.snapshot(int)));
    if (diff !== undefined) expect.fail(`${what}, after delete(${showKey(key)}) (#${i + 1}): ${diff}`);
  });
}

const levels = (made: Made) => made.tree.snapshot(int).levels.map((l) => l.pages.map((p) => p.keys.join(" ")));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("05.3 delete", () => {
  it("merge: an underfull leaf whose entries fit beside its left sibling's is merged into it, and the right page freed", () => {
    // Fill factor 0.5: six int entries (6 × 18 = 108 bytes) per leaf. Below 60 bytes (4 entries) a leaf is underfull.
    const { made, reference } = pair(range(1, 24), 0.5);
    expect(levels(made), "the bulk-loaded tree").toEqual([["7 13 19"], ["1 2 3 4 5 6", "7 8 9 10 11 12", "13 14 15 16 17 18", "19 20 21 22 23 24"]]);
    const pages = made.tree.pageCount;
    deleteBoth(made, reference, [7, 8, 9], "three deletes from the second leaf");
    expect(levels(made), "after the merge").toEqual([["13 19"], ["1 2 3 4 5 6 10 11 12", "13 14 15 16 17 18", "19 20 21 22 23 24"]]);
    expect(made.tree.pageCount, "pages after the merge: one leaf fewer").toBe(pages - 1);
  });

  it("borrow: when the two do not fit one page, their entries are shared out evenly and the separator replaced", () => {
    // Fill factor 1: thirteen entries per leaf (234 of 240 bytes).
    const { made, reference } = pair(range(1, 39), 1);
    deleteBoth(made, reference, range(14, 23), "ten deletes from the second leaf");
    expect(levels(made), "after borrowing from the left sibling").toEqual([["9 27"], [range(1, 8).join(" "), [9, 10, 11, 12, 13, 24, 25, 26].join(" "), range(27, 39).join(" ")]]);
    expect(made.tree.pageCount, "no page freed by a borrow").toBe(5);
  });

  it("the leftmost leaf has no left sibling: it rebalances with its right one", () => {
    const { made, reference } = pair(range(1, 39), 1);
    deleteBoth(made, reference, range(1, 10), "ten deletes from the first leaf");
    expect(levels(made), "after borrowing from the right sibling").toEqual([["19 27"], [range(11, 18).join(" "), range(19, 26).join(" "), range(27, 39).join(" ")]]);
    const small = pair(range(1, 18), 0.5);
    deleteBoth(small.made, small.reference, [1, 2, 3], "three deletes from the first of three half-full leaves");
    expect(levels(small.made), "after merging the first leaf with the second").toEqual([["13"], ["4 5 6 7 8 9 10 11 12", range(13, 18).join(" ")]]);
  });

  it("a leaf at exactly a quarter full is left alone; a borrow shares entries out by their leaf cost (10 bytes + key)", () => {
    const key = (order: number, length: number) => new Uint8Array(length).fill(0x20).fill(order, 0, 1);
    // Leaf 0: four 50-byte keys (240 bytes); leaf 1: two 20-byte keys and three 50-byte ones (240).
    const quarter = [key(1, 50), key(2, 50), key(3, 50), key(4, 50), key(5, 20), key(6, 20), key(7, 50), key(8, 50), key(9, 50)];
    const a = pair(quarter, 1);
    deleteBoth(a.made, a.reference, [key(7, 50), key(8, 50), key(9, 50)], "emptying leaf 1 down to two 20-byte keys (60 bytes, exactly the minimum)");
    expect(a.made.tree.pageCount, "pages: leaf 1 at exactly the minimum is not merged").toBe(4);
    // Lengths chosen so that weighing leaf entries as internal ones (8 + key) moves the split point.
    const left = [1, 20, 1, 20, 1, 40, 30, 1, 30];
    const right = [40, 50, 50];
    const keys = [...left, ...right].map((length, i) => key(i + 1, length));
    const b = pair(keys, 1);
    expect(b.made.tree.height, "two leaves under a root").toBe(2);
    deleteBoth(b.made, b.reference, keys.slice(-2), "emptying the right leaf down to one 40-byte key, which borrows from its left sibling");
  });

  it("internal pages merge and borrow too (the separator comes down), and the root collapses when its last key goes", () => {
    const keys = range(1, 200);
    const { made, reference } = pair(keys, 0.6);
    expect(made.tree.height, "height of the bulk-loaded tree").toBe(3);
    const order = rng(5301).shuffle([...keys]);
    deleteBoth(made, reference, order.slice(0, 190), "190 random deletes", 2);
    expect(made.tree.height, "height after 190 of 200 deletes").toBeLessThanOrEqual(2);
    deleteBoth(made, reference, order.slice(190), "the last 10 deletes");
    expect(made.tree.height, "height of the emptied tree").toBe(1);
    expect(made.tree.pageCount, "pages of the emptied tree: meta page and one leaf").toBe(2);
    expect([...made.tree.range()], "entries of the emptied tree").toEqual([]);
    for (const k of [5, 1, 9]) made.tree.insert(k, rid(k, 0));
    expect([...made.tree.range()].map((e) => int(e.key)), "the emptied tree works again").toEqual(["1", "5", "9"]);
  });

  it("random inserts and deletes agree with a sorted array, grow and shrink twice; check() after every operation (4 frames)", () => {
    const keys = wideIntKeys(300);
    const ops = randomOps(5302, 600, keys.length, { insertGrow: 80, insertShrink: 10, deletes: 75, gets: 10, cycle: 300, deleteWithRid: 0.1 }, true);
    const coverage = modelCheck({ setup: { unique: true, frames: 4, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
    expect(coverage.rootShrinks, "times the root collapsed").toBeGreaterThanOrEqual(2);
  });

  it("string keys of mixed lengths: merges and borrows count bytes, separators change length", () => {
    const keys = stringKeys(160, 5303);
    const ops = randomOps(5304, 600, keys.length, { insertGrow: 75, insertShrink: 10, deletes: 80, gets: 5, cycle: 300 }, true);
    const coverage = modelCheck({ setup: { unique: true, frames: 3, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
    expect(coverage.rootShrinks, "times the root collapsed").toBeGreaterThanOrEqual(2);
  });

  it("an absent key, or a unique key with another rid: returns 0 and changes nothing", () => {
    const { made } = pair(range(1, 60), 0.7);
    const before = JSON.stringify(made.tree.snapshot());
    expect(made.tree.delete(0), "delete(0), below every key").toBe(0);
    expect(made.tree.delete(61), "delete(61), above every key").toBe(0);
    expect(made.tree.delete(30, rid(1, 1)), "delete(30) naming rid (1,1); it points to (29,0)").toBe(0);
    expect(JSON.stringify(made.tree.snapshot()) === before, "the tree is unchanged").toBe(true);
    expect(made.tree.delete(30, rid(29, 0)), "delete(30) naming its rid").toBe(1);
    expect(made.tree.delete(30), "delete(30) again").toBe(0);
    expect(made.tree.size, "size").toBe(59);
    expect(structureProblem(made), "structure").toBeUndefined();
  });

  it("a non-unique tree: one (key, rid) among duplicates that span leaves, or every entry of a key", () => {
    const keys = intKeys(12);
    const ops = randomOps(5305, 700, keys.length, { insertGrow: 70, insertShrink: 15, deletes: 60, gets: 15, cycle: 700, rids: 25, deleteWithRid: 1 }, false);
    const coverage = modelCheck({ setup: { unique: false, frames: 3, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("a borrowed separator longer than the old one overflows the parent, which splits (through tree.store)", () => {
    const leafKeys = (j: number) => [
      Uint8Array.of(j),
      ...[1, 2, 3].map((t) => new Uint8Array(50).fill(t).fill(j, 0, 1)),
      new Uint8Array(39).fill(4).fill(j, 0, 1),
    ];
    for (const leaves of [27, 52]) {
      const keys = Array.from({ length: leaves }, (_, j) => leafKeys(j)).flat();
      const made = makeTree({ unique: true, frames: 3, algorithms: mine });
      made.tree.bulkLoad(keys.map((k, i) => [k, rid(i, 0)] as const), { fillFactor: 1 });
      const before = { height: made.tree.height, pageCount: made.tree.pageCount };
      for (const k of leafKeys(0).slice(1)) expect(made.tree.delete(k), `${leaves} leaves: delete`).toBe(1);
      const problem = structureProblem(made);
      if (problem !== undefined) expect.fail(`${leaves} leaves, after emptying leaf 0 down to one key: ${problem}`);
      expect(made.tree.height, `${leaves} leaves: height after the parent split`).toBe(before.height + (leaves === 27 ? 1 : 0));
      expect(made.tree.pageCount, `${leaves} leaves: pages after the parent split`).toBe(before.pageCount + (leaves === 27 ? 2 : 1));
      expect([...made.tree.range()].map((e) => toHex(e.key)), `${leaves} leaves: the keys`).toEqual(keys.filter((_, i) => i === 0 || i >= 5).map(toHex));
    }
  });

  it("a pool of one frame: one page pinned at a time while rebalancing", () => {
    const keys = intKeys(250);
    const r = rng(5306);
    const ops: TreeOp[] = [
      ...r.shuffle(keys.map((_, i) => i)).map((k): TreeOp => ({ op: "insert", key: k, rid: k })),
      ...r.shuffle(keys.map((_, i) => i)).slice(0, 240).map((k): TreeOp => ({ op: "delete", key: k })),
      { op: "range", loInclusive: true, hiInclusive: true },
    ];
    const coverage = modelCheck({ setup: { unique: true, frames: 1, algorithms: mine }, keys, checkEvery: 4 }, ops);
    expect(coverage.rootShrinks, "times the root collapsed").toBeGreaterThanOrEqual(1);
  });

  it("reopened over a FileDiskManager after deletes: the same tree comes back, and deletes go on", () => {
    const setup = { unique: true, frames: 4, pageSize: 512, algorithms: mine };
    const keys = rng(5307).shuffle(range(0, 599));
    reopened(
      setup,
      ({ tree }) => {
        tree.bulkLoad(range(0, 599).map((k) => [k, rid(k, 0)] as const), { fillFactor: 0.7 });
        for (const k of keys.slice(0, 300)) tree.delete(k);
      },
      (made, before) => {
        expect(JSON.stringify(made.tree.snapshot()) === before, "snapshot after reopening equals the one before closing").toBe(true);
        for (const k of keys.slice(300, 590)) expect(made.tree.delete(k), `delete(${k}) after reopening`).toBe(1);
        expect(made.tree.delete(keys[0]!), "a key deleted before closing").toBe(0);
        const problem = structureProblem(made);
        if (problem !== undefined) expect.fail(`after reopening and deleting: ${problem}`);
        expect([...made.tree.range()].map((e) => Number(int(e.key))), "the 10 keys left").toEqual(keys.slice(590).sort((a, b) => a - b));
      },
    );
  });
});
