/**
 * LRU cache
 * =========
 * A key-value cache of fixed capacity that, when full, evicts the entry used least
 * recently. Every operation is O(1): a `Map` finds a key's node, and the nodes form a
 * doubly linked list in recency order, so "move to front" and "drop the tail" are a few
 * pointer swaps. The list is *intrusive* (the node carries its own links) and circular
 * around one sentinel, so there are no null checks at the ends.
 *
 *              most recent                            least recent
 *   sentinel ⇄ [k3] ⇄ [k1] ⇄ [k7] ⇄ … ⇄ [k2] ⇄ sentinel      (circular)
 *                ↑ get/set moves a node here      evict takes ↑ this one
 *
 * The engine's `Cache` (the contract is in cache.ts). Invariants: the map and the list
 * hold the same keys; size ≤ capacity after every call; `get` and `set` make their key
 * the most recent; `has` and `peek` do not.
 *
 * The buffer pool's LRU replacer (notebook 03) is this idea restricted to frames that are
 * not pinned. PostgreSQL does not use strict LRU for shared buffers (it uses a clock
 * sweep: cheaper under concurrency, no list to lock on every hit), but uses LRU-like
 * caches elsewhere, e.g. for relation and catalog caches.
 */
import { DbError } from "../common/errors.js";
import type { Cache, CacheOptions } from "./cache.js";

interface Node<K, V> {
  key: K;
  value: V;
  prev: Node<K, V>;
  next: Node<K, V>;
}

export class LruCache<K, V> implements Cache<K, V> {
  readonly capacity: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  readonly #nodes = new Map<K, Node<K, V>>();
  // The sentinel's key and value are never read; its links close the circle.
  readonly #sentinel: Node<K, V>;

  /** An empty cache holding at most `capacity` entries (an integer ≥ 1). */
  constructor(capacity: number, options: CacheOptions<K, V> = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new DbError("invalid-argument", `LRU cache capacity must be an integer ≥ 1, got ${String(capacity)}`, {
        capacity,
      });
    }
    this.capacity = capacity;
    this.#onEvict = options.onEvict;
    const sentinel = { prev: undefined, next: undefined } as unknown as Node<K, V>;
    sentinel.prev = sentinel;
    sentinel.next = sentinel;
    this.#sentinel = sentinel;
  }

  /** The number of entries. */
  get size(): number {
    return this.#nodes.size;
  }

  /** The value under `key`, made most recent; `undefined` when absent. */
  get(key: K): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#unlink(node);
    this.#pushFront(node);
    return node.value;
  }

  /** The value under `key` without touching its recency; `undefined` when absent. */
  peek(key: K): V | undefined {
    return this.#nodes.get(key)?.value;
  }

  /** True when `key` is cached. Does not touch its recency. */
  has(key: K): boolean {
    return this.#nodes.has(key);
  }

  /**
   * Store `value` under `key` as the most recent entry. When that makes the cache exceed
   * its capacity, the least recent entry is removed first and then passed to `onEvict`.
   * Overwriting a key's value is not an eviction. Returns the cache.
   */
  set(key: K, value: V): this {
    const existing = this.#nodes.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.#unlink(existing);
      this.#pushFront(existing);
      return this;
    }
    const node = { key, value } as Node<K, V>;
    this.#nodes.set(key, node);
    this.#pushFront(node);
    if (this.#nodes.size > this.capacity) {
      const victim = this.#sentinel.prev;
      this.#unlink(victim);
      this.#nodes.delete(victim.key);
      // The cache is consistent before user code runs, so the callback may use it.
      this.#onEvict?.(victim.key, victim.value);
    }
    return this;
  }

  /** Remove `key`'s entry (not an eviction: `onEvict` is not called). False when absent. */
  delete(key: K): boolean {
    const node = this.#nodes.get(key);
    if (node === undefined) return false;
    this.#unlink(node);
    this.#nodes.delete(key);
    return true;
  }

  /** Remove every entry without calling `onEvict`. */
  clear(): void {
    this.#nodes.clear();
    this.#sentinel.prev = this.#sentinel;
    this.#sentinel.next = this.#sentinel;
  }

  /** The keys from most to least recent, as a new array. */
  keys(): K[] {
    return this.entries().map(([key]) => key);
  }

  /** The entries from most to least recent, as a new array. */
  entries(): [K, V][] {
    const out: [K, V][] = [];
    for (let node = this.#sentinel.next; node !== this.#sentinel; node = node.next) out.push([node.key, node.value]);
    return out;
  }

  #unlink(node: Node<K, V>): void {
    node.prev.next = node.next;
    node.next.prev = node.prev;
  }

  #pushFront(node: Node<K, V>): void {
    node.prev = this.#sentinel;
    node.next = this.#sentinel.next;
    this.#sentinel.next.prev = node;
    this.#sentinel.next = node;
  }
}
