/**
 * Hidden suite of exercise 05.2: `insertEntry` and `storeNode`, plugged into real trees
 * (together, and each alone next to the engine's other half). Every change is followed
 * by the tree's `check()` and an outside check of the snapshot, and the tree's shape is
 * compared with the engine's reference tree built by the same operations: splits at
 * `leafSplitPoint` / `internalSplitPoint` make the shape a function of the operations.
 */
import { describe, expect, it } from "vitest";
import { BPlusTree, encodeKey, keyFormatter, rid, toHex, type IndexKey } from "@workbook/engine";
import { insertEntry, storeNode } from "@submission";
import {
  intKeys,
  makeTree,
  modelCheck,
  outcome,
  randomOps,
  reopened,
  rng,
  shape,
  shapeDiff,
  stringKeys,
  structureProblem,
  type Made,
  type TreeOp,
} from "./harness.js";

const mine = { insertEntry, storeNode };

/** Insert `keys` one by one into the learner's tree and the engine's; compare after each insert. */
function sameAsEngine(keys: readonly IndexKey[], setup: { unique: boolean; frames?: number; pageSize?: number }, what: string, every = 1): Made {
  const made = makeTree({ ...setup, algorithms: mine });
  const reference = makeTree({ ...setup, algorithms: {} }).tree;
  keys.forEach((key, i) => {
    const r = rid(i, i % 5);
    const added = made.tree.insert(key, r);
    expect(added, `${what}: insert #${i + 1} returned`).toBe(reference.insert(key, r));
    if (i % every !== 0 && i !== keys.length - 1) return;
    const problem = structureProblem(made);
    if (problem !== undefined) expect.fail(`${what}, after insert #${i + 1}: ${problem}`);
    const diff = shapeDiff(shape(reference.snapshot(keyFormatter("int"))), shape(made.tree.snapshot(keyFormatter("int"))));
    if (diff !== undefined) expect.fail(`${what}, after insert #${i + 1}: ${diff}`);
  });
  return made;
}

const ints = (made: Made) => [...made.tree.range()].map((e) => toHex(e.key));

describe("05.2 insert", () => {
  it("a full leaf splits in half and its right half's first key is copied up into a new root", () => {
    // 256-byte pages: 240 usable bytes; an int entry costs 4 + 6 + 8 = 18, so 13 fit a leaf.
    const made = sameAsEngine(Array.from({ length: 14 }, (_, i) => i + 1), { unique: true }, "keys 1…14 in order");
    const snap = made.tree.snapshot(keyFormatter("int"));
    expect(snap.levels.map((l) => l.pages.map((p) => p.keys.join(" "))), "levels after 14 inserts").toEqual([
      ["8"],
      ["1 2 3 4 5 6 7", "8 9 10 11 12 13 14"],
    ]);
    expect(made.tree.height, "height").toBe(2);
    expect(made.tree.pageCount, "pages: meta, two leaves, root").toBe(4);
  });

  it("ascending keys: leaves and internal pages split the engine's way, and the root splits twice", () => {
    const made = sameAsEngine(Array.from({ length: 130 }, (_, i) => i * 3), { unique: true }, "keys 0, 3, 6 … in order", 2);
    expect(made.tree.height, "height after 130 ascending inserts").toBe(3);
    const again = sameAsEngine(Array.from({ length: 130 }, (_, i) => 1000 - i), { unique: true, frames: 2 }, "keys 1000, 999 … in descending order", 2);
    expect(again.tree.height, "height after 130 descending inserts").toBe(3);
  });

  it("random inserts, lookups and scans agree with a sorted array; check() holds after every insert (4 frames)", () => {
    const keys = intKeys(500);
    const order = rng(5201).shuffle(keys.map((_, i) => i));
    const ops: TreeOp[] = [];
    const r = rng(5202);
    for (const k of order.slice(0, 330)) {
      ops.push({ op: "insert", key: k, rid: k });
      if (r.bool(0.15)) ops.push({ op: "insert", key: order[r.int(330)]!, rid: 1 });
      if (r.bool(0.1)) ops.push({ op: "get", key: r.int(keys.length) });
      if (r.bool(0.05)) ops.push({ op: "range", lo: r.int(keys.length), hi: r.int(keys.length), loInclusive: true, hiInclusive: r.bool() });
    }
    const coverage = modelCheck({ setup: { unique: true, frames: 4, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("string keys of mixed lengths up to the limit: splits count bytes, not keys; separators of all sizes", () => {
    const keys = stringKeys(200, 5203);
    const order = rng(5204).shuffle(keys.map((_, i) => i));
    const ops: TreeOp[] = order.map((k) => ({ op: "insert", key: k, rid: k }));
    ops.push({ op: "range", loInclusive: true, hiInclusive: true });
    const coverage = modelCheck({ setup: { unique: true, frames: 3, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("split points weigh each entry by its cost: a leaf entry is 10 bytes plus its key, an internal one 8 plus its key", () => {
    // Lengths chosen so that weighing leaf entries as internal ones (or the reverse) moves the split point.
    const key = (order: number, pos: number, length: number) => new Uint8Array(length).fill(0x20).fill(pos, 1, 2).fill(order, 0, 1);
    const leafLengths = [40, 5, 10, 5, 5, 1, 10, 40, 20, 1, 40];
    const leafKeys = leafLengths.map((length, i) => key(i + 1, 0, length));
    const made = makeTree({ unique: true, algorithms: mine });
    const reference = makeTree({ unique: true }).tree;
    leafKeys.forEach((k, i) => {
      made.tree.insert(k, rid(i, 0));
      reference.insert(k, rid(i, 0));
    });
    const leafDiff = shapeDiff(shape(reference.snapshot()), shape(made.tree.snapshot()));
    if (leafDiff !== undefined) expect.fail(`a leaf of keys of ${leafLengths.join(", ")} bytes, split by its 11th insert: ${leafDiff}`);
    // Eleven full leaves under one root whose separators are 1…50 bytes long; a split of the
    // last leaf adds a 30-byte separator and the root splits by internal entry costs.
    const separators = [1, 20, 1, 30, 5, 10, 1, 1, 30, 50];
    const filler = (j: number, first: number) => {
      const keys = [key(j, 0, first)];
      let used = first + 10;
      while (used + 60 <= 240) keys.push(key(j, keys.length, 50)), (used += 60);
      if (used < 240) keys.push(key(j, keys.length, 240 - used - 10));
      return keys;
    };
    const entries = [filler(0, 50), ...separators.slice(0, 9).map((len, j) => filler(j + 1, len)), [key(10, 0, 50), key(10, 1, 50), key(10, 2, 50), key(10, 3, 30)]].flat();
    const built = makeTree({ unique: true, algorithms: mine });
    const engineTree = makeTree({ unique: true }).tree;
    built.tree.bulkLoad(entries.map((k, i) => [k, rid(i, 0)] as const), { fillFactor: 1 });
    engineTree.bulkLoad(entries.map((k, i) => [k, rid(i, 0)] as const), { fillFactor: 1 });
    expect(built.tree.height, "height of the bulk-loaded tree of eleven leaves").toBe(2);
    built.tree.insert(key(10, 4, 50), rid(99, 0));
    engineTree.insert(key(10, 4, 50), rid(99, 0));
    const problem = structureProblem(built);
    if (problem !== undefined) expect.fail(`after the root split: ${problem}`);
    const rootDiff = shapeDiff(shape(engineTree.snapshot()), shape(built.tree.snapshot()));
    if (rootDiff !== undefined) expect.fail(`a root of separators of ${[...separators, 30].join(", ")} bytes, split: ${rootDiff}`);
    expect(built.tree.height, "height after the root split").toBe(3);
  });

  it("a key that is already there: insert returns false and the tree does not change", () => {
    const made = makeTree({ unique: true, algorithms: mine });
    for (let k = 0; k < 60; k++) expect(made.tree.insert(k * 2, rid(k, 0)), `insert ${k * 2}`).toBe(true);
    const before = JSON.stringify(made.tree.snapshot());
    for (const k of [0, 2, 26, 58, 118]) {
      expect(made.tree.insert(k, rid(99, 9)), `insert ${k} a second time`).toBe(false);
      expect(made.tree.get(k), `rid of ${k} after the refused insert`).toEqual(rid(k / 2, 0));
    }
    expect(made.tree.size, "size after refused inserts").toBe(60);
    expect(JSON.stringify(made.tree.snapshot()) === before, "the snapshot is unchanged after refused inserts").toBe(true);
    expect(structureProblem(made), "structure").toBeUndefined();
  });

  it("a non-unique tree: the same key with other rids is added, runs of duplicates span leaves in rid order; the same (key, rid) is refused", () => {
    const keys = intKeys(6);
    const r = rng(5205);
    const ops: TreeOp[] = [];
    for (let i = 0; i < 260; i++) {
      const key = r.int(keys.length);
      ops.push({ op: "insert", key, rid: key * 31 + r.int(60) });
      if (i % 20 === 0) ops.push({ op: "get", key });
    }
    ops.push({ op: "range", lo: 2, hi: 2, loInclusive: true, hiInclusive: true }, { op: "range", loInclusive: true, hiInclusive: true });
    const coverage = modelCheck({ setup: { unique: false, frames: 3, algorithms: mine }, keys, compareShape: true, checkEvery: 2 }, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("keys at the size limit split four to a page; one byte more is refused with invalid-argument and nothing changes", () => {
    const made = makeTree({ unique: true, algorithms: mine });
    const limit = made.tree.maxKeySize;
    const big = (i: number) => new Uint8Array(limit).fill(i & 0xff).fill(i >> 8, 0, 1);
    const order = rng(5206).shuffle(Array.from({ length: 120 }, (_, i) => i));
    for (const i of order) {
      expect(made.tree.insert(big(i), rid(i, 0)), `insert of a ${limit}-byte key`).toBe(true);
    }
    const problem = structureProblem(made);
    if (problem !== undefined) expect.fail(`after 120 keys of ${limit} bytes: ${problem}`);
    expect(made.tree.height, "height with 120 keys of the largest size").toBeGreaterThanOrEqual(4);
    expect([...made.tree.range()].map((e) => toHex(e.key)), "all keys, in order").toEqual(Array.from({ length: 120 }, (_, i) => toHex(big(i))));
    const before = JSON.stringify(made.tree.snapshot());
    expect(outcome(() => made.tree.insert(new Uint8Array(limit + 1), rid(1, 1))), `insert of a ${limit + 1}-byte key`).toBe("DbError invalid-argument");
    expect(JSON.stringify(made.tree.snapshot()) === before, "tree unchanged after the refused key").toBe(true);
  });

  it("a pool of one frame: one page pinned at a time, and the tree is still right", () => {
    const keys = intKeys(300);
    const order = rng(5207).shuffle(keys.map((_, i) => i));
    const ops: TreeOp[] = order.slice(0, 200).map((k) => ({ op: "insert", key: k, rid: k }));
    ops.push({ op: "range", loInclusive: true, hiInclusive: true });
    modelCheck({ setup: { unique: true, frames: 1, algorithms: mine }, keys, checkEvery: 5 }, ops);
  });

  it("storeNode alone, inside the engine's insert: the same tree as the engine's", () => {
    const keys = rng(5208).shuffle(Array.from({ length: 250 }, (_, i) => i * 5));
    const made = makeTree({ unique: true, frames: 3, algorithms: { storeNode } });
    const reference = makeTree({ unique: true, frames: 3 }).tree;
    for (const k of keys) {
      made.tree.insert(k, rid(k, 0));
      reference.insert(k, rid(k, 0));
    }
    const problem = structureProblem(made);
    if (problem !== undefined) expect.fail(`after 250 random inserts: ${problem}`);
    const diff = shapeDiff(shape(reference.snapshot(keyFormatter("int"))), shape(made.tree.snapshot(keyFormatter("int"))));
    if (diff !== undefined) expect.fail(`after 250 random inserts: ${diff}`);
  });

  it("storeNode inside the engine's delete: a borrowed separator longer than the old one splits the parent", () => {
    // Every leaf j holds [j] (cost 11), three 50-byte keys (60 each) and a 39-byte key (49):
    // 240 bytes, a full page; the separators above are the 1-byte keys [j].
    const leafKeys = (j: number) => [
      Uint8Array.of(j),
      ...[1, 2, 3].map((t) => new Uint8Array(50).fill(t).fill(j, 0, 1)),
      new Uint8Array(39).fill(4).fill(j, 0, 1),
    ];
    for (const leaves of [27, 52]) {
      const made = makeTree({ unique: true, frames: 3, algorithms: { storeNode } });
      const keys = Array.from({ length: leaves }, (_, j) => leafKeys(j)).flat();
      made.tree.bulkLoad(keys.map((k, i) => [k, rid(i, 0)] as const), { fillFactor: 1 });
      const before = { height: made.tree.height, pageCount: made.tree.pageCount };
      for (const k of leafKeys(0).slice(1)) expect(made.tree.delete(k), "delete").toBe(1);
      const problem = structureProblem(made);
      if (problem !== undefined) expect.fail(`${leaves} leaves, after emptying leaf 0: ${problem}`);
      // 27 leaves: the parent is the root, which splits: one level more. 52: an inner page splits.
      expect(made.tree.height, `${leaves} leaves: height after the parent split`).toBe(before.height + (leaves === 27 ? 1 : 0));
      expect(made.tree.pageCount, `${leaves} leaves: pages after the parent split`).toBe(before.pageCount + (leaves === 27 ? 2 : 1));
      expect(ints(made), `${leaves} leaves: the keys`).toEqual(keys.filter((_, i) => i === 0 || i >= 5).map(toHex));
    }
  });

  it("insertEntry alone, with the engine's storeNode: the same tree as the engine's, non-unique", () => {
    const r = rng(5209);
    const entries = Array.from({ length: 300 }, (_, i) => [r.int(40), i] as const);
    const made = makeTree({ unique: false, frames: 3, algorithms: { insertEntry } });
    const reference = makeTree({ unique: false, frames: 3 }).tree;
    for (const [k, i] of entries) {
      expect(made.tree.insert(k, rid(i, 1)), `insert (${k}, (${i},1))`).toBe(reference.insert(k, rid(i, 1)));
    }
    expect(made.tree.insert(entries[7]![0], rid(entries[7]![1], 1)), "the same (key, rid) again").toBe(false);
    const problem = structureProblem(made);
    if (problem !== undefined) expect.fail(`after 300 inserts: ${problem}`);
    const diff = shapeDiff(shape(reference.snapshot()), shape(made.tree.snapshot()));
    if (diff !== undefined) expect.fail(`after 300 inserts: ${diff}`);
  });

  it("reopened over a FileDiskManager: the same tree comes back, and inserts go on", () => {
    const setup = { unique: true, frames: 4, pageSize: 512, algorithms: mine };
    const keys = rng(5210).shuffle(Array.from({ length: 700 }, (_, i) => i));
    reopened(
      setup,
      ({ tree }) => {
        for (const k of keys.slice(0, 500)) tree.insert(k, rid(k, 0));
      },
      (made, before) => {
        expect(JSON.stringify(made.tree.snapshot()) === before, "snapshot after reopening equals the one before closing").toBe(true);
        for (const k of keys.slice(500)) expect(made.tree.insert(k, rid(k, 0)), `insert ${k} after reopening`).toBe(true);
        expect(made.tree.insert(keys[0]!, rid(1, 1)), "a key inserted before closing, again").toBe(false);
        const problem = structureProblem(made);
        if (problem !== undefined) expect.fail(`after reopening and inserting: ${problem}`);
        expect([...made.tree.range()].map((e) => toHex(e.key)), "all 700 keys").toEqual(Array.from({ length: 700 }, (_, i) => toHex(encodeKey(i))));
        expect(BPlusTree.open(made.pool, made.tree.metaPageId).size, "size on the meta page").toBe(700);
      },
    );
  });
});
