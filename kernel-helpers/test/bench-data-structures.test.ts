/**
 * Notebook 01's measurements (bench/data-structures.ts), which its cells run on the
 * structures `choose()` picked and `npm run bench -- data-structures` on the engine's:
 * every contender of a comparison does the same work (same answers), the structure passed
 * in is the one measured, and the results come back as compare() needs them. Timings are
 * never asserted; budgets are tiny.
 */
import { describe, expect, it } from "vitest";
import {
  type BTreeMap,
  type BTreeMapConstructor,
  type Cache,
  type CacheConstructor,
  type HashKey,
  type HashTable,
  type HashTableConstructor,
  LruCache,
  MemBTree,
  type MemBTreeOptions,
  OpenAddressingHashMap,
} from "@workbook/engine";
import {
  CACHE_CAPACITY,
  CACHE_TASKS,
  cacheTasks,
  HASH_MAP,
  hashMapOperations,
  measureCache,
  measureHashMap,
  measureTreeInserts,
  rangeScanTasks,
  SCAN_TASKS,
  TREE_TASKS,
  treeInsertFactories,
  treeLookupFactories,
  zipfKeys,
} from "../src/bench/data-structures.js";

const tiny = { time: 8 } as const;

// The engine's structures, remembering every instance made: proof that the measurement
// runs on the class it is given (a notebook passes the learner's).
const tablesMade: unknown[] = [];
class RecordedTable<K extends HashKey, V> extends OpenAddressingHashMap<K, V> {
  constructor(initialCapacity?: number) {
    super(initialCapacity);
    tablesMade.push(this);
  }
}
const cachesMade: Cache<unknown, unknown>[] = [];
class RecordedCache<K, V> extends LruCache<K, V> {
  constructor(capacity: number) {
    super(capacity);
    cachesMade.push(this as Cache<unknown, unknown>);
  }
}
const treesMade: BTreeMap<unknown, unknown>[] = [];
class RecordedTree<K, V> extends MemBTree<K, V> {
  constructor(options?: MemBTreeOptions<K>) {
    super(options);
    treesMade.push(this as BTreeMap<unknown, unknown>);
  }
}

describe("hash map against Map", () => {
  it("both contenders of every operation do the same work and return the same answer", () => {
    const operations = hashMapOperations(OpenAddressingHashMap);
    expect(operations.map((o) => o.operation)).toEqual(["get, key present", "get, key absent", "set: build 10,000 keys", "delete, then set again", "get, string key"]);
    for (const { operation, ours, map } of operations) {
      const [a, b] = [ours(), map()];
      if (operation.startsWith("set")) expect((a as HashTable<number, number>).size).toBe((b as Map<number, number>).size);
      else expect(a, operation).toEqual(b);
    }
    // Lookups of present keys add up values; misses count absent keys: 1,000 of them.
    expect(operations[1]!.ours()).toBe(1_000);
  });

  it("measures the table the caller passes, and compares it with Map in one run", async () => {
    const Table: HashTableConstructor = RecordedTable;
    const measured = await measureHashMap(Table, tiny);
    // Two tables for integer and string lookups, and one per build call.
    expect(tablesMade.length).toBeGreaterThan(2);
    expect(measured).toHaveLength(5);
    for (const { result, comparison } of measured) {
      expect(result.rows.map((r) => r.name)).toEqual(["Map", HASH_MAP]);
      expect(comparison).toEqual(result.compare(HASH_MAP, "Map"));
    }
  });
});

describe("LRU cache against Map", () => {
  it("the cache passed in serves the Zipf requests and stays at capacity", async () => {
    const Caches: CacheConstructor = RecordedCache;
    const tasks = cacheTasks(Caches);
    expect(Object.keys(tasks)).toEqual([CACHE_TASKS.mapLru, CACHE_TASKS.cache, CACHE_TASKS.mapAll]);
    // 100,000 requests touch far more than 10,000 distinct keys: the cache fills, then evicts.
    for (let i = 0; i < 100; i++) tasks[CACHE_TASKS.cache]!();
    expect(cachesMade).toHaveLength(1);
    const cache = cachesMade[0]!;
    expect(cache.size).toBe(CACHE_CAPACITY);
    // The most popular key of a Zipf law (key 0) is requested all the time: it is cached.
    expect(cache.has(0)).toBe(true);
    const result = await measureCache(LruCache, tiny);
    expect(result.baseline).toBe(CACHE_TASKS.mapLru);
    expect(result.compare(CACHE_TASKS.cache, CACHE_TASKS.mapAll).text).not.toBe("n/a");
  });

  it("zipfKeys is seeded and skewed: key 0 is the most frequent", () => {
    const keys = zipfKeys(1_000, 5_000, 3);
    expect(zipfKeys(1_000, 5_000, 3)).toEqual(keys);
    const count = (k: number) => keys.filter((x) => x === k).length;
    expect(count(0)).toBeGreaterThan(count(1));
    expect(count(1)).toBeGreaterThan(count(500));
    expect(keys.every((k) => Number.isInteger(k) && k >= 0 && k < 1_000)).toBe(true);
  });
});

describe("B-tree against sorted-btree and a sorted array", () => {
  it("lookups find the same values in all three, and builds hold the same keys", async () => {
    const Tree: BTreeMapConstructor = RecordedTree;
    const lookups = treeLookupFactories(Tree);
    expect(Object.keys(lookups)).toEqual([TREE_TASKS.tree, TREE_TASKS.peer, TREE_TASKS.array]);
    const sums = await Promise.all(Object.values(lookups).map(async (factory) => (await factory(2_000))()));
    expect(new Set(sums).size).toBe(1);
    expect(treesMade).toHaveLength(1);
    expect(treesMade[0]!.minDegree).toBe(32);

    const builds = treeInsertFactories(MemBTree);
    const tree = (await builds[TREE_TASKS.tree]!(500))() as BTreeMap<number, number>;
    const sorted = (await builds[TREE_TASKS.array]!(500))() as number[];
    expect([...tree.entries()].map(([k]) => k)).toEqual(sorted);
    expect(sorted).toEqual(Array.from({ length: 500 }, (_, i) => i * 2));
  });

  it("the sorted array is built only up to 30,000 keys; the trees at every size", async () => {
    const inserts = await measureTreeInserts(MemBTree, [1_000, 40_000], tiny);
    expect(inserts.small.ns).toEqual([1_000]);
    expect(inserts.large.ns).toEqual([40_000]);
    expect(inserts.all.row(TREE_TASKS.array, 40_000)).toBeUndefined();
    expect(inserts.all.row(TREE_TASKS.tree, 40_000)).toBeDefined();
    expect(inserts.all.tasks).toEqual([TREE_TASKS.tree, TREE_TASKS.peer, TREE_TASKS.array]);
  }, 60_000);

  it("range scans return the same sum from the tree's generator, sorted-btree and the array", () => {
    const tasks = rangeScanTasks(MemBTree);
    const sums = [SCAN_TASKS.tree, SCAN_TASKS.peer, SCAN_TASKS.array].map((name) => tasks[name]!());
    expect(sums[0]).toBeGreaterThan(0);
    expect(new Set(sums).size).toBe(1);
  });
});
