/**
 * MurmurHash3, 32 bits
 * ====================
 * The engine's one general-purpose hash of bytes, used where the low bits of a hash must
 * look random even when the keys do not: an extendible hash index numbers its directory
 * slots by them (the engine's int keys are 8 big-endian bytes in which consecutive numbers
 * differ only in the last byte), and a bloom filter makes its k probes from two of them
 * (two seeds). This is MurmurHash3's x86 32-bit function (Austin Appleby, public domain),
 * written from its description: 4 bytes at a time mixed into the state, the tail, then the
 * final mix (`fmix32`), whose multiply-xorshift rounds make every input bit flip each
 * output bit with probability about ½ (the avalanche property).
 *
 *   for each 4-byte block k (little-endian):  k *= c1; k = rotl(k, 15); k *= c2
 *                                             h ^= k; h = rotl(h, 13); h = h * 5 + 0xe6546b64
 *   tail (1–3 bytes) mixed the same way, without the rotate-multiply of h
 *   h ^= length; fmix32(h)
 *
 * Cost: about one multiply per byte. PostgreSQL's hash indexes use `hash_any` (Bob
 * Jenkins' lookup3) through each type's hash support function (`hashint8`, `hashtext`);
 * LevelDB's bloom filters use their own Murmur-like hash.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3's final mix: a bijection on 32-bit integers with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86 32-bit of `key` with `seed`, as an unsigned integer. */
export function murmurHash32(key: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const length = key.length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = key[blocks]!;
    if (tail > 1) k ^= key[blocks + 1]! << 8;
    if (tail > 2) k ^= key[blocks + 2]! << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix32(h ^ length);
}
