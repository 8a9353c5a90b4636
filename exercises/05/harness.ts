/**
 * Shared by the hidden suites of notebook 05 (not a suite itself: the grader runs only
 * `*.test.ts`). It builds real `BPlusTree`s with the learner's algorithms plugged in,
 * runs seeded random operations against a sorted array side by side, checks the tree's
 * structure after every change (the tree's own `check()` and an independent check from
 * `snapshot()`), compares the tree's shape with the engine's reference tree built by the
 * same operations, and shrinks a failing sequence before reporting it.
 *
 * Errors are recognised by `name` and `kind`, never `instanceof`: the submission may
 * import the engine's source while the tests import its build. A starter's
 * `NotImplemented` always passes through untouched, so it is what the grader reports.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BPlusTree,
  BufferPoolManager,
  FileDiskManager,
  LruReplacer,
  MemoryDiskManager,
  compareBytes,
  encodeKey,
  rid as makeRid,
  ridToString,
  toHex,
  type BPlusTreeSnapshot,
  type BTreeAlgorithms,
  type BufferPool,
  type IndexKey,
  type PageId,
  type Rid,
} from "@workbook/engine";
import { checkRun, outcome, rng, speaksForItself, type Rng } from "../../test-support/index.js";

// ── randomness, shrinking and error probes: test-support's ───────────────────────────

export { outcome, rng, type Rng };

/**
 * Shrinking budget for tree runs, in runs (never in time, so every machine shows the same
 * counterexample): a run builds a tree through a buffer pool and checks it after every
 * change, so it is far dearer than a run over a Map.
 */
const TREE_SHRINK_RUNS = 300;

// ── trees ──────────────────────────────────────────────────────────────────────────────

export interface TreeSetup {
  readonly unique: boolean;
  readonly frames?: number;
  readonly pageSize?: number;
  readonly algorithms?: Partial<BTreeAlgorithms>;
}

export interface Made {
  readonly tree: BPlusTree;
  readonly pool: BufferPool;
}

/** A fresh tree over an in-memory disk: 256-byte pages and 4 frames unless told otherwise. */
export function makeTree(setup: TreeSetup): Made {
  const frames = setup.frames ?? 4;
  const disk = new MemoryDiskManager({ pageSize: setup.pageSize ?? 256 });
  const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
  const tree = BPlusTree.create(pool, { unique: setup.unique, algorithms: setup.algorithms ?? {} });
  return { tree, pool };
}

/** The pages left pinned, as "page 7 ×1", or undefined when there are none. */
export function pinsLeft(pool: BufferPool): string | undefined {
  const pinned = pool.snapshot().filter((f) => f.pinCount > 0);
  return pinned.length === 0 ? undefined : pinned.map((f) => `page ${String(f.pageId)} ×${f.pinCount}`).join(", ");
}

/** Run `fn` with a fresh temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), "workbook-05-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tree in a file: build it with `build`, flush and close, reopen with the same algorithms. */
export function reopened(setup: TreeSetup, build: (made: Made) => void, after: (made: Made, before: string) => void): void {
  withTempDir((dir) => {
    const file = path.join(dir, "index.db");
    const pageSize = setup.pageSize ?? 256;
    const frames = setup.frames ?? 4;
    let metaPageId: PageId;
    let before: string;
    {
      const disk = new FileDiskManager(file, { pageSize });
      const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
      const tree = BPlusTree.create(pool, { unique: setup.unique, algorithms: setup.algorithms ?? {} });
      build({ tree, pool });
      metaPageId = tree.metaPageId;
      before = JSON.stringify(tree.snapshot());
      pool.flushAll();
      disk.sync();
      disk.close();
    }
    const disk = new FileDiskManager(file, { pageSize });
    try {
      const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
      after({ tree: BPlusTree.open(pool, metaPageId, { algorithms: setup.algorithms ?? {} }), pool }, before);
    } finally {
      disk.close();
    }
  });
}

// ── structure ──────────────────────────────────────────────────────────────────────────

/** A snapshot key ("hex" or "hex (page,slot)") as a sortable tuple. */
function sortKey(text: string): [string, number, number] {
  const [hex, rid] = text.split(" ");
  if (rid === undefined) return [hex as string, 0, 0];
  const [page, slot] = rid.slice(1, -1).split(",").map(Number);
  return [hex as string, page as number, slot as number];
}

function compareSnapshotKeys(a: string, b: string): number {
  const [ah, ap, as] = sortKey(a);
  const [bh, bp, bs] = sortKey(b);
  // Lower-case hex strings sort as their bytes do (a prefix first).
  if (ah !== bh) return ah < bh ? -1 : 1;
  return ap - bp || as - bs;
}

/**
 * Check the tree from the outside: `check()`, then the snapshot: levels numbered from
 * height − 1 down to 0; every internal page has one more child than keys, and its children
 * are exactly the next level's pages in order; leaves are linked left to right and the
 * last one has no link; keys strictly increase along each level's leaves; every separator
 * lies above its left subtree and at or below its right subtree; every page but the root
 * is at least a quarter full; size and page count match; no page is left pinned.
 * Returns the first problem, or undefined.
 */
export function structureProblem(made: Made): string | undefined {
  const { tree, pool } = made;
  try {
    tree.check();
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `check() failed: ${(error as Error).message}`;
  }
  const pins = pinsLeft(pool);
  if (pins !== undefined) return `pages left pinned after the operation: ${pins}`;
  const snap = tree.snapshot();
  if (snap.levels.length !== tree.height) return `snapshot has ${snap.levels.length} levels, height is ${tree.height}`;
  let pages = 0;
  const quarter = Math.floor(snap.capacity / 4);
  // The smallest and largest key under every page, level by level from the leaves up.
  let below = new Map<PageId, { min?: string; max?: string }>();
  for (let li = snap.levels.length - 1; li >= 0; li--) {
    const level = snap.levels[li]!;
    const expectedLevel = snap.levels.length - 1 - li;
    const here = new Map<PageId, { min?: string; max?: string }>();
    const childOrder: PageId[] = [];
    for (const [pi, page] of level.pages.entries()) {
      pages++;
      const where = `page ${page.pageId} (level ${expectedLevel})`;
      if (page.level !== expectedLevel) return `${where} says it is at level ${page.level}: leaves at unequal depth`;
      for (let i = 1; i < page.keys.length; i++) {
        if (compareSnapshotKeys(page.keys[i - 1]!, page.keys[i]!) >= 0) return `${where}: keys ${i - 1} and ${i} are out of order`;
      }
      if (page.pageId !== snap.rootPageId && page.usedBytes < quarter) {
        return `${where} uses ${page.usedBytes} bytes, below a quarter of ${snap.capacity}`;
      }
      if (expectedLevel === 0) {
        const following = level.pages[pi + 1];
        if (page.next !== following?.pageId) {
          return `leaf ${page.pageId} links to ${String(page.next)}, the next leaf is ${String(following?.pageId)}`;
        }
        if (following !== undefined && page.keys.length > 0 && following.keys.length > 0) {
          if (compareSnapshotKeys(page.keys[page.keys.length - 1]!, following.keys[0]!) >= 0) {
            return `leaf ${page.pageId} ends at or above where leaf ${following.pageId} starts`;
          }
        }
        here.set(page.pageId, { min: page.keys[0], max: page.keys[page.keys.length - 1] });
        continue;
      }
      const children = page.children ?? [];
      if (children.length !== page.keys.length + 1) return `${where} has ${page.keys.length} keys and ${children.length} children`;
      for (let i = 0; i < page.keys.length; i++) {
        const left = below.get(children[i]!);
        const right = below.get(children[i + 1]!);
        const sep = page.keys[i]!;
        if (left?.max !== undefined && compareSnapshotKeys(left.max, sep) >= 0) {
          return `${where}: separator ${i} is not above every key of child ${i}`;
        }
        if (right?.min !== undefined && compareSnapshotKeys(sep, right.min) > 0) {
          return `${where}: separator ${i} is above the first key of child ${i + 1}`;
        }
      }
      childOrder.push(...children);
      here.set(page.pageId, { min: below.get(children[0]!)?.min, max: below.get(children[children.length - 1]!)?.max });
    }
    const nextLevel = snap.levels[li + 1];
    if (nextLevel !== undefined) {
      const actual = nextLevel.pages.map((p) => p.pageId);
      if (JSON.stringify(childOrder) !== JSON.stringify(actual)) {
        return `level ${expectedLevel}'s children [${childOrder.join(", ")}] are not level ${expectedLevel - 1}'s pages [${actual.join(", ")}]`;
      }
    }
    below = here;
  }
  const leaves = snap.levels[snap.levels.length - 1]!.pages;
  const entries = leaves.reduce((n, p) => n + p.keys.length, 0);
  if (entries !== tree.size) return `the leaves hold ${entries} entries, size is ${tree.size}`;
  if (pages + 1 !== tree.pageCount) return `the tree has ${pages} pages plus the meta page, pageCount is ${tree.pageCount}`;
  return undefined;
}

/**
 * The tree's shape without page ids: per level, per page, its keys; and per internal page
 * its children as positions in the level below. Two trees built by the same operations
 * with the same split and merge rules have the same shape, whatever pages they used.
 */
export function shape(snap: BPlusTreeSnapshot): string {
  const lines: string[] = [];
  snap.levels.forEach((level, li) => {
    const next = snap.levels[li + 1];
    const position = new Map(next?.pages.map((p, i) => [p.pageId, i]) ?? []);
    lines.push(
      level.pages
        .map((p) => `[${p.keys.join(" ")}]${p.children ? `→(${p.children.map((c) => position.get(c) ?? "?").join(",")})` : ""}`)
        .join(" "),
    );
  });
  return lines.join(" / ");
}

/** The shape as keys only, for messages: "[8] / [1 … 7] [8 … 14]" with keys shortened. */
export function brief(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first difference between two shapes, as "level 1: expected … received …". */
export function shapeDiff(want: string, got: string): string | undefined {
  if (want === got) return undefined;
  const w = want.split(" / ");
  const g = got.split(" / ");
  if (w.length !== g.length) return `height: expected ${w.length}, received ${g.length} (expected ${brief(want, 80)}, received ${brief(got, 80)})`;
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== g[i]) {
      const wp = w[i]!.split("] ");
      const gp = g[i]!.split("] ");
      let j = 0;
      while (j < wp.length && wp[j] === gp[j]) j++;
      return `level ${w.length - 1 - i}, page ${j}: expected ${brief(wp[j] ?? "none", 90)}], received ${brief(gp[j] ?? "none", 90)}]`;
    }
  }
  return undefined;
}

// ── the model-based run ────────────────────────────────────────────────────────────────

export type TreeOp =
  | { readonly op: "insert"; readonly key: number; readonly rid: number }
  | { readonly op: "delete"; readonly key: number; readonly rid?: number }
  | { readonly op: "deleteAll"; readonly key: number }
  | { readonly op: "get"; readonly key: number }
  | { readonly op: "range"; readonly lo?: number; readonly hi?: number; readonly loInclusive: boolean; readonly hiInclusive: boolean };

export function showOp(op: TreeOp, keys: readonly IndexKey[]): string {
  const k = (i: number) => showKey(keys[i]!);
  switch (op.op) {
    case "insert":
      return `insert(${k(op.key)}, ${ridToString(ridOf(op.rid))})`;
    case "delete":
      return op.rid === undefined ? `delete(${k(op.key)})` : `delete(${k(op.key)}, ${ridToString(ridOf(op.rid))})`;
    case "deleteAll":
      return `delete(${k(op.key)})`;
    case "get":
      return `get(${k(op.key)})`;
    case "range": {
      const lo = op.lo === undefined ? "−∞" : k(op.lo);
      const hi = op.hi === undefined ? "+∞" : k(op.hi);
      return `range ${op.loInclusive ? "[" : "("}${lo}, ${hi}${op.hiInclusive ? "]" : ")"}`;
    }
  }
}

export function showKey(key: IndexKey): string {
  if (Array.isArray(key)) return String(key[0]);
  if (typeof key === "string") return JSON.stringify(key.length > 12 ? `${key.slice(0, 10)}…(${key.length})` : key);
  if (key instanceof Uint8Array) return `0x${toHex(key).slice(0, 12)}${key.length > 6 ? `…(${key.length} bytes)` : ""}`;
  return String(key);
}

/** Rid number n as a record id: spread over pages and slots so rid order is not insertion order. */
export function ridOf(n: number): Rid {
  return makeRid((n * 7919) % 97, n % 13);
}

function compareRid(a: Rid, b: Rid): number {
  return a.pageId - b.pageId || a.slot - b.slot;
}

interface ModelEntry {
  readonly key: number;
  readonly enc: Uint8Array;
  readonly rid: Rid;
}

export interface ModelSpec {
  readonly setup: TreeSetup;
  readonly keys: readonly IndexKey[];
  /** Also build the engine's own tree by the same operations and compare shapes after each change. */
  readonly compareShape?: boolean;
  /** Check the structure every `checkEvery` changes (1: after each). */
  readonly checkEvery?: number;
}

export interface Coverage {
  maxHeight: number;
  rootShrinks: number;
  rootSplits: number;
}

/**
 * Apply `ops` to a fresh tree and a sorted array side by side; return the first
 * disagreement as a sentence, or undefined. Fills `coverage` when given.
 */
export function runModel(spec: ModelSpec, ops: readonly TreeOp[], coverage?: Coverage): string | undefined {
  const made = makeTree(spec.setup);
  const { tree } = made;
  const reference = spec.compareShape ? makeTree({ ...spec.setup, algorithms: {} }).tree : undefined;
  const unique = spec.setup.unique;
  const enc = spec.keys.map((k) => encodeKey(k));
  let model: ModelEntry[] = [];
  const order = (a: ModelEntry, b: ModelEntry) => compareBytes(a.enc, b.enc) || compareRid(a.rid, b.rid);
  const show = (e: { key: Uint8Array; rid: Rid }) => `${toHex(e.key).slice(0, 16)}@${ridToString(e.rid)}`;
  let changes = 0;
  for (let step = 0; step < ops.length; step++) {
    const op = ops[step]!;
    let whatText: string | undefined;
    const whatOf = () => (whatText ??= showOp(op, spec.keys));
    const heightBefore = tree.height;
    let got: unknown;
    let want: unknown;
    try {
      switch (op.op) {
        case "insert": {
          const r = ridOf(op.rid);
          const present = model.some((e) => e.key === op.key && (unique || compareRid(e.rid, r) === 0));
          got = tree.insert(spec.keys[op.key]!, r);
          reference?.insert(spec.keys[op.key]!, r);
          want = !present;
          if (!present) model = [...model, { key: op.key, enc: enc[op.key]!, rid: r }].sort(order);
          break;
        }
        case "delete": {
          const r = op.rid === undefined ? undefined : ridOf(op.rid);
          const hit = model.filter((e) => e.key === op.key && (r === undefined || compareRid(e.rid, r) === 0));
          got = tree.delete(spec.keys[op.key]!, r);
          reference?.delete(spec.keys[op.key]!, r);
          want = hit.length;
          model = model.filter((e) => !hit.includes(e));
          break;
        }
        case "deleteAll": {
          const hit = model.filter((e) => e.key === op.key);
          got = tree.delete(spec.keys[op.key]!);
          reference?.delete(spec.keys[op.key]!);
          want = hit.length;
          model = model.filter((e) => e.key !== op.key);
          break;
        }
        case "get": {
          const hits = model.filter((e) => e.key === op.key).map((e) => ridToString(e.rid));
          got = JSON.stringify([tree.get(spec.keys[op.key]!), tree.getAll(spec.keys[op.key]!)].map((x) => (Array.isArray(x) ? x.map(ridToString) : x === undefined ? "none" : ridToString(x))));
          want = JSON.stringify([hits[0] ?? "none", hits]);
          break;
        }
        case "range": {
          const lo = op.lo === undefined ? undefined : enc[op.lo]!;
          const hi = op.hi === undefined ? undefined : enc[op.hi]!;
          const expected = model.filter((e) => {
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
          const bounds = [op.lo === undefined ? undefined : spec.keys[op.lo], op.hi === undefined ? undefined : spec.keys[op.hi]] as const;
          const actual = [...tree.range(bounds[0], bounds[1], { loInclusive: op.loInclusive, hiInclusive: op.hiInclusive })];
          got = actual.map(show).join(" ");
          want = expected.map((e) => show({ key: e.enc, rid: e.rid })).join(" ");
          if (got !== want) {
            return `${whatOf()}: expected ${expected.length} entries [${brief(String(want), 60)}], received ${actual.length} [${brief(String(got), 60)}]`;
          }
          break;
        }
      }
    } catch (error) {
      if (speaksForItself(error)) throw error;
      const e = error as { name?: unknown; message?: unknown };
      return `${whatOf()} threw ${String(e?.name)}: ${String(e?.message)}`;
    }
    if (got !== want) return `${whatOf()}: expected ${String(want)}, received ${String(got)}`;
    if (tree.size !== model.length) return `size after ${whatOf()}: expected ${model.length}, received ${tree.size}`;
    if (op.op === "get" || op.op === "range") {
      const pins = pinsLeft(made.pool);
      if (pins !== undefined) return `pages left pinned after ${whatOf()}: ${pins}`;
      continue;
    }
    changes++;
    if (coverage) {
      coverage.maxHeight = Math.max(coverage.maxHeight, tree.height);
      if (tree.height < heightBefore) coverage.rootShrinks++;
      if (tree.height > heightBefore) coverage.rootSplits++;
    }
    if (changes % (spec.checkEvery ?? 1) === 0 || step === ops.length - 1) {
      const problem = structureProblem(made);
      if (problem !== undefined) return `after ${whatOf()}: ${problem}`;
      if (reference !== undefined) {
        const diff = shapeDiff(shape(reference.snapshot()), shape(tree.snapshot()));
        if (diff !== undefined) return `after ${whatOf()}, the tree differs from the engine's (same splits and merges expected): ${diff}`;
      }
    }
  }
  return undefined;
}

/**
 * Run the model; on a failure, shrink the sequence and fail with one line: what went wrong,
 * then the shortest sequence found that shows it. Returns what the full run went through.
 */
export function modelCheck(spec: ModelSpec, ops: readonly TreeOp[]): Coverage {
  const coverage: Coverage = { maxHeight: 0, rootShrinks: 0, rootSplits: 0 };
  const steps = (o: readonly TreeOp[]): string[] => {
    const all = o.map((op) => showOp(op, spec.keys));
    return all.length > 12 ? [...all.slice(0, 4), `… ${all.length - 8} more …`, ...all.slice(-4)] : all;
  };
  checkRun(
    ops,
    (candidate) => {
      // Only the full sequence (checkRun runs it first) counts towards coverage.
      const failure = runModel(spec, candidate, candidate === ops ? coverage : undefined);
      if (failure !== undefined) throw new Error(failure);
    },
    { maxRuns: TREE_SHRINK_RUNS, steps },
  );
  return coverage;
}

// ── key pools and operation mixes ──────────────────────────────────────────────────────

/** Distinct int keys, spread out so that ranges between them are not empty by accident. */
export function intKeys(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i * 7 - 1000);
}

/**
 * Distinct int keys made wide ((k, a 16-character string): 26 encoded bytes), so that a
 * 256-byte page holds six and a tree of a few hundred keys has four levels.
 */
export function wideIntKeys(n: number): IndexKey[] {
  return intKeys(n).map((k) => [k, "wide-key-padding"]);
}

/**
 * Distinct strings of 0 … 48 characters (encoded: up to 50 bytes, the limit of a unique
 * 256-byte-page tree), many sharing prefixes.
 */
export function stringKeys(n: number, seed: number, maxLength = 48): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    // Distinct stems (37 is prime to the sizes used), then a run of one letter.
    const stem = `${((i * 37) % n).toString(36)}-`;
    const length = r.int(maxLength + 1);
    const letter = String.fromCharCode(97 + r.int(26));
    return length <= stem.length ? stem : stem + letter.repeat(length - stem.length);
  });
}

export interface Mix {
  /** Percent of inserts in a growing phase and in a shrinking one. */
  readonly insertGrow: number;
  readonly insertShrink: number;
  /** Percent of deletes, gets, ranges (the rest of 100 after inserts, in that order). */
  readonly deletes: number;
  readonly gets: number;
  /** Length of a grow + shrink cycle. */
  readonly cycle: number;
  /** Non-unique trees: rid numbers to draw from per key. */
  readonly rids?: number;
  /** Chance that a delete names the rid (non-unique) or a wrong rid (unique). */
  readonly deleteWithRid?: number;
}

/**
 * Seeded operations: grow, then shrink towards empty, then grow again, with lookups and
 * scans. The generator keeps track of the keys it inserted, so most deletes hit one.
 */
export function randomOps(seed: number, count: number, keys: number, mix: Mix, unique: boolean): TreeOp[] {
  const r = rng(seed);
  const ops: TreeOp[] = [];
  const live: { key: number; rid: number }[] = [];
  const isLive = (key: number, rid: number) => live.some((e) => e.key === key && (unique || e.rid === rid));
  for (let i = 0; i < count; i++) {
    const key = r.int(keys);
    const growing = i % mix.cycle < mix.cycle * 0.55;
    const x = r.int(100);
    const ins = growing ? mix.insertGrow : mix.insertShrink;
    const ridNumber = unique ? key : key * 31 + r.int(mix.rids ?? 1);
    if (x < ins) {
      ops.push({ op: "insert", key, rid: ridNumber });
      if (!isLive(key, ridNumber)) live.push({ key, rid: ridNumber });
    } else if (x < ins + mix.deletes) {
      const target = live.length > 0 && r.bool(0.9) ? live.splice(r.int(live.length), 1)[0]! : { key, rid: ridNumber };
      if (!unique && r.bool(0.2)) ops.push({ op: "deleteAll", key: target.key });
      else if (r.bool(mix.deleteWithRid ?? 0)) ops.push({ op: "delete", key: target.key, rid: unique ? target.rid + 1 : target.rid });
      else ops.push(unique ? { op: "delete", key: target.key } : { op: "delete", key: target.key, rid: target.rid });
    } else if (x < ins + mix.deletes + mix.gets) ops.push({ op: "get", key });
    else {
      const lo = r.bool(0.85) ? r.int(keys) : undefined;
      const hi = r.bool(0.85) ? r.int(keys) : undefined;
      ops.push({ op: "range", ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }), loInclusive: r.bool(), hiInclusive: r.bool() });
    }
  }
  return ops;
}
