/**
 * Membership filters: the contract (exercise 06.2)
 * ================================================
 * A bloom filter answers "might this key be in the set?" with no false negatives and a
 * tunable rate of false positives, in about 10 bits per key whatever the key's size. An
 * SSTable keeps one for its keys, so a `get` for a key the table does not hold usually
 * costs no block read at all.
 *
 *   m bits, k probes per key, probe i at  (h1 + i·h2) mod m   (i = 0 … k − 1)
 *
 *   add("kiwi")      h1, h2 = bloomHashPair("kiwi") → set bits 3, 11, 19
 *   bits             0 0 0 1 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 1 0 …
 *   mayContain(x)    every one of x's k bits set?  no → surely absent; yes → maybe
 *
 * `h1`, `h2` come from `bloomHashPair` (bloom-hash.ts): two independent 32-bit hashes
 * combined by double hashing (Kirsch and Mitzenmacher, 2006), which loses nothing
 * measurable against k independent hashes and hashes the key only twice.
 *
 * The encoding is fixed, so a filter written by one implementation reads back with
 * another, and the SSTable stores it as its filter block:
 *
 *   | bitCount u32 LE (0) | hashCount u8 (4) | bit array, ⌈m/8⌉ bytes (5 …) |
 *   bit j is byte 5 + (j >>> 3), mask 1 << (j & 7)
 *
 * Sizing, for n keys and a target false-positive rate p:
 *   m = ⌈−n·ln p / (ln 2)²⌉,  k = max(1, round(m/n · ln 2))
 * and for b bits per key: m = ⌈n·b⌉, k the same formula. The expected false-positive
 * rate of m bits, k probes and n keys is (1 − e^(−kn/m))^k.
 *
 * LevelDB's `NewBloomFilterPolicy(bits_per_key)` is the same design (k = bits·ln 2,
 * double hashing with h2 = h1 rotated by 17 bits, k stored in the filter's last byte);
 * RocksDB's newer format splits the bits into 64-byte cache-line blocks so one probe
 * touches one line. PostgreSQL has bloom filters too: the `bloom` index access method
 * (contrib/bloom, one signature per row) and `lib/bloomfilter.c` used by amcheck.
 */

/** A set that can say "no" for sure and "maybe" otherwise: never a false negative. */
export interface MembershipFilter {
  /** m, the number of bits. */
  readonly bitCount: number;
  /** k, the number of bits each key sets and each probe tests. */
  readonly hashCount: number;
  /** Record `key`: from now on `mayContain(key)` is true. Sets at most k bits. */
  add(key: Uint8Array): void;
  /** False only if `key` was never added; true for every added key (and, rarely, others). */
  mayContain(key: Uint8Array): boolean;
  /** The filter as bytes, in the layout above. */
  encode(): Uint8Array;
}

/**
 * A filter implementation as the SSTable and the measurements take it: a class (the
 * engine's `BloomFilter` or the learner's) with its two static constructors.
 */
export interface MembershipFilterClass {
  /** A filter sized for `expectedKeys` keys at `bitsPerKey` bits each. */
  withBitsPerKey(expectedKeys: number, bitsPerKey: number): MembershipFilter;
  /** A filter read back from `encode()`'s bytes; `corrupt` when they are not a filter. */
  decode(bytes: Uint8Array): MembershipFilter;
}
