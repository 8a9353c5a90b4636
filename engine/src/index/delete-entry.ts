/**
 * Delete with borrow and merge (exercise 05.3)
 * ============================================
 * A delete removes the entry from its leaf. Usually that is all. But a page left with
 * less than `tree.minFill` bytes in use (a quarter of the page) is *underfull*: left
 * alone, deletes could leave a tree of nearly empty pages, as tall as before and slower
 * to scan. So the underfull page is rebalanced with a sibling, chosen under the same
 * parent: the left neighbour when there is one, else the right.
 *
 *   merge: the two fit in one page            borrow: they do not
 *
 *        [ 20 | 40 ]                               [ 20 | 40 ]
 *       /     |     \                             /     |     \
 *   [5 10]  [20]  [40 50]                     [5 10] [20 21 22 23 24] [40]
 *            ↑ underfull                                                ↑ underfull
 *        [ 40 ]                                    [ 20 | 23 ]
 *       /      \                                  /     |     \
 *   [5 10 20]  [40 50]                        [5 10] [20 21 22] [23 24 40]
 *   the right page of the pair goes away,     the entries are shared out evenly and
 *   with its separator in the parent          the separator between the two replaced
 *
 * For leaves, merging concatenates the entries and the left page takes over the right
 * one's sibling link; redistributing splits the concatenation at `leafSplitPoint` and the
 * new separator is the right half's first key. For internal pages the separator comes
 * *down* between the two pages' keys (it is the key of the right page's leftmost child),
 * and redistributing splits at `internalSplitPoint`, moving that key up: a rotation.
 *
 * Then the parent: it lost a key (merge) and may be underfull in turn, so the repair
 * walks up the path. With variable-length keys a borrow can also *grow* the parent (the
 * new separator is longer than the old) until it does not fit: then `tree.store` splits
 * it, exactly as an insert would. The root has no minimum; but an internal root left
 * with no key has one child, which becomes the root: the only way the tree gets shorter,
 * and every leaf stays at the same depth.
 *
 * PostgreSQL does none of this during the delete. nbtree marks entries dead and leaves
 * pages underfull; VACUUM later removes pages that became *empty*, in two careful stages,
 * because readers may be on them (Lehman–Yao trees never merge under a reader's feet).
 * So a PostgreSQL index that lost most of its entries stays big until REINDEX, while
 * this tree shrinks at once.
 */
import { ridEquals, type PageId, type Rid } from "../common/ids.js";
import type { BTreeContext, BTreeInternalNode, BTreeNode, BTreePathStep } from "./btree-context.js";
import { entryCost, internalSplitPoint, leafSplitPoint } from "./btree-page.js";

/**
 * Remove the entry with stored key `key` (and only if it points to `rid`, when given) and
 * rebalance what became underfull. Returns false, changing nothing, when there is no such entry.
 */
export function deleteEntry(tree: BTreeContext, key: Uint8Array, rid: Rid | undefined): boolean {
  const path: BTreePathStep[] = [];
  const leafId = tree.findLeaf(key, path);
  const outcome = tree.write(leafId, (page) => {
    const { index, found } = tree.search(page, key);
    if (!found || (rid !== undefined && !ridEquals(page.ridAt(index), rid))) return "absent";
    page.removeAt(index);
    return page.usedSpace < tree.minFill ? "underfull" : "removed";
  });
  if (outcome === "absent") return false;
  if (outcome === "underfull") rebalance(tree, path);
  return true;
}

/**
 * The child taken at the last step of `path` is underfull: merge it with a sibling or
 * redistribute the two, then repair the parent, and so on up the path.
 */
function rebalance(tree: BTreeContext, path: BTreePathStep[]): void {
  for (;;) {
    const step = path.pop();
    if (step === undefined) return; // the root has no minimum
    const parent = tree.readNode(step.pageId) as BTreeInternalNode;
    // The pair: the underfull page and its left sibling, or its right one for child 0.
    const sep = step.index > 0 ? step.index - 1 : 0;
    const leftId = parent.children[sep] as PageId;
    const rightId = parent.children[sep + 1] as PageId;
    const left = tree.readNode(leftId);
    const right = tree.readNode(rightId);
    const joined = join(left, right, parent.keys[sep] as Uint8Array);
    if (tree.fits(joined)) {
      tree.writeNode(leftId, joined);
      tree.free(rightId);
      parent.keys.splice(sep, 1);
      parent.children.splice(sep + 1, 1);
    } else {
      parent.keys[sep] = redistribute(tree, joined, leftId, rightId);
    }

    if (path.length === 0 && parent.keys.length === 0) {
      // An internal root with one child left: the child becomes the root.
      tree.setRoot(parent.children[0] as PageId, tree.height - 1);
      tree.free(step.pageId);
      return;
    }
    if (!tree.fits(parent)) {
      // A longer separator overflowed the parent: split it as an insert would.
      tree.store(step.pageId, parent, path);
      return;
    }
    tree.writeNode(step.pageId, parent);
    if (path.length === 0 || tree.usedBytes(parent) >= tree.minFill) return;
  }
}

/** Both pages' contents as one node; for internal pages the separator comes down between them. */
function join(left: BTreeNode, right: BTreeNode, separator: Uint8Array): BTreeNode {
  if (left.kind === "leaf" && right.kind === "leaf") {
    return { kind: "leaf", keys: [...left.keys, ...right.keys], rids: [...left.rids, ...right.rids], next: right.next };
  }
  const l = left as BTreeInternalNode;
  const r = right as BTreeInternalNode;
  return { kind: "internal", level: l.level, keys: [...l.keys, separator, ...r.keys], children: [...l.children, ...r.children] };
}

/** Split `joined` evenly back into pages `leftId` and `rightId`; return the new separator between them. */
function redistribute(tree: BTreeContext, joined: BTreeNode, leftId: PageId, rightId: PageId): Uint8Array {
  if (joined.kind === "leaf") {
    const mid = leafSplitPoint(joined.keys.map((k) => entryCost("leaf", k.length)));
    tree.writeNode(leftId, { kind: "leaf", keys: joined.keys.slice(0, mid), rids: joined.rids.slice(0, mid), next: rightId });
    tree.writeNode(rightId, { kind: "leaf", keys: joined.keys.slice(mid), rids: joined.rids.slice(mid), next: joined.next });
    return joined.keys[mid] as Uint8Array;
  }
  const j = internalSplitPoint(joined.keys.map((k) => entryCost("internal", k.length)));
  const level = joined.level;
  tree.writeNode(leftId, { kind: "internal", level, keys: joined.keys.slice(0, j), children: joined.children.slice(0, j + 1) });
  tree.writeNode(rightId, { kind: "internal", level, keys: joined.keys.slice(j + 1), children: joined.children.slice(j + 1) });
  return joined.keys[j] as Uint8Array;
}
