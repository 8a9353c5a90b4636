/**
 * Hidden suite for exercise 01.3: B-tree search and insert (delete is not graded here).
 * Public API only: search/has/insert/range/entries/size/height/clear, and `snapshot()`
 * for the invariants (keys in order, node occupancy t − 1…2t − 1, keys + 1 children,
 * every leaf at the same depth). Checked against a sorted array over seeded random
 * operations, failures shrunk to a short sequence.
 */
import { describe, expect, it } from "vitest";
import { check, checkRun, errorOf, expectDbError, rng, sameJson, show } from "../../test-support/index.js";
import type { MemBTreeNodeSnapshot as BTreeNodeSnapshot, MemBTreeSnapshot as BTreeSnapshot } from "@workbook/engine";
import { BTree } from "@submission";

// ---------------------------------------------------------------------------------------
// Support: the invariants, from the snapshot only

type Tree<K> = InstanceType<typeof BTree<K, unknown>>;

/**
 * Check every B-tree invariant on `tree.snapshot()` and return its keys in order:
 * occupancy, children count, leaves at one depth, keys strictly increasing, and the
 * snapshot's size/height/minDegree agreeing with the tree's.
 */
function checkInvariants<K>(tree: Tree<K>, compare: (a: K, b: K) => number, t: number): K[] {
  const snap: BTreeSnapshot<K> = tree.snapshot();
  sameJson(snap.minDegree, t, "snapshot().minDegree");
  sameJson(snap.size, tree.size, "snapshot().size vs size");
  sameJson(snap.height, tree.height, "snapshot().height vs height");
  const keys: K[] = [];
  const leafDepths = new Set<number>();
  const visit = (node: BTreeNodeSnapshot<K>, depth: number, isRoot: boolean): void => {
    const n = node.keys.length;
    check(n <= 2 * t - 1, `a node at depth ${depth} holds ${n} keys, more than 2t − 1 = ${2 * t - 1}`);
    if (!isRoot) check(n >= t - 1, `a non-root node at depth ${depth} holds ${n} keys, fewer than t − 1 = ${t - 1}`);
    if (node.children.length === 0) {
      leafDepths.add(depth);
      keys.push(...node.keys);
      return;
    }
    check(node.children.length === n + 1, `an inner node at depth ${depth} has ${n} keys but ${node.children.length} children (want ${n + 1})`);
    node.children.forEach((child, i) => {
      visit(child, depth + 1, false);
      if (i < n) keys.push(node.keys[i] as K);
    });
  };
  visit(snap.root, 1, true);
  check(leafDepths.size <= 1, `leaves at different depths: ${[...leafDepths].join(", ")}`);
  for (let i = 1; i < keys.length; i++) {
    check(compare(keys[i - 1] as K, keys[i] as K) < 0, `keys out of order in an in-order walk: ${show(keys[i - 1])} before ${show(keys[i])}`);
  }
  sameJson(keys.length, tree.size, "keys in the tree vs size");
  sameJson(tree.height, tree.size === 0 ? 0 : [...leafDepths][0], "height vs the depth of the leaves");
  if (tree.size === 0) sameJson(snap.root, { keys: [], children: [] }, "the root of an empty tree");
  return keys;
}

const byNumber = (a: number, b: number): number => a - b;

/** The shape of a snapshot as nested key arrays, for exact comparisons. */
function shape<K>(node: BTreeNodeSnapshot<K>): unknown {
  return node.children.length === 0 ? [...node.keys] : { keys: [...node.keys], children: node.children.map(shape) };
}

// ---------------------------------------------------------------------------------------

describe("01.3 B-tree: search and insert", () => {
  it("an empty tree has size 0, height 0 and finds nothing", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    expect(tree.size, "size").toBe(0);
    expect(tree.height, "height").toBe(0);
    expect(tree.search(1), "search(1)").toBeUndefined();
    expect(tree.has(1), "has(1)").toBe(false);
    expect([...tree.range()], "range()").toEqual([]);
    expect(tree.snapshot(), "snapshot()").toEqual({ minDegree: 2, size: 0, height: 0, root: { keys: [], children: [] } });
  });

  it("one key: a root leaf of height 1", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    expect(tree.insert(7, "seven"), "insert(7) of a new key").toBe(true);
    expect(tree.size, "size").toBe(1);
    expect(tree.height, "height").toBe(1);
    expect(tree.search(7), "search(7)").toBe("seven");
    expect(tree.has(7), "has(7)").toBe(true);
    expect(tree.search(6), "search(6)").toBeUndefined();
    expect(tree.has(8), "has(8)").toBe(false);
    expect(tree.snapshot().root, "snapshot().root").toEqual({ keys: [7], children: [] });
  });

  it("t = 2: inserting 1…9 in order builds the tree in the diagram (split full nodes on the way down)", () => {
    const tree = new BTree<number, number>({ minDegree: 2 });
    for (let k = 1; k <= 3; k++) tree.insert(k, k * 10);
    expect(shape(tree.snapshot().root), "after 1, 2, 3 (a full root)").toEqual([1, 2, 3]);
    tree.insert(4, 40);
    expect(shape(tree.snapshot().root), "after 4: the full root split before the insert").toEqual({ keys: [2], children: [[1], [3, 4]] });
    for (let k = 5; k <= 9; k++) tree.insert(k, k * 10);
    expect(shape(tree.snapshot().root), "after 1…9").toEqual({
      keys: [4],
      children: [
        { keys: [2], children: [[1], [3]] },
        { keys: [6], children: [[5], [7, 8, 9]] },
      ],
    });
    expect(tree.height, "height").toBe(3);
    for (let k = 1; k <= 9; k++) expect(tree.search(k), `search(${k})`).toBe(k * 10);
  });

  it("t = 3: inserting 1…20 in order splits each full node around its median", () => {
    const tree = new BTree<number, number>({ minDegree: 3 });
    for (let k = 1; k <= 20; k++) tree.insert(k, k);
    expect(shape(tree.snapshot().root), "after 1…20").toEqual({
      keys: [9],
      children: [
        { keys: [3, 6], children: [[1, 2], [4, 5], [7, 8]] },
        { keys: [12, 15], children: [[10, 11], [13, 14], [16, 17, 18, 19, 20]] },
      ],
    });
  });

  it("inserting an existing key replaces its value, returns false and changes nothing else", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    for (const k of [1, 2, 3]) tree.insert(k, `v${k}`);
    const before = tree.snapshot();
    expect(tree.insert(2, "new"), "insert(2) of an existing key").toBe(false);
    expect(tree.search(2), "search(2) after the replace").toBe("new");
    expect(tree.size, "size").toBe(3);
    expect(tree.snapshot(), "a replace does not split the full root").toEqual(before);
    for (let k = 4; k <= 30; k++) tree.insert(k, `v${k}`);
    const bigger = tree.snapshot();
    for (let k = 1; k <= 30; k++) expect(tree.insert(k, `w${k}`), `insert(${k}) again`).toBe(false);
    expect(tree.snapshot(), "replacing every key leaves the shape alone").toEqual(bigger);
    for (let k = 1; k <= 30; k++) expect(tree.search(k), `search(${k})`).toBe(`w${k}`);
  });

  it("finds values stored in inner nodes, not only in leaves", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    for (let k = 1; k <= 40; k++) tree.insert(k, `v${k}`);
    const root = tree.snapshot().root;
    for (const k of [...root.keys, ...root.children.flatMap((c) => c.keys)]) {
      expect(tree.search(k), `search(${k}), a key of an inner node`).toBe(`v${k}`);
      expect(tree.has(k), `has(${k})`).toBe(true);
    }
    for (const k of [0, 0.5, 20.5, 41]) expect(tree.has(k), `has(${k})`).toBe(false);
  });

  it("the tree grows only at the root: height rises by one, and the new root holds a single key", () => {
    for (const t of [2, 3, 5]) {
      const tree = new BTree<number, number>({ minDegree: t });
      let height = 0;
      for (let k = 0; k < 600; k++) {
        tree.insert(k % 2 === 0 ? k : 1000 - k, k);
        if (tree.height !== height) {
          expect(tree.height, `t = ${t}: height after ${k + 1} inserts`).toBe(height + 1);
          if (height > 0) expect(tree.snapshot().root.keys.length, `t = ${t}: keys in the root just after it split`).toBe(1);
          height = tree.height;
        }
      }
      expect(height, `t = ${t}: height ≤ 1 + log_t((n + 1) / 2) for n = 600`).toBeLessThanOrEqual(1 + Math.log((600 + 1) / 2) / Math.log(t));
    }
  });

  it.each([
    ["ascending", (i: number) => i],
    ["descending", (i: number) => 5000 - i],
    ["random", (i: number) => (i * 7919) % 5003],
  ])("keeps every invariant after 3000 %s inserts, for t = 2, 3 and 32", (_name, keyOf) => {
    for (const t of [2, 3, 32]) {
      const tree = new BTree<number, number>({ minDegree: t });
      for (let i = 0; i < 3000; i++) tree.insert(keyOf(i), i);
      const keys = checkInvariants(tree, byNumber, t);
      expect(keys.length, `t = ${t}: keys in the tree`).toBe(3000);
      for (let i = 0; i < 3000; i += 7) expect(tree.search(keyOf(i)), `t = ${t}: search(${keyOf(i)})`).toBe(i);
    }
  });

  it("default minimum degree is 32", () => {
    const tree = new BTree<number, number>();
    expect(tree.minDegree, "minDegree").toBe(32);
    for (let k = 0; k < 63; k++) tree.insert(k, k);
    expect(tree.height, "height with 63 = 2t − 1 keys").toBe(1);
    tree.insert(63, 63);
    expect(tree.height, "height with 64 keys").toBe(2);
    checkInvariants(tree, byNumber, 32);
  });

  it.each([[1], [0], [2.5], [-3], [Number.NaN]])("refuses minDegree %s with an invalid-argument DbError", (t) => {
    const ok = new BTree<number, number>({ minDegree: 2 });
    ok.insert(1, 1);
    expect(ok.search(1), "a valid tree works first").toBe(1);
    expectDbError(() => new BTree({ minDegree: t }), "invalid-argument", `new BTree({ minDegree: ${t} })`);
  });

  it("refuses NaN and keys that do not compare equal to themselves, and stays unchanged", () => {
    const tree = new BTree<number, string>({ minDegree: 2 });
    tree.insert(1, "one");
    expectDbError(() => tree.insert(Number.NaN, "nan"), "invalid-argument", "insert(NaN)");
    expect(tree.size, "size after insert(NaN)").toBe(1);
    const odd = new BTree<{ v?: number }, string>({ minDegree: 2, compare: (a, b) => (a.v as number) - (b.v as number) });
    odd.insert({ v: 1 }, "ok");
    expectDbError(() => odd.insert({}, "broken"), "invalid-argument", "insert of a key whose comparison with itself is NaN");
    expect(odd.size, "size after the refused insert").toBe(1);
  });

  it("uses the comparator it is given: descending numbers, case-insensitive strings", () => {
    const desc = new BTree<number, number>({ minDegree: 2, compare: (a, b) => b - a });
    for (let k = 1; k <= 12; k++) desc.insert(k, k);
    expect([...desc.range()].map(([k]) => k), "range() under a descending comparator").toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...desc.range(9, 5)].map(([k]) => k), "range(9, 5) under a descending comparator").toEqual([9, 8, 7, 6]);
    checkInvariants(desc, (a: number, b: number) => b - a, 2);
    const nocase = new BTree<string, number>({ minDegree: 2, compare: (a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) });
    nocase.insert("Apple", 1);
    expect(nocase.insert("APPLE", 2), "insert(\"APPLE\") equals \"Apple\" under this comparator").toBe(false);
    expect(nocase.search("apple"), "search(\"apple\")").toBe(2);
    expect(nocase.size, "size").toBe(1);
    expect([...nocase.range()], "range() with no bounds never compares a key with undefined").toEqual([["Apple", 2]]);
    expect([...nocase.range("a", "b")], "range(\"a\", \"b\")").toEqual([["Apple", 2]]);
  });

  it("orders strings by UTF-16 code units and bigints numerically by default", () => {
    const words = new BTree<string, number>({ minDegree: 2 });
    for (const [i, w] of ["b", "a", "B", "ab", "", "é", "Z", "aa"].entries()) words.insert(w, i);
    expect([...words.range()].map(([k]) => k), "range() of strings").toEqual(["", "B", "Z", "a", "aa", "ab", "b", "é"]);
    const big = new BTree<bigint, number>({ minDegree: 2 });
    for (const b of [2n ** 64n, 5n, -1n, 2n ** 63n, 0n]) big.insert(b, 0);
    expect([...big.range()].map(([k]) => k), "range() of bigints").toEqual([-1n, 0n, 5n, 2n ** 63n, 2n ** 64n]);
  });

  it("clear() empties the tree, which can be used again", () => {
    const tree = new BTree<number, number>({ minDegree: 2 });
    for (let k = 0; k < 50; k++) tree.insert(k, k);
    tree.clear();
    expect(tree.size, "size").toBe(0);
    expect(tree.height, "height").toBe(0);
    expect(tree.search(3), "search(3)").toBeUndefined();
    expect([...tree.range()], "range()").toEqual([]);
    expect(tree.insert(3, 30), "insert(3) after clear").toBe(true);
    expect(tree.search(3), "search(3) after clear and insert").toBe(30);
    checkInvariants(tree, byNumber, 2);
  });
});

describe("01.3 B-tree: range scans", () => {
  const tree = (): Tree<number> => {
    const t = new BTree<number, string>({ minDegree: 2 });
    for (let k = 0; k < 100; k += 2) t.insert(k, `v${k}`); // the even numbers 0…98
    return t;
  };
  const evens = (lo: number, hi: number): [number, string][] => {
    const out: [number, string][] = [];
    for (let k = 0; k < 100; k += 2) if (k >= lo && k < hi) out.push([k, `v${k}`]);
    return out;
  };

  it("range() with no bounds yields every entry in ascending order; entries() and for…of agree", () => {
    const t = tree();
    expect([...t.range()], "range()").toEqual(evens(0, 100));
    expect([...t.entries()], "entries()").toEqual(evens(0, 100));
    expect([...t], "for…of").toEqual(evens(0, 100));
  });

  it.each([
    [10, 20],
    [11, 21],
    [0, 1],
    [-5, 3],
    [97, 1000],
    [98, 99],
    [30, 30],
    [31, 32],
    [40, 20],
  ])("range(%s, %s) is half-open: lo ≤ key < hi", (lo, hi) => {
    expect([...tree().range(lo, hi)], `range(${lo}, ${hi})`).toEqual(evens(lo, hi));
  });

  it("an undefined bound is unbounded on that side", () => {
    const t = tree();
    expect([...t.range(undefined, 7)], "range(undefined, 7)").toEqual(evens(-Infinity, 7));
    expect([...t.range(91)], "range(91)").toEqual(evens(91, Infinity));
    expect([...t.range(91, undefined)], "range(91, undefined)").toEqual(evens(91, Infinity));
  });

  it("range is lazy: taking three entries from a long range stops early", () => {
    let comparisons = 0;
    const t = new BTree<number, number>({ minDegree: 4, compare: (a, b) => (comparisons++, a - b) });
    for (let k = 0; k < 20_000; k++) t.insert(k, k);
    comparisons = 0;
    const first: number[] = [];
    for (const [k] of t.range(5000, 15_000)) {
      first.push(k);
      if (first.length === 3) break;
    }
    expect(first, "the first three keys of range(5000, 15000)").toEqual([5000, 5001, 5002]);
    expect(comparisons, "comparisons made to find them (a walk of the whole range takes ~10,000)").toBeLessThan(400);
    comparisons = 0;
    expect([...t.range(100, 110)].map(([k]) => k), "range(100, 110)").toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(comparisons, "comparisons for range(100, 110): the walk stops at the first key ≥ hi").toBeLessThan(400);
  });

  it("a loop that inserts a new key as it goes fails at its next step, over a bounded range() and entries(); replacing a value does not", () => {
    for (const [name, walk] of [
      ["range(10, 90)", (b: BTree<number, string>) => b.range(10, 90)],
      ["entries()", (b: BTree<number, string>) => b.entries()],
    ] as const) {
      const b = new BTree<number, string>({ minDegree: 2 });
      for (let k = 0; k < 100; k += 2) b.insert(k, `v${k}`);
      const it = walk(b)[Symbol.iterator]();
      it.next();
      b.insert(20, "replaced");
      expect(errorOf(() => it.next()), `${name}: next() after insert(20) replaced an existing key's value`).toBeUndefined();
      b.insert(51, "new");
      expectDbError(() => it.next(), "invalid-state", `${name}: next() after insert(51), a new key`);
    }
  });

  it("a refused NaN key leaves a larger tree exactly as it was", () => {
    const b = new BTree<number, number>({ minDegree: 3 });
    for (let k = 0; k < 60; k++) b.insert((k * 37) % 101, k);
    const before = JSON.stringify([...b.entries()]);
    expect(errorOf(() => b.insert(Number.NaN, -1))?.kind, "insert(NaN) into a tree of 60 keys").toBe("invalid-argument");
    expect(JSON.stringify([...b.entries()]), "entries() after the refused insert").toBe(before);
    expect(b.size, "size after the refused insert").toBe(60);
  });

  it("changing the tree during a range scan throws an invalid-state DbError", () => {
    const t = tree();
    const scan = t.range();
    scan.next();
    t.insert(1, "new");
    expectDbError(() => scan.next(), "invalid-state", "next() after inserting a new key");
    const scan2 = t.entries();
    scan2.next();
    t.clear();
    expectDbError(() => scan2.next(), "invalid-state", "next() after clear()");
  });
});

describe("01.3 B-tree: against a sorted array", () => {
  type Op = { op: "insert"; key: number; value: number } | { op: "search"; key: number } | { op: "range"; lo?: number; hi?: number };
  const showOp = (o: Op): string => (o.op === "insert" ? `insert(${o.key}, ${o.value})` : o.op === "search" ? `search(${o.key})` : `range(${o.lo}, ${o.hi})`);

  function runAgainstSortedArray(t: number): (ops: readonly Op[]) => void {
    return (ops) => {
      const tree = new BTree<number, number>({ minDegree: t });
      const model: [number, number][] = []; // sorted by key
      const find = (key: number): number => {
        let lo = 0;
        let hi = model.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (model[mid]![0] < key) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      for (const o of ops) {
        if (o.op === "insert") {
          const i = find(o.key);
          const isNew = model[i]?.[0] !== o.key;
          sameJson(tree.insert(o.key, o.value), isNew, `insert(${o.key}) returns`);
          if (isNew) model.splice(i, 0, [o.key, o.value]);
          else model[i]![1] = o.value;
          checkInvariants(tree, byNumber, t);
        } else if (o.op === "search") {
          const i = find(o.key);
          const expected = model[i]?.[0] === o.key ? model[i]![1] : undefined;
          sameJson(tree.search(o.key), expected, `search(${o.key})`);
          sameJson(tree.has(o.key), expected !== undefined, `has(${o.key})`);
        } else {
          const expected = model.filter(([k]) => (o.lo === undefined || k >= o.lo) && (o.hi === undefined || k < o.hi));
          sameJson([...tree.range(o.lo, o.hi)], expected, `range(${o.lo}, ${o.hi})`);
        }
        sameJson(tree.size, model.length, "size");
      }
      sameJson([...tree.entries()], model, "entries()");
    };
  }

  it.each([2, 3, 4, 7])("agrees with a sorted array over 1000 seeded random operations, invariants after every insert (t = %i)", (t) => {
    const r = rng(t);
    const ops: Op[] = Array.from({ length: 1000 }, (_, i): Op => {
      const key = r.int(400) - 100;
      const x = r.int(100);
      if (x < 55) return { op: "insert", key, value: i };
      if (x < 90) return { op: "search", key };
      return { op: "range", ...(r.bool(0.8) ? { lo: r.int(400) - 100 } : {}), ...(r.bool(0.8) ? { hi: r.int(400) - 100 } : {}) };
    });
    checkRun(ops, runAgainstSortedArray(t), { show: showOp, seed: `seed ${t}, t = ${t}` });
  });

  it("agrees with a sorted array on 10,000 random keys (t = 3)", () => {
    const r = rng(2024);
    const tree = new BTree<number, number>({ minDegree: 3 });
    const model = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const k = r.int(1_000_000);
      const isNew = tree.insert(k, i);
      if (isNew !== !model.has(k)) expect(isNew, `insert(${k}) #${i} is new`).toBe(!model.has(k));
      model.set(k, i);
    }
    const keys = checkInvariants(tree, byNumber, 3);
    const expected = [...model.keys()].sort(byNumber);
    if (keys.some((k, i) => k !== expected[i]) || keys.length !== expected.length) expect(keys, "keys in order").toEqual(expected);
    for (const [k, v] of model) if (tree.search(k) !== v) expect(tree.search(k), `search(${k})`).toBe(v);
  });
});
