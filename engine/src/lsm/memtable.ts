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
 * It is a sorted list cut into leaves of at most 128 entries, with the first key of every
 * leaf in one more sorted array: a two-level B+tree whose root is a plain array.
 *
 *   firstKeys   [ a      | f         | p          ]      binary search: the leaf
 *   leaves      [a b c d] [f g k m n] [p q t w]         binary search: the slot
 *
 * Costs: a put or get is two binary searches (log₂(n/64) + log₂ 128 compares), a put one
 * walk down (the slot found is where a new key goes); a put into a leaf shifts up to 128
 * slots, and a full leaf splits in two (the leaf array shifts too: n/64 slots, a memcpy
 * for the memtable sizes here, 4 MiB ≈ 35,000 entries). The flush and scans walk the
 * leaves in order, O(1) an entry. Keys sit in arrays of their own, apart from the entries,
 * so a search reads keys only. A get first asks a hash map (a key's 30-bit FNV-1a hash →
 * its entry): a key whose hash no other key has is answered there with one compare, and
 * most absent keys with none; only keys whose hash two keys share go to the leaves. It
 * costs a put one hash and one map insert, and spares the gets that miss the memtable
 * (most of them, once the tree is bigger than its memtable) the two binary searches,
 * whose compares each touch a different key's memory. `sizeBytes` counts key and value bytes plus
 * `MEMTABLE_ENTRY_OVERHEAD` for every put, replaced versions included (LevelDB's flush
 * trigger counts its arena the same way): an estimate of the footprint, not V8's true heap
 * use. Notebook 01's in-memory B-tree served here first; in V8 this flatter shape was
 * faster (a put walked that tree twice, a search then an insert, and a flush went through
 * its recursive generators: puts ~10% and memtable misses ~20% faster, flush walks 5×).
 *
 * LevelDB keeps every version (key ‖ seq) in a skip list, because snapshots may need old
 * ones; we keep only the newest (no snapshots until the MVCC notebook). RocksDB's default
 * memtable is a skip list too (a skip list lets readers run while a writer inserts, which
 * we do not need: the engine is single-threaded); PostgreSQL has no memtable (it updates
 * pages in place).
 */
import { DbError } from "../common/errors.js";
import { compareBytes } from "../index/key-codec.js";
import type { LsmEntry } from "./entry.js";

/** Bytes counted per entry on top of its key and value (references, seq, tree slots). */
export const MEMTABLE_ENTRY_OVERHEAD = 24;

/** Entries a leaf holds before it splits in two. */
const LEAF_MAX = 128;

export class Memtable {
  /**
   * Sorted leaves: `keys[l][i]` is `entries[l][i].key` (kept apart so a search touches keys
   * only); `firstKeys[l]` is `keys[l][0]`. Never an empty leaf.
   */
  readonly #keys: Uint8Array[][] = [];
  readonly #entries: LsmEntry[][] = [];
  readonly #firstKeys: Uint8Array[] = [];
  /** Point-get index: a key's 30-bit hash → its entry, or null when two keys share the hash (then the leaves decide). */
  readonly #byHash = new Map<number, LsmEntry | null>();
  #size = 0;
  #sizeBytes = 0;
  #frozen = false;
  #maxSeq = 0;

  /** Entries (one per key, tombstones included). */
  get size(): number {
    return this.#size;
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
    const key = entry.key;
    this.#sizeBytes += entryBytes(entry);
    if (entry.seq > this.#maxSeq) this.#maxSeq = entry.seq;
    const h = hash30(key);
    const same = this.#byHash.get(h);
    if (same === undefined || (same !== null && compareBytes(same.key, key) === 0)) this.#byHash.set(h, entry);
    else if (same !== null) this.#byHash.set(h, null);
    if (this.#keys.length === 0) {
      this.#keys.push([key]);
      this.#entries.push([entry]);
      this.#firstKeys.push(key);
      this.#size++;
      return;
    }
    // The leaf that holds key, or would: the last one whose first key is ≤ key (the first leaf when none is).
    const l = Math.max(0, this.#leafFor(key));
    const keys = this.#keys[l]!;
    const entries = this.#entries[l]!;
    const i = lowerBound(keys, key);
    if (i < keys.length && compareBytes(keys[i]!, key) === 0) {
      keys[i] = key;
      entries[i] = entry;
      return;
    }
    keys.splice(i, 0, key);
    entries.splice(i, 0, entry);
    if (i === 0) this.#firstKeys[l] = key;
    this.#size++;
    if (keys.length > LEAF_MAX) {
      const half = LEAF_MAX >>> 1;
      const rightKeys = keys.splice(half);
      this.#keys.splice(l + 1, 0, rightKeys);
      this.#entries.splice(l + 1, 0, entries.splice(half));
      this.#firstKeys.splice(l + 1, 0, rightKeys[0]!);
    }
  }

  /** The key's newest entry (a tombstone has `value: undefined`), or `undefined` when the memtable has none. */
  get(key: Uint8Array): LsmEntry | undefined {
    const byHash = this.#byHash.get(hash30(key));
    // No key with this hash: absent. One: it is this key's entry, or this key is absent.
    if (byHash === undefined) return undefined;
    if (byHash !== null) return compareBytes(byHash.key, key) === 0 ? byHash : undefined;
    const l = this.#leafFor(key);
    if (l < 0) return undefined;
    const keys = this.#keys[l]!;
    const i = lowerBound(keys, key);
    return i < keys.length && compareBytes(keys[i]!, key) === 0 ? this.#entries[l]![i] : undefined;
  }

  /** Entries with lo ≤ key < hi (an undefined bound is open), ascending, tombstones included: a sorted source. */
  *entries(lo?: Uint8Array, hi?: Uint8Array): IterableIterator<LsmEntry> {
    const leaves = this.#entries;
    let l = lo === undefined ? 0 : Math.max(0, this.#leafFor(lo));
    let i = lo === undefined || l >= leaves.length ? 0 : lowerBound(this.#keys[l]!, lo);
    for (; l < leaves.length; l++, i = 0) {
      const leaf = leaves[l]!;
      for (; i < leaf.length; i++) {
        const entry = leaf[i]!;
        if (hi !== undefined && compareBytes(entry.key, hi) >= 0) return;
        yield entry;
      }
    }
  }

  /** Make the memtable read-only (it waits for its flush). */
  freeze(): void {
    this.#frozen = true;
  }

  /** The last leaf whose first key is ≤ key; −1 when every leaf starts after key. */
  #leafFor(key: Uint8Array): number {
    const firsts = this.#firstKeys;
    let lo = 0;
    let hi = firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(firsts[mid]!, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

/** FNV-1a of the key's bytes, cut to 30 bits (a small integer in V8: no allocation as a Map key). */
function hash30(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h & 0x3fffffff;
}

/** The first index whose key is ≥ key. */
function lowerBound(keys: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function entryBytes(entry: LsmEntry): number {
  return entry.key.length + (entry.value?.length ?? 0) + MEMTABLE_ENTRY_OVERHEAD;
}
