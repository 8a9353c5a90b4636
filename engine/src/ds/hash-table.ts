/**
 * Hash table (the contract)
 * =========================
 * A map from string or number keys to values in one flat array of slots, with open
 * addressing and linear probing: key k's *home* is `hashKey(k) & (capacity − 1)`, and when
 * that slot is taken the key goes to the next free one, wrapping at the end. What the
 * engine and notebook 01's cells rely on, so a learner's table (exercise 01.1) plugs in
 * wherever the engine's `OpenAddressingHashMap` does:
 *
 *   new Table<number, string>(16)   get / has / set / delete / clear    size, capacity, tombstones
 *   entries(), keys(), values(), for…of (slot order)                    slots(): one record per slot
 *
 * A slot's life:
 *
 *   empty ──set (a new key)──► full ──delete──► tombstone ──set (a new key)──► full
 *     ▲                                             │
 *     └──────── a rebuild (resize) or clear() ──────┘      (a rebuild drops every tombstone)
 *
 * Guarantees every table keeps:
 * - Keys compare as `Map` compares them (SameValueZero: `NaN` is one key, `0` and `-0` are
 *   one key, the number 1 is not the string "1"); any other kind of key is refused by `set`
 *   with `invalid-argument`.
 * - Every live key is on the probe path from its home with no *empty* slot in between, so
 *   a lookup that meets an empty slot may stop: the key is absent.
 * - The capacity is a power of two ≥ 8, and live keys + tombstones ≤ 0.75 × capacity
 *   after every `set`: tombstones lengthen probe paths as live keys do, so both count.
 * - Iteration follows slot order, and throws `invalid-state` if a key was added or removed
 *   (or the table rebuilt or cleared) since it began; overwriting a value is allowed.
 * - "Not found" is `undefined` (`get`) or `false` (`has`, `delete`), never an exception.
 *
 * `hashKey` is part of the contract, not of one implementation: every table uses it, so
 * the same keys land in the same homes in yours and in the engine's, and `slots()` can be
 * compared slot by slot. PostgreSQL's `simplehash.h` is the same kind of table (with Robin
 * Hood insertion and backward-shift deletion instead of tombstones).
 *
 * The engine's table is `OpenAddressingHashMap`; exercise 01.1 writes one.
 */

/** What a hash table keys on: strings and numbers, compared as `Map` compares them. */
export type HashKey = string | number;

/** One slot of the table, as plain data for drawing it: what is there and where the key's home is. */
export interface HashSlot<K extends HashKey> {
  readonly slot: number;
  readonly state: "empty" | "full" | "tombstone";
  readonly key?: K;
  /** For a full slot: the slot its key hashes to; `slot − home` (mod capacity) is the probe distance. */
  readonly home?: number;
}

export interface HashTable<K extends HashKey, V> extends Iterable<[K, V]> {
  /** The number of live entries. */
  readonly size: number;
  /** The number of slots: a power of two ≥ 8. */
  readonly capacity: number;
  /** Slots of deleted keys not yet reclaimed by a rebuild. */
  readonly tombstones: number;

  /** The value stored under `key`, or `undefined` when there is none. Walks from home to the first empty slot. */
  get(key: K): V | undefined;

  /** True when `key` has an entry (even one whose value is `undefined`). */
  has(key: K): boolean;

  /**
   * Store `value` under `key`, replacing any previous value in place, and return the table.
   * A new key may first trigger a rebuild (slot positions change, entries do not), then
   * takes the first tombstone on its path from home, or else the empty slot that ends it.
   * Throws `invalid-argument` for a key that is neither a string nor a number.
   */
  set(key: K, value: V): this;

  /** Remove `key`'s entry, leaving a tombstone. False (and nothing changed) when there was none. */
  delete(key: K): boolean;

  /** Remove every entry and return to capacity 8. */
  clear(): void;

  /** The entries in slot order; throws `invalid-state` if a key is added or removed meanwhile. */
  entries(): IterableIterator<[K, V]>;

  /** The keys in slot order (same rules as `entries()`). */
  keys(): IterableIterator<K>;

  /** The values in slot order (same rules as `entries()`). */
  values(): IterableIterator<V>;

  /** Every slot in order: `{ slot, state }`, and for a full slot its key and home. */
  slots(): HashSlot<K>[];
}

/** How a table is made: `new Table<K, V>(initialCapacity)`, rounded up to a power of two ≥ 8; `invalid-argument` unless an integer ≥ 1. */
export type HashTableConstructor = new <K extends HashKey, V>(initialCapacity?: number) => HashTable<K, V>;

import { LITTLE_ENDIAN } from "../common/bytes.js";
import { fmix32 } from "../common/murmur-hash.js";

// One scratch buffer for hashing non-integer numbers, made once.
const float64 = new DataView(new ArrayBuffer(8));

/**
 * The 32-bit hash of a key: FNV-1a over a string's UTF-16 code units; for numbers, a mix
 * of the integer (or of the float64 bits of a non-integer), with `-0` hashed as `0` and
 * every `NaN` alike, so keys that compare equal hash equal. Strings and numbers are
 * salted differently, so "1" and 1 usually land apart. Deterministic: the same key has the
 * same home in every run.
 */
export function hashKey(key: HashKey): number {
  if (typeof key === "string") {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }
  if (Number.isNaN(key)) return 0x7ff8_0000;
  if (Number.isInteger(key) && key >= -0x8000_0000 && key <= 0xffff_ffff) return fmix32((key | 0) ^ 0x5bd1e995);
  float64.setFloat64(0, key === 0 ? 0 : key, LITTLE_ENDIAN);
  return fmix32(float64.getUint32(0, LITTLE_ENDIAN) ^ fmix32(float64.getUint32(4, LITTLE_ENDIAN)));
}

