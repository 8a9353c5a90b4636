/**
 * Hidden suite of exercise 06.1: `hashInsertEntry` and `splitBucket`, plugged into real
 * extendible hash indexes over a buffer pool (together, and each alone next to the
 * engine's other half). The tests force exact split sequences with the identity hash on
 * small ints (a key's hash is the key, so its low bits are plain to see), run seeded
 * operations against a Map with `check()` after every change, and compare the directory
 * with the engine's reference index built by the same operations: a split moves the
 * entries whose hash has bit d set, so the layout is a function of the operations.
 *
 * Errors are recognised by `name` and `kind` (test-support), never `instanceof`; a
 * starter's `NotImplemented` always passes through untouched.
 */
import { describe, expect, it } from "vitest";
import {
  BufferPoolManager,
  ExtendibleHashIndex,
  LruReplacer,
  MemoryDiskManager,
  decodeKey,
  hashInsertEntry as engineInsert,
  keyFormatter,
  rid,
  ridToString,
  splitBucket as engineSplit,
  type BufferPool,
  type HashIndexAlgorithms,
  type HashIndexContext,
  type HashIndexSnapshot,
} from "@workbook/engine";
import { hashInsertEntry, splitBucket } from "@submission";
import { checkRun, describeError, expectDbError, rng, speaksForItself } from "../../test-support/index.js";

/** What a call returned, as a string, or what it threw (a starter's NotImplemented passes through). */
function result(fn: () => unknown): string {
  try {
    return String(fn());
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `threw ${describeError(error)}`;
  }
}

const mine: HashIndexAlgorithms = { hashInsertEntry, splitBucket };
const identity = (key: Uint8Array) => Number(decodeKey(key, "int"));
const ints = keyFormatter("int");

interface Setup {
  readonly hash?: (key: Uint8Array) => number;
  readonly bucketCapacity?: number;
  readonly maxDepth?: number;
  readonly frames?: number;
  readonly algorithms?: Partial<HashIndexAlgorithms>;
}

function poolOf(frames: number): BufferPool {
  const disk = new MemoryDiskManager({ pageSize: 256 });
  return new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
}

function make(setup: Setup): ExtendibleHashIndex {
  const { frames = 3, algorithms = mine, ...options } = setup;
  return ExtendibleHashIndex.create(poolOf(frames), { ...options, algorithms });
}

/** Slot by slot: its bits, its bucket's local depth and keys, as "01:d1[1 5]". */
function layout(snap: HashIndexSnapshot): string {
  const keysOf = new Map(snap.buckets.map((b) => [b.pageId, b.keys.join(" ")]));
  return snap.directory.map((s) => `${s.bits}:d${s.localDepth}[${keysOf.get(s.bucketId)}]`).join(" ");
}

function pinsLeft(pool: BufferPool): string | undefined {
  const pinned = pool.snapshot().filter((f) => f.pinCount > 0);
  return pinned.length === 0 ? undefined : pinned.map((f) => `page ${String(f.pageId)} ×${f.pinCount}`).join(", ");
}

/** check() and the pins, as a message or undefined. */
function problem(index: ExtendibleHashIndex): string | undefined {
  try {
    index.check();
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `check() failed: ${(error as Error).message}`;
  }
  const pins = pinsLeft(index.pool);
  return pins === undefined ? undefined : `pages left pinned: ${pins}`;
}

/** Insert `keys` (identity rids) into the learner's index, checking it and recording the layout after each. */
function insertAll(index: ExtendibleHashIndex, keys: readonly number[]): string[] {
  return keys.map((k) => {
    expect(index.insert(k, rid(k, 1)), `insert(${k}) returned`).toBe(true);
    const bad = problem(index);
    if (bad !== undefined) expect.fail(`after insert(${k}): ${bad}`);
    return `${k} → ${layout(index.snapshot(ints))}`;
  });
}

/** The layout after each insert, as the engine builds it. */
function engineLayouts(setup: Setup, keys: readonly number[]): string[] {
  const reference = make({ ...setup, algorithms: {} });
  return keys.map((k) => (reference.insert(k, rid(k, 1)), `${k} → ${layout(reference.snapshot(ints))}`));
}

describe("06.1 extendible hash insert", () => {
  it("without a split: entries go into the one bucket, get finds them, a duplicate returns false and changes nothing", () => {
    const index = make({ hash: identity, bucketCapacity: 4 });
    insertAll(index, [5, 2, 9]);
    expect(index.insert(2, rid(99, 9)), "insert(2) again returned").toBe(false);
    expect(index.size, "size after a duplicate").toBe(3);
    expect(index.get(2) && ridToString(index.get(2)!), "get(2) after the duplicate insert").toBe(ridToString(rid(2, 1)));
    expect(layout(index.snapshot(ints)), "layout").toBe(":d0[2 5 9]");
    expect([index.globalDepth, index.bucketCount], "[global depth, buckets]").toEqual([0, 1]);
    expect(problem(index), "after the duplicate").toBeUndefined();
  });

  it("forced splits with the identity hash: exact directory after each insert (buckets of 2)", () => {
    const keys = [0, 4, 1, 8, 2, 6, 3, 5, 12];
    const got = insertAll(make({ hash: identity, bucketCapacity: 2 }), keys);
    expect(got.slice(0, 4), "the first four inserts").toEqual([
      "0 → :d0[0]",
      "4 → :d0[0 4]",
      "1 → 0:d1[0 4] 1:d1[1]",
      "8 → 000:d3[0 8] 001:d1[1] 010:d2[] 011:d1[1] 100:d3[4] 101:d1[1] 110:d2[] 111:d1[1]",
    ]);
    expect(got, "every insert's layout (the engine's is expected)").toEqual(engineLayouts({ hash: identity, bucketCapacity: 2 }, keys));
  });

  it("a split that sends every entry to one side splits again, one bit deeper, until the key's bucket has room", () => {
    // 0, 16 and 32 agree on their low 4 bits: only bit 4 separates 16 from 0 and 32.
    const index = make({ hash: identity, bucketCapacity: 2 });
    insertAll(index, [0, 16]);
    insertAll(index, [32]);
    expect([index.globalDepth, index.bucketCount], "[global depth, buckets] after inserting 0, 16, 32").toEqual([5, 6]);
    const snap = index.snapshot(ints);
    const byKeys = snap.buckets.map((b) => `d${b.localDepth}[${b.keys.join(" ")}]×${b.slots.length}`);
    expect(byKeys, "buckets (local depth, keys, slots pointing at it)").toEqual(["d5[0 32]", "d1[]×16", "d2[]×8", "d3[]×4", "d4[]×2", "d5[16]"].map((s) => (s.includes("×") ? s : `${s}×1`)));
  });

  it("the directory doubles only when the splitting bucket's local depth equals the global depth", () => {
    const index = make({ hash: identity, bucketCapacity: 2 });
    insertAll(index, [0, 4, 1, 8]);
    expect(index.globalDepth, "global depth after 0, 4, 1, 8").toBe(3);
    // Bucket [1] has local depth 1 < 3: filling it and splitting it must not double the directory.
    const got = insertAll(index, [3, 5]);
    expect(index.globalDepth, "global depth after the split of a depth-1 bucket").toBe(3);
    expect(got[1], "layout after insert(5)").toBe("5 → 000:d3[0 8] 001:d2[1 5] 010:d2[] 011:d2[3] 100:d3[4] 101:d2[1 5] 110:d2[] 111:d2[3]");
    expect(index.bucketCount, "buckets").toBe(5);
  });

  it("at the maximum depth, an insert that needs a deeper bucket throws index-full and changes nothing", () => {
    const index = make({ hash: identity, bucketCapacity: 2, maxDepth: 2 });
    insertAll(index, [0, 4, 1]);
    const before = layout(index.snapshot(ints));
    const pages = index.pageCount;
    expectDbError(() => index.insert(8, rid(8, 1)), "index-full", "insert(8): 0, 4, 8 share their low 2 bits, the maximum depth");
    expect(layout(index.snapshot(ints)), "layout after the refused insert").toBe(before);
    expect([index.pageCount, index.size, index.get(8)], "[pages, size, get(8)] after the refused insert").toEqual([pages, 3, undefined]);
    expect(problem(index), "after the refused insert").toBeUndefined();
    insertAll(index, [2, 6]);
    // Equal hashes can never be told apart: a third one is refused at once, with nothing split.
    const same = make({ hash: () => 5, bucketCapacity: 2 });
    insertAll(same, [10, 20]);
    expectDbError(() => same.insert(30, rid(30, 1)), "index-full", "a third key whose hash equals the others'");
    expect([same.globalDepth, same.bucketCount, same.size], "[global depth, buckets, size] after the refusal").toEqual([0, 1, 2]);
  });

  it("splitBucket called on a slot splits that bucket once: doubling at d = global depth, sharing slots below it, index-full at max depth", () => {
    let ctx: HashIndexContext | undefined;
    const capture: HashIndexAlgorithms["hashInsertEntry"] = (c, key, r) => ((ctx = c), engineInsert(c, key, r));
    const index = make({ hash: identity, bucketCapacity: 4, maxDepth: 3, algorithms: { hashInsertEntry: capture, splitBucket } });
    for (const k of [0, 1, 2, 3]) index.insert(k, rid(k, 1));
    if (ctx === undefined) return expect.fail("the index never called hashInsertEntry");
    const c = ctx;
    splitBucket(c, 0);
    expect(layout(index.snapshot(ints)), "after splitBucket(ctx, 0) at global depth 0").toBe("0:d1[0 2] 1:d1[1 3]");
    splitBucket(c, 1);
    expect(layout(index.snapshot(ints)), "after splitBucket(ctx, 1) at global depth 1").toBe("00:d1[0 2] 01:d2[1] 10:d1[0 2] 11:d2[3]");
    splitBucket(c, 2);
    expect(layout(index.snapshot(ints)), "after splitBucket(ctx, 2): local depth 1 < global 2, no doubling").toBe("00:d2[0] 01:d2[1] 10:d2[2] 11:d2[3]");
    splitBucket(c, 3);
    splitBucket(c, 1);
    expect(layout(index.snapshot(ints)), "after splitBucket(ctx, 3) (doubling) and splitBucket(ctx, 1) (not)").toBe(
      "000:d2[0] 001:d3[1] 010:d2[2] 011:d3[3] 100:d2[0] 101:d3[] 110:d2[2] 111:d3[]",
    );
    expect(problem(index), "after two more splits").toBeUndefined();
    const before = layout(index.snapshot(ints));
    expectDbError(() => splitBucket(c, 7), "index-full", "splitBucket of a bucket at the maximum depth 3");
    expect(layout(index.snapshot(ints)), "layout after the refused split").toBe(before);
    expect(problem(index), "after the refused split").toBeUndefined();
  });

  it("random inserts, gets and deletes agree with a Map; check() and the engine's layout after every insert (3 frames)", () => {
    const r = rng(6101);
    const ops = Array.from({ length: 500 }, (_, i) => {
      const key = r.int(100);
      const x = r.int(100);
      const grow = i % 250 < 170;
      return x < (grow ? 70 : 30) ? { op: "insert" as const, key } : x < 85 ? { op: "delete" as const, key } : { op: "get" as const, key };
    });
    checkRun(
      ops,
      (candidate) => {
        const index = make({ bucketCapacity: 8, frames: 3 });
        const reference = make({ bucketCapacity: 8, algorithms: {} });
        const model = new Map<number, string>();
        for (const o of candidate) {
          const r2 = rid(o.key, o.key % 7);
          let got: string;
          let want: string;
          if (o.op === "insert") {
            want = String(!model.has(o.key));
            if (!model.has(o.key)) model.set(o.key, ridToString(r2));
            got = result(() => index.insert(o.key, r2));
            reference.insert(o.key, r2);
          } else if (o.op === "delete") {
            want = String(model.delete(o.key));
            got = result(() => index.delete(o.key));
            reference.delete(o.key);
          } else {
            want = model.get(o.key) ?? "undefined";
            got = result(() => {
              const found = index.get(o.key);
              return found === undefined ? "undefined" : ridToString(found);
            });
          }
          const what = `${o.op}(${o.key})`;
          if (got !== want) throw new Error(`${what}: expected ${want}, received ${got}`);
          if (index.size !== model.size) throw new Error(`size after ${what}: expected ${model.size}, received ${index.size}`);
          if (o.op === "get") continue;
          const bad = problem(index);
          if (bad !== undefined) throw new Error(`after ${what}: ${bad}`);
          const want2 = layout(reference.snapshot(ints));
          const got2 = layout(index.snapshot(ints));
          if (want2 !== got2) throw new Error(`directory after ${what}: expected ${want2.slice(0, 160)}, received ${got2.slice(0, 160)}`);
        }
      },
      { seed: 6101, show: (o) => `${o.op}(${o.key})` },
    );
  });

  it("fits counts bytes as well as entries: long string keys split buckets before bucketCapacity, through a pool of 2 frames", () => {
    const r = rng(6102);
    const keys = Array.from({ length: 40 }, (_, i) => `${i}-${"k".repeat(r.int(40))}`);
    const index = ExtendibleHashIndex.create(poolOf(2), { bucketCapacity: 16, algorithms: mine });
    const reference = ExtendibleHashIndex.create(poolOf(2), { bucketCapacity: 16 });
    keys.forEach((k, i) => {
      expect(index.insert(k, rid(i, 0)), `insert("${k}") returned`).toBe(true);
      reference.insert(k, rid(i, 0));
      const bad = problem(index);
      if (bad !== undefined) expect.fail(`after insert("${k}"): ${bad}`);
      expect(layout(index.snapshot()), `directory after insert #${i + 1} ("${k}")`).toBe(layout(reference.snapshot()));
    });
    keys.forEach((k, i) => expect(index.get(k) && ridToString(index.get(k)!), `get("${k}")`).toBe(ridToString(rid(i, 0))));
    expect(index.stats().maxEntries, "the fullest bucket holds fewer than bucketCapacity entries").toBeLessThan(16);
  });

  it("each half works next to the engine's other half, and a reopened index sees what the inserts wrote", () => {
    const keys = rng(6103).shuffle(Array.from({ length: 60 }, (_, i) => i * 5));
    for (const [name, algorithms] of [
      ["your hashInsertEntry with the engine's splitBucket", { hashInsertEntry, splitBucket: engineSplit }],
      ["the engine's hashInsertEntry with your splitBucket", { hashInsertEntry: engineInsert, splitBucket }],
    ] as const) {
      const index = make({ bucketCapacity: 8, frames: 2, algorithms });
      const reference = make({ bucketCapacity: 8, algorithms: {} });
      for (const k of keys) {
        index.insert(k, rid(k, 3));
        reference.insert(k, rid(k, 3));
        const bad = problem(index);
        if (bad !== undefined) expect.fail(`${name}, after insert(${k}): ${bad}`);
      }
      expect(layout(index.snapshot(ints)), `${name}: directory after ${keys.length} inserts`).toBe(layout(reference.snapshot(ints)));
      const again = ExtendibleHashIndex.open(index.pool, index.directoryPageId);
      expect(layout(again.snapshot(ints)), `${name}: directory of the index reopened from its pages`).toBe(layout(index.snapshot(ints)));
      expect(again.size, `${name}: size of the reopened index`).toBe(keys.length);
    }
  });
});
