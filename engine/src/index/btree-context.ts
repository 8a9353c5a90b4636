/**
 * What a B+tree algorithm may do to the tree
 * ==========================================
 * `BPlusTree` is a thin shell: it encodes keys, checks them, counts entries and saves the
 * meta page. The algorithms themselves, searching a page, inserting with splits,
 * deleting with borrow and merge, and scanning a range, are plain functions in their own
 * modules (`search-page.ts`, `insert-entry.ts`, `delete-entry.ts`, `range-scan.ts`), and
 * the tree calls them through a `BTreeAlgorithms` object (the contract, btree-algorithms.ts). Pass your own to
 * `BPlusTree.create(pool, { unique, algorithms: { insertEntry, storeNode } })` and the real
 * tree runs your code; leave one out and it runs the engine's.
 *
 * The algorithms reach the tree through a `BTreeContext`: its pages (pinned for the length
 * of one callback), its root and height, and the rules of space. Two ways to change a page:
 *
 *   in place     tree.write(pageId, (page) => page.insertLeafAt(i, key, rid))
 *                cheap: the common insert or delete touches one page and moves no entry
 *                but its own (a `BTreePage` keeps its slots in key order)
 *   as a node    const node = tree.readNode(pageId)   // a copy: plain arrays of keys, …
 *                node.keys.splice(…); tree.store(pageId, node, path)
 *                for splits, merges and redistributions, where whole pages are rebuilt
 *
 *   BTreeNode, leaf:      { kind: "leaf", keys[i] → rids[i], next: right sibling }
 *   BTreeNode, internal:  { kind: "internal", level, keys: k0 … kn−1, children: c0 … cn }
 *                         child i holds the keys k with k(i−1) ≤ k < k(i)
 *
 * Rules every algorithm keeps:
 * - One pin at a time. Do not call the context from inside a `read`/`write` callback
 *   (except `search`): copy out what you need, return, then read the next page. The tree
 *   must work in a buffer pool of a single frame.
 * - Keys in pages are *stored* keys: the user key in a unique tree, key ‖ rid in a
 *   non-unique one (`appendRid`), ordered by `tree.compare`. `userKey` and `storedBound`
 *   convert.
 * - Space is counted in bytes (`entryCost`): a page holds entries costing at most
 *   `capacity`; every page but the root holds at least `minFill` after an operation.
 *   Splits use `leafSplitPoint` and `internalSplitPoint`, so every implementation builds
 *   the same pages from the same operations.
 *
 * The context does not check what an algorithm does: `BPlusTree.check()` does, and the
 * hidden tests call it after every operation.
 */
import type { PageId, Rid } from "../common/ids.js";
import type { BTreePage } from "./btree-page.js";
import type { KeyCompare } from "./key-codec.js";

/** Where a probe belongs in a page: the first slot whose key is ≥ the probe, and whether that key equals it. */
export interface SearchResult {
  /** 0…keyCount: keyCount when every key is smaller than the probe. */
  readonly index: number;
  /** True when the key at `index` equals the probe. */
  readonly found: boolean;
}

/** A leaf, copied out of its page: `keys[i]` points to `rids[i]`; `next` is the right sibling (INVALID_PAGE_ID for the last leaf). */
export interface BTreeLeafNode {
  readonly kind: "leaf";
  keys: Uint8Array[];
  rids: Rid[];
  next: PageId;
}

/** An internal page, copied out: `children.length === keys.length + 1`; `level` ≥ 1 (its children's plus one). */
export interface BTreeInternalNode {
  readonly kind: "internal";
  readonly level: number;
  keys: Uint8Array[];
  children: PageId[];
}

export type BTreeNode = BTreeLeafNode | BTreeInternalNode;

/** A step of a descent: an internal page passed and the index of the child taken there. */
export interface BTreePathStep {
  readonly pageId: PageId;
  readonly index: number;
}

/** One index entry as a scan returns it: the user key (without any rid suffix) and its rid, both copies. */
export interface BPlusTreeEntry {
  readonly key: Uint8Array;
  readonly rid: Rid;
}

/** The bounds of a range scan, on user keys (encoded); an absent bound is open. */
export interface RangeBounds {
  readonly lo?: Uint8Array;
  readonly hi?: Uint8Array;
  readonly loInclusive: boolean;
  readonly hiInclusive: boolean;
}

/** The tree's pages and state, as the algorithms see them. */
export interface BTreeContext {
  /** True: one entry per key, stored as the key. False: stored as key ‖ rid. */
  readonly unique: boolean;
  /** The order of stored keys: `compareBytes` (unique) or `compareKeyRid` (non-unique). */
  readonly compare: KeyCompare;
  /** Bytes that entries and their slots may use in one page (pageSize − 16). */
  readonly capacity: number;
  /** Bytes that every page but the root uses at least, after any operation. */
  readonly minFill: number;
  readonly rootPageId: PageId;
  /** Levels, leaves included: 1 when the root is a leaf. */
  readonly height: number;
  /** Changes whenever the tree changes (insert, delete, bulk load): a scan compares it to notice. */
  readonly version: number;

  /** The tree's `searchPage` (yours when plugged in) with the tree's `compare`. */
  search(page: BTreePage, probe: Uint8Array): SearchResult;
  /**
   * The leaf whose key range holds `probe` (the leftmost leaf for `undefined`). When `path`
   * is given, pushes every internal page passed, root first, with the child index taken.
   */
  findLeaf(probe: Uint8Array | undefined, path?: BTreePathStep[]): PageId;
  /** Run `fn` on the page, pinned; it is unpinned clean. */
  read<T>(pageId: PageId, fn: (page: BTreePage) => T): T;
  /** Run `fn` on the page, pinned; it is unpinned dirty (whether `fn` changed it or not). */
  write<T>(pageId: PageId, fn: (page: BTreePage) => T): T;
  /** A copy of the page as a node. */
  readNode(pageId: PageId): BTreeNode;
  /** Replace the page's contents with `node`, which must fit (`fits`); throws `InvariantError` otherwise. */
  writeNode(pageId: PageId, node: BTreeNode): void;
  /** Bytes `node` needs in a page: the sum of `entryCost` over its keys. */
  usedBytes(node: BTreeNode): number;
  /** `usedBytes(node) <= capacity`. */
  fits(node: BTreeNode): boolean;
  /** A new page holding `node` (which must fit); counted in the tree's page count. */
  allocate(node: BTreeNode): PageId;
  /** Give a page that left the tree back to the pool (a merged-away sibling, an old root). */
  free(pageId: PageId): void;
  /** Make `pageId` the root of a tree of `height` levels (after a root split or a root collapse). */
  setRoot(pageId: PageId, height: number): void;
  /**
   * The tree's `storeNode` (yours when plugged in): write `node` to `pageId`, splitting it
   * and its ancestors on `path` when it does not fit. `path` is consumed.
   */
  store(pageId: PageId, node: BTreeNode, path: BTreePathStep[]): void;
  /** The user key of a stored key: itself in a unique tree, without the 6-byte rid suffix otherwise. */
  userKey(stored: Uint8Array): Uint8Array;
  /**
   * A stored-key probe at the start (`"min"`) or end (`"max"`) of the entries for user key
   * `key`: the key itself in a unique tree, key ‖ the smallest or largest rid otherwise.
   */
  storedBound(key: Uint8Array, bound: "min" | "max"): Uint8Array;
}
