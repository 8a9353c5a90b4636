/**
 * Open-addressing hash map
 * ========================
 * A hash map that keeps its entries in flat arrays instead of a bucket per key: key k
 * belongs at slot `hash(k) mod capacity` (its *home*), and if that slot is taken the
 * insert walks forward one slot at a time (*linear probing*) to the first free one.
 * Lookups walk the same path and stop at the first never-used slot. Flat arrays are
 * cache-friendly, which is why PostgreSQL's `simplehash.h` (used by hash aggregation and
 * the buffer-mapping table's newer cousins) is built this way.
 *
 *   capacity 8, keys "a" (home 1), "b" (home 1 → probed to 2), "c" (home 4):
 *
 *     slot    0    1    2    3    4    5    6    7
 *          | ·  | a  | b  | ·  | c  | ·  | ·  | ·  |    · = empty, † = tombstone
 *
 *   delete "a" → slot 1 becomes a tombstone †, not empty: a lookup of "b" starts at 1
 *   and must keep walking past it to reach 2. An insert may reuse a tombstone.
 *
 * Invariants:
 * - Every live key sits on the probe path from its home slot with no *empty* slot between
 *   (tombstones are allowed), so lookups that stop at an empty slot are correct.
 * - live + tombstones ≤ 0.75 × capacity after every insert; the capacity is a power of
 *   two (so `mod` is a mask) and at least 8. Both kinds of used slot count towards the
 *   load, because tombstones lengthen probe paths just as live keys do.
 * - Growing rehashes every live key into a fresh array and drops every tombstone. When
 *   most used slots are tombstones, the rehash keeps the same capacity instead of doubling.
 *
 * The engine's `HashTable` (the contract, with `hashKey`, is in hash-table.ts). Keys are
 * strings or numbers, compared like `Map` does (SameValueZero: `NaN` equals `NaN`, `0`
 * equals `-0`, and the number 1 is not the string "1"). Hashing is deterministic, so two
 * runs with the same seed probe the same way. Iteration follows slot order, not insertion
 * order (unlike `Map`).
 *
 * Simpler than a production table: no shrinking after mass deletes (only `clear()`
 * resets the capacity), no Robin Hood displacement, and one hash function for all users.
 */
import { DbError } from "../common/errors.js";
import { type HashKey, type HashSlot, type HashTable, hashKey } from "./hash-table.js";

const EMPTY = 0;
const FULL = 1;
const TOMBSTONE = 2;

const MIN_CAPACITY = 8;
const MAX_LOAD = 0.75;

function sameKey(a: HashKey | undefined, b: HashKey): boolean {
  // SameValueZero, as Map uses: === except that NaN equals NaN.
  return a === b || (a !== a && b !== b);
}

export class OpenAddressingHashMap<K extends HashKey, V> implements HashTable<K, V> {
  #states: Uint8Array;
  #keys: (K | undefined)[];
  #values: (V | undefined)[];
  #size = 0;
  #tombstones = 0;
  #version = 0;

  /** An empty map with room for at least `initialCapacity` slots (rounded up to a power of two ≥ 8). */
  constructor(initialCapacity = MIN_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new DbError("invalid-argument", `initial capacity must be an integer ≥ 1, got ${String(initialCapacity)}`, {
        initialCapacity,
      });
    }
    let capacity = MIN_CAPACITY;
    while (capacity < initialCapacity) capacity *= 2;
    this.#states = new Uint8Array(capacity);
    this.#keys = new Array<K | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
  }

  /** The number of live entries. */
  get size(): number {
    return this.#size;
  }

  /** The number of slots (a power of two). */
  get capacity(): number {
    return this.#states.length;
  }

  /** The number of tombstones: slots of deleted keys not yet reclaimed by a rehash. */
  get tombstones(): number {
    return this.#tombstones;
  }

  /** The value stored under `key`, or `undefined` when there is none. */
  get(key: K): V | undefined {
    const slot = this.#find(key);
    return slot < 0 ? undefined : this.#values[slot];
  }

  /** True when `key` has an entry (even one whose value is `undefined`). */
  has(key: K): boolean {
    return this.#find(key) >= 0;
  }

  /**
   * Store `value` under `key`, replacing any previous value, and return the map. May grow
   * and rehash the table first, so slot positions (not entries) can change.
   */
  set(key: K, value: V): this {
    checkKey(key);
    const existing = this.#find(key);
    if (existing >= 0) {
      this.#values[existing] = value;
      return this;
    }
    if (this.#size + this.#tombstones + 1 > this.capacity * MAX_LOAD) this.#rehash();
    // Walk from home to the first empty slot; reuse the first tombstone seen on the way.
    const mask = this.capacity - 1;
    let slot = hashKey(key) & mask;
    let target = -1;
    while (this.#states[slot] !== EMPTY) {
      if (target < 0 && this.#states[slot] === TOMBSTONE) target = slot;
      slot = (slot + 1) & mask;
    }
    if (target < 0) {
      target = slot;
    } else {
      this.#tombstones--;
    }
    this.#states[target] = FULL;
    this.#keys[target] = key;
    this.#values[target] = value;
    this.#size++;
    this.#version++;
    return this;
  }

  /** Remove `key`'s entry, leaving a tombstone. Returns false when there was none. */
  delete(key: K): boolean {
    const slot = this.#find(key);
    if (slot < 0) return false;
    this.#states[slot] = TOMBSTONE;
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#size--;
    this.#tombstones++;
    this.#version++;
    return true;
  }

  /** Remove every entry and return to the minimum capacity. */
  clear(): void {
    this.#states = new Uint8Array(MIN_CAPACITY);
    this.#keys = new Array<K | undefined>(MIN_CAPACITY).fill(undefined);
    this.#values = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.#size = 0;
    this.#tombstones = 0;
    this.#version++;
  }

  /**
   * The entries in slot order. Throws `invalid-state` if the map is modified while the
   * iteration is under way (a resize would otherwise skip or repeat entries silently).
   */
  *entries(): IterableIterator<[K, V]> {
    const version = this.#version;
    for (let slot = 0; slot < this.#states.length; slot++) {
      if (this.#states[slot] !== FULL) continue;
      yield [this.#keys[slot] as K, this.#values[slot] as V];
      if (this.#version !== version) {
        throw new DbError("invalid-state", "hash map modified during iteration", { slot });
      }
    }
  }

  /** The keys in slot order (same rules as `entries()`). */
  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  /** The values in slot order (same rules as `entries()`). */
  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Same as `entries()`: `for (const [key, value] of map)`. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Every slot, as plain data for drawing the table and its probe distances. */
  slots(): HashSlot<K>[] {
    const mask = this.capacity - 1;
    const out: HashSlot<K>[] = [];
    for (let slot = 0; slot < this.#states.length; slot++) {
      const state = this.#states[slot];
      if (state === FULL) {
        const key = this.#keys[slot] as K;
        out.push({ slot, state: "full", key, home: hashKey(key) & mask });
      } else {
        out.push({ slot, state: state === TOMBSTONE ? "tombstone" : "empty" });
      }
    }
    return out;
  }

  /** The slot holding `key`, or −1. Stops at the first empty slot on the probe path. */
  #find(key: K): number {
    const mask = this.capacity - 1;
    let slot = hashKey(key) & mask;
    // The load bound guarantees an empty slot exists, so this loop ends.
    for (;;) {
      const state = this.#states[slot];
      if (state === EMPTY) return -1;
      if (state === FULL && sameKey(this.#keys[slot], key)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Rebuild the arrays without tombstones, doubling when live keys alone need the room. */
  #rehash(): void {
    // Double when live keys alone would fill more than half the allowed load; otherwise
    // the pressure came from tombstones and a same-size rehash clears it.
    const capacity = this.#size + 1 > this.capacity * MAX_LOAD * 0.5 ? this.capacity * 2 : this.capacity;
    const states = this.#states;
    const keys = this.#keys;
    const values = this.#values;
    this.#states = new Uint8Array(capacity);
    this.#keys = new Array<K | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    const mask = capacity - 1;
    for (let i = 0; i < states.length; i++) {
      if (states[i] !== FULL) continue;
      const key = keys[i] as K;
      let slot = hashKey(key) & mask;
      while (this.#states[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.#states[slot] = FULL;
      this.#keys[slot] = key;
      this.#values[slot] = values[i];
    }
    this.#tombstones = 0;
    this.#version++;
  }
}

function checkKey(key: HashKey): void {
  if (typeof key !== "string" && typeof key !== "number") {
    throw new DbError("invalid-argument", `hash map keys are strings or numbers, got ${typeof key}`, {
      type: typeof key,
    });
  }
}
