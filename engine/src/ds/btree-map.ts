/**
 * B-tree map (the contract)
 * =========================
 * An ordered map kept in a B-tree in memory: what notebook 01's cells rely on, so a
 * learner's tree (exercise 01.3's `BTree`) plugs in wherever the engine's `MemBTree` does.
 * The paged B+tree of notebook 05 (`BPlusTree`, `BTreePage`, `BTreeNode`) is another
 * structure with contracts of its own; the names here say `MemBTree` to stay apart from it.
 *
 *   new Tree<K, V>({ minDegree: t, compare })
 *
 *   search(k) → value | undefined        insert(k, v) → true (new key) | false (value replaced)
 *   has(k)                               delete(k) → false when absent
 *   range(lo, hi), entries(), for…of     ascending, lazy, lo ≤ key < hi
 *   size, height, minDegree              snapshot(): the shape as plain data, for drawings and checks
 *
 * The shape every tree keeps (with minimum degree t, as in CLRS ch. 18), checked through
 * `snapshot()`:
 *
 *                      [ 4 ]                  t = 2 after inserting 1 … 9 in order
 *                   /         \
 *              [ 2 ]           [ 6 ]          - keys strictly increase in an in-order walk
 *             /     \         /     \         - a non-root node holds t − 1 … 2t − 1 keys
 *          [1]      [3]    [5]     [7 8 9]    - an inner node with n keys has n + 1 children
 *                                             - every leaf is at the same depth
 *
 * Guarantees: keys are unique (inserting an existing key replaces its value and leaves the
 * shape as it was); `insert` refuses NaN, and any key the comparator does not find equal
 * to itself, with `invalid-argument`; a minimum degree that is not an integer ≥ 2 is
 * `invalid-argument`; a range walk throws `invalid-state` if the tree is changed while it
 * runs; "not found" is `undefined` or `false`, never an exception.
 *
 * The engine's tree is `MemBTree` (it splits full nodes on the way down and deletes in
 * one pass, borrowing or merging, as CLRS does); exercise 01.3 writes search and insert,
 * and its `delete` may throw `NotImplemented`.
 */

/** Negative when a < b, zero when equal, positive when a > b. Must be a total order. */
export type Comparator<K> = (a: K, b: K) => number;

/** `<` and `>` as a comparator: numbers, strings (by UTF-16 code units) and bigints. */
export function defaultCompare<K>(a: K, b: K): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface MemBTreeOptions<K> {
  /** The minimum degree t ≥ 2 (CLRS): nodes hold t − 1…2t − 1 keys. Default 32. */
  minDegree?: number;
  /** The key order. Default `defaultCompare`. */
  compare?: Comparator<K>;
}

/** A node as plain data, for drawing the tree and checking its invariants. */
export interface MemBTreeNodeSnapshot<K> {
  readonly keys: readonly K[];
  /** Empty for a leaf. */
  readonly children: readonly MemBTreeNodeSnapshot<K>[];
}

export interface MemBTreeSnapshot<K> {
  readonly minDegree: number;
  readonly size: number;
  readonly height: number;
  readonly root: MemBTreeNodeSnapshot<K>;
}

export interface BTreeMap<K, V> extends Iterable<[K, V]> {
  /** The minimum degree t the tree was made with. */
  readonly minDegree: number;
  /** The number of keys. */
  readonly size: number;
  /** The number of levels: 0 for an empty tree, 1 for a lone root leaf. */
  readonly height: number;

  /** The value stored under `key`, or `undefined` when the key is absent. */
  search(key: K): V | undefined;

  /** True when `key` is in the tree. */
  has(key: K): boolean;

  /**
   * Store `value` under `key`: true when the key is new, false when it existed (its value
   * is replaced, the shape unchanged). Throws `invalid-argument` for NaN or any key the
   * comparator does not find equal to itself, and changes nothing then.
   */
  insert(key: K, value: V): boolean;

  /** Remove `key` and its value; false (nothing changed) when absent. Exercise 01.3 may leave it throwing `NotImplemented`. */
  delete(key: K): boolean;

  /**
   * The entries with lo ≤ key < hi in ascending order, an `undefined` bound being open;
   * lazy (a caller that stops after three entries pays for three). Throws `invalid-state`
   * if the tree is modified while the walk is under way.
   */
  range(lo?: K, hi?: K): IterableIterator<[K, V]>;

  /** Every entry in ascending key order (same rules as `range()`). */
  entries(): IterableIterator<[K, V]>;

  /** The whole tree as plain data (keys only). */
  snapshot(): MemBTreeSnapshot<K>;

  /** Remove every key. */
  clear(): void;
}

/** How a tree is made: `new Tree<K, V>({ minDegree, compare })`. */
export type BTreeMapConstructor = new <K, V>(options?: MemBTreeOptions<K>) => BTreeMap<K, V>;
