/**
 * B+tree algorithms: the contract
 * ===============================
 * The pieces of a B+tree a learner writes in notebook 05, as plain functions the tree
 * calls. `BPlusTree.create(pool, { unique, algorithms: { insertEntry, storeNode } })` runs
 * the ones given and the engine's for the rest (`ENGINE_BTREE_ALGORITHMS`,
 * engine-btree-algorithms.ts), so the same hidden suite tests a piece alone and inside a
 * real tree, and a learner's pieces stack on each other.
 *
 *   a lookup     BPlusTree.get ─► tree.findLeaf ─► searchPage (every level) ─► rid
 *   an insert    insertEntry ─► (leaf full) storeNode ─► split, push a key up the path
 *   a delete     deleteEntry ─► (page under a quarter full) borrow or merge, up the path
 *   a scan       rangeScan ─► first leaf, then right-sibling links, one leaf at a time
 *
 * What every function may rely on and must keep is the context's contract
 * (`BTreeContext`, btree-context.ts): one pin at a time, stored keys compared with
 * `tree.compare`, space counted in bytes with `entryCost`, splits at `leafSplitPoint` and
 * `internalSplitPoint`. The tree does not check an algorithm's work as it runs:
 * `BPlusTree.check()` does, and the hidden tests call it after every operation.
 */
import type { PageId, Rid } from "../common/ids.js";
import type { BPlusTreeEntry, BTreeContext, BTreeNode, BTreePathStep, RangeBounds, SearchResult } from "./btree-context.js";
import type { BTreePage } from "./btree-page.js";
import type { KeyCompare } from "./key-codec.js";

/**
 * The pluggable pieces of a B+tree. Each is one exercise of notebook 05; the engine's own
 * are `searchPage`, `insertEntry`, `storeNode`, `deleteEntry` and `rangeScan`.
 */
export interface BTreeAlgorithms {
  /** 05.1: binary search in one page. */
  readonly searchPage: (page: BTreePage, probe: Uint8Array, compare: KeyCompare) => SearchResult;
  /** 05.2: add stored key → rid; false (and no change) when the stored key is present. */
  readonly insertEntry: (tree: BTreeContext, key: Uint8Array, rid: Rid) => boolean;
  /** 05.2: write a node, splitting it and its ancestors when it does not fit. */
  readonly storeNode: (tree: BTreeContext, pageId: PageId, node: BTreeNode, path: BTreePathStep[]) => void;
  /** 05.3: remove the stored key (pointing to `rid`, when given) and rebalance; false when absent. */
  readonly deleteEntry: (tree: BTreeContext, key: Uint8Array, rid: Rid | undefined) => boolean;
  /** 05.4: the entries within `bounds`, in order, one leaf at a time. */
  readonly rangeScan: (tree: BTreeContext, bounds: RangeBounds) => Iterable<BPlusTreeEntry>;
}
