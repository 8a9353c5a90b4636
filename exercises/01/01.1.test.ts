/**
 * Hidden suite for exercise 01.1: the open-addressing hash map.
 * Public API only (get/set/has/delete/size/capacity/tombstones/slots/entries), checked
 * against `Map` over seeded random operations (failures shrunk to a short sequence), and
 * against the contract: homes from the engine's `hashKey`, linear probing, tombstones,
 * the resize rule.
 */
import { describe, expect, it } from "vitest";
import { checkRun, errorOf, expectDbError, rng, same, sameValueZero, show } from "../../test-support/index.js";
import { hashKey, type HashKey } from "@workbook/engine";
import { OpenAddressingHashMap } from "@submission";

/** Throw (for checkRun) when `actual` is not `expected` by SameValueZero, as Map compares. */
const sameKey = <T>(actual: T, expected: T, what: string): void => same(actual, expected, what, sameValueZero);

// ---------------------------------------------------------------------------------------
// Support: the contract's own view of a table

type AnyMap = InstanceType<typeof OpenAddressingHashMap<HashKey, unknown>>;

const homeOf = (key: HashKey, capacity: number): number => hashKey(key) & (capacity - 1);

/** The first `count` integers ≥ `from` whose home slot is `home` at this capacity. */
function keysWithHome(home: number, capacity: number, count: number, from = 0): number[] {
  const out: number[] = [];
  for (let k = from; out.length < count; k++) if (homeOf(k, capacity) === home) out.push(k);
  return out;
}

/**
 * Every slot as the contract says: `capacity` slots in order; a full slot's `home` is
 * hashKey(key) & (capacity − 1) and no empty slot lies between home and slot; the counts
 * agree with `size` and `tombstones`; the load is at most 3/4.
 */
function checkTable(map: AnyMap, what: string): void {
  // Plain comparisons first (thousands per table); `expect` only to report a failure.
  const capacity = map.capacity;
  expect(Number.isInteger(Math.log2(capacity)) && capacity >= 8, `${what}: capacity ${capacity} should be a power of two ≥ 8`).toBe(true);
  const slots = map.slots();
  expect(slots.length, `${what}: slots().length vs capacity`).toBe(capacity);
  let full = 0;
  let tombs = 0;
  slots.forEach((s, i) => {
    if (s.slot !== i) expect(s.slot, `${what}: slots()[${i}].slot`).toBe(i);
    if (s.state === "tombstone") tombs++;
    if (s.state !== "full") return;
    full++;
    const key = s.key as HashKey;
    const home = homeOf(key, capacity);
    if (s.home !== home) expect(s.home, `${what}: home of key ${show(key)}`).toBe(home);
    for (let j = home; j !== i; j = (j + 1) & (capacity - 1)) {
      if (slots[j]!.state === "empty") {
        expect(slots[j]!.state, `${what}: slot ${j} lies on the probe path of ${show(key)} (home ${home}, slot ${i})`).not.toBe("empty");
      }
    }
  });
  expect(full, `${what}: full slots vs size`).toBe(map.size);
  expect(tombs, `${what}: tombstone slots vs tombstones`).toBe(map.tombstones);
  expect(map.size + map.tombstones, `${what}: size + tombstones must stay ≤ 3/4 of capacity ${capacity}`).toBeLessThanOrEqual(capacity * 0.75);
}

const SPECIAL: HashKey[] = [0, -0, Number.NaN, 1, "1", "", 1.5, -1, -7.25, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 31), -(2 ** 31) - 1, 2 ** 40, 2 ** 53, Infinity, -Infinity, "é", "😀", "a longer string key"];

// ---------------------------------------------------------------------------------------

describe("01.1 hash map: behaves like Map", () => {
  it("an empty map has size 0, capacity 8 and finds nothing", () => {
    const map = new OpenAddressingHashMap<string, number>();
    expect(map.size, "size").toBe(0);
    expect(map.capacity, "capacity").toBe(8);
    expect(map.tombstones, "tombstones").toBe(0);
    expect(map.get("a"), "get(\"a\")").toBeUndefined();
    expect(map.has("a"), "has(\"a\")").toBe(false);
    expect(map.delete("a"), "delete(\"a\")").toBe(false);
    expect([...map.entries()], "entries()").toEqual([]);
  });

  it("one key: set returns the map, get, has, overwrite, delete", () => {
    const map = new OpenAddressingHashMap<string, number>();
    expect(map.set("k", 1), "set returns the map").toBe(map);
    expect(map.get("k"), "get after set").toBe(1);
    expect(map.has("k"), "has after set").toBe(true);
    expect(map.size, "size after set").toBe(1);
    map.set("k", 2);
    expect(map.get("k"), "get after overwrite").toBe(2);
    expect(map.size, "size after overwrite").toBe(1);
    expect(map.delete("k"), "delete of a present key").toBe(true);
    expect(map.get("k"), "get after delete").toBeUndefined();
    expect(map.has("k"), "has after delete").toBe(false);
    expect(map.size, "size after delete").toBe(0);
    expect(map.delete("k"), "second delete").toBe(false);
  });

  it("compares keys like Map: NaN finds NaN, -0 is 0, the number 1 is not the string \"1\"", () => {
    const map = new OpenAddressingHashMap<HashKey, string>();
    map.set(Number.NaN, "nan").set(-0, "zero").set(1, "number").set("1", "string");
    expect(map.get(Number.NaN), "get(NaN)").toBe("nan");
    expect(map.get(0), "get(0) after set(-0)").toBe("zero");
    map.set(0, "zero again");
    expect(map.get(-0), "get(-0) after set(0)").toBe("zero again");
    expect(map.get(1), "get(1)").toBe("number");
    expect(map.get("1"), "get(\"1\")").toBe("string");
    expect(map.size, "size").toBe(4);
  });

  it("a key whose value is undefined is present", () => {
    const map = new OpenAddressingHashMap<string, undefined>();
    map.set("x", undefined);
    expect(map.has("x"), "has(\"x\")").toBe(true);
    expect(map.size, "size").toBe(1);
    expect(map.delete("x"), "delete(\"x\")").toBe(true);
  });

  type Op = { op: "set"; key: HashKey; value: number } | { op: "get"; key: HashKey } | { op: "delete"; key: HashKey } | { op: "clear" } | { op: "check" };
  const showOp = (o: Op): string => (o.op === "set" ? `set(${show(o.key)}, ${o.value})` : o.op === "clear" || o.op === "check" ? `${o.op}()` : `${o.op}(${show(o.key)})`);

  function runAgainstMap(ops: readonly Op[]): void {
    const map = new OpenAddressingHashMap<HashKey, number>();
    const model = new Map<HashKey, number>();
    const compareAll = (): void => {
      const entries = [...map.entries()];
      sameKey(entries.length, model.size, "number of entries()");
      for (const [k, v] of entries) sameKey(v, model.get(k), `entries() value of ${show(k)}`);
      for (const [k, v] of model) sameKey(map.get(k), v, `get(${show(k)})`);
    };
    for (const o of ops) {
      switch (o.op) {
        case "set":
          sameKey(map.set(o.key, o.value), map, `set(${show(o.key)}) returns the map`);
          model.set(o.key, o.value);
          break;
        case "get":
          sameKey(map.get(o.key), model.get(o.key), `get(${show(o.key)})`);
          sameKey(map.has(o.key), model.has(o.key), `has(${show(o.key)})`);
          break;
        case "delete":
          sameKey(map.delete(o.key), model.delete(o.key), `delete(${show(o.key)})`);
          break;
        case "clear":
          map.clear();
          model.clear();
          break;
        case "check":
          compareAll();
          break;
      }
      sameKey(map.size, model.size, "size");
      if (map.size + map.tombstones > map.capacity * 0.75) throw new Error(`load: size ${map.size} + tombstones ${map.tombstones} > 3/4 of capacity ${map.capacity}`);
    }
    compareAll();
  }

  it.each([1, 2, 3])("agrees with Map over 3000 seeded random operations, many deletes (seed %i)", (seed) => {
    const r = rng(seed);
    const universe = 20 * seed;
    const ops: Op[] = Array.from({ length: 3000 }, (_, i): Op => {
      const key: HashKey = r.bool(0.1) ? SPECIAL[r.int(SPECIAL.length)]! : r.bool() ? r.int(universe) : `k${r.int(universe)}`;
      const x = r.int(100);
      if (x < 45) return { op: "set", key, value: i };
      if (x < 70) return { op: "get", key };
      if (x < 96) return { op: "delete", key };
      if (x < 99) return { op: "check" };
      return { op: "clear" };
    });
    checkRun(ops, runAgainstMap, { show: showOp, seed });
  });

  it("agrees with Map while growing to 5000 keys, shrinking to none and growing again", () => {
    const r = rng(99);
    const ops: Op[] = [];
    for (let i = 0; i < 5000; i++) ops.push({ op: "set", key: r.bool() ? i : `s${i}`, value: i });
    ops.push({ op: "check" });
    for (let i = 0; i < 5000; i++) ops.push({ op: "delete", key: i }, { op: "delete", key: `s${i}` });
    ops.push({ op: "check" });
    for (let i = 0; i < 3000; i++) ops.push({ op: "set", key: r.int(6000), value: -i }, { op: "get", key: r.int(6000) });
    checkRun(ops, runAgainstMap, { show: showOp, seed: 99 });
  });
});

describe("01.1 hash map: linear probing", () => {
  it("keys that share a home slot sit in consecutive slots from that home", () => {
    const [a, b, c] = keysWithHome(5, 16, 3);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b").set(c!, "c");
    const slots = map.slots();
    expect(slots[5], "slot 5").toEqual({ slot: 5, state: "full", key: a, home: 5 });
    expect(slots[6], "slot 6").toEqual({ slot: 6, state: "full", key: b, home: 5 });
    expect(slots[7], "slot 7").toEqual({ slot: 7, state: "full", key: c, home: 5 });
    expect(slots.filter((s) => s.state !== "empty").length, "used slots").toBe(3);
  });

  it("a probe path wraps from the last slot to slot 0", () => {
    const [a, b] = keysWithHome(15, 16, 2);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b");
    const slots = map.slots();
    expect(slots[15], "slot 15").toEqual({ slot: 15, state: "full", key: a, home: 15 });
    expect(slots[0], "slot 0").toEqual({ slot: 0, state: "full", key: b, home: 15 });
    expect(map.get(b!), "get of the wrapped key").toBe("b");
    expect(map.delete(a!), "delete of the key in slot 15").toBe(true);
    expect(map.get(b!), "get of the wrapped key past the tombstone in slot 15").toBe("b");
  });

  it("a new key whose probe path wraps reuses the tombstone in slot 0", () => {
    const [a, b, c, d] = keysWithHome(15, 16, 4);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b").set(c!, "c");
    map.delete(b!);
    map.delete(c!);
    map.set(d!, "d");
    expect(map.slots()[0], "slot 0 (the first tombstone on the path) after set(d)").toEqual({ slot: 0, state: "full", key: d, home: 15 });
    expect(map.slots()[1], "slot 1 stays a tombstone").toEqual({ slot: 1, state: "tombstone" });
    expect(map.tombstones, "tombstones after the reuse").toBe(1);
  });

  it("delete leaves a tombstone that lookups walk past", () => {
    const [a, b, c] = keysWithHome(2, 16, 3);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b").set(c!, "c");
    expect(map.delete(a!), "delete(a)").toBe(true);
    expect(map.tombstones, "tombstones after one delete").toBe(1);
    expect(map.size, "size after one delete").toBe(2);
    expect(map.slots()[2], "slot 2 after delete").toEqual({ slot: 2, state: "tombstone" });
    expect(map.get(b!), "get(b), one step past the tombstone").toBe("b");
    expect(map.get(c!), "get(c), two steps past the tombstone").toBe("c");
    expect(map.has(a!), "has(a) after delete").toBe(false);
    expect(map.delete(a!), "delete(a) again").toBe(false);
    expect(map.tombstones, "a failed delete adds no tombstone").toBe(1);
  });

  it("a lookup stops at the first empty slot: a miss does not scan the table", () => {
    const [a, b, miss] = keysWithHome(9, 16, 3);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b");
    expect(map.get(miss!), "get of an absent key with the same home").toBeUndefined();
    expect(map.has(miss!), "has of an absent key with the same home").toBe(false);
  });

  it("a new key reuses the first tombstone on its probe path", () => {
    const [a, b, c, d] = keysWithHome(3, 16, 4);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b").set(c!, "c");
    map.delete(b!);
    map.delete(a!);
    expect(map.tombstones, "tombstones after two deletes").toBe(2);
    map.set(d!, "d");
    expect(map.slots()[3], "slot 3 (the first tombstone) after set(d)").toEqual({ slot: 3, state: "full", key: d, home: 3 });
    expect(map.slots()[4], "slot 4 stays a tombstone").toEqual({ slot: 4, state: "tombstone" });
    expect(map.tombstones, "tombstones after the reuse").toBe(1);
    expect(map.get(c!), "get(c)").toBe("c");
    expect(map.get(d!), "get(d)").toBe("d");
  });

  it("overwriting a key past a tombstone updates it in place instead of adding a copy", () => {
    const [a, b] = keysWithHome(7, 16, 2);
    const map = new OpenAddressingHashMap<number, string>(16);
    map.set(a!, "a").set(b!, "b");
    map.delete(a!);
    map.set(b!, "b2");
    expect(map.size, "size").toBe(1);
    expect(map.tombstones, "the tombstone in slot 7 stays").toBe(1);
    expect(map.slots()[8], "slot 8").toEqual({ slot: 8, state: "full", key: b, home: 7 });
    map.delete(b!);
    expect(map.get(b!), "get(b) after deleting it").toBeUndefined();
  });

  it("every key, including NaN, ±0, floats, large integers and Unicode strings, sits on the probe path from hashKey(key) & (capacity − 1)", () => {
    const map = new OpenAddressingHashMap<HashKey, number>();
    const model = new Map<HashKey, number>();
    SPECIAL.forEach((k, i) => {
      map.set(k, i);
      model.set(k, i);
      checkTable(map, `after set(${show(k)})`);
    });
    const r = rng(5);
    for (let i = 0; i < 400; i++) {
      const k = r.bool() ? r.int(1000) : `x${r.int(1000)}`;
      if (r.bool(0.4)) {
        map.delete(k);
        model.delete(k);
      } else {
        map.set(k, i);
        model.set(k, i);
      }
    }
    checkTable(map, "after 400 random operations");
    for (const [k, v] of model) expect(map.get(k), `get(${show(k)})`).toBe(v);
  });

  it("slots() describes empty, full and tombstone slots with keys and homes", () => {
    const map = new OpenAddressingHashMap<string, number>();
    map.set("a", 1).set("b", 2);
    map.delete("a");
    const slots = map.slots();
    expect(slots.length, "slots().length").toBe(8);
    const full = slots.filter((s) => s.state === "full");
    expect(full, "full slots").toEqual([{ slot: full[0]?.slot, state: "full", key: "b", home: homeOf("b", 8) }]);
    expect(slots.filter((s) => s.state === "tombstone").map((s) => s.slot), "tombstone slots").toEqual([homeOf("a", 8)]);
    expect(slots.filter((s) => s.state === "empty").length, "empty slots").toBe(6);
  });
});

describe("01.1 hash map: capacity, tombstones and resizing", () => {
  it.each([
    [undefined, 8],
    [1, 8],
    [8, 8],
    [9, 16],
    [100, 128],
    [1024, 1024],
  ])("new OpenAddressingHashMap(%s) has capacity %i", (initial, capacity) => {
    const map = initial === undefined ? new OpenAddressingHashMap<number, number>() : new OpenAddressingHashMap<number, number>(initial);
    expect(map.capacity, "capacity").toBe(capacity);
    expect(map.slots().length, "slots().length").toBe(capacity);
    expect(map.size, "size").toBe(0);
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])("refuses initial capacity %s with an invalid-argument DbError", (initial) => {
    expect(new OpenAddressingHashMap<number, number>(4).set(1, 1).get(1), "a valid map works first").toBe(1);
    expectDbError(() => new OpenAddressingHashMap(initial), "invalid-argument", `new OpenAddressingHashMap(${initial})`);
  });

  it("refuses a key that is neither a string nor a number, and stays unchanged", () => {
    const map = new OpenAddressingHashMap<HashKey, number>();
    map.set("a", 1);
    expectDbError(() => map.set({} as unknown as string, 2), "invalid-argument", "set({})");
    expectDbError(() => map.set(true as unknown as string, 2), "invalid-argument", "set(true)");
    expectDbError(() => map.set(5n as unknown as string, 2), "invalid-argument", "set(5n)");
    expect(map.size, "size after refused sets").toBe(1);
    expect([...map.entries()], "entries after refused sets").toEqual([["a", 1]]);
  });

  it("doubles exactly when a new key would push size + tombstones past 3/4 of capacity", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 6; i++) map.set(i, i);
    expect(map.capacity, "capacity with 6 keys (6 ≤ 3/4 × 8)").toBe(8);
    map.set(0, 100);
    expect(map.capacity, "an overwrite never resizes").toBe(8);
    map.set(6, 6);
    expect(map.capacity, "capacity with 7 keys").toBe(16);
    for (let i = 7; i < 12; i++) map.set(i, i);
    expect(map.capacity, "capacity with 12 keys (12 ≤ 3/4 × 16)").toBe(16);
    map.set(12, 12);
    expect(map.capacity, "capacity with 13 keys").toBe(32);
    for (let i = 0; i < 13; i++) expect(map.get(i), `get(${i}) after two resizes`).toBe(i === 0 ? 100 : i);
    checkTable(map, "after two resizes");
  });

  it("without deletes, the capacity is the smallest power of two ≥ 8 that holds the keys at load ≤ 3/4", () => {
    const map = new OpenAddressingHashMap<string, number>();
    for (let n = 1; n <= 3000; n++) {
      map.set(`key ${n}`, n);
      let expected = 8;
      while (n > expected * 0.75) expected *= 2;
      if (map.capacity !== expected) expect(map.capacity, `capacity after ${n} inserts`).toBe(expected);
    }
    checkTable(map, "after 3000 inserts");
  });

  it("tombstones count towards the load, and the rehash they trigger drops them all", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 6; i++) map.set(i, i);
    map.delete(0);
    map.delete(1);
    expect(map.tombstones, "tombstones after two deletes").toBe(2);
    expect(map.capacity, "capacity before the new key").toBe(8);
    map.set(100, 100);
    expect(map.tombstones, "tombstones after the rehash").toBe(0);
    expect(map.capacity, "capacity after the rehash (5 live keys > 3/8 × 8)").toBe(16);
    expect(map.size, "size").toBe(5);
    checkTable(map, "after the rehash");
  });

  it("a rehash keeps the capacity when live keys fill at most 3/8 of it, and doubles otherwise", () => {
    // capacity 16: the rehash doubles when size + 1 > 6.
    const keep = new OpenAddressingHashMap<number, number>(16);
    for (let i = 0; i < 12; i++) keep.set(i, i);
    for (let i = 0; i < 7; i++) keep.delete(i);
    keep.set(100, 100); // 5 live + 7 tombstones + 1 > 12: rehash; 5 + 1 ≤ 6: same size
    expect(keep.capacity, "capacity after a rehash with 5 live keys").toBe(16);
    expect(keep.tombstones, "tombstones after that rehash").toBe(0);
    expect(keep.size, "size").toBe(6);
    checkTable(keep, "after the same-size rehash");

    const grow = new OpenAddressingHashMap<number, number>(16);
    for (let i = 0; i < 12; i++) grow.set(i, i);
    for (let i = 0; i < 6; i++) grow.delete(i);
    grow.set(100, 100); // 6 live + 6 tombstones + 1 > 12: rehash; 6 + 1 > 6: double
    expect(grow.capacity, "capacity after a rehash with 6 live keys").toBe(32);
    expect(grow.tombstones, "tombstones after that rehash").toBe(0);
    checkTable(grow, "after the doubling rehash");
  });

  it("10,000 insert-then-delete rounds with one live key keep the capacity at 8", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 10_000; i++) {
      map.set(i, i);
      if (map.get(i) !== i) expect(map.get(i), `get(${i}) right after set`).toBe(i);
      map.delete(i);
    }
    expect(map.capacity, "capacity after the churn").toBe(8);
    expect(map.size, "size").toBe(0);
    expect(map.tombstones, "tombstones stay within the load bound").toBeLessThanOrEqual(6);
    map.set(-1, -1);
    expect(map.get(-1), "the map still works").toBe(-1);
    checkTable(map, "after the churn");
  });

  it("many tombstones with keys that collide: every live key stays reachable through rehashes", () => {
    const keys = keysWithHome(0, 64, 40);
    const map = new OpenAddressingHashMap<number, number>(64);
    for (const k of keys) map.set(k, k);
    for (let i = 0; i < keys.length; i += 2) map.delete(keys[i]!);
    expect(map.tombstones, "tombstones").toBe(20);
    checkTable(map, "after deleting every other colliding key");
    keys.forEach((k, i) => expect(map.get(k), `get(${k})`).toBe(i % 2 === 0 ? undefined : k));
    for (let i = 0; i < 60; i++) map.set(10_000 + i, i);
    checkTable(map, "after 60 more keys");
    keys.forEach((k, i) => expect(map.get(k), `get(${k}) after rehashing`).toBe(i % 2 === 0 ? undefined : k));
    expect(map.size, "size").toBe(80);
  });

  it("clear() empties the map and returns to capacity 8", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 100; i++) map.set(i, i);
    map.delete(5);
    map.clear();
    expect(map.size, "size").toBe(0);
    expect(map.capacity, "capacity").toBe(8);
    expect(map.tombstones, "tombstones").toBe(0);
    expect(map.get(7), "get(7)").toBeUndefined();
    expect([...map.entries()], "entries()").toEqual([]);
    map.set(7, 70);
    expect(map.get(7), "get(7) after clear and set").toBe(70);
  });

  it("a large initial capacity is kept until the keys need more", () => {
    const map = new OpenAddressingHashMap<number, number>(1024);
    for (let i = 0; i < 768; i++) map.set(i, i);
    expect(map.capacity, "capacity with 768 keys").toBe(1024);
    map.set(768, 768);
    expect(map.capacity, "capacity with 769 keys").toBe(2048);
  });
});

describe("01.1 hash map: iteration", () => {
  it("entries(), keys(), values() and for…of follow slot order", () => {
    const map = new OpenAddressingHashMap<HashKey, number>();
    const r = rng(8);
    for (let i = 0; i < 40; i++) map.set(r.bool() ? r.int(100) : `v${r.int(100)}`, i);
    map.delete([...map.keys()][3]!);
    const bySlot = map.slots().filter((s) => s.state === "full").map((s) => s.key);
    const entries = [...map.entries()];
    expect(entries.map(([k]) => k), "entries() keys vs the full slots in order").toEqual(bySlot);
    expect([...map.keys()], "keys()").toEqual(bySlot);
    expect([...map.values()], "values()").toEqual(bySlot.map((k) => map.get(k!)));
    expect([...map], "for…of").toEqual(entries);
    expect(entries.length, "one entry per key").toBe(map.size);
  });

  it("a loop that deletes a key as it goes fails at its next step, over entries(), keys(), values() and the map itself; changing a value does not", () => {
    const walks: [string, (m: AnyMap) => Iterator<unknown>][] = [
      ["entries()", (m) => m.entries()],
      ["keys()", (m) => m.keys()],
      ["values()", (m) => m.values()],
      ["for…of the map", (m) => m[Symbol.iterator]()],
    ];
    for (const [name, walk] of walks) {
      const map = new OpenAddressingHashMap<HashKey, unknown>();
      for (let i = 0; i < 20; i++) map.set(i, i);
      const it = walk(map);
      it.next();
      map.set(3, "changed");
      expect(errorOf(() => it.next()), `${name}: next() after set() changed an existing key's value`).toBeUndefined();
      map.delete(19);
      expectDbError(() => it.next(), "invalid-state", `${name}: next() after delete(19)`);
    }
  });

  it("adding or deleting a key while iterating throws an invalid-state DbError", () => {
    const map = new OpenAddressingHashMap<number, number>();
    for (let i = 0; i < 5; i++) map.set(i, i);
    const adding = map.entries();
    adding.next();
    map.set(1000, 1);
    expectDbError(() => adding.next(), "invalid-state", "next() after a set of a new key");
    const deleting = map.keys();
    deleting.next();
    map.delete(1000);
    expectDbError(() => deleting.next(), "invalid-state", "next() after a delete");
    const clearing = map.values();
    clearing.next();
    map.clear();
    expectDbError(() => clearing.next(), "invalid-state", "next() after clear()");
  });
});
