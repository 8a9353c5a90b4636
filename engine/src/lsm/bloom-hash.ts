/**
 * Bloom hash pair
 * ===============
 * The two hashes a bloom filter combines into its k probes (bloom.ts): MurmurHash3's
 * 32-bit mix (Appleby) over the key's bytes, run with two different seeds. Both are
 * uniform over 0 … 2³² − 1 and independent enough that (h1 + i·h2) mod m spreads the k
 * probes as well as k separate hashes would. Cost: two passes over the key, about
 * 1 ns a byte each. LevelDB hashes once (its own Murmur-like `Hash`) and takes
 * h2 = h1 rotated right by 17 bits; RocksDB's newer filters take both from one 64-bit
 * XXH3 hash.
 */

import { murmurHash32 } from "../common/murmur-hash.js";

const SEED_1 = 0x9747b28c;
const SEED_2 = 0x5bd1e995;

/** Two independent 32-bit hashes of `key`, each an unsigned integer in 0 … 2³² − 1. */
export function bloomHashPair(key: Uint8Array): [h1: number, h2: number] {
  return [murmurHash32(key, SEED_1), murmurHash32(key, SEED_2)];
}
