/**
 * The LSM merge iterator (exercise 06.3)
 * ======================================
 * An LSM tree keeps several sorted runs (the memtable, then SSTables from newest to
 * oldest) and reads them as one: a k-way merge that yields each key once, with its
 * newest version.
 *
 *   sources[0]  memtable   a:5   c:☠9          (☠ = tombstone)
 *   sources[1]  L0 table   a:3   b:4   c:2
 *   sources[2]  L1 table         b:1         d:1
 *   merged                 a:5   b:4   c:☠9  d:1     (c dropped with dropTombstones)
 *
 * Precedence. `sources[0]` is the newest. When a key is in several sources, the entry
 * from the source with the lowest index wins and the others are skipped; `seq` is carried
 * along and never compared (the LSM tree numbers writes in the order it keeps its
 * sources, so the two orders agree). A winning tombstone hides every older version: it
 * is yielded as it is, or not at all with `dropTombstones` (a read, or a compaction into
 * the bottom level, where nothing older is left to hide). A compaction into any other
 * level must keep its tombstones, or older values below would come back to life.
 *
 * How. A binary min-heap holds one head entry per unfinished source, ordered by key and
 * then source index, so its top is the next key's winner. Pop it, pop every other head
 * with the same key (older versions), yield the winner, and only when the caller asks for
 * the next entry pull the next entry from each source popped. Each source is read lazily,
 * one entry ahead at most: infinite sources work, and stopping early (a `break`) closes
 * every source still open.
 *
 * Costs: O(log k) compares per entry read for k sources, O(k) memory.
 *
 * Each source must be strictly ascending (`compareBytes`, one entry per key); the
 * iterator checks as it reads and throws `invalid-argument` naming the source (its index)
 * and the position (0-based, in that source) of the first entry out of order.
 *
 * LevelDB's `MergingIterator` finds the smallest of its children by a linear scan
 * (cheap for the few levels it has) and leaves versions and tombstones to `DBIter` and
 * compaction; RocksDB's uses a binary heap as here. Both order internal keys by
 * (user key ascending, seq descending), so for them seq, not the source, decides.
 */
import { DbError } from "../common/errors.js";
import { compareBytes, toHex } from "../index/key-codec.js";
import type { LsmEntry } from "./entry.js";

interface Head {
  readonly entry: LsmEntry;
  readonly source: number;
}

/** Before: `a`'s key is smaller, or equal and its source newer. */
function before(a: Head, b: Head): boolean {
  const c = compareBytes(a.entry.key, b.entry.key);
  return c < 0 || (c === 0 && a.source < b.source);
}

/**
 * The entries of `sources` (each sorted by key, sources[0] the newest) merged into one
 * ascending stream, one entry per key: the newest source's. Tombstones are yielded unless
 * `options.dropTombstones`. Throws `invalid-argument` when a source is out of order.
 */
export function* mergeIterator(sources: readonly Iterable<LsmEntry>[], options: { readonly dropTombstones?: boolean } = {}): Generator<LsmEntry> {
  const dropTombstones = options.dropTombstones === true;
  const iterators: (Iterator<LsmEntry> | undefined)[] = [];
  const positions: number[] = [];
  const lastKeys: (Uint8Array | undefined)[] = [];
  const heap: Head[] = [];

  const push = (head: Head): void => {
    let i = heap.length;
    heap.push(head);
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(head, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = head;
  };
  const pop = (): Head => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  };
  // Pull the next entry of source s into the heap, or close it when it is done.
  const advance = (s: number): void => {
    const it = iterators[s];
    if (it === undefined) return;
    const next = it.next();
    if (next.done === true) {
      iterators[s] = undefined;
      return;
    }
    const entry = next.value;
    const position = positions[s]!;
    positions[s] = position + 1;
    const previous = lastKeys[s];
    if (previous !== undefined && compareBytes(previous, entry.key) >= 0) {
      throw new DbError(
        "invalid-argument",
        `source ${s} is out of order at position ${position}: key ${toHex(entry.key)} after ${toHex(previous)} (keys must be strictly ascending)`,
        { source: s, position },
      );
    }
    lastKeys[s] = entry.key;
    push({ entry, source: s });
  };

  try {
    for (let s = 0; s < sources.length; s++) {
      iterators.push(sources[s]![Symbol.iterator]());
      positions.push(0);
      lastKeys.push(undefined);
    }
    for (let s = 0; s < sources.length; s++) advance(s);
    const popped: number[] = [];
    while (heap.length > 0) {
      const winner = pop();
      popped.length = 0;
      popped.push(winner.source);
      while (heap.length > 0 && compareBytes(heap[0]!.entry.key, winner.entry.key) === 0) popped.push(pop().source);
      if (!(dropTombstones && winner.entry.value === undefined)) yield winner.entry;
      for (const s of popped) advance(s);
    }
  } finally {
    for (const it of iterators) it?.return?.();
  }
}
