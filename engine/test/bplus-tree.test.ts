import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  BPlusTree,
  BTreePage,
  type BufferPool,
  BufferPoolManager,
  DbError,
  ENGINE_BTREE_ALGORITHMS,
  FileDiskManager,
  INVALID_PAGE_ID,
  InvariantError,
  LruReplacer,
  MemoryDiskManager,
  Random,
  compareBytes,
  decodeKey,
  encodeKey,
  keyFormatter,
  maxKeySize,
  rid,
  ridToString,
  toHex,
  type BPlusTreeRangeOptions,
  type BTreeAlgorithms,
  type IndexKey,
  type PageId,
  type Rid,
} from "../src/index.js";
import { resolvePlugins } from "../src/common/plugins.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const PAGE = 256;

function treeOf(options: { unique: boolean; frames?: number; pageSize?: number }) {
  const disk = new MemoryDiskManager({ pageSize: options.pageSize ?? PAGE });
  const frames = options.frames ?? 4;
  const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
  return { tree: BPlusTree.create(pool, { unique: options.unique }), pool, disk };
}

function noPins(pool: BufferPool): void {
  const pinned = pool.snapshot().filter((f) => f.pinCount > 0);
  check(pinned.length === 0, `pages left pinned: ${pinned.map((f) => `${f.pageId}×${f.pinCount}`).join(", ")}`);
}

const ints = (tree: BPlusTree, lo?: IndexKey, hi?: IndexKey, options?: BPlusTreeRangeOptions) =>
  [...tree.range(lo, hi, options)].map((e) => decodeKey(e.key, "int"));

/** Keys the model-based tests draw from: ints, or strings of 0…46 characters (48 encoded bytes; the limit is 50). */
function keyPool(kind: "int" | "string", seed: number): IndexKey[] {
  const rng = new Random(seed);
  return Array.from({ length: 250 }, (_, i) =>
    kind === "int" ? i * 7 - 1000 : `${i.toString(36)}-`.padEnd(rng.int(47), String.fromCharCode(97 + rng.int(26))),
  );
}

type RangeOp = { op: "range"; lo?: number; hi?: number; loInclusive: boolean; hiInclusive: boolean };
type UniqueOp =
  | { op: "insert"; key: number; page: number }
  | { op: "delete"; key: number; page?: number }
  | { op: "get"; key: number }
  | RangeOp;

function randomRange(rng: Random, keys: number): RangeOp {
  return {
    op: "range",
    ...(rng.bool(0.8) ? { lo: rng.int(keys) } : {}),
    ...(rng.bool(0.8) ? { hi: rng.int(keys) } : {}),
    loInclusive: rng.bool(),
    hiInclusive: rng.bool(),
  };
}

/** The entries of a sorted model in [lo, hi] under the op's inclusivity. */
function inRange<E extends { enc: Uint8Array }>(sorted: readonly E[], op: RangeOp, keyAt: (i: number) => Uint8Array): E[] {
  const lo = op.lo === undefined ? undefined : keyAt(op.lo);
  const hi = op.hi === undefined ? undefined : keyAt(op.hi);
  return sorted.filter((e) => {
    if (lo !== undefined) {
      const c = compareBytes(e.enc, lo);
      if (c < 0 || (c === 0 && !op.loInclusive)) return false;
    }
    if (hi !== undefined) {
      const c = compareBytes(e.enc, hi);
      if (c > 0 || (c === 0 && !op.hiInclusive)) return false;
    }
    return true;
  });
}

function sameEntries(actual: readonly { key: Uint8Array; rid: Rid }[], expected: readonly { enc: Uint8Array; rid: Rid }[], what: string) {
  const a = actual.map((e) => `${toHex(e.key)}@${ridToString(e.rid)}`).join(" ");
  const b = expected.map((e) => `${toHex(e.enc)}@${ridToString(e.rid)}`).join(" ");
  if (a !== b) throw new Error(`${what}:\n  expected ${b}\n  received ${a}`);
}

/** A unique tree next to a sorted array, over seeded random operations; `check()` after each change. */
/** What a passing model run went through, to show that it exercised splits and root changes. */
interface Coverage {
  maxHeight: number;
  rootShrinks: number;
}

function track(coverage: Coverage, tree: BPlusTree, heightBefore: number): void {
  coverage.maxHeight = Math.max(coverage.maxHeight, tree.height);
  if (tree.height < heightBefore) coverage.rootShrinks++;
}

function uniqueModelCheck(seed: number, kind: "int" | "string", frames: number, count: number): Coverage {
  const keys = keyPool(kind, seed);
  const encoded = keys.map((k) => encodeKey(k));
  const coverage: Coverage = { maxHeight: 0, rootShrinks: 0 };
  checkModel<UniqueOp>({
    seed,
    count,
    generate: (rng, i) => {
      const key = rng.int(keys.length);
      const r = rng.int(100);
      // Grow, then shrink back towards empty, then again: splits, merges and root changes.
      const growing = i % 1250 < 450;
      if (r < (growing ? 65 : 5)) return { op: "insert", key, page: rng.int(50) };
      if (r < 80) return growing && rng.bool(0.2) ? { op: "delete", key, page: rng.int(50) } : { op: "delete", key };
      if (r < 92) return { op: "get", key };
      return randomRange(rng, keys.length);
    },
    show: (op) => JSON.stringify(op),
    run: (ops) => {
      const { tree, pool } = treeOf({ unique: true, frames });
      const model = new Map<number, Rid>();
      Object.assign(coverage, { maxHeight: 0, rootShrinks: 0 });
      const sorted = () =>
        [...model.entries()]
          .map(([k, r]) => ({ enc: encoded[k] as Uint8Array, rid: r }))
          .sort((a, b) => compareBytes(a.enc, b.enc));
      for (const op of ops) {
        const heightBefore = tree.height;
        switch (op.op) {
          case "insert": {
            const r = rid(op.page, op.key % 100);
            same(tree.insert(keys[op.key] as IndexKey, r), !model.has(op.key), `insert ${op.key}`);
            if (!model.has(op.key)) model.set(op.key, r);
            break;
          }
          case "delete": {
            const present = model.get(op.key);
            const matches = present !== undefined && (op.page === undefined || present.pageId === op.page);
            const r = op.page === undefined ? undefined : rid(op.page, op.key % 100);
            same(tree.delete(keys[op.key] as IndexKey, r), matches ? 1 : 0, `delete ${op.key}`);
            if (matches) model.delete(op.key);
            break;
          }
          case "get": {
            const got = tree.get(keys[op.key] as IndexKey);
            const expected = model.get(op.key);
            same(got && ridToString(got), expected && ridToString(expected), `get ${op.key}`);
            break;
          }
          case "range": {
            const lo = op.lo === undefined ? undefined : keys[op.lo];
            const hi = op.hi === undefined ? undefined : keys[op.hi];
            const expected = inRange(sorted(), op, (i) => encoded[i] as Uint8Array);
            sameEntries([...tree.range(lo, hi, op)], expected, `range ${JSON.stringify(op)}`);
            break;
          }
        }
        same(tree.size, model.size, "size");
        noPins(pool);
        if (op.op === "insert" || op.op === "delete") tree.check();
        track(coverage, tree, heightBefore);
      }
      sameEntries([...tree.entries()], sorted(), "all entries at the end");
    },
  });
  return coverage;
}

type DupOp =
  | { op: "insert"; key: number; page: number; slot: number }
  | { op: "delete"; key: number; page: number; slot: number }
  | { op: "deleteAll"; key: number }
  | { op: "getAll"; key: number }
  | RangeOp;

describe("05 B+tree", () => {
  test("unique int keys: behaves like a sorted map over seeded operations, 256-byte pages, 4 frames", () => {
    const coverage = uniqueModelCheck(1, "int", 4, 2500);
    expect(coverage.maxHeight).toBeGreaterThanOrEqual(3);
    expect(coverage.rootShrinks).toBeGreaterThan(0);
  });

  test("unique string keys of mixed lengths up to the limit: separators of different sizes, 3 frames", () => {
    const coverage = uniqueModelCheck(3, "string", 3, 2500);
    expect(coverage.maxHeight).toBeGreaterThanOrEqual(3);
    expect(coverage.rootShrinks).toBeGreaterThan(0);
  });

  test("non-unique keys: duplicates stored as key ‖ rid, compared with a sorted multiset", () => {
    const KEYS = 30;
    const coverage: Coverage = { maxHeight: 0, rootShrinks: 0 };
    {
      checkModel<DupOp>({
        seed: 5,
        count: 2500,
        generate: (rng, i) => {
          const key = rng.int(KEYS);
          const r = rng.int(100);
          const page = rng.int(4);
          const slot = rng.int(3);
          if (r < (i % 1250 < 450 ? 60 : 5)) return { op: "insert", key, page, slot };
          if (r < 75) return { op: "delete", key, page, slot };
          if (r < 80) return { op: "deleteAll", key };
          if (r < 92) return { op: "getAll", key };
          return randomRange(rng, KEYS);
        },
        show: (op) => JSON.stringify(op),
        run: (ops) => {
          const { tree, pool } = treeOf({ unique: false, frames: 4 });
          Object.assign(coverage, { maxHeight: 0, rootShrinks: 0 });
          // Model: (key, rid) pairs as strings "key/page/slot" in a Set.
          const model = new Set<string>();
          const name = (key: number, page: number, slot: number) => `${key}/${page}/${slot}`;
          const sorted = () =>
            [...model]
              .map((s) => s.split("/").map(Number) as [number, number, number])
              .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
              .map(([k, pg, sl]) => ({ enc: encodeKey(k), rid: rid(pg, sl), key: k }));
          for (const op of ops) {
            const heightBefore = tree.height;
            switch (op.op) {
              case "insert": {
                const n = name(op.key, op.page, op.slot);
                same(tree.insert(op.key, rid(op.page, op.slot)), !model.has(n), `insert ${n}`);
                model.add(n);
                break;
              }
              case "delete": {
                const n = name(op.key, op.page, op.slot);
                same(tree.delete(op.key, rid(op.page, op.slot)), model.delete(n) ? 1 : 0, `delete ${n}`);
                break;
              }
              case "deleteAll": {
                const mine = sorted().filter((e) => e.key === op.key);
                same(tree.delete(op.key), mine.length, `delete all ${op.key}`);
                for (const e of mine) model.delete(name(e.key, e.rid.pageId, e.rid.slot));
                break;
              }
              case "getAll": {
                const expected = sorted().filter((e) => e.key === op.key).map((e) => ridToString(e.rid));
                same(tree.getAll(op.key).map(ridToString).join(" "), expected.join(" "), `getAll ${op.key}`);
                const first = tree.get(op.key);
                same(first === undefined ? undefined : ridToString(first), expected[0], `get ${op.key}`);
                break;
              }
              case "range": {
                const expected = inRange(sorted(), op, (i) => encodeKey(i));
                sameEntries([...tree.range(op.lo, op.hi, op)], expected, `range ${JSON.stringify(op)}`);
                break;
              }
            }
            same(tree.size, model.size, "size");
            noPins(pool);
            if (op.op !== "getAll" && op.op !== "range") tree.check();
            track(coverage, tree, heightBefore);
          }
        },
      });
    }
    expect(coverage.maxHeight).toBeGreaterThanOrEqual(3);
    expect(coverage.rootShrinks).toBeGreaterThan(0);
  });

  test("a failing run is shrunk to a short sequence, shown in the message", () => {
    // A deliberately wrong model (it forgets deletes of key 7) must be caught and shrunk.
    let message = "";
    try {
      checkModel<UniqueOp>({
        seed: 9,
        count: 400,
        generate: (rng) => (rng.bool() ? { op: "insert", key: rng.int(20), page: 1 } : { op: "delete", key: rng.int(20) }),
        run: (ops) => {
          const { tree } = treeOf({ unique: true });
          const model = new Set<number>();
          for (const op of ops) {
            if (op.op === "insert") {
              same(tree.insert(op.key, rid(1, 0)), !model.has(op.key), `insert ${op.key}`);
              model.add(op.key);
            }
            if (op.op === "delete") {
              same(tree.delete(op.key), model.has(op.key) ? 1 : 0, `delete ${op.key}`);
              if (op.key !== 7) model.delete(op.key);
            }
          }
        },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/after [23] ops \(shrunk from 400, seed 9\)/);
    expect(message).toMatch(/"key":7/);
  });

  test("a unique tree refuses a second entry for a key and changes nothing", () => {
    const { tree } = treeOf({ unique: true });
    for (let k = 0; k < 100; k++) expect(tree.insert(k, rid(k, 1))).toBe(true);
    const before = JSON.stringify(tree.snapshot());
    expect(tree.insert(42, rid(999, 9))).toBe(false);
    expect(tree.insert(42, rid(42, 1))).toBe(false);
    expect(JSON.stringify(tree.snapshot())).toBe(before);
    expect(tree.get(42)).toEqual(rid(42, 1));
    expect(tree.getAll(42)).toEqual([rid(42, 1)]);
    // delete with a rid removes only a matching entry.
    expect(tree.delete(42, rid(999, 9))).toBe(0);
    expect(tree.delete(42, rid(42, 1))).toBe(1);
    expect(tree.get(42)).toBeUndefined();
    tree.check();
  });

  test("duplicates in a non-unique tree span leaves and come back in rid order", () => {
    const { tree } = treeOf({ unique: false, frames: 3 });
    const rng = new Random(11);
    const rids = rng.shuffle(Array.from({ length: 120 }, (_, i) => rid(i % 17, i)));
    for (const r of rids) expect(tree.insert("dup", r)).toBe(true);
    for (let k = 0; k < 30; k++) tree.insert(`k${k}`, rid(k, 0));
    expect(tree.insert("dup", rids[0] as Rid)).toBe(false);
    tree.check();
    expect(tree.height).toBeGreaterThan(1);
    const sortedRids = [...rids].sort((a, b) => a.pageId - b.pageId || a.slot - b.slot);
    expect(tree.getAll("dup")).toEqual(sortedRids);
    expect(tree.get("dup")).toEqual(sortedRids[0]);
    expect(tree.getAll("nope")).toEqual([]);
    expect(tree.delete("dup", sortedRids[5])).toBe(1);
    expect(tree.delete("dup", sortedRids[5])).toBe(0);
    expect(tree.getAll("dup")).toHaveLength(119);
    expect(tree.delete("dup")).toBe(119);
    expect(tree.getAll("dup")).toEqual([]);
    expect(tree.size).toBe(30);
    tree.check();
  });

  test("keys at the size limit work; one byte over is refused with both sizes, and nothing changes", () => {
    for (const unique of [true, false]) {
      const { tree, pool } = treeOf({ unique, frames: 2 });
      const limit = maxKeySize(PAGE) - (unique ? 0 : 6);
      expect(tree.maxKeySize).toBe(limit);
      for (let i = 0; i < 60; i++) expect(tree.insert(new Uint8Array(limit).fill(i), rid(i, 0))).toBe(true);
      tree.check();
      const error = expectDbError(() => tree.insert(new Uint8Array(limit + 1), rid(1, 1)), "invalid-argument");
      expect(error.details).toMatchObject({ keySize: limit + 1, maxKeySize: limit, pageSize: PAGE });
      expect(error.message).toContain(`${limit + 1} bytes`);
      expect(error.message).toContain(`${limit} bytes`);
      // A string key counts its encoded bytes: the characters plus the 2-byte terminator.
      expect(tree.insert("x".repeat(limit - 2), rid(2, 2))).toBe(true);
      expectDbError(() => tree.insert("x".repeat(limit - 1), rid(2, 2)), "invalid-argument");
      expect(tree.size).toBe(61);
      expect(tree.get(new Uint8Array(limit + 1))).toBeUndefined();
      expect(tree.delete(new Uint8Array(limit + 1))).toBe(0);
      noPins(pool);
      tree.check();
      for (let i = 0; i < 60; i++) expect(tree.delete(new Uint8Array(limit).fill(i))).toBe(1);
      tree.check();
    }
    const big = treeOf({ unique: true, pageSize: 8192 }).tree;
    expect(big.maxKeySize).toBe(2034);
    expect(big.insert(new Uint8Array(2034), rid(0, 0))).toBe(true);
    expectDbError(() => big.insert(new Uint8Array(2035), rid(0, 0)), "invalid-argument");
  });

  test("foolish input: bad keys, bad rids and bad options change nothing", () => {
    const { tree, pool } = treeOf({ unique: true });
    for (let k = 0; k < 50; k++) tree.insert(k, rid(k, 0));
    expectDbError(() => tree.insert(1.5, rid(1, 1)), "type-mismatch");
    expectDbError(() => tree.insert(true as never, rid(1, 1)), "type-mismatch");
    expectDbError(() => tree.insert(100, { pageId: -1 as PageId, slot: rid(0, 0).slot }), "invalid-argument");
    expectDbError(() => tree.insert(100, undefined as never), "invalid-argument");
    expectDbError(() => tree.delete(1, { pageId: 0.5 as PageId, slot: rid(0, 0).slot }), "invalid-argument");
    expectDbError(() => BPlusTree.create(pool, {} as never), "invalid-argument");
    expect(tree.size).toBe(50);
    noPins(pool);
    tree.check();
  });

  test("range boundaries: empty ranges, inclusive and exclusive ends, open ends, the whole tree", () => {
    const { tree } = treeOf({ unique: true, frames: 3 });
    for (let k = 0; k < 200; k += 2) tree.insert(k, rid(k, 0));
    const evens = (from: number, to: number) => Array.from({ length: (to - from) / 2 + 1 }, (_, i) => from + 2 * i);
    expect(ints(tree, 10, 20)).toEqual(evens(10, 20));
    expect(ints(tree, 10, 20, { inclusive: false })).toEqual(evens(12, 18));
    expect(ints(tree, 10, 20, { loInclusive: false })).toEqual(evens(12, 20));
    expect(ints(tree, 10, 20, { hiInclusive: false })).toEqual(evens(10, 18));
    expect(ints(tree, 10, 20, { inclusive: false, hiInclusive: true })).toEqual(evens(12, 20));
    expect(ints(tree, 11, 19)).toEqual(evens(12, 18));
    expect(ints(tree, 11, 11)).toEqual([]);
    expect(ints(tree, 10, 10)).toEqual([10]);
    expect(ints(tree, 10, 10, { inclusive: false })).toEqual([]);
    expect(ints(tree, 20, 10)).toEqual([]);
    expect(ints(tree, -100, -1)).toEqual([]);
    expect(ints(tree, 500)).toEqual([]);
    expect(ints(tree, undefined, 5)).toEqual([0, 2, 4]);
    expect(ints(tree, 195)).toEqual([196, 198]);
    expect(ints(tree)).toEqual(evens(0, 198));
    expect([...tree.entries()].map((e) => e.rid)).toEqual(evens(0, 198).map((k) => rid(k, 0)));
    // Entries carry copies: changing them does not change the tree.
    const first = tree.range().next().value;
    first?.key.fill(0);
    expect(ints(tree, undefined, 0)).toEqual([0]);
    const empty = treeOf({ unique: true }).tree;
    expect([...empty.range()]).toEqual([]);
    expect([...empty.range(1, 2)]).toEqual([]);
  });

  test("the iterator holds no pin between steps, and survives changes to the tree while it runs", () => {
    const { tree, pool } = treeOf({ unique: true, frames: 2 });
    for (let k = 0; k < 300; k++) tree.insert(k, rid(k, 0));
    // Delete every entry as it is returned: leaves merge and pages are freed under the iterator.
    const seen: number[] = [];
    for (const entry of tree.range()) {
      noPins(pool);
      const k = decodeKey(entry.key, "int") as number;
      seen.push(k);
      expect(tree.delete(k)).toBe(1);
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(tree.size).toBe(0);
    tree.check();
    // Insert ahead of the iterator: the new keys are returned too, in order.
    for (let k = 0; k < 100; k++) tree.insert(k * 10, rid(k, 0));
    const visited: number[] = [];
    for (const entry of tree.range()) {
      const k = decodeKey(entry.key, "int") as number;
      visited.push(k);
      if (k < 1000 && k % 10 === 0) tree.insert(k + 5, rid(k, 5));
    }
    expect(visited).toEqual(Array.from({ length: 100 }, (_, i) => [i * 10, i * 10 + 5]).flat());
    tree.check();
  });

  test("deleting everything gives back an empty tree of height 1, which works again", () => {
    const { tree, pool, disk } = treeOf({ unique: true, frames: 4 });
    const rng = new Random(12);
    const keys = rng.shuffle(Array.from({ length: 1500 }, (_, i) => i));
    for (const k of keys) tree.insert(k, rid(k, 0));
    expect(tree.height).toBeGreaterThanOrEqual(3);
    tree.check();
    for (const k of rng.shuffle([...keys])) expect(tree.delete(k)).toBe(1);
    expect(tree.size).toBe(0);
    expect(tree.height).toBe(1);
    expect(tree.pageCount).toBe(2);
    expect([...tree.range()]).toEqual([]);
    expect(tree.stats().levels).toEqual([{ level: 0, pages: 1, entries: 0, usedBytes: 0, averageFill: 0 }]);
    tree.check();
    // Freed pages are reused: the file does not grow when the tree grows back.
    const fileSize = disk.pageCount;
    for (const k of keys) tree.insert(k, rid(k, 0));
    expect(disk.pageCount).toBeLessThanOrEqual(fileSize);
    tree.check();
    noPins(pool);
  });

  test("a pool of one frame: every step evicts the page before, and the tree stays correct", () => {
    const { tree, pool } = treeOf({ unique: false, frames: 1 });
    const rng = new Random(13);
    const entries: [number, Rid][] = [];
    for (let i = 0; i < 800; i++) {
      const e: [number, Rid] = [rng.int(200), rid(i, 0)];
      entries.push(e);
      tree.insert(...e);
      noPins(pool);
    }
    tree.check();
    for (const [k, r] of entries.slice(0, 500)) expect(tree.delete(k, r)).toBe(1);
    tree.check();
    expect(tree.size).toBe(300);
    expect(pool.stats.evictions).toBeGreaterThan(1000);
    noPins(pool);
  });

  test("an operation that finds every frame pinned fails cleanly and can be retried", () => {
    const { tree, pool } = treeOf({ unique: true, frames: 2 });
    for (let k = 0; k < 100; k++) tree.insert(k, rid(k, 0));
    const root = tree.rootPageId;
    const a = pool.newPage();
    const b = pool.newPage();
    const blocked = [a.pageId, b.pageId].filter((id) => id !== root);
    expectDbError(() => tree.insert(1000, rid(1, 1)), "no-free-frame");
    expectDbError(() => tree.get(5), "no-free-frame");
    pool.unpinPage(a.pageId, false);
    pool.unpinPage(b.pageId, false);
    expect(blocked.length).toBe(2);
    expect(tree.get(1000)).toBeUndefined();
    expect(tree.insert(1000, rid(1, 1))).toBe(true);
    // The two scratch pages are not part of the tree; pageCount ignores them.
    tree.check();
  });

  test("a delete can split pages: a borrowed entry's long key replaces a 1-byte separator that filled the parent", () => {
    // Every leaf j holds [j] (cost 11), three 50-byte keys (60 each) and a 39-byte key (49):
    // 240 bytes, a full page, so a fill factor of 1 puts exactly those five in each leaf and
    // the separators above are the 1-byte keys [j] (internal cost 9; 26 of them fill 234 bytes).
    const leafKeys = (j: number) => [
      Uint8Array.of(j),
      ...[1, 2, 3].map((t) => new Uint8Array(50).fill(t).fill(j, 0, 1)),
      new Uint8Array(39).fill(4).fill(j, 0, 1),
    ];
    for (const leaves of [27, 52]) {
      const { tree } = treeOf({ unique: true, frames: 3 });
      const keys = Array.from({ length: leaves }, (_, j) => leafKeys(j)).flat();
      tree.bulkLoad(keys.map((k, i) => [k, rid(i, 0)] as const), { fillFactor: 1 });
      tree.check();
      expect(tree.height).toBe(leaves === 27 ? 2 : 3);
      const before = { height: tree.height, pageCount: tree.pageCount };
      // Empty leaf 0 down to [0]: it must borrow from leaf 1 (both do not fit one page), and the
      // new separator is leaf 1's second 50-byte key, 49 bytes longer than [1].
      for (const k of leafKeys(0).slice(1)) expect(tree.delete(k)).toBe(1);
      tree.check();
      if (leaves === 27) {
        // The parent was the root: it splits, and the tree grows taller on a delete.
        expect(tree.height).toBe(before.height + 1);
        expect(tree.pageCount).toBe(before.pageCount + 2);
      } else {
        // The parent was an internal page below the root: it splits into two.
        expect(tree.height).toBe(before.height);
        expect(tree.pageCount).toBe(before.pageCount + 1);
      }
      expect([...tree.range()].map((e) => toHex(e.key))).toEqual(keys.filter((_, i) => i === 0 || i >= 5).map(toHex));
    }
  });

  test("bulk load at fill factors 0.5, 0.9 and 1.0 gives the page counts the arithmetic predicts", () => {
    // 256-byte pages: 240 usable bytes. An int leaf entry costs 4 + 6 + 8 = 18 bytes, an
    // internal entry 4 + 4 + 8 = 16. 936 keys:
    //   f = 1.0 (240 bytes): 13 per leaf → 72 leaves; 16 children per internal page → 5; root.
    //   f = 0.9 (216 bytes): 12 per leaf → 78 leaves; 14 children → 6 (last: 8); root.
    //   f = 0.5 (120 bytes):  6 per leaf → 156 leaves; 8 children → 19 + a last page of 4
    //     children (48 bytes < the 60-byte minimum), merged into its neighbour → 19 pages;
    //     then 8, 8, 3 → the last merged → 2 pages; root.
    const cases = [
      { fillFactor: 1.0, leaves: 72, pages: [1, 5, 72], leafFill: (13 * 18) / 240 },
      { fillFactor: 0.9, leaves: 78, pages: [1, 6, 78], leafFill: (12 * 18) / 240 },
      { fillFactor: 0.5, leaves: 156, pages: [1, 2, 19, 156], leafFill: (6 * 18) / 240 },
    ];
    for (const c of cases) {
      const { tree, pool } = treeOf({ unique: true, frames: 4 });
      tree.bulkLoad(
        Array.from({ length: 936 }, (_, i) => [i * 3, rid(i, 1)] as const),
        { fillFactor: c.fillFactor },
      );
      tree.check();
      const stats = tree.stats();
      expect(stats.levels.map((l) => l.pages)).toEqual(c.pages);
      expect(tree.height).toBe(c.pages.length);
      expect(tree.pageCount).toBe(c.pages.reduce((a, b) => a + b, 0) + 1);
      expect(stats.averageLeafFill).toBeCloseTo(c.leafFill, 10);
      expect(tree.size).toBe(936);
      expect(ints(tree, 30, 36)).toEqual([30, 33, 36]);
      expect(tree.get(2805)).toEqual(rid(935, 1));
      // The loaded tree is an ordinary tree afterwards.
      const rng = new Random(14);
      for (let i = 0; i < 400; i++) {
        const k = rng.int(3000);
        if (rng.bool()) tree.insert(k, rid(k, 2));
        else tree.delete(k);
      }
      tree.check();
      noPins(pool);
    }
  });

  test("bulk load fixes an underfull last page, handles 0 and 1 entries, and variable-length keys", () => {
    // 66 keys at 13 per leaf would leave 1 entry (18 bytes) in a sixth leaf: 14 entries are
    // too many for one page, so the last two leaves split them 7 / 7.
    const { tree } = treeOf({ unique: true });
    tree.bulkLoad(Array.from({ length: 66 }, (_, i) => [i, rid(i, 0)] as const), { fillFactor: 1 });
    tree.check();
    expect(tree.snapshot().levels[1]?.pages.map((p) => p.keys.length)).toEqual([13, 13, 13, 13, 7, 7]);

    const none = treeOf({ unique: true }).tree;
    none.bulkLoad([]);
    expect(none.size).toBe(0);
    none.check();
    const one = treeOf({ unique: false }).tree;
    one.bulkLoad([["only", rid(3, 3)]]);
    expect(one.height).toBe(1);
    expect(one.getAll("only")).toEqual([rid(3, 3)]);
    one.check();

    const rng = new Random(15);
    for (const fillFactor of [0.5, 0.7, 1]) {
      const strings = [...new Set(Array.from({ length: 700 }, () => "s".repeat(rng.int(38)) + rng.int(1000)))];
      strings.sort((a, b) => compareBytes(encodeKey(a), encodeKey(b)));
      const t = treeOf({ unique: false, frames: 3 }).tree;
      t.bulkLoad(strings.map((s, i) => [s, rid(i, 0)] as const), { fillFactor });
      t.check();
      expect([...t.range()].map((e) => decodeKey(e.key, "string"))).toEqual(strings);
    }
  });

  test("bulk load refuses unsorted input, duplicates, bad fill factors and non-empty trees, changing nothing", () => {
    const { tree } = treeOf({ unique: true });
    const unsorted = expectDbError(() => tree.bulkLoad([[1, rid(1, 0)], [3, rid(3, 0)], [2, rid(2, 0)]]), "invalid-argument");
    expect(unsorted.details).toMatchObject({ position: 2 });
    expectDbError(() => tree.bulkLoad([[1, rid(1, 0)], [1, rid(2, 0)]]), "invalid-argument");
    for (const fillFactor of [0.3, 1.1, NaN]) expectDbError(() => tree.bulkLoad([[1, rid(1, 0)]], { fillFactor }), "invalid-argument");
    expect(tree.size).toBe(0);
    expect(tree.pageCount).toBe(2);
    tree.check();
    // Non-unique: the same key twice is fine with different rids, in rid order.
    const dup = treeOf({ unique: false }).tree;
    dup.bulkLoad([[1, rid(1, 0)], [1, rid(2, 0)]]);
    expectDbError(() => dup.bulkLoad([[5, rid(1, 0)]]), "invalid-state");
    const reversed = treeOf({ unique: false }).tree;
    expectDbError(() => reversed.bulkLoad([[1, rid(2, 0)], [1, rid(1, 0)]]), "invalid-argument");
  });

  test("the meta page is written when the root, height or page count change, not on every insert; open recounts the size", () => {
    const { tree, pool } = treeOf({ unique: true, frames: 8 });
    pool.flushAll();
    tree.insert(1, rid(1, 1));
    expect(pool.isDirty(tree.metaPageId), "meta page after an insert into the root leaf").toBe(false);
    let k = 2;
    while (tree.height === 1) tree.insert(k++, rid(1, 1));
    expect(pool.isDirty(tree.metaPageId), "meta page after the root split").toBe(true);
    tree.check();
    pool.flushAll();
    tree.insert(k++, rid(1, 1));
    const reopened = BPlusTree.open(pool, tree.metaPageId);
    expect(reopened.size).toBe(tree.size);
    expect(reopened.size).toBe(k - 1);
    reopened.check();
  });

  test("close and reopen over a FileDiskManager: the meta page finds the root again", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bplus-tree-"));
    try {
      const file = path.join(dir, "index.db");
      const rng = new Random(16);
      const model = new Map<number, Rid>();
      let metaPageId: PageId;
      let snapshot: string;
      {
        const disk = new FileDiskManager(file, { pageSize: 512 });
        const pool = new BufferPoolManager({ frames: 8, disk, replacer: new LruReplacer(8) });
        const tree = BPlusTree.create(pool, { unique: true });
        for (let i = 0; i < 3000; i++) {
          const k = rng.int(5000);
          if (rng.bool(0.7)) {
            if (tree.insert(k, rid(k, i % 7))) model.set(k, rid(k, i % 7));
          } else if (tree.delete(k) === 1) model.delete(k);
        }
        tree.check();
        metaPageId = tree.metaPageId;
        snapshot = JSON.stringify(tree.snapshot(keyFormatter("int")));
        pool.flushAll();
        disk.sync();
        disk.close();
      }
      const disk = new FileDiskManager(file, { pageSize: 512 });
      const pool = new BufferPoolManager({ frames: 8, disk, replacer: new LruReplacer(8) });
      const tree = BPlusTree.open(pool, metaPageId);
      tree.check();
      expect(JSON.stringify(tree.snapshot(keyFormatter("int")))).toBe(snapshot);
      expect(tree.size).toBe(model.size);
      const expected = [...model.entries()].sort((a, b) => a[0] - b[0]);
      expect([...tree.range()].map((e) => [decodeKey(e.key, "int"), e.rid])).toEqual(expected);
      expect(tree.insert(1_000_000, rid(1, 1))).toBe(true);
      tree.check();
      // The wrong page: not a meta page. The wrong page size: refused, not misread.
      expectDbError(() => BPlusTree.open(pool, tree.rootPageId), "corrupt");
      pool.flushAll();
      disk.close();
      const wrongSize = new FileDiskManager(file, { pageSize: 256 });
      const pool256 = new BufferPoolManager({ frames: 2, disk: wrongSize, replacer: new LruReplacer(2) });
      expectDbError(() => BPlusTree.open(pool256, metaPageId), "corrupt");
      wrongSize.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("snapshot: levels from the root down with decoded keys and sibling links; stats per level", () => {
    const { tree } = treeOf({ unique: true });
    for (let k = 1; k <= 30; k++) tree.insert(k, rid(k, 0));
    const snap = tree.snapshot(keyFormatter("int"));
    expect(snap.height).toBe(2);
    expect(snap.rootPageId).toBe(tree.rootPageId);
    const [root, leaves] = snap.levels;
    expect(root?.pages).toHaveLength(1);
    expect(root?.pages[0]?.children).toEqual(leaves?.pages.map((p) => p.pageId));
    expect(leaves?.pages.flatMap((p) => p.keys)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    // Separators are the first keys of the leaves to their right.
    expect(root?.pages[0]?.keys).toEqual(leaves?.pages.slice(1).map((p) => p.keys[0]));
    leaves?.pages.forEach((page, i) => expect(page.next).toBe(leaves.pages[i + 1]?.pageId));
    // The default format is hex; a non-unique tree shows each entry's rid.
    expect(tree.snapshot().levels[1]?.pages[0]?.keys[0]).toBe("8000000000000001");
    const dup = treeOf({ unique: false }).tree;
    dup.insert("a", rid(4, 2));
    expect(dup.snapshot(keyFormatter("string")).levels[0]?.pages[0]?.keys).toEqual(['"a" (4,2)']);
    const stats = tree.stats();
    expect(stats.levels.map((l) => l.entries)).toEqual([leaves!.pages.length - 1, 30]);
    expect(stats.levels.map((l) => l.pages)).toEqual([1, leaves!.pages.length]);
    // One page, as pageinspect's bt_page_items shows it.
    const firstLeaf = tree.inspectPage(leaves!.pages[0]!.pageId);
    expect(firstLeaf.kind).toBe("leaf");
    expect(firstLeaf.items.map((item) => decodeKey(item.key, "int"))).toEqual(leaves!.pages[0]!.keys.map(Number));
    expect(firstLeaf.items[0]?.rid).toEqual(rid(1, 0));
    expect(firstLeaf.rightSibling).toBe(leaves!.pages[1]!.pageId);
    expect(tree.inspectPage(tree.rootPageId).items.map((item) => item.child)).toEqual(root!.pages[0]!.children!.slice(1));
    expectDbError(() => tree.inspectPage(tree.metaPageId), "corrupt");
    expect(stats.pageCount).toBe(leaves!.pages.length + 2);
  });

  test("resolvePlugins, the shared plug-in helper: defaults, overrides, undefined as the default, typed refusals", () => {
    const defaults = { a: () => 1, b: () => 2 };
    const mine = () => 3;
    expect(resolvePlugins(defaults, undefined, "piece")).toBe(defaults);
    const chosen = resolvePlugins(defaults, { b: mine, a: undefined }, "piece");
    expect([chosen.a, chosen.b]).toEqual([defaults.a, mine]);
    expect(Object.isFrozen(chosen)).toBe(true);
    expect(expectDbError(() => resolvePlugins(defaults, { c: mine } as never, "piece"), "invalid-argument").message).toBe('unknown piece "c" (there are: a, b)');
    expect(expectDbError(() => resolvePlugins(defaults, { a: 7 } as never, "piece"), "invalid-argument").message).toBe('piece "a" must be a function, got number');
    expectDbError(() => resolvePlugins(defaults, "a" as never, "piece"), "invalid-argument");
  });

  test("algorithms plug in: the tree runs the ones given and the engine's for the rest; bad ones are refused", () => {
    const calls = new Map<string, number>();
    const count = <F extends (...args: never[]) => unknown>(name: string, fn: F): F =>
      ((...args: Parameters<F>) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return fn(...args);
      }) as F;
    const engine = ENGINE_BTREE_ALGORITHMS;
    const counted: BTreeAlgorithms = {
      searchPage: count("searchPage", engine.searchPage),
      insertEntry: count("insertEntry", engine.insertEntry),
      storeNode: count("storeNode", engine.storeNode),
      deleteEntry: count("deleteEntry", engine.deleteEntry),
      rangeScan: count("rangeScan", engine.rangeScan),
    };
    const { pool } = treeOf({ unique: true, frames: 3 });
    const tree = BPlusTree.create(pool, { unique: true, algorithms: counted });
    for (let k = 0; k < 300; k++) tree.insert(k, rid(k, 0));
    for (let k = 0; k < 250; k++) tree.delete(k);
    expect(ints(tree)).toEqual(Array.from({ length: 50 }, (_, i) => 250 + i));
    tree.check();
    expect(Object.fromEntries([...calls].map(([name, n]) => [name, n > 0]))).toEqual({
      searchPage: true,
      insertEntry: true,
      storeNode: true,
      deleteEntry: true,
      rangeScan: true,
    });
    expect(calls.get("insertEntry")).toBe(300);
    expect(calls.get("deleteEntry")).toBe(250);
    // One piece given: that one is used, the rest are the engine's; open() takes them too.
    const one = BPlusTree.create(pool, { unique: false, algorithms: { searchPage: counted.searchPage } });
    expect(one.algorithms.searchPage).toBe(counted.searchPage);
    expect(one.algorithms.insertEntry).toBe(engine.insertEntry);
    expect(BPlusTree.create(pool, { unique: true }).algorithms).toBe(engine);
    const reopened = BPlusTree.open(pool, tree.metaPageId, { algorithms: { rangeScan: counted.rangeScan } });
    expect(reopened.algorithms.rangeScan).toBe(counted.rangeScan);
    expect(reopened.algorithms.deleteEntry).toBe(engine.deleteEntry);
    // Foolish input: an unknown name, a value that is not a function, not an object.
    const bad = [{ search: engine.searchPage }, { searchPage: 3 }, 7];
    for (const algorithms of bad) {
      expectDbError(() => BPlusTree.create(pool, { unique: true, algorithms } as never), "invalid-argument");
      expectDbError(() => BPlusTree.open(pool, tree.metaPageId, { algorithms } as never), "invalid-argument");
    }
    noPins(pool);
  });

  test("the prepared-probe search (engine's searchPage, 8-byte probes) answers as the general one, mixed key lengths, corrupt pages named", () => {
    // Two trees over the same operations: one on the engine's searchPage (8-byte probes
    // take int-key-search.ts), one on a wrapper of it (not the engine's: the general path).
    const rng = new Random(8);
    const keys: IndexKey[] = Array.from({ length: 400 }, (_, i) =>
      i % 3 === 0 ? `${i}`.padEnd(i % 10, "x") : i % 3 === 1 ? i * 1_000_003 - 2 ** 40 : BigInt(i) * 2n ** 50n - 2n ** 62n,
    );
    const wrapped: BTreeAlgorithms["searchPage"] = (page, probe, compare) => ENGINE_BTREE_ALGORITHMS.searchPage(page, probe, compare);
    const fast = treeOf({ unique: true, frames: 3 });
    const slowPool = treeOf({ unique: true, frames: 3 }).pool;
    const slow = BPlusTree.create(slowPool, { unique: true, algorithms: { searchPage: wrapped } });
    for (let i = 0; i < 3000; i++) {
      const k = keys[rng.int(keys.length)] as IndexKey;
      const r = rng.int(10);
      if (r < 5) same(fast.tree.insert(k, rid(i, 1)), slow.insert(k, rid(i, 1)), `insert ${String(k)}`);
      else if (r < 7) same(fast.tree.delete(k), slow.delete(k), `delete ${String(k)}`);
      else {
        const a = fast.tree.get(k);
        const b = slow.get(k);
        same(a && ridToString(a), b && ridToString(b), `get ${String(k)}`);
      }
    }
    const shape = (t: BPlusTree) => JSON.stringify(t.snapshot().levels.map((l) => l.pages.map((p) => p.keys)));
    same(shape(fast.tree), shape(slow), "the two trees' keys, level by level, page by page");
    expect(fast.tree.height).toBeGreaterThanOrEqual(3);
    fast.tree.check();
    noPins(fast.pool);
    // A pool that hands out a new array per fetch: still right, and after many views
    // remade the tree goes back to the general search.
    const inner = treeOf({ unique: true, frames: 8 }).pool;
    const fresh = new Proxy(inner, {
      get(target, name) {
        if (name === "fetchPage") {
          return (id: PageId) => {
            const page = target.fetchPage(id);
            return { pageId: page.pageId, data: page.data.subarray(0) };
          };
        }
        const value = Reflect.get(target, name) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as BufferPool;
    const churned = BPlusTree.create(fresh, { unique: true });
    for (let k = 0; k < 400; k++) churned.insert(k * 3, rid(k, 0));
    for (let round = 0; round < 15; round++) {
      for (let k = 0; k < 400; k++) same(churned.get(k * 3)?.pageId, k, `get ${k * 3}, round ${round}`);
    }
    same(churned.get(1), undefined, "get 1 (absent)");
    churned.check();
    noPins(inner);

    // A page the descent passes, overwritten: the fast path names it as BTreePage.open does.
    const { tree, pool } = treeOf({ unique: true, frames: 4 });
    for (let k = 0; k < 200; k++) tree.insert(k, rid(k, 0));
    tree.get(5);
    pool.withWritePage(tree.rootPageId, (bytes) => bytes.fill(0, 0, 8));
    const error = expectDbError(() => tree.get(5), "corrupt");
    expect(error.message).toContain(`page ${tree.rootPageId}`);
    noPins(pool);
  });

  test("check() finds broken invariants and names the page", () => {
    const build = () => {
      const made = treeOf({ unique: true, frames: 4 });
      for (let k = 0; k < 200; k++) made.tree.insert(k, rid(k, 0));
      return made;
    };
    const leafIds = (tree: BPlusTree) => tree.snapshot().levels.at(-1)!.pages.map((p) => p.pageId);
    const expectBroken = (tree: BPlusTree, pattern: RegExp) => {
      let thrown: unknown;
      try {
        tree.check();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvariantError);
      expect((thrown as Error).message).toMatch(pattern);
    };

    // Keys swapped within a leaf.
    {
      const { tree, pool } = build();
      const id = leafIds(tree)[2] as PageId;
      pool.withWritePage(id, (data) => {
        const s0 = data.slice(16, 20);
        data.copyWithin(16, 20, 24);
        data.set(s0, 20);
      });
      expectBroken(tree, new RegExp(`page ${id}.*not in increasing order`));
    }
    // A broken sibling link.
    {
      const { tree, pool } = build();
      const id = leafIds(tree)[1] as PageId;
      pool.withWritePage(id, (data) => {
        BTreePage.open(data).rightSibling = INVALID_PAGE_ID;
      });
      expectBroken(tree, new RegExp(`page ${id}: right sibling`));
    }
    // A key outside the range its parent's separators allow.
    {
      const { tree, pool } = build();
      const id = leafIds(tree)[3] as PageId;
      pool.withWritePage(id, (data) => {
        const page = BTreePage.open(data);
        page.removeAt(0);
        page.insertLeafAt(0, encodeKey(0), rid(0, 0));
      });
      expectBroken(tree, new RegExp(`page ${id}: key 0 .* below its lower bound`));
    }
    // An underfull leaf.
    {
      const { tree, pool } = build();
      const id = leafIds(tree)[4] as PageId;
      pool.withWritePage(id, (data) => {
        const page = BTreePage.open(data);
        while (page.keyCount > 1) page.removeAt(1);
      });
      expectBroken(tree, new RegExp(`page ${id}: uses \\d+ bytes, below the minimum 60`));
    }
    // A page that is not a B+tree page at all.
    {
      const { tree, pool } = build();
      const id = leafIds(tree)[0] as PageId;
      pool.withWritePage(id, (data) => data.fill(0));
      expectBroken(tree, new RegExp(`page ${id}: .*new`));
    }
    // The right answer for a sound tree: nothing thrown.
    expect(() => build().tree.check()).not.toThrow();
    expect(new DbError("corrupt", "x")).toBeInstanceOf(Error);
  });
});
