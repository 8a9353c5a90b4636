import { describe, expect, test } from "vitest";
import { LruCache } from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { expectDbError } from "../../test-support/errors.js";
import { same } from "../../test-support/assert.js";

type Op =
  | { op: "set"; key: number; value: number }
  | { op: "get"; key: number }
  | { op: "peek"; key: number }
  | { op: "delete"; key: number };

/** The obvious O(n) LRU: an array of keys, most recent first. */
class ArrayLru {
  order: number[] = [];
  values = new Map<number, number>();
  evicted: [number, number][] = [];
  constructor(readonly capacity: number) {}
  touch(key: number) {
    this.order = [key, ...this.order.filter((k) => k !== key)];
  }
  get(key: number) {
    if (!this.values.has(key)) return undefined;
    this.touch(key);
    return this.values.get(key);
  }
  set(key: number, value: number) {
    this.values.set(key, value);
    this.touch(key);
    if (this.order.length > this.capacity) {
      const victim = this.order.pop() as number;
      this.evicted.push([victim, this.values.get(victim) as number]);
      this.values.delete(victim);
    }
  }
  delete(key: number) {
    this.order = this.order.filter((k) => k !== key);
    return this.values.delete(key);
  }
}

describe("01 LRU cache", () => {
  test("matches an O(n) array LRU over seeded random operations, evictions included", () => {
    for (const capacity of [1, 3, 10]) {
      checkModel<Op>({
        seed: capacity,
        count: 3000,
        generate: (rng, i) => {
          const key = rng.int(capacity * 3);
          const r = rng.int(10);
          if (r < 5) return { op: "set", key, value: i };
          if (r < 8) return { op: "get", key };
          if (r < 9) return { op: "peek", key };
          return { op: "delete", key };
        },
        run: (ops) => {
          const evicted: [number, number][] = [];
          const cache = new LruCache<number, number>(capacity, { onEvict: (k, v) => evicted.push([k, v]) });
          const model = new ArrayLru(capacity);
          for (const op of ops) {
            switch (op.op) {
              case "set":
                cache.set(op.key, op.value);
                model.set(op.key, op.value);
                break;
              case "get":
                same(cache.get(op.key), model.get(op.key), `get(${op.key})`);
                break;
              case "peek":
                same(cache.peek(op.key), model.values.get(op.key), `peek(${op.key})`);
                break;
              case "delete":
                same(cache.delete(op.key), model.delete(op.key), `delete(${op.key})`);
                break;
            }
            same(cache.size, model.order.length, "size");
          }
          same(JSON.stringify(cache.keys()), JSON.stringify(model.order), "recency order");
          same(JSON.stringify(evicted), JSON.stringify(model.evicted), "evictions");
        },
      });
    }
  });

  test("evicts the least recently used, and get refreshes recency while peek and has do not", () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (k) => evicted.push(k) });
    cache.set("a", 1).set("b", 2);
    cache.get("a");
    cache.set("c", 3); // b is least recent
    expect(evicted).toEqual(["b"]);
    cache.peek("a");
    cache.has("a");
    cache.set("d", 4); // a is least recent: peek/has did not refresh it
    expect(evicted).toEqual(["b", "a"]);
    expect(cache.entries()).toEqual([
      ["d", 4],
      ["c", 3],
    ]);
  });

  test("overwrite, delete and clear are not evictions", () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (k) => evicted.push(k) });
    cache.set("a", 1).set("a", 2).set("b", 3);
    cache.delete("a");
    cache.clear();
    expect(evicted).toEqual([]);
    expect(cache.size).toBe(0);
    expect(cache.get("b")).toBeUndefined();
  });

  test("onEvict sees a consistent cache", () => {
    const cache: LruCache<number, number> = new LruCache<number, number>(1, {
      onEvict: (k) => {
        expect(cache.has(k)).toBe(false);
        expect(cache.size).toBe(1);
      },
    });
    cache.set(1, 1).set(2, 2);
    expect(cache.keys()).toEqual([2]);
  });

  test("foolish capacities are refused", () => {
    expectDbError(() => new LruCache(0), "invalid-argument");
    expectDbError(() => new LruCache(Number.POSITIVE_INFINITY), "invalid-argument");
  });
});
