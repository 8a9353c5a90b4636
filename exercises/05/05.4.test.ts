/**
 * Hidden suite of exercise 05.4: `rangeScan`, plugged into real trees. Random bounds
 * against a sorted array; the leaf chain walked once (counted in buffer-pool fetches);
 * laziness; no pin held while the caller has an entry; and a tree changed under the scan.
 */
import { describe, expect, it } from "vitest";
import { decodeKey, encodeKey, keyFormatter, rid, toHex, type BufferPool } from "@workbook/engine";
import { rangeScan } from "@submission";
import { checkRun } from "../../test-support/index.js";
import { intKeys, makeTree, modelCheck, pinsLeft, randomOps, rng, stringKeys, structureProblem, type Made, type TreeOp } from "./harness.js";

const mine = { rangeScan };
const int = (key: Uint8Array) => decodeKey(key, "int") as number;
const fetches = (pool: BufferPool) => pool.stats.hits + pool.stats.misses;

/** A tree of the learner's scan, bulk-loaded with ints 0, 2, 4 … */
function evens(count: number, setup: { frames?: number; fillFactor?: number; unique?: boolean } = {}): Made {
  const made = makeTree({ unique: setup.unique ?? true, frames: setup.frames ?? 4, algorithms: mine });
  made.tree.bulkLoad(Array.from({ length: count }, (_, i) => [i * 2, rid(i, 0)] as const), { fillFactor: setup.fillFactor ?? 0.7 });
  return made;
}

/** Random ranges only, over a tree grown by random inserts first. */
function scans(seed: number, keys: number, count: number, insertFirst: number, rids = 1, unique = true): TreeOp[] {
  const r = rng(seed);
  const ops: TreeOp[] = [];
  for (let i = 0; i < insertFirst; i++) {
    const key = r.int(keys);
    ops.push({ op: "insert", key, rid: unique ? key : key * 31 + r.int(rids) });
  }
  for (let i = 0; i < count; i++) {
    const lo = r.bool(0.85) ? r.int(keys) : undefined;
    const hi = r.bool(0.85) ? r.int(keys) : undefined;
    ops.push({ op: "range", ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }), loInclusive: r.bool(), hiInclusive: r.bool() });
  }
  return ops;
}

describe("05.4 range", () => {
  it("random bounds, open, inclusive or exclusive, agree with a sorted array (unique int keys)", () => {
    const keys = intKeys(300);
    modelCheck({ setup: { unique: true, frames: 3, algorithms: mine }, keys, checkEvery: 50 }, scans(5401, keys.length, 250, 260));
  });

  it("a non-unique tree: duplicates that span leaves come back by key, then rid; range(k, k) is every entry of k", () => {
    const keys = intKeys(10);
    const ops = scans(5402, keys.length, 200, 220, 40, false);
    for (let k = 0; k < keys.length; k++) ops.push({ op: "range", lo: k, hi: k, loInclusive: true, hiInclusive: true }, { op: "get", key: k });
    modelCheck({ setup: { unique: false, frames: 3, algorithms: mine }, keys, checkEvery: 50 }, ops);
  });

  it("string keys of mixed lengths: prefixes sort first, bounds between and on keys", () => {
    const keys = stringKeys(150, 5403);
    modelCheck({ setup: { unique: true, frames: 3, algorithms: mine }, keys, checkEvery: 50 }, scans(5404, keys.length, 200, 160));
  });

  it("scans between inserts and deletes, as the tree grows and shrinks", () => {
    const keys = intKeys(200);
    const ops = randomOps(5405, 700, keys.length, { insertGrow: 60, insertShrink: 10, deletes: 45, gets: 5, cycle: 350 }, true);
    modelCheck({ setup: { unique: true, frames: 3, algorithms: mine }, keys, checkEvery: 10 }, ops);
  });

  it("empty ranges: lo above hi, equal bounds with an exclusive end, below the first key, above the last, an empty tree", () => {
    const { tree } = evens(100);
    const keysOf = (lo?: number, hi?: number, lin = true, hin = true) => [...tree.range(lo, hi, { loInclusive: lin, hiInclusive: hin })].map((e) => int(e.key));
    expect(keysOf(50, 40), "range(50, 40)").toEqual([]);
    expect(keysOf(40, 40, false, true), "range (40, 40]").toEqual([]);
    expect(keysOf(40, 40, true, false), "range [40, 40)").toEqual([]);
    expect(keysOf(40, 40), "range [40, 40]").toEqual([40]);
    expect(keysOf(41, 41), "range [41, 41], no such key").toEqual([]);
    expect(keysOf(-10, -1), "range [−10, −1], below the first key").toEqual([]);
    expect(keysOf(199, 500), "range [199, 500], above the last key").toEqual([]);
    expect(keysOf(198, undefined, false), "range (198, +∞)").toEqual([]);
    expect(keysOf(undefined, 0, true, false), "range (−∞, 0)").toEqual([]);
    expect(keysOf(undefined, 4), "range (−∞, 4]").toEqual([0, 2, 4]);
    expect(keysOf(195, undefined), "range [195, +∞)").toEqual([196, 198]);
    const empty = makeTree({ unique: true, algorithms: mine }).tree;
    expect([...empty.range()], "scan of an empty tree").toEqual([]);
    expect([...empty.range(1, 5)], "range [1, 5] of an empty tree").toEqual([]);
  });

  it("walks the leaf chain: a full scan reads each leaf once and each internal page on the way down once", () => {
    const made = evens(2000, { frames: 64, fillFactor: 0.9 });
    const { tree, pool } = made;
    const stats = tree.stats();
    const leaves = stats.levels[stats.levels.length - 1]!.pages;
    expect(tree.height, "height of the tree").toBe(3);
    const before = fetches(pool);
    const seen = [...tree.range()].map((e) => int(e.key));
    expect(seen, "a full scan").toEqual(Array.from({ length: 2000 }, (_, i) => i * 2));
    expect(fetches(pool) - before, `page fetches of a full scan (${leaves} leaves, ${tree.height - 1} internal pages on the way down)`).toBeLessThanOrEqual(leaves + tree.height - 1);
    const mid = fetches(pool);
    const part = [...tree.range(1001, 1999)].map((e) => int(e.key));
    expect(part.length, "entries in [1001, 1999]").toBe(499);
    const spanned = Math.ceil(499 / (2000 / leaves)) + 1;
    expect(fetches(pool) - mid, `page fetches of a scan of 499 entries (about ${spanned} leaves)`).toBeLessThanOrEqual(spanned + tree.height);
  });

  it("is lazy: the first entry costs one descent and one leaf; stopping early reads no more", () => {
    const { tree, pool } = evens(2000, { frames: 64 });
    const before = fetches(pool);
    const it = tree.range(100)[Symbol.iterator]();
    const first = it.next();
    expect(first.done ? undefined : int(first.value.key), "first entry ≥ 100").toBe(100);
    expect(fetches(pool) - before, `page fetches to get the first entry (height ${tree.height})`).toBeLessThanOrEqual(tree.height);
    it.return?.(undefined);
    expect(pinsLeft(pool), "pins after stopping the scan early").toBeUndefined();
  });

  it("holds no pin while the caller has an entry, and none after a scan ends or stops", () => {
    const { tree, pool } = evens(300, { frames: 2 });
    let n = 0;
    for (const entry of tree.range(10, 400)) {
      const pins = pinsLeft(pool);
      if (pins !== undefined) expect.fail(`while the caller holds entry ${int(entry.key)}, pinned: ${pins}`);
      if (++n === 100) break;
    }
    expect(n, "entries seen before stopping").toBe(100);
    expect(pinsLeft(pool), "pins after breaking out of the loop").toBeUndefined();
    expect([...tree.range(0, 50)].length, "entries in [0, 50]").toBe(26);
    expect(pinsLeft(pool), "pins after a scan that ran to its end").toBeUndefined();
  });

  it("survives deletes of every entry it returns: leaves merge and pages are freed under it, nothing is skipped", () => {
    const made = evens(400, { frames: 2, fillFactor: 0.6 });
    const { tree } = made;
    const seen: number[] = [];
    for (const entry of tree.range()) {
      const k = int(entry.key);
      seen.push(k);
      expect(tree.delete(k), `delete(${k}) during the scan`).toBe(1);
    }
    expect(seen, "every entry, once, in order").toEqual(Array.from({ length: 400 }, (_, i) => i * 2));
    expect(tree.size, "size after deleting everything during the scan").toBe(0);
    expect(structureProblem(made), "structure").toBeUndefined();
  });

  it("sees inserts ahead of it, not behind it, and returns no entry twice", () => {
    const made = evens(150, { frames: 3 });
    const { tree } = made;
    const seen: number[] = [];
    for (const entry of tree.range()) {
      const k = int(entry.key);
      seen.push(k);
      if (k % 4 === 0 && k < 250) {
        tree.insert(k + 1, rid(k + 1, 1)); // ahead: must be seen
        tree.insert(-k - 1, rid(k, 2)); // behind: must not be
      }
    }
    const ahead = Array.from({ length: 150 }, (_, i) => i * 2).flatMap((k) => (k % 4 === 0 && k < 250 ? [k, k + 1] : [k]));
    expect(seen, "keys returned by the scan").toEqual(ahead);
    expect(structureProblem(made), "structure").toBeUndefined();
  });

  it("notices changes in the leaf it ends in: a delete ahead there is not returned, an insert ahead there is", () => {
    for (const [what, lo, hi] of [["a full scan, in the rightmost leaf", undefined, undefined], ["range [0, 151], in the leaf where it stops", 0, 151]] as const) {
      const made = evens(150, { frames: 3 });
      const { tree } = made;
      const leaves = tree.snapshot(keyFormatter("int")).levels.at(-1)!.pages;
      const end = hi === undefined ? leaves.length - 1 : leaves.findIndex((p) => p.keys.some((k) => Number(k) > hi));
      const leafKeys = leaves[end]!.keys.map(Number).filter((k) => hi === undefined || k <= hi);
      expect(leafKeys.length, `${what}: keys in range in that leaf`).toBeGreaterThanOrEqual(3);
      const [first, gone, late] = [leafKeys[0]!, leafKeys.at(-1)!, leafKeys.at(-1)! - 1];
      const seen: number[] = [];
      for (const entry of tree.range(lo, hi)) {
        const k = int(entry.key);
        seen.push(k);
        if (k === first) {
          tree.delete(gone);
          tree.insert(late, rid(late, 1));
        }
      }
      const want = Array.from({ length: 150 }, (_, i) => i * 2).filter((k) => (lo === undefined || k >= lo) && (hi === undefined || k <= hi) && k !== gone);
      want.splice(want.indexOf(late - 1) + 1, 0, late);
      expect(seen.slice(-4), `${what}: the last keys returned after delete(${gone}) and insert(${late}) at ${first}`).toEqual(want.slice(-4));
      expect(seen, `${what}: every key returned`).toEqual(want);
    }
  });

  it.each([5406, 5407, 5408])("seed %i: random inserts and deletes just ahead of and behind four running scans: each returns exactly the keys in range ahead of it", (seed) => {
    // When scan `scan` returns the key `at`, insert or delete the key `at + delta`.
    type Change = { readonly scan: number; readonly at: number; readonly op: "insert" | "delete"; readonly delta: number };
    const r = rng(seed);
    const ranges = Array.from({ length: 4 }, () => [r.int(100), 150 + r.int(150)] as const);
    const changes: Change[] = Array.from({ length: 240 }, () => {
      const scan = r.int(4);
      const [lo, hi] = ranges[scan]!;
      // Half of them in the last 20 keys, where the scan ends in the leaf that holds `hi`.
      const at = r.bool() ? Math.max(lo, hi - r.int(20)) : lo + r.int(hi - lo + 1);
      return { scan, at, op: r.bool(0.5) ? "insert" : "delete", delta: r.int(15) - 4 };
    });
    const run = (scan: number, ops: readonly Change[]): void => {
      const [lo, hi] = ranges[scan]!;
      const { tree } = evens(150, { frames: 3 });
      const model = new Set(Array.from({ length: 150 }, (_, i) => i * 2));
      let last = Number.NEGATIVE_INFINITY;
      const expectedNext = () => Math.min(...[...model].filter((k) => k > last && k >= lo && k <= hi));
      const where = () => `range [${lo}, ${hi}] after ${Number.isFinite(last) ? last : "the start"}`;
      for (const entry of tree.range(lo, hi)) {
        const k = int(entry.key);
        const want = expectedNext();
        if (k !== want) throw new Error(`${where()}: expected ${Number.isFinite(want) ? want : "the end"}, received ${k}`);
        last = k;
        for (const change of ops) {
          if (change.scan !== scan || change.at !== k) continue;
          const key = k + change.delta;
          if (change.op === "delete") {
            tree.delete(key);
            model.delete(key);
          } else if (!model.has(key)) {
            tree.insert(key, rid(key, 1));
            model.add(key);
          }
        }
      }
      const want = expectedNext();
      if (Number.isFinite(want)) throw new Error(`${where()}: expected ${want}, received the end`);
    };
    checkRun(
      changes,
      (ops) => ranges.forEach((_, scan) => run(scan, ops)),
      { seed, maxRuns: 150, show: (c) => `scan [${ranges[c.scan]!.join(", ")}] at ${c.at}: ${c.op} ${c.at + c.delta}` },
    );
  });

  it("a pool of one frame, a non-unique tree, and entries that are copies: changing a returned key changes nothing", () => {
    const made = makeTree({ unique: false, frames: 1, algorithms: mine });
    for (let i = 0; i < 300; i++) made.tree.insert(i % 7, rid(i, 0));
    const all = [...made.tree.range()];
    expect(all.map((e) => int(e.key)), "keys of a full scan").toEqual([...Array(300).keys()].map((j) => j % 7).sort((a, b) => a - b));
    expect(made.tree.getAll(3).map((r) => r.pageId), "rids of key 3, in rid order").toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 7 === 3));
    all[0]!.key.fill(0xff);
    expect(toHex([...made.tree.range(undefined, undefined)][0]!.key), "first key after changing a returned copy").toBe(toHex(encodeKey(0)));
    expect(made.tree.snapshot(keyFormatter("int")).levels.at(-1)?.pages[0]?.keys[0], "first entry in the first leaf").toBe("0 (0,0)");
    expect(pinsLeft(made.pool), "pins").toBeUndefined();
  });
});
