/**
 * Memtable
 * ========
 * Where an LSM tree's writes land first: a sorted map in memory, key → newest version.
 * A put or a delete (a tombstone) replaces the key's entry; when the memtable's size
 * passes the tree's limit it is frozen (read-only from then on) and later written out,
 * in key order, as one SSTable: a flush.
 *
 *   put(k, v, seq) ─► [ memtable: sorted, mutable ] ──freeze──► [ immutable ] ──flush──► 000012.sst
 *
 * It is the engine's in-memory B-tree (notebook 01, `MemBTree`, minimum degree 32) over
 * `compareBytes`: O(log n) put and get, an in-order walk for the flush and for scans.
 * `sizeBytes` counts key and value bytes plus `MEMTABLE_ENTRY_OVERHEAD` for every put,
 * replaced versions included (LevelDB's flush trigger counts its arena the same way, and a
 * put then needs one walk down the tree, not two): an estimate of the footprint, not
 * V8's true heap use.
 *
 * LevelDB keeps every version (key ‖ seq) in a skip list, because snapshots may need old
 * ones; we keep only the newest (no snapshots until the MVCC notebook). RocksDB's default
 * memtable is a skip list too; PostgreSQL has no memtable (it updates pages in place).
 */
import { DbError } from "../common/errors.js";
import { BTree } from "../ds/btree.js";
import { compareBytes } from "../index/key-codec.js";
import type { LsmEntry } from "./entry.js";

/** Bytes counted per entry on top of its key and value (references, seq, tree slots). */
export const MEMTABLE_ENTRY_OVERHEAD = 24;

export class Memtable {
  readonly #map = new BTree<Uint8Array, LsmEntry>({ minDegree: 32, compare: compareBytes });
  #sizeBytes = 0;
  #frozen = false;
  #maxSeq = 0;

  /** Entries (one per key, tombstones included). */
  get size(): number {
    return this.#map.size;
  }

  /** Key and value bytes plus the per-entry overhead of every put so far, for the flush trigger. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** True once `freeze()` was called: puts are refused from then on. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** The largest seq put so far (0 when empty). */
  get maxSeq(): number {
    return this.#maxSeq;
  }

  /**
   * Store `entry` as its key's newest version (the caller gives increasing seqs). Throws
   * `invalid-state` after `freeze()`, `invalid-argument` for a key that is not a
   * Uint8Array or a seq that is not a non-negative integer; nothing changes then.
   */
  put(entry: LsmEntry): void {
    if (this.#frozen) throw new DbError("invalid-state", "the memtable is frozen (immutable): put goes to the new memtable", {});
    if (!(entry.key instanceof Uint8Array)) throw new DbError("invalid-argument", "a memtable key must be a Uint8Array", {});
    if (!Number.isInteger(entry.seq) || entry.seq < 0) throw new DbError("invalid-argument", `seq must be a non-negative integer, got ${String(entry.seq)}`, { seq: entry.seq });
    this.#map.insert(entry.key, entry);
    this.#sizeBytes += entryBytes(entry);
    if (entry.seq > this.#maxSeq) this.#maxSeq = entry.seq;
  }

  /** The key's newest entry (a tombstone has `value: undefined`), or `undefined` when the memtable has none. */
  get(key: Uint8Array): LsmEntry | undefined {
    return this.#map.search(key);
  }

  /** Entries with lo ≤ key < hi (an undefined bound is open), ascending, tombstones included: a sorted source. */
  entries(lo?: Uint8Array, hi?: Uint8Array): IterableIterator<LsmEntry> {
    return values(this.#map.range(lo, hi));
  }

  /** Make the memtable read-only (it waits for its flush). */
  freeze(): void {
    this.#frozen = true;
  }
}

function entryBytes(entry: LsmEntry): number {
  return entry.key.length + (entry.value?.length ?? 0) + MEMTABLE_ENTRY_OVERHEAD;
}

function* values(pairs: IterableIterator<[Uint8Array, LsmEntry]>): IterableIterator<LsmEntry> {
  for (const [, entry] of pairs) yield entry;
}
