/**
 * Insert with splits (exercise 05.2)
 * ==================================
 * An insert finds the leaf that owns the key, remembering the internal pages it passed
 * (the *path*), and puts the entry there. Most of the time it fits and that is all: one
 * page changes. When the leaf is full, the leaf *splits*:
 *
 *   before            parent [ 20 | 40 ]                    insert 33 into a full leaf
 *                            /    |    \
 *                     [5 10] [20 25 30 35] [40 50]
 *
 *   after             parent [ 20 | 30 | 40 ]               the right half's first key
 *                            /    |    |    \               is *copied* up: it stays in
 *                     [5 10] [20 25] [30 33 35] [40 50]     the leaf (all entries live in
 *                                 └──→──┘                   leaves)
 *
 * 1. Put the entry into a copy of the leaf (`readNode`, splice at the searched index).
 * 2. Split the copy at `leafSplitPoint` (by bytes: keys differ in length). The left half
 *    stays in the old page, the right half goes to a new page (`allocate` it first, so a
 *    full buffer pool fails before anything changed), and the sibling links become
 *    left → right → the old next.
 * 3. Insert (separator = right's first key, right page) into the parent at the index the
 *    descent took there, + 1 for the child. If the parent overflows, it splits too, at
 *    `internalSplitPoint`, but an internal split *moves* its middle key up: the key is not
 *    kept in either half, and its child becomes the right half's leftmost child:
 *
 *       [ 10 | 20 | 30 | 40 | 50 ]  →  [ 10 | 20 ]  30 ↑  [ 40 | 50 ]
 *      c0   c1   c2   c3   c4   c5     c0   c1   c2       c3   c4   c5
 *
 * 4. When the root splits there is no parent: allocate a new root with one key and the
 *    two halves as children. This is the only way the tree grows taller, so every leaf
 *    stays at the same depth.
 *
 * `storeNode` is steps 2–4 for any node, leaf or internal: "write this node back; if it is
 * too big, split it and push the separator up the path". Deletes use it too, in the rare
 * case where a borrowed separator is longer than the one it replaces and the parent
 * overflows (see delete-entry.ts). Call it through `tree.store`, so a tree built with your
 * `storeNode` uses yours everywhere.
 *
 * Cost: a split writes three pages (the two halves and the parent) plus one per level it
 * propagates; with a fan-out of hundreds, a leaf splits once in ~a hundred inserts and
 * an internal split is rarer still. PostgreSQL's `_bt_split` does the same, and writes
 * all of it as one WAL record so a crash cannot leave half a split (notebook 09).
 * Simpler than PostgreSQL: no choice of split point by where inserts go (nbtree splits a
 * rightmost leaf unevenly, leaving the left page `fillfactor` full, because ascending keys
 * would otherwise leave every leaf half empty: this tree's sorted inserts do exactly that).
 */
import type { PageId, Rid } from "../common/ids.js";
import type { BTreeContext, BTreeInternalNode, BTreeLeafNode, BTreeNode, BTreePathStep } from "./btree-context.js";
import { entryCost, internalSplitPoint, leafSplitPoint } from "./btree-page.js";

/**
 * Add stored key `key` → `rid`. Returns false, changing nothing, when an equal stored key
 * is already present; true once the entry is in its leaf, with any splits done.
 */
export function insertEntry(tree: BTreeContext, key: Uint8Array, rid: Rid): boolean {
  const path: BTreePathStep[] = [];
  const leafId = tree.findLeaf(key, path);
  // The common case changes one page in place; otherwise it says where the entry goes.
  const outcome = tree.write(leafId, (page) => {
    const { index, found } = tree.search(page, key);
    if (found) return "duplicate";
    return page.insertLeafAt(index, key, rid) ? "inserted" : index;
  });
  if (outcome === "duplicate") return false;
  if (outcome !== "inserted") {
    const leaf = tree.readNode(leafId) as BTreeLeafNode;
    leaf.keys.splice(outcome, 0, key);
    leaf.rids.splice(outcome, 0, rid);
    tree.store(leafId, leaf, path);
  }
  return true;
}

/**
 * Write `node` to page `pageId`. When it does not fit, split it: the left half stays in
 * `pageId`, the right half goes to a new page, and the separator goes into the parent, the
 * last step of `path` (which is consumed), splitting that in turn if needed; with no
 * parent left, a new root is made above the two halves.
 */
export function storeNode(tree: BTreeContext, pageId: PageId, node: BTreeNode, path: BTreePathStep[]): void {
  if (tree.fits(node)) {
    tree.writeNode(pageId, node);
    return;
  }
  let separator: Uint8Array;
  let rightId: PageId;
  if (node.kind === "leaf") {
    const mid = leafSplitPoint(node.keys.map((k) => entryCost("leaf", k.length)));
    separator = node.keys[mid] as Uint8Array;
    rightId = tree.allocate({ kind: "leaf", keys: node.keys.slice(mid), rids: node.rids.slice(mid), next: node.next });
    tree.writeNode(pageId, { kind: "leaf", keys: node.keys.slice(0, mid), rids: node.rids.slice(0, mid), next: rightId });
  } else {
    const j = internalSplitPoint(node.keys.map((k) => entryCost("internal", k.length)));
    const level = node.level;
    separator = node.keys[j] as Uint8Array;
    rightId = tree.allocate({ kind: "internal", level, keys: node.keys.slice(j + 1), children: node.children.slice(j + 1) });
    tree.writeNode(pageId, { kind: "internal", level, keys: node.keys.slice(0, j), children: node.children.slice(0, j + 1) });
  }
  const childLevel = node.kind === "leaf" ? 0 : node.level;
  const step = path.pop();
  if (step === undefined) {
    // The root split: a new root above the two halves, one level up.
    const root = tree.allocate({ kind: "internal", level: childLevel + 1, keys: [separator], children: [pageId, rightId] });
    tree.setRoot(root, childLevel + 2);
    return;
  }
  const parent = tree.readNode(step.pageId) as BTreeInternalNode;
  parent.keys.splice(step.index, 0, separator);
  parent.children.splice(step.index + 1, 0, rightId);
  tree.store(step.pageId, parent, path);
}
