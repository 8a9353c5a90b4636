/**
 * Hidden suite for exercise 01.2: the LRU cache.
 * Public API only, checked against an obvious O(n) model (an array of keys, most recent
 * first) over seeded random operations, failures shrunk to a short sequence; then the
 * contract's edge cases: capacity 1, what counts as an eviction, recency of each call,
 * and what `onEvict` may see.
 */
import { describe, expect, it } from "vitest";
import { checkRun, expectDbError, rng, sameJson } from "../../test-support/index.js";
import { LruCache } from "@submission";

// ---------------------------------------------------------------------------------------
// The model: the obvious O(n) LRU

class ArrayLru {
  order: number[] = []; // most recent first
  values = new Map<number, number>();
  evicted: [number, number][] = [];
  constructor(readonly capacity: number) {}
  #touch(key: number): void {
    this.order = [key, ...this.order.filter((k) => k !== key)];
  }
  get(key: number): number | undefined {
    if (!this.values.has(key)) return undefined;
    this.#touch(key);
    return this.values.get(key);
  }
  set(key: number, value: number): void {
    this.values.set(key, value);
    this.#touch(key);
    if (this.order.length > this.capacity) {
      const victim = this.order.pop()!;
      this.evicted.push([victim, this.values.get(victim)!]);
      this.values.delete(victim);
    }
  }
  delete(key: number): boolean {
    this.order = this.order.filter((k) => k !== key);
    return this.values.delete(key);
  }
  clear(): void {
    this.order = [];
    this.values.clear();
  }
}

type Op =
  | { op: "set"; key: number; value: number }
  | { op: "get" | "peek" | "has" | "delete"; key: number }
  | { op: "clear" };

const showOp = (o: Op): string => (o.op === "set" ? `set(${o.key}, ${o.value})` : o.op === "clear" ? "clear()" : `${o.op}(${o.key})`);

function runAgainstModel(capacity: number): (ops: readonly Op[]) => void {
  return (ops) => {
    const evicted: [number, number][] = [];
    const cache = new LruCache<number, number>(capacity, { onEvict: (k, v) => evicted.push([k, v]) });
    const model = new ArrayLru(capacity);
    for (const o of ops) {
      switch (o.op) {
        case "set":
          sameJson(cache.set(o.key, o.value) === cache, true, `set(${o.key}) returns the cache`);
          model.set(o.key, o.value);
          sameJson(evicted, model.evicted, `evictions (key, value) so far, after set(${o.key})`);
          break;
        case "get":
          sameJson(cache.get(o.key), model.get(o.key), `get(${o.key})`);
          break;
        case "peek":
          sameJson(cache.peek(o.key), model.values.get(o.key), `peek(${o.key})`);
          break;
        case "has":
          sameJson(cache.has(o.key), model.values.has(o.key), `has(${o.key})`);
          break;
        case "delete":
          sameJson(cache.delete(o.key), model.delete(o.key), `delete(${o.key})`);
          break;
        case "clear":
          cache.clear();
          model.clear();
          break;
      }
      sameJson(cache.size, model.order.length, "size");
      sameJson(cache.keys(), model.order, "keys() from most to least recent");
    }
    sameJson(cache.entries(), model.order.map((k) => [k, model.values.get(k)]), "entries() from most to least recent");
    sameJson(evicted, model.evicted, "evictions (key, value)");
  };
}

// ---------------------------------------------------------------------------------------

describe("01.2 LRU cache: the contract", () => {
  it("an empty cache has size 0 and finds nothing", () => {
    const cache = new LruCache<string, number>(3);
    expect(cache.capacity, "capacity").toBe(3);
    expect(cache.size, "size").toBe(0);
    expect(cache.get("a"), "get(\"a\")").toBeUndefined();
    expect(cache.peek("a"), "peek(\"a\")").toBeUndefined();
    expect(cache.has("a"), "has(\"a\")").toBe(false);
    expect(cache.delete("a"), "delete(\"a\")").toBe(false);
    expect(cache.keys(), "keys()").toEqual([]);
    expect(cache.entries(), "entries()").toEqual([]);
  });

  it("capacity 2: set a, set b, get a, set c evicts b", () => {
    const evicted: [string, number][] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (k, v) => evicted.push([k, v]) });
    expect(cache.set("a", 1), "set returns the cache").toBe(cache);
    cache.set("b", 2);
    expect(cache.get("a"), "get(\"a\")").toBe(1);
    cache.set("c", 3);
    expect(evicted, "onEvict calls (key, value)").toEqual([["b", 2]]);
    expect(cache.keys(), "keys(), most recent first").toEqual(["c", "a"]);
    expect(cache.has("b"), "has(\"b\") after its eviction").toBe(false);
    expect(cache.get("b"), "get(\"b\") after its eviction").toBeUndefined();
    expect(cache.size, "size").toBe(2);
  });

  it("without get, the first key in is the first key out", () => {
    const evicted: number[] = [];
    const cache = new LruCache<number, number>(3, { onEvict: (k) => evicted.push(k) });
    for (let i = 1; i <= 6; i++) cache.set(i, i * 10);
    expect(evicted, "evicted keys in order").toEqual([1, 2, 3]);
    expect(cache.entries(), "entries(), most recent first").toEqual([
      [6, 60],
      [5, 50],
      [4, 40],
    ]);
  });

  it("evicts without an onEvict callback too", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1).set("b", 2).set("c", 3);
    expect(cache.keys(), "keys()").toEqual(["c", "b"]);
    expect(cache.size, "size").toBe(2);
  });

  it("capacity 1: each new key evicts the one before; an overwrite evicts nothing", () => {
    const evicted: [string, number][] = [];
    const cache = new LruCache<string, number>(1, { onEvict: (k, v) => evicted.push([k, v]) });
    cache.set("a", 1);
    cache.set("a", 2);
    expect(evicted, "after overwriting the only key").toEqual([]);
    expect(cache.get("a"), "get(\"a\") after overwrite").toBe(2);
    cache.set("b", 3);
    expect(evicted, "after set(\"b\")").toEqual([["a", 2]]);
    cache.get("b");
    cache.set("c", 4);
    expect(evicted, "after set(\"c\")").toEqual([
      ["a", 2],
      ["b", 3],
    ]);
    expect(cache.entries(), "entries()").toEqual([["c", 4]]);
  });

  it("get makes a key the most recent; peek and has do not", () => {
    const cache = new LruCache<string, number>(3);
    cache.set("a", 1).set("b", 2).set("c", 3);
    expect(cache.keys(), "after three sets").toEqual(["c", "b", "a"]);
    expect(cache.peek("a"), "peek(\"a\")").toBe(1);
    expect(cache.has("a"), "has(\"a\")").toBe(true);
    expect(cache.keys(), "after peek and has of \"a\"").toEqual(["c", "b", "a"]);
    expect(cache.get("a"), "get(\"a\")").toBe(1);
    expect(cache.keys(), "after get(\"a\")").toEqual(["a", "c", "b"]);
    expect(cache.get("b"), "get(\"b\")").toBe(2);
    expect(cache.keys(), "after get(\"b\")").toEqual(["b", "a", "c"]);
    expect(cache.get("zzz"), "get of a missing key").toBeUndefined();
    expect(cache.keys(), "a miss changes nothing").toEqual(["b", "a", "c"]);
  });

  it("overwriting a key makes it the most recent and is not an eviction", () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(3, { onEvict: (k) => evicted.push(k) });
    cache.set("a", 1).set("b", 2).set("c", 3);
    cache.set("a", 10);
    expect(cache.keys(), "after overwriting \"a\"").toEqual(["a", "c", "b"]);
    expect(cache.size, "size").toBe(3);
    expect(evicted, "evictions").toEqual([]);
    cache.set("d", 4);
    expect(evicted, "the next new key evicts \"b\", now least recent").toEqual(["b"]);
    expect(cache.peek("a"), "the new value").toBe(10);
  });

  it("delete removes without calling onEvict, and frees room", () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (k) => evicted.push(k) });
    cache.set("a", 1).set("b", 2);
    expect(cache.delete("a"), "delete(\"a\")").toBe(true);
    expect(cache.delete("a"), "delete(\"a\") again").toBe(false);
    expect(cache.size, "size").toBe(1);
    cache.set("c", 3);
    expect(evicted, "no eviction: the delete made room").toEqual([]);
    expect(cache.keys(), "keys()").toEqual(["c", "b"]);
    expect(cache.delete("b"), "delete of the least recent key").toBe(true);
    expect(cache.delete("c"), "delete of the most recent key").toBe(true);
    expect(cache.keys(), "keys() after deleting all").toEqual([]);
    cache.set("d", 4).set("e", 5).set("f", 6);
    expect(evicted, "evictions after refilling").toEqual(["d"]);
  });

  it("clear empties without calling onEvict, and the cache is reusable", () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { onEvict: (k) => evicted.push(k) });
    cache.set("a", 1).set("b", 2);
    cache.clear();
    expect(evicted, "evictions").toEqual([]);
    expect(cache.size, "size").toBe(0);
    expect(cache.get("a"), "get(\"a\")").toBeUndefined();
    expect(cache.keys(), "keys()").toEqual([]);
    cache.set("c", 3).set("d", 4).set("e", 5);
    expect(evicted, "evictions after refilling").toEqual(["c"]);
    expect(cache.keys(), "keys() after refilling").toEqual(["e", "d"]);
  });

  it("onEvict runs after the victim is gone and the new key is in", () => {
    const seen: unknown[] = [];
    const cache: InstanceType<typeof LruCache<string, number>> = new LruCache<string, number>(2, {
      onEvict: (k, v) => seen.push({ k, v, size: cache.size, hasVictim: cache.has(k), hasNew: cache.has("c"), keys: cache.keys() }),
    });
    cache.set("a", 1).set("b", 2).set("c", 3);
    expect(seen, "what onEvict saw").toEqual([{ k: "a", v: 1, size: 2, hasVictim: false, hasNew: true, keys: ["c", "b"] }]);
  });

  it("onEvict may use the cache: re-inserting the victim evicts the next one", () => {
    const evicted: string[] = [];
    const cache: InstanceType<typeof LruCache<string, number>> = new LruCache<string, number>(2, {
      onEvict: (k, v) => {
        evicted.push(k);
        if (k === "a") cache.set("a2", v);
      },
    });
    cache.set("a", 1).set("b", 2).set("c", 3);
    expect(evicted, "evictions").toEqual(["a", "b"]);
    expect(cache.keys(), "keys()").toEqual(["a2", "c"]);
  });

  it("keys are compared like Map keys: objects by identity, NaN equals NaN", () => {
    const k1 = { id: 1 };
    const k2 = { id: 1 };
    const cache = new LruCache<unknown, string>(4);
    cache.set(k1, "one").set(k2, "two").set(Number.NaN, "nan");
    expect(cache.get(k1), "get(k1)").toBe("one");
    expect(cache.get(k2), "get(k2), an equal but different object").toBe("two");
    expect(cache.get(Number.NaN), "get(NaN)").toBe("nan");
    expect(cache.size, "size").toBe(3);
  });

  it("keys() and entries() return new arrays that do not change the cache", () => {
    const cache = new LruCache<string, number>(3);
    cache.set("a", 1).set("b", 2);
    cache.keys().pop();
    cache.entries().length = 0;
    expect(cache.entries(), "entries() after mutating earlier results").toEqual([
      ["b", 2],
      ["a", 1],
    ]);
  });

  it("stores undefined values: has is true, get returns undefined and still refreshes recency", () => {
    const cache = new LruCache<string, number | undefined>(2);
    cache.set("u", undefined).set("x", 1);
    expect(cache.has("u"), "has(\"u\")").toBe(true);
    expect(cache.get("u"), "get(\"u\")").toBeUndefined();
    expect(cache.keys(), "keys() after get(\"u\")").toEqual(["u", "x"]);
  });

  it.each([[0], [-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses capacity %s with an invalid-argument DbError", (capacity) => {
    expect(new LruCache<number, number>(1).set(1, 1).get(1), "a valid cache works first").toBe(1);
    expectDbError(() => new LruCache(capacity), "invalid-argument", `new LruCache(${capacity})`);
  });
});

describe("01.2 LRU cache: against an O(n) model", () => {
  it.each([1, 2, 3, 8, 50])("agrees with an array LRU over 2000 seeded random operations (capacity %i)", (capacity) => {
    const r = rng(capacity);
    const ops: Op[] = Array.from({ length: 2000 }, (_, i): Op => {
      const key = r.int(capacity * 2 + 2);
      const x = r.int(100);
      if (x < 40) return { op: "set", key, value: i };
      if (x < 70) return { op: "get", key };
      if (x < 80) return { op: "peek", key };
      if (x < 88) return { op: "has", key };
      if (x < 99) return { op: "delete", key };
      return { op: "clear" };
    });
    checkRun(ops, runAgainstModel(capacity), { show: showOp, seed: `seed ${capacity}, capacity ${capacity}` });
  });

  it("agrees with the model on a scan larger than the cache, interleaved with a hot set", () => {
    const ops: Op[] = [];
    for (let i = 0; i < 600; i++) {
      ops.push({ op: "set", key: 1000 + i, value: i });
      if (i % 3 === 0) ops.push({ op: "get", key: i % 5 }, { op: "set", key: i % 5, value: -i });
    }
    checkRun(ops, runAgainstModel(16), { show: showOp, seed: "capacity 16" });
  });
});
