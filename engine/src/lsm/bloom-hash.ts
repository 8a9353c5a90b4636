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

const SEED_1 = 0x9747b28c;
const SEED_2 = 0x5bd1e995;

function murmur3(key: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const n = key.length;
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = key[whole]!;
    if (tail > 1) k ^= key[whole + 1]! << 8;
    if (tail > 2) k ^= key[whole + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two independent 32-bit hashes of `key`, each an unsigned integer in 0 … 2³² − 1. */
export function bloomHashPair(key: Uint8Array): [h1: number, h2: number] {
  return [murmur3(key, SEED_1), murmur3(key, SEED_2)];
}
