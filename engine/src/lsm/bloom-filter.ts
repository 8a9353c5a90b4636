/**
 * Bloom filter (exercise 06.2)
 * ============================
 * The engine's `MembershipFilter` (contract and picture in bloom.ts): m bits in a byte
 * array, k probes per key at (h1 + i·h2) mod m with h1, h2 from `bloomHashPair`.
 *
 *   add(key)         for i in 0 … k−1: set bit (h1 + i·h2) mod m
 *   mayContain(key)  for i in 0 … k−1: bit clear → false (stop at the first)
 *                    all set → true
 *
 * Sizing. With n keys in m bits and k probes, a given bit is still clear after all adds
 * with probability (1 − 1/m)^(kn) ≈ e^(−kn/m), so an absent key finds all its k bits set
 * with probability (1 − e^(−kn/m))^k. That is smallest at k = (m/n)·ln 2, where it is
 * 2^(−k) ≈ 0.6185^(m/n): 10 bits per key give about 0.8 %, each extra 4.8 bits per key
 * divide it by ten. Solving for m at a target rate p gives m = −n·ln p / (ln 2)².
 *
 * Costs: add and a positive probe cost k bit operations after two hashes of the key; a
 * negative probe stops at its first clear bit (about two probes on average at the
 * optimal k). Memory is m/8 bytes, whatever the keys' size. LevelDB's filter is this,
 * with one hash and h2 = h1 rotated by 17 bits; it caps k at 30.
 */
import { DbError } from "../common/errors.js";
import { bloomHashPair } from "./bloom-hash.js";
import type { MembershipFilter } from "./bloom.js";

const HEADER_SIZE = 5;
const MAX_BITS = 2 ** 31;
const MAX_HASHES = 255;

/** A bloom filter of `bitCount` bits and `hashCount` probes per key. */
export class BloomFilter implements MembershipFilter {
  readonly bitCount: number;
  readonly hashCount: number;
  readonly #bits: Uint8Array;

  /** m bits (an integer in 1 … 2³¹) and k probes (an integer in 1 … 255); else `invalid-argument`. */
  constructor(bitCount: number, hashCount: number) {
    if (!Number.isInteger(bitCount) || bitCount < 1 || bitCount > MAX_BITS) {
      throw new DbError("invalid-argument", `a bloom filter needs 1 … ${MAX_BITS} bits, got ${String(bitCount)}`, { bitCount });
    }
    if (!Number.isInteger(hashCount) || hashCount < 1 || hashCount > MAX_HASHES) {
      throw new DbError("invalid-argument", `a bloom filter needs 1 … ${MAX_HASHES} hash functions, got ${String(hashCount)}`, { hashCount });
    }
    this.bitCount = bitCount;
    this.hashCount = hashCount;
    this.#bits = new Uint8Array(Math.ceil(bitCount / 8));
  }

  /** Sized for `expectedKeys` at false-positive rate `rate`: m = ⌈−n·ln p / (ln 2)²⌉, k = max(1, round(m/n · ln 2)). */
  static withFalsePositiveRate(expectedKeys: number, rate: number): BloomFilter {
    checkKeys(expectedKeys);
    if (!(rate > 0 && rate < 1)) {
      throw new DbError("invalid-argument", `the false-positive rate must be in (0, 1), got ${String(rate)}`, { rate });
    }
    const bitCount = Math.ceil((-expectedKeys * Math.log(rate)) / (Math.LN2 * Math.LN2));
    return new BloomFilter(bitCount, optimalHashCount(expectedKeys, bitCount));
  }

  /** Sized for `expectedKeys` at `bitsPerKey` bits each: m = ⌈n·b⌉, k = max(1, round(m/n · ln 2)). */
  static withBitsPerKey(expectedKeys: number, bitsPerKey: number): BloomFilter {
    checkKeys(expectedKeys);
    // A bits per key that is not a positive finite number gives a bit count the constructor refuses.
    const bitCount = Math.ceil(expectedKeys * bitsPerKey);
    return new BloomFilter(bitCount, optimalHashCount(expectedKeys, bitCount));
  }

  /** A filter read back from `encode()`'s bytes; `corrupt` (saying what is wrong) when they are not one. */
  static decode(bytes: Uint8Array): BloomFilter {
    if (bytes.length < HEADER_SIZE) {
      throw new DbError("corrupt", `a bloom filter needs a ${HEADER_SIZE}-byte header, got ${bytes.length} bytes`, { length: bytes.length });
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bitCount = view.getUint32(0, true);
    const hashCount = bytes[4]!;
    if (bitCount < 1 || bitCount > MAX_BITS || hashCount < 1) {
      throw new DbError("corrupt", `bloom filter header at offset 0 says ${bitCount} bits and ${hashCount} hashes`, { bitCount, hashCount, offset: 0 });
    }
    const expected = HEADER_SIZE + Math.ceil(bitCount / 8);
    if (bytes.length !== expected) {
      throw new DbError("corrupt", `a bloom filter of ${bitCount} bits is ${expected} bytes, got ${bytes.length}`, { bitCount, expected, length: bytes.length });
    }
    const filter = new BloomFilter(bitCount, hashCount);
    filter.#bits.set(bytes.subarray(HEADER_SIZE));
    return filter;
  }

  add(key: Uint8Array): void {
    const [h1, h2] = bloomHashPair(key);
    const m = this.bitCount;
    const bits = this.#bits;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + i * h2) % m;
      bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mayContain(key: Uint8Array): boolean {
    const [h1, h2] = bloomHashPair(key);
    const m = this.bitCount;
    const bits = this.#bits;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + i * h2) % m;
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  encode(): Uint8Array {
    const out = new Uint8Array(HEADER_SIZE + this.#bits.length);
    new DataView(out.buffer).setUint32(0, this.bitCount, true);
    out[4] = this.hashCount;
    out.set(this.#bits, HEADER_SIZE);
    return out;
  }
}

/** The expected false-positive rate of `bitCount` bits and `hashCount` probes holding `keys` keys: (1 − e^(−kn/m))^k. */
export function theoreticalFalsePositiveRate(keys: number, bitCount: number, hashCount: number): number {
  if (!(Number.isFinite(keys) && keys >= 0) || !(Number.isFinite(bitCount) && bitCount > 0) || !(Number.isFinite(hashCount) && hashCount > 0)) {
    throw new DbError("invalid-argument", `need keys ≥ 0, bits > 0 and hashes > 0, got ${String(keys)}, ${String(bitCount)}, ${String(hashCount)}`, {
      keys,
      bitCount,
      hashCount,
    });
  }
  return (1 - Math.exp((-hashCount * keys) / bitCount)) ** hashCount;
}

function checkKeys(expectedKeys: number): void {
  if (!Number.isInteger(expectedKeys) || expectedKeys < 1) {
    throw new DbError("invalid-argument", `the expected number of keys must be an integer ≥ 1, got ${String(expectedKeys)}`, { expectedKeys });
  }
}

function optimalHashCount(keys: number, bitCount: number): number {
  return Math.max(1, Math.round((bitCount / keys) * Math.LN2));
}
