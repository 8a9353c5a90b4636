/**
 * Checking a B+tree
 * =================
 * `checkTree` verifies every invariant of the tree (listed in bplus-tree.ts's header),
 * reading every page once, depth first, carrying each subtree's key bounds down:
 *
 *   visit(page, level, lo, hi): the page's own checks (BTreePage.verify), its level, its
 *   fill (non-root pages), every key in [lo, hi); then each child i with the bounds
 *   [key i−1, key i) — and afterwards the leaves, in the order met, against their links.
 *
 * It uses none of the pluggable algorithms, so it can judge them: the hidden tests of
 * notebook 05 call it after every operation. A failure is an `InvariantError` naming
 * the page and what is wrong.
 */
import { DbError, InvariantError } from "../common/errors.js";
import { INVALID_PAGE_ID, type PageId } from "../common/ids.js";
import { readBTreeMeta } from "./btree-meta.js";
import type { BTreePage } from "./btree-page.js";
import { toHex } from "./key-codec.js";
import { nodeOf, type TreeContext } from "./tree-context.js";

/**
 * Verify every invariant listed in the header, reading every page once. Throws
 * `InvariantError` naming the page and what is wrong; returns nothing when all hold.
 * It uses none of the pluggable algorithms, so it can judge them.
 */
export function checkTree(tree: TreeContext, metaPageId: PageId, size: number): void {
  const compare = tree.compare;
  const fail = (pageId: PageId | undefined, message: string): never => {
    const where = pageId === undefined ? "" : ` at page ${pageId}`;
    throw new InvariantError(`B+tree check failed${where}: ${message}`);
  };
  const meta = tree.pool.withReadPage(metaPageId, (bytes) => readBTreeMeta(bytes, metaPageId));
  // The meta page is written when the shape changes; its size is as of then (bplus-tree.ts).
  const cached = { root: tree.rootPageId, height: tree.height, pageCount: tree.pageCount };
  for (const field of ["root", "height", "pageCount"] as const) {
    if (meta[field] !== cached[field]) {
      fail(metaPageId, `meta page says ${field} ${meta[field]}, the tree has ${cached[field]}`);
    }
  }
  if (meta.unique !== tree.unique) fail(metaPageId, `meta page says unique ${meta.unique}`);

  const seen = new Set<PageId>();
  const leaves: { pageId: PageId; next: PageId; first?: Uint8Array; last?: Uint8Array }[] = [];
  let entries = 0;
  const show = (key: Uint8Array | undefined) => (key === undefined ? "∞" : toHex(key));
  const visit = (pageId: PageId, level: number, lo: Uint8Array | undefined, hi: Uint8Array | undefined): void => {
    if (seen.has(pageId)) fail(pageId, "reached twice (a cycle or a shared child)");
    seen.add(pageId);
    const node = checkRead(tree, pageId, (page) => {
      const problems = page.verify(compare);
      if (problems.length > 0) fail(pageId, problems.join("; "));
      if (page.level !== level || page.isLeaf !== (level === 0)) {
        const what = `a ${page.kind} page at level ${page.level} where level ${level} was expected`;
        fail(pageId, `${what} (leaves at unequal depth)`);
      }
      if (pageId !== tree.rootPageId) {
        if (page.usedSpace < tree.minFill) {
          fail(pageId, `uses ${page.usedSpace} bytes, below the minimum ${tree.minFill} for a non-root page`);
        }
        if (page.keyCount === 0) fail(pageId, "a non-root page with no key");
      } else if (!page.isLeaf && page.keyCount === 0) {
        fail(pageId, "an internal root with no key (it should have been replaced by its child)");
      }
      return nodeOf(page);
    });
    node.keys.forEach((key, i) => {
      if (lo !== undefined && compare(key, lo) < 0) {
        fail(pageId, `key ${i} (${toHex(key)}) is below its lower bound ${show(lo)}`);
      }
      if (hi !== undefined && compare(key, hi) >= 0) {
        fail(pageId, `key ${i} (${toHex(key)}) is not below its upper bound ${show(hi)}`);
      }
    });
    if (node.kind === "leaf") {
      entries += node.keys.length;
      leaves.push({ pageId, next: node.next, first: node.keys[0], last: node.keys[node.keys.length - 1] });
      return;
    }
    node.children.forEach((child, i) => {
      visit(child, level - 1, i === 0 ? lo : node.keys[i - 1], i === node.keys.length ? hi : node.keys[i]);
    });
  };
  visit(tree.rootPageId, tree.height - 1, undefined, undefined);

  leaves.forEach((leaf, i) => {
    const expected = leaves[i + 1]?.pageId ?? INVALID_PAGE_ID;
    if (leaf.next !== expected) {
      const where = `leaf ${i} of ${leaves.length} in key order`;
      fail(leaf.pageId, `right sibling is ${leaf.next}, expected ${expected} (${where})`);
    }
    const following = leaves[i + 1];
    if (following?.first !== undefined && leaf.last !== undefined && compare(leaf.last, following.first) >= 0) {
      fail(leaf.pageId, `last key is not below the first key of the next leaf ${following.pageId}`);
    }
  });
  if (entries !== size) fail(undefined, `the leaves hold ${entries} entries, size says ${size}`);
  if (seen.size + 1 !== tree.pageCount) {
    fail(undefined, `reached ${seen.size} pages plus the meta page, pageCount says ${tree.pageCount}`);
  }
}

/** `read` for `checkTree`: a page that cannot even be opened is reported as an InvariantError too. */
function checkRead<T>(tree: TreeContext, pageId: PageId, fn: (page: BTreePage) => T): T {
  try {
    return tree.read(pageId, fn);
  } catch (error) {
    if (error instanceof DbError) throw new InvariantError(`B+tree check failed at page ${pageId}: ${error.message}`);
    throw error;
  }
}
