/**
 * Cache (the contract)
 * ====================
 * A key-value cache of fixed capacity that, when a new entry would make it too large,
 * forgets the entry used least recently (LRU). What notebook 01's cells and, later, any
 * layer that caches (a catalog cache, a plan cache) rely on, so a learner's cache
 * (exercise 01.2) plugs in wherever the engine's `LruCache` does:
 *
 *   new Cache<K, V>(capacity, { onEvict })
 *
 *   get(k)      the value, and k becomes the most recent     undefined when absent
 *   peek(k)     the value, recency untouched                 undefined when absent
 *   has(k)      recency untouched
 *   set(k, v)   k becomes the most recent; one entry past capacity → the least recent
 *               leaves, then onEvict(key, value) is called
 *   delete(k), clear()                                       never call onEvict
 *
 * An entry's life:
 *
 *   absent ──set(k)──► cached ──a new key is set while k is the least recent, cache full──► evicted: onEvict(k, v)
 *     ▲                 │  ▲
 *     │                 └──┘  get(k) / set(k): k becomes the most recent (peek and has leave it)
 *     └──── delete(k) / clear(): no onEvict
 *
 * Guarantees every cache keeps: `size ≤ capacity` after every call; keys compare as `Map`
 * compares them (objects by identity); every operation but `keys()` and `entries()` is
 * O(1); `onEvict` runs after the cache is consistent again, so it may use the cache;
 * overwriting a key's value is not an eviction. A capacity that is not an integer ≥ 1 is
 * `invalid-argument`.
 *
 * The engine's cache is `LruCache`; exercise 01.2 writes one. PostgreSQL's shared buffers
 * use a clock sweep instead (notebook 03), its relation and catalog caches LRU-like lists.
 */

export interface CacheOptions<K, V> {
  /** Called after an entry is evicted to make room (not on `delete`, `clear` or overwrite). */
  onEvict?: (key: K, value: V) => void;
}

export interface Cache<K, V> {
  /** The most entries the cache holds. */
  readonly capacity: number;
  /** The number of entries. */
  readonly size: number;

  /** The value under `key`, made most recent; `undefined` (and nothing changed) when absent. */
  get(key: K): V | undefined;

  /** The value under `key` without touching its recency; `undefined` when absent. */
  peek(key: K): V | undefined;

  /** True when `key` is cached. Does not touch its recency. */
  has(key: K): boolean;

  /**
   * Store `value` under `key` as the most recent entry and return the cache. When that
   * makes the cache exceed its capacity, the least recent entry is removed, then passed
   * to `onEvict`. Overwriting a key's value is not an eviction.
   */
  set(key: K, value: V): this;

  /** Remove `key`'s entry (not an eviction: `onEvict` is not called). False when absent. */
  delete(key: K): boolean;

  /** Remove every entry without calling `onEvict`. */
  clear(): void;

  /** The keys from most to least recent (the next victim last), as a new array. */
  keys(): K[];

  /** The entries from most to least recent, as a new array. */
  entries(): [K, V][];
}

/** How a cache is made: `new Cache<K, V>(capacity, options)`. */
export type CacheConstructor = new <K, V>(capacity: number, options?: CacheOptions<K, V>) => Cache<K, V>;
