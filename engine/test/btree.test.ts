import { describe, expect, test } from "vitest";
import { BTree } from "../src/ds/btree.js";
import type { Comparator, MemBTreeNodeSnapshot as BTreeNodeSnapshot, MemBTreeSnapshot as BTreeSnapshot } from "../src/ds/btree-map.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

/** Every B-tree invariant, checked from the plain-data snapshot only. */
function checkInvariants<K>(snap: BTreeSnapshot<K>, compare: Comparator<K>): K[] {
  const t = snap.minDegree;
  const keys: K[] = [];
  const leafDepths = new Set<number>();
  const visit = (node: BTreeNodeSnapshot<K>, depth: number, isRoot: boolean): void => {
    const n = node.keys.length;
    check(n <= 2 * t - 1, `node with ${n} keys > 2t−1 = ${2 * t - 1}`);
    if (!isRoot) check(n >= t - 1, `non-root node with ${n} keys < t−1 = ${t - 1}`);
    if (node.children.length === 0) {
      leafDepths.add(depth);
      keys.push(...node.keys);
      return;
    }
    check(node.children.length === n + 1, `inner node with ${n} keys has ${node.children.length} children`);
    node.children.forEach((child, i) => {
      visit(child, depth + 1, false);
      if (i < n) keys.push(node.keys[i] as K);
    });
  };
  visit(snap.root, 1, true);
  check(leafDepths.size === 1, `leaves at depths ${[...leafDepths].join(",")}`);
  for (let i = 1; i < keys.length; i++) check(compare(keys[i - 1] as K, keys[i] as K) < 0, "keys out of order");
  same(keys.length, snap.size, "size vs keys in the tree");
  same(snap.height, snap.size === 0 ? 0 : [...leafDepths][0], "height");
  return keys;
}

type Op =
  | { op: "insert"; key: number; value: number }
  | { op: "delete"; key: number }
  | { op: "search"; key: number }
  | { op: "range"; lo: number | undefined; hi: number | undefined };

const byNumber = (a: number, b: number) => a - b;

describe("01 B-tree", () => {
  test("behaves like a sorted array over seeded random operations, invariants after every step", () => {
    for (const t of [2, 3, 4, 7]) {
      checkModel<Op>({
        seed: t,
        count: 2500,
        generate: (rng, i) => {
          const key = rng.int(300);
          const r = rng.int(100);
          // Insert-heavy first, delete-heavy later: the tree grows, then shrinks back.
          const insertShare = i < 1500 ? 60 : 25;
          if (r < insertShare) return { op: "insert", key, value: i };
          if (r < 80) return { op: "delete", key };
          if (r < 95) return { op: "search", key };
          const lo = rng.bool(0.2) ? undefined : rng.int(300);
          const hi = rng.bool(0.2) ? undefined : rng.int(300);
          return { op: "range", lo, hi };
        },
        run: (ops) => {
          const tree = new BTree<number, number>({ minDegree: t });
          const model = new Map<number, number>();
          for (const op of ops) {
            switch (op.op) {
              case "insert":
                same(tree.insert(op.key, op.value), !model.has(op.key), `insert(${op.key}) is new`);
                model.set(op.key, op.value);
                break;
              case "delete":
                same(tree.delete(op.key), model.delete(op.key), `delete(${op.key})`);
                break;
              case "search":
                same(tree.search(op.key), model.get(op.key), `search(${op.key})`);
                same(tree.has(op.key), model.has(op.key), `has(${op.key})`);
                break;
              case "range": {
                const expected = [...model.entries()]
                  .filter(([k]) => (op.lo === undefined || k >= op.lo) && (op.hi === undefined || k < op.hi))
                  .sort((a, b) => a[0] - b[0]);
                same(JSON.stringify([...tree.range(op.lo, op.hi)]), JSON.stringify(expected), "range");
                break;
              }
            }
            same(tree.size, model.size, "size");
            if (op.op === "insert" || op.op === "delete") checkInvariants(tree.snapshot(), byNumber);
          }
          same(JSON.stringify([...tree]), JSON.stringify([...model.entries()].sort((a, b) => a[0] - b[0])), "entries");
        },
      });
    }
  });

  test("inserting 1…9 with t = 2 gives the textbook shape", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    for (let k = 1; k <= 9; k++) tree.insert(k, `v${k}`);
    const snap = tree.snapshot();
    expect(snap.height).toBe(3);
    expect(snap.root.keys).toEqual([4]);
    expect(snap.root.children.map((c) => c.keys)).toEqual([[2], [6]]);
    expect(snap.root.children.flatMap((c) => c.children.map((l) => l.keys))).toEqual([[1], [3], [5], [7, 8, 9]]);
    checkInvariants(snap, byNumber);
  });

  test("the height stays logarithmic: 10 000 sequential keys with t = 16", () => {
    const tree = new BTree<number, number>({ minDegree: 16 });
    for (let k = 0; k < 10_000; k++) tree.insert(k, k);
    // A full tree of height h holds up to (2t)^h − 1 keys; a minimal one needs 2t^(h−1) − 1.
    expect(tree.height).toBeLessThanOrEqual(4);
    checkInvariants(tree.snapshot(), byNumber);
    for (let k = 0; k < 10_000; k += 2) tree.delete(k);
    expect(tree.size).toBe(5000);
    checkInvariants(tree.snapshot(), byNumber);
    for (let k = 1; k < 10_000; k += 2) tree.delete(k);
    expect(tree.size).toBe(0);
    expect(tree.height).toBe(0);
  });

  test("the comparator is injectable: descending strings", () => {
    const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
    const tree = new BTree<string, number>({ minDegree: 2, compare: desc });
    for (const w of ["pear", "apple", "fig", "kiwi", "date", "plum", "lime"]) tree.insert(w, w.length);
    expect([...tree.range("lime", "date")].map(([k]) => k)).toEqual(["lime", "kiwi", "fig"]);
    checkInvariants(tree.snapshot(), desc);
  });

  test("bigint keys work with the default comparator", () => {
    const tree = new BTree<bigint, null>({ minDegree: 2 });
    for (const k of [5n, 2n ** 70n, -3n, 0n]) tree.insert(k, null);
    expect([...tree].map(([k]) => k)).toEqual([-3n, 0n, 5n, 2n ** 70n]);
  });

  test("edge cases: empty tree, replacing a value, deleting what is absent", () => {
    const tree = new BTree<number, string>({ minDegree: 3 });
    expect(tree.search(1)).toBeUndefined();
    expect(tree.delete(1)).toBe(false);
    expect([...tree.range()]).toEqual([]);
    expect(tree.height).toBe(0);
    expect(tree.insert(1, "a")).toBe(true);
    expect(tree.insert(1, "b")).toBe(false);
    expect(tree.search(1)).toBe("b");
    expect(tree.size).toBe(1);
    expect(tree.height).toBe(1);
    expect([...tree.range(1, 1)]).toEqual([]);
    expect([...tree.range(1, 2)]).toEqual([[1, "b"]]);
    tree.clear();
    expect(tree.size).toBe(0);
  });

  test("iteration refuses a concurrent modification", () => {
    const tree = new BTree<number, number>({ minDegree: 2 });
    for (let k = 0; k < 20; k++) tree.insert(k, k);
    expectDbError(() => {
      for (const [k] of tree) tree.delete(k);
    }, "invalid-state");
  });

  test("foolish input is refused", () => {
    expectDbError(() => new BTree({ minDegree: 1 }), "invalid-argument");
    expectDbError(() => new BTree({ minDegree: 2.5 }), "invalid-argument");
    const tree = new BTree<number, number>();
    expectDbError(() => tree.insert(Number.NaN, 1), "invalid-argument");
    expect(tree.size).toBe(0);
  });
});
