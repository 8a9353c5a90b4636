/**
 * LSM entries
 * ===========
 * What every part of the LSM tree (notebook 06) passes around: one version of one key.
 * The memtable, an SSTable, the merge iterator and compaction all speak in `LsmEntry`s.
 *
 *   { key: "apple", seq: 17, value: "red" }       a write
 *   { key: "apple", seq: 23, value: undefined }   a delete: a tombstone that hides seq 17
 *
 * Keys are ordered by `compareBytes` (index/key-codec.ts): memcmp, then length. A *sorted
 * source* is an `Iterable<LsmEntry>` in strictly ascending key order, one entry per key
 * (a memtable's iterator, an SSTable's scan, a merge's output). `seq` is the write's
 * sequence number: larger is newer. LevelDB and RocksDB pack the same three facts into an
 * "internal key" (user key ‖ seq ‖ type), with the tombstone as a type byte.
 */

/** One version of a key. `value === undefined` is a tombstone (a delete). */
export interface LsmEntry {
  readonly key: Uint8Array;
  readonly seq: number;
  readonly value: Uint8Array | undefined;
}
