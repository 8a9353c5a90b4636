/**
 * CRC-32C (Castagnoli)
 * ====================
 * A checksum that detects torn and corrupted writes: PostgreSQL stores a CRC-32C in every
 * WAL record and, with data checksums on, a 16-bit fold of one in every page. This is the
 * table-driven, reflected form: one 256-entry table, one lookup per byte. (Hardware has a
 * CRC32C instruction; PostgreSQL uses it where it can.)
 *
 *   crc = 0xFFFFFFFF
 *   for each byte b:  crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >>> 8)
 *   return crc ^ 0xFFFFFFFF          (as an unsigned 32-bit number)
 *
 * Check value: crc32c("123456789") = 0xE3069283.
 *
 * This file is the reference answer to exercise 00.2, in the form a learner writes it.
 */

/** The reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32C of `bytes`, as an unsigned 32-bit number. Pass the result of an earlier
 * call as `previous` to checksum data that arrives in pieces.
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
