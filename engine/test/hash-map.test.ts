import { describe, expect, test } from "vitest";
import { OpenAddressingHashMap, hashKey, type HashKey } from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { expectDbError } from "../../test-support/errors.js";
import { check, same } from "../../test-support/assert.js";

type Op =
  | { op: "set"; key: HashKey; value: number }
  | { op: "get"; key: HashKey }
  | { op: "delete"; key: HashKey };

const specialKeys: HashKey[] = [0, -0, Number.NaN, 1, "1", "", 1.5, -1, 2 ** 40, Infinity, -Infinity, "é", "😀"];

function sameEntries(map: OpenAddressingHashMap<HashKey, number>, model: Map<HashKey, number>): void {
  const entries = [...map.entries()];
  same(entries.length, model.size, "number of entries");
  for (const [key, value] of entries) same(value, model.get(key), `entry ${String(key)}`);
}

describe("01 open-addressing hash map", () => {
  test("behaves like Map over seeded random operations (small key universe: many deletes and reuses)", () => {
    for (const seed of [1, 2, 3]) {
      checkModel<Op>({
        seed,
        count: 4000,
        generate: (rng, i) => {
          const key: HashKey = rng.bool(0.1)
            ? rng.pick(specialKeys)
            : rng.bool()
              ? rng.int(seed * 40)
              : `k${rng.int(seed * 40)}`;
          const r = rng.int(10);
          if (r < 5) return { op: "set", key, value: i };
          if (r < 7) return { op: "get", key };
          return { op: "delete", key };
        },
        run: (ops) => {
          const map = new OpenAddressingHashMap<HashKey, number>();
          const model = new Map<HashKey, number>();
          for (const op of ops) {
            switch (op.op) {
              case "set":
                same(map.set(op.key, op.value), map, "set returns the map");
                model.set(op.key, op.value);
                break;
              case "get":
                same(map.get(op.key), model.get(op.key), `get(${String(op.key)})`);
                same(map.has(op.key), model.has(op.key), `has(${String(op.key)})`);
                break;
              case "delete":
                same(map.delete(op.key), model.delete(op.key), `delete(${String(op.key)})`);
                break;
            }
            same(map.size, model.size, "size");
            check(map.size + map.tombstones <= map.capacity * 0.75, "load factor above 0.75");
          }
          sameEntries(map, model);
        },
      });
    }
  });

  test("compares keys like Map: NaN finds NaN, -0 is 0, 1 is not '1'", () => {
    const map = new OpenAddressingHashMap<HashKey, string>();
    map.set(Number.NaN, "nan").set(-0, "zero").set(1, "number").set("1", "string");
    expect(map.get(Number.NaN)).toBe("nan");
    expect(map.get(0)).toBe("zero");
    expect(map.get(1)).toBe("number");
    expect(map.get("1")).toBe("string");
    expect(map.size).toBe(4);
    expect(hashKey(0)).toBe(hashKey(-0));
  });

  test("grows at load factor 0.75, doubling, and a rehash drops every tombstone", () => {
    const map = new OpenAddressingHashMap<number, number>();
    expect(map.capacity).toBe(8);
    for (let i = 0; i < 6; i++) map.set(i, i);
    expect(map.capacity).toBe(8);
    map.set(6, 6);
    expect(map.capacity).toBe(16);
    for (let i = 0; i < 7; i++) map.delete(i);
    expect(map.tombstones).toBe(7);
    for (let i = 100; i < 106; i++) map.set(i, i);
    // Tombstones pushed the load over 0.75; with few live keys the rehash kept the capacity.
    expect(map.tombstones).toBeLessThan(7);
    expect(map.capacity).toBe(16);
    expect([...map.keys()].sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105]);
  });

  test("probing survives keys that all share a home slot", () => {
    // Find keys whose hash is equal modulo 64 (and so modulo 8, 16, 32).
    const colliding: number[] = [];
    for (let k = 0; colliding.length < 20; k++) if ((hashKey(k) & 63) === (hashKey(0) & 63)) colliding.push(k);
    const map = new OpenAddressingHashMap<number, number>(64);
    for (const k of colliding) map.set(k, k * 2);
    for (const k of colliding.filter((_, i) => i % 2 === 0)) map.delete(k);
    colliding.forEach((k, i) => expect(map.get(k)).toBe(i % 2 === 0 ? undefined : k * 2));
    const slots = map.slots();
    expect(slots.filter((s) => s.state === "full")).toHaveLength(10);
    expect(slots.filter((s) => s.state === "tombstone")).toHaveLength(10);
    expect(slots.find((s) => s.state === "full")?.home).toBe(hashKey(0) & 63);
  });

  test("hashing is deterministic across runs (fixed values)", () => {
    expect(hashKey("")).toBe(0x811c9dc5);
    expect(hashKey("a")).toBe(0xe40c292c); // FNV-1a test vector
    expect(hashKey("foobar")).toBe(0xbf9cf968); // FNV-1a test vector
  });

  test("iteration refuses a concurrent modification; clear empties", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 5; i++) map.set(i, i);
    expectDbError(() => {
      for (const [k] of map) map.delete(k);
    }, "invalid-state");
    map.clear();
    expect(map.size).toBe(0);
    expect([...map]).toEqual([]);
    expect(map.get(1)).toBeUndefined();
  });

  test("values may be undefined and still count as present", () => {
    const map = new OpenAddressingHashMap<string, undefined>();
    map.set("x", undefined);
    expect(map.has("x")).toBe(true);
    expect(map.size).toBe(1);
  });

  test("foolish input is refused", () => {
    expectDbError(() => new OpenAddressingHashMap(0), "invalid-argument");
    const map = new OpenAddressingHashMap<HashKey, number>();
    expectDbError(() => map.set({} as unknown as string, 1), "invalid-argument");
    expect(map.size).toBe(0);
  });
});
