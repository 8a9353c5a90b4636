/**
 * Data-structure measurements
 * ===========================
 * The one place notebook 01's measurement cells and `npm run bench -- data-structures`
 * get their numbers from: the cells pass the structures `choose()` picked (the learner's
 * once their exercise passes), the suite passes the engine's. Every measurement times its
 * contenders in the same interleaved rounds, so `compare()` of the result gives ratios
 * with their spread from one run.
 *
 *   measureHashMap(HashMap)        100,000 integer keys (and string keys): get hit, get
 *                                  miss, build 10,000 keys, delete + set, string get;
 *                                  each operation its own two-task run against `Map`
 *   measureCache(Cache)            Zipf requests over 100,000 keys, get or set on a miss,
 *                                  capacity 10,000, against a `Map` used as an LRU
 *                                  (delete + re-insert on a hit) and a `Map` that never evicts
 *   measureTreeLookups(Tree, sizes)  1,000 present keys per call, the tree (t = 32) against
 *                                  sorted-btree (64 entries a node) and a sorted array
 *   measureTreeInserts(Tree, sizes)  build from N keys in random order; the sorted array
 *                                  only up to 30,000 keys (its build is O(N²))
 *   measureRangeScans(Tree)        100 scans of the 100 keys in [lo, lo + 200) over 100,000
 *                                  keys: the tree's generator against sorted-btree's
 *                                  `forRange` and a search + loop over the array
 *
 * Each measure… function runs the tasks that the function named alongside builds
 * (hashMapOperations, cacheTasks, treeLookupFactories, treeInsertFactories,
 * rangeScanTasks); the contenders of one comparison do the same work and return the same
 * value, which the tests check.
 *
 * Each task does a batch of operations per call and passes `perCall`, so rows read single
 * operations per second. Keys and requests come from seeded generators: every run measures
 * the same work. Benchmarks are not tests: nothing here fails on speed.
 */
import { type BTreeMapConstructor, type CacheConstructor, type HashTableConstructor, Random } from "@workbook/engine";
import SortedBTree from "sorted-btree";
import { bench, type BenchResult, type BenchTask, benchSeries, type Comparison, SeriesResult, type TaskFactory } from "./bench.js";

/** The sizes the tree measurements run at, unless told otherwise. */
export const TREE_SIZES: readonly number[] = [1_000, 3_000, 10_000, 30_000, 100_000];
/** A sorted array's build is O(N²): at 100,000 keys one build takes seconds, so it stops here. */
export const SORTED_ARRAY_MAX_BUILD = 30_000;
/** The tree's minimum degree t (up to 2t − 1 = 63 keys a node) and sorted-btree's node size to match. */
export const TREE_MIN_DEGREE = 32;
const PEER_NODE_SIZE = 64;

/** Task names, as the tables print them and `compare()` takes them. */
export const HASH_MAP = "hash map";
export const CACHE_TASKS = { cache: "LRU cache", mapLru: "Map as LRU (delete + re-insert)", mapAll: "Map, never evicts" } as const;
export const TREE_TASKS = { tree: "BTree", peer: "sorted-btree", array: "sorted array" } as const;
export const SCAN_TASKS = { tree: "BTree range (generator)", peer: "sorted-btree forRange", array: "sorted array: search + loop" } as const;

/** A measurement's time budget in ms (bench() quarters it at the small size tests and CI use). */
export interface MeasureOptions {
  readonly time?: number;
}

/** `count` keys drawn from 0…n−1 with P(key k) ∝ 1/(k + 1): a Zipf law with exponent 1, seeded. */
export function zipfKeys(n: number, count: number, seed: number): number[] {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += 1 / (k + 1);
  const rng = new Random(seed);
  return Array.from({ length: count }, () => {
    const x = rng.float() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

/** The first index i with sorted[i] ≥ key. */
export function binarySearch(sorted: readonly number[], key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------
// Hash map against Map

export const HASH_MAP_KEYS = 100_000;

/** One operation, the hash map's task and Map's doing the same work. */
export interface HashMapOperation {
  readonly operation: string;
  /** Operations one call performs. */
  readonly perCall: number;
  readonly ours: BenchTask;
  readonly map: BenchTask;
}

/** The hash-map operations over 100,000 keys, on a table made by `HashMap` and on `Map`. */
export function hashMapOperations(HashMap: HashTableConstructor): HashMapOperation[] {
  const rng = new Random(1);
  const intKeys = rng.shuffle(Array.from({ length: HASH_MAP_KEYS }, (_, i) => i * 7 + 3));
  const strKeys = intKeys.map((k) => `customer:${k}`);
  const hits = Array.from({ length: 1_000 }, () => intKeys[rng.int(HASH_MAP_KEYS)]!);
  const strHits = hits.map((k) => `customer:${k}`);
  const misses = Array.from({ length: 1_000 }, (_, i) => i * 7 + 5); // ≡ 5 mod 7: never inserted
  const ours = new HashMap<number, number>();
  const theirs = new Map<number, number>();
  const oursStr = new HashMap<string, number>();
  const theirsStr = new Map<string, number>();
  intKeys.forEach((k, i) => {
    ours.set(k, i);
    theirs.set(k, i);
    oursStr.set(strKeys[i]!, i);
    theirsStr.set(strKeys[i]!, i);
  });
  // Each task's loop is written out on its own: no call site inside a shared helper that
  // would see both contenders' methods (a polymorphic call would slow both alike and
  // squeeze the ratio towards 1).
  return [
    {
      operation: "get, key present",
      perCall: 1_000,
      ours: () => { let s = 0; for (const k of hits) s += ours.get(k)!; return s; },
      map: () => { let s = 0; for (const k of hits) s += theirs.get(k)!; return s; },
    },
    {
      operation: "get, key absent",
      perCall: 1_000,
      ours: () => { let n = 0; for (const k of misses) if (ours.get(k) === undefined) n++; return n; },
      map: () => { let n = 0; for (const k of misses) if (theirs.get(k) === undefined) n++; return n; },
    },
    {
      operation: "set: build 10,000 keys",
      perCall: 10_000,
      ours: () => { const m = new HashMap<number, number>(); for (let i = 0; i < 10_000; i++) m.set(intKeys[i]!, i); return m; },
      map: () => { const m = new Map<number, number>(); for (let i = 0; i < 10_000; i++) m.set(intKeys[i]!, i); return m; },
    },
    {
      operation: "delete, then set again",
      perCall: 1_000,
      ours: () => { for (const k of hits) { ours.delete(k); ours.set(k, k); } },
      map: () => { for (const k of hits) { theirs.delete(k); theirs.set(k, k); } },
    },
    {
      operation: "get, string key",
      perCall: 1_000,
      ours: () => { let s = 0; for (const k of strHits) s += oursStr.get(k)!; return s; },
      map: () => { let s = 0; for (const k of strHits) s += theirsStr.get(k)!; return s; },
    },
  ];
}

/** One operation measured: both tasks' rows in `result`, the hash map against Map in `comparison`. */
export interface HashMapMeasurement {
  readonly operation: string;
  readonly result: BenchResult;
  /** The hash map's ops/s ÷ Map's, per round (above 1: the hash map is faster). */
  readonly comparison: Comparison;
}

/** Every hash-map operation as its own interleaved run of the table made by `HashMap` and `Map`. */
export async function measureHashMap(HashMap: HashTableConstructor, options: MeasureOptions = {}): Promise<HashMapMeasurement[]> {
  const measured: HashMapMeasurement[] = [];
  for (const { operation, perCall, ours, map } of hashMapOperations(HashMap)) {
    const result = await bench({ Map: map, [HASH_MAP]: ours }, { baseline: "Map", time: options.time ?? 1_000, perCall, title: operation });
    measured.push({ operation, result, comparison: result.compare(HASH_MAP, "Map") });
  }
  return measured;
}

// ---------------------------------------------------------------------------------------
// LRU cache against Map

export const CACHE_CAPACITY = 10_000;
const REQUESTS = 1 << 17;
const REQUESTS_PER_CALL = 1_000;

/** The three contenders, each serving the same endless stream of Zipf requests, 1,000 a call. */
export function cacheTasks(Cache: CacheConstructor): Record<string, BenchTask> {
  const requests = zipfKeys(100_000, REQUESTS, 5);
  const stream = (step: (key: number) => void): BenchTask => {
    let at = 0;
    return () => {
      for (let i = 0; i < REQUESTS_PER_CALL; i++) step(requests[(at + i) & (REQUESTS - 1)]!);
      at = (at + REQUESTS_PER_CALL) & (REQUESTS - 1);
    };
  };
  const cache = new Cache<number, number>(CACHE_CAPACITY);
  const mapLru = new Map<number, number>();
  const mapAll = new Map<number, number>();
  return {
    [CACHE_TASKS.mapLru]: stream((key) => {
      const v = mapLru.get(key);
      if (v !== undefined) {
        mapLru.delete(key);
        mapLru.set(key, v);
      } else {
        mapLru.set(key, key);
        if (mapLru.size > CACHE_CAPACITY) mapLru.delete(mapLru.keys().next().value!);
      }
    }),
    [CACHE_TASKS.cache]: stream((key) => {
      if (cache.get(key) === undefined) cache.set(key, key);
    }),
    [CACHE_TASKS.mapAll]: stream((key) => {
      if (mapAll.get(key) === undefined) mapAll.set(key, key);
    }),
  };
}

/** The cache made by `Cache` against both Maps, requests per second, in one interleaved run. */
export function measureCache(Cache: CacheConstructor, options: MeasureOptions = {}): Promise<BenchResult> {
  return bench(cacheTasks(Cache), {
    baseline: CACHE_TASKS.mapLru,
    time: options.time ?? 1_500,
    perCall: REQUESTS_PER_CALL,
    title: "LRU caches, requests per second",
  });
}

// ---------------------------------------------------------------------------------------
// B-tree against sorted-btree and a sorted array

/** n distinct even keys 0, 2, …, 2(n − 1) in a seeded random order. */
export const treeKeys = (n: number): number[] => new Random(n).shuffle(Array.from({ length: n }, (_, i) => i * 2));
const queriesFor = (n: number): number[] => {
  const rng = new Random(n + 1);
  return Array.from({ length: 1_000 }, () => rng.int(n) * 2);
};

/** Point lookups of 1,000 present keys per call, one factory per contender (the sum of the values found). */
export function treeLookupFactories(Tree: BTreeMapConstructor): Record<string, TaskFactory> {
  // One loop per contender, as in hashMapOperations: no shared call site.
  return {
    [TREE_TASKS.tree]: (n) => {
      const tree = new Tree<number, number>({ minDegree: TREE_MIN_DEGREE });
      for (const k of treeKeys(n)) tree.insert(k, k);
      const q = queriesFor(n);
      return () => { let s = 0; for (const k of q) s += tree.search(k)!; return s; };
    },
    [TREE_TASKS.peer]: (n) => {
      const tree = new SortedBTree<number, number>(undefined, undefined, PEER_NODE_SIZE);
      for (const k of treeKeys(n)) tree.set(k, k);
      const q = queriesFor(n);
      return () => { let s = 0; for (const k of q) s += tree.get(k)!; return s; };
    },
    [TREE_TASKS.array]: (n) => {
      const sorted = treeKeys(n).sort((a, b) => a - b);
      const q = queriesFor(n);
      return () => { let s = 0; for (const k of q) s += sorted[binarySearch(sorted, k)]!; return s; };
    },
  };
}

/** Point lookups at every size in `sizes`, the three contenders interleaved at each. */
export function measureTreeLookups(Tree: BTreeMapConstructor, sizes: readonly number[] = TREE_SIZES, options: MeasureOptions = {}): Promise<SeriesResult> {
  return benchSeries(treeLookupFactories(Tree), sizes, {
    time: options.time ?? 600,
    perCall: 1_000,
    title: "Point lookups against size",
    nTitle: "keys in the structure",
  });
}

/** Inserts measured in two runs: all three structures up to 30,000 keys, the trees alone above. */
export interface TreeInserts {
  /** Every size, every structure that was measured at it (for the table and the chart). */
  readonly all: SeriesResult;
  /** Sizes ≤ 30,000: the trees and the sorted array in the same rounds. */
  readonly small: SeriesResult;
  /** Sizes above 30,000: the two trees. */
  readonly large: SeriesResult;
}

/** One build from n keys in random order per call, one factory per contender (the structure built). */
export function treeInsertFactories(Tree: BTreeMapConstructor): Record<string, TaskFactory> {
  return {
    [TREE_TASKS.tree]: (n) => {
      const keys = treeKeys(n);
      return () => { const tree = new Tree<number, number>({ minDegree: TREE_MIN_DEGREE }); for (const k of keys) tree.insert(k, k); return tree; };
    },
    [TREE_TASKS.peer]: (n) => {
      const keys = treeKeys(n);
      return () => { const tree = new SortedBTree<number, number>(undefined, undefined, PEER_NODE_SIZE); for (const k of keys) tree.set(k, k); return tree; };
    },
    [TREE_TASKS.array]: (n) => {
      const keys = treeKeys(n);
      return () => { const sorted: number[] = []; for (const k of keys) sorted.splice(binarySearch(sorted, k), 0, k); return sorted; };
    },
  };
}

/** Builds from N keys in random order, divided by N: inserts per second. */
export async function measureTreeInserts(Tree: BTreeMapConstructor, sizes: readonly number[] = TREE_SIZES, options: MeasureOptions = {}): Promise<TreeInserts> {
  const { [TREE_TASKS.array]: array, ...trees } = treeInsertFactories(Tree);
  const title = "Inserts in random order against size";
  const settings = { time: options.time ?? 800, iterations: 5, warmup: false, perCall: (n: number) => n, title, nTitle: "keys inserted" };
  const small = await benchSeries({ ...trees, [TREE_TASKS.array]: array! }, sizes.filter((n) => n <= SORTED_ARRAY_MAX_BUILD), settings);
  const large = await benchSeries(trees, sizes.filter((n) => n > SORTED_ARRAY_MAX_BUILD), settings);
  return { all: new SeriesResult(title, settings.nTitle, small.tasks, sizes, [...small.rows, ...large.rows]), small, large };
}

export const SCAN_KEYS = 100_000;
/** Scans per call, each of the keys in [lo, lo + 200): 100 keys. */
export const SCANS_PER_CALL = 100;

/** Range scans over 100,000 keys, 100 a call (the sum of the values seen): the tree's generator, sorted-btree's callback, the array's loop. */
export function rangeScanTasks(Tree: BTreeMapConstructor): Record<string, BenchTask> {
  const keys = treeKeys(SCAN_KEYS);
  const tree = new Tree<number, number>({ minDegree: TREE_MIN_DEGREE });
  const peer = new SortedBTree<number, number>(undefined, undefined, PEER_NODE_SIZE);
  for (const k of keys) {
    tree.insert(k, k);
    peer.set(k, k);
  }
  const sorted = [...keys].sort((a, b) => a - b);
  const starts = Array.from({ length: SCANS_PER_CALL }, (_, i) => new Random(99 + i).int(SCAN_KEYS - 100) * 2);
  return {
    [SCAN_TASKS.peer]: () => {
      let s = 0;
      for (const lo of starts) peer.forRange(lo, lo + 200, false, (_k, v) => void (s += v));
      return s;
    },
    [SCAN_TASKS.tree]: () => {
      let s = 0;
      for (const lo of starts) for (const [, v] of tree.range(lo, lo + 200)) s += v;
      return s;
    },
    [SCAN_TASKS.array]: () => {
      let s = 0;
      for (const lo of starts) for (let i = binarySearch(sorted, lo); i < sorted.length && sorted[i]! < lo + 200; i++) s += sorted[i]!;
      return s;
    },
  };
}

/** The three range scans in one interleaved run, scans per second. */
export function measureRangeScans(Tree: BTreeMapConstructor, options: MeasureOptions = {}): Promise<BenchResult> {
  return bench(rangeScanTasks(Tree), {
    baseline: SCAN_TASKS.peer,
    time: options.time ?? 1_500,
    perCall: SCANS_PER_CALL,
    title: "Range scans of 100 keys each, 100,000 keys",
  });
}
