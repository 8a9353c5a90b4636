/**
 * The range iterator (exercise 05.4)
 * ==================================
 * What makes a B+tree a *B+*tree: all entries are in the leaves, and the leaves are linked
 * left to right. A range scan descends once, to the leaf where the range starts, and from
 * there walks sideways along the sibling links; no internal page is read again.
 *
 *                      [ 30 ]                 range(12, 41):
 *                     /      \                  descend to the leaf holding 12,
 *           [5 10 12 20] → [30 35 41 50] → ∅    yield 12 20, follow the link,
 *                 ↑ start                       yield 30 35 41, stop at 50 > 41
 *
 * The scan is a generator, and the caller runs its own code between two entries: it may
 * look rows up in the heap, or change this very tree. So the scan
 * 1. holds no pin while the caller has control: it copies out one leaf's entries in
 *    range (keys, rids, and the stored keys), unpins the leaf, then yields them; and
 * 2. notices when the tree changed (`tree.version` moved) while an entry was out: the
 *    rest of its copy may be stale and the sibling link may lead to a page that was
 *    merged away and reused. It then finds its place again from the root, at the first
 *    stored key *after* the last one it returned, and carries on. Entries deleted ahead
 *    of it are not returned, entries inserted ahead of it are, and entries behind it
 *    are not seen again.
 *
 * Bounds are on user keys; `lo`/`hi` may be absent (open) and either end exclusive. In a
 * non-unique tree the stored keys carry a rid suffix: start at `tree.storedBound(lo,
 * "min")`, and compare `tree.userKey(stored)` with the bounds.
 *
 * PostgreSQL's index scans do the same two things: `_bt_readpage` copies the matching
 * items of one leaf into the scan's own memory and drops the lock (keeping a pin, which
 * stops VACUUM from removing entries under a scan), and a scan that returns to a page
 * that has changed re-finds its position. Concurrent splits are handled by Lehman–Yao's
 * right links (notebook 07); here nothing runs concurrently, so a version number suffices.
 */
import { INVALID_PAGE_ID, type PageId, type Rid } from "../common/ids.js";
import type { BPlusTreeEntry, BTreeContext, RangeBounds } from "./btree-context.js";
import { compareBytes } from "./key-codec.js";

/** The entries whose user keys lie within `bounds`, in stored-key order. */
export function* rangeScan(tree: BTreeContext, bounds: RangeBounds): Generator<BPlusTreeEntry, void, undefined> {
  const { lo, hi, loInclusive, hiInclusive } = bounds;
  const start = lo === undefined ? undefined : tree.storedBound(lo, "min");
  // Where to begin in the next leaf read: at the first stored key ≥ `key` (or > it, when
  // `after`), or at slot 0 when following a sibling link (`seek` undefined).
  let seek: { key: Uint8Array; after: boolean } | undefined = start === undefined ? undefined : { key: start, after: false };
  let leafId: PageId = tree.findLeaf(start);
  let last: Uint8Array | undefined;
  let version = tree.version;
  for (;;) {
    const batch: { key: Uint8Array; rid: Rid; stored: Uint8Array }[] = [];
    let done = false;
    const from = seek;
    const next = tree.read(leafId, (page) => {
      let pos = 0;
      if (from !== undefined) {
        const { index, found } = tree.search(page, from.key);
        pos = from.after && found ? index + 1 : index;
      }
      for (; pos < page.keyCount; pos++) {
        const stored = page.keyView(pos);
        const key = tree.userKey(stored);
        if (lo !== undefined && !loInclusive && compareBytes(key, lo) === 0) continue;
        if (hi !== undefined) {
          const c = compareBytes(key, hi);
          if (c > 0 || (c === 0 && !hiInclusive)) {
            done = true;
            break;
          }
        }
        batch.push({ key: key.slice(), rid: page.ridAt(pos), stored: stored.slice() });
      }
      return page.rightSibling;
    });
    for (const entry of batch) {
      last = entry.stored;
      yield { key: entry.key, rid: entry.rid };
      if (tree.version !== version) break;
    }
    if (tree.version !== version) {
      // The caller changed the tree: find the place again from the root, after `last`.
      version = tree.version;
      seek = { key: last as Uint8Array, after: true };
      leafId = tree.findLeaf(seek.key);
      continue;
    }
    if (done || next === INVALID_PAGE_ID) return;
    leafId = next;
    seek = undefined;
  }
}
