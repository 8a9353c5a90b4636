/**
 * Bulk load
 * =========
 * Building an index on a filled table key by key splits pages all the way and leaves
 * them about 70% full. From sorted input there is a better way, the one PostgreSQL's
 * CREATE INDEX takes (nbtsort.c): fill the leaves left to right up to the fill factor,
 * then build each level above from the first keys of the level below, until one page is
 * left, the root. O(n), no split, and every page as full as asked:
 *
 *   sorted entries ─► [leaf 90%][leaf 90%][leaf 90%][leaf ≥ ¼]     level 0, linked
 *                        ▲          ▲         ▲         ▲
 *                     [ first keys of the leaves, 90% ][ … ]       level 1
 *                                      ▲
 *                                   [root]
 *
 * The last page of a level may come out below the quarter-full minimum; it is then merged
 * with its left neighbour, or the two are split evenly. The old (empty) root is freed
 * only after the new tree is complete, so a refused input leaves the tree as it was.
 */
import { DbError } from "../common/errors.js";
import { INVALID_PAGE_ID, type PageId, type Rid } from "../common/ids.js";
import { entryCost, internalSplitPoint, leafSplitPoint, type BTreePageKind } from "./btree-page.js";
import type { TreeContext } from "./tree-context.js";

export interface BulkLoadOptions {
  /**
   * How full to make each page, 0.5…1 (default 0.9, PostgreSQL's leaf fillfactor).
   * Below one half, the last pages of a level could not keep the quarter-full invariant.
   */
  readonly fillFactor?: number;
}

/**
 * Build the empty tree `tree` (holding `size` entries: it must be 0) from `entries`:
 * stored keys in strictly increasing `tree.compare` order, with their rids. Returns the
 * number of entries loaded. Throws `invalid-state` for a tree that is not empty,
 * `invalid-argument` for a fill factor outside 0.5…1 or entries out of order or duplicated
 * (naming the position); the tree is unchanged then.
 */
export function bulkLoad(tree: TreeContext, size: number, entries: Iterable<readonly [Uint8Array, Rid]>, options: BulkLoadOptions = {}): number {
  const fillFactor = options.fillFactor ?? 0.9;
  if (typeof fillFactor !== "number" || !(fillFactor >= 0.5 && fillFactor <= 1)) {
    throw new DbError("invalid-argument", `fillFactor must be a number in 0.5…1, got ${String(fillFactor)}`, {
      fillFactor,
    });
  }
  if (size !== 0) {
    throw new DbError("invalid-state", `bulkLoad needs an empty tree; this one has ${size} entries`, { size });
  }
  const keys: Uint8Array[] = [];
  const rids: Rid[] = [];
  for (const [stored, rid] of entries) {
    const previous = keys[keys.length - 1];
    if (previous !== undefined) {
      const c = tree.compare(previous, stored);
      if (c >= 0) {
        const what = c === 0 ? "a duplicate of the one before" : "smaller than the one before";
        throw new DbError("invalid-argument", `bulkLoad needs sorted, distinct entries: entry ${keys.length} is ${what}`, {
          position: keys.length,
        });
      }
    }
    keys.push(stored);
    rids.push(rid);
  }
  if (keys.length === 0) return 0;

  const target = Math.floor(fillFactor * tree.capacity);
  const leafRanges = packLevel(tree, keys.map((k) => entryCost("leaf", k.length)), "leaf", target);
  const oldRoot = tree.rootPageId;
  // Allocate the leaves first, empty, so each can be written with its right sibling's id.
  const leafIds = leafRanges.map(() => tree.allocate({ kind: "leaf", keys: [], rids: [], next: INVALID_PAGE_ID }));
  leafRanges.forEach(([s, e], i) => {
    const next = leafIds[i + 1] ?? INVALID_PAGE_ID;
    tree.writeNode(leafIds[i] as PageId, { kind: "leaf", keys: keys.slice(s, e), rids: rids.slice(s, e), next });
  });
  let childIds = leafIds;
  let firstKeys = leafRanges.map(([s]) => keys[s] as Uint8Array);
  let level = 0;
  while (childIds.length > 1) {
    level++;
    const ranges = packLevel(tree, firstKeys.map((k) => entryCost("internal", k.length)), "internal", target);
    const children = childIds;
    const separators = firstKeys;
    const pageLevel = level;
    childIds = ranges.map(([s, e]) =>
      tree.allocate({ kind: "internal", level: pageLevel, keys: separators.slice(s + 1, e), children: children.slice(s, e) }),
    );
    firstKeys = ranges.map(([s]) => separators[s] as Uint8Array);
  }
  // Switch to the new root only now: until here the tree was the old, empty one.
  tree.setRoot(childIds[0] as PageId, level + 1);
  tree.free(oldRoot);
  return keys.length;
}

/**
 * Group consecutive items (entries for leaves, children for internal pages) into pages,
 * left to right, each filled up to `target` bytes, and return the [start, end) range of
 * each page. An internal page's first child goes in the header, so it costs nothing and
 * the page needs at least two children. When the last page ends up below the minimum
 * fill, it and its left neighbour are merged or split evenly.
 */
function packLevel(tree: TreeContext, costs: readonly number[], kind: BTreePageKind, target: number): [number, number][] {
  const n = costs.length;
  const skip = kind === "leaf" ? 0 : 1; // items whose cost does not count: the leftmost child
  const cost = (s: number, e: number): number => {
    let total = 0;
    for (let i = s + skip; i < e; i++) total += costs[i] as number;
    return total;
  };
  const ranges: [number, number][] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1 + skip;
    let used = cost(s, Math.min(e, n));
    while (e < n && used + (costs[e] as number) <= target) used += costs[e++] as number;
    e = Math.min(e, n);
    ranges.push([s, e]);
    s = e;
  }
  const last = ranges[ranges.length - 1] as [number, number];
  const previous = ranges[ranges.length - 2];
  if (previous !== undefined && cost(last[0], last[1]) < tree.minFill) {
    const [s, e] = [previous[0], last[1]];
    ranges.length -= 2;
    if (cost(s, e) <= tree.capacity) {
      ranges.push([s, e]);
    } else {
      const m =
        kind === "leaf"
          ? s + leafSplitPoint(costs.slice(s, e))
          : s + 1 + internalSplitPoint(costs.slice(s + 1, e));
      ranges.push([s, m], [m, e]);
    }
  }
  return ranges;
}
