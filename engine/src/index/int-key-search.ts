/**
 * A prepared probe for integer keys
 * =================================
 * The engine's own descent, when the tree runs the engine's `searchPage` and orders keys
 * with `compareBytes`, and the probe is an 8-byte integer key (what `encodeKey` makes of
 * a number or a bigint). `searchPage` (search-page.ts, exercise 05.1) stays the general
 * loop every tree can plug its own version of; this module is the same search, answered
 * the same way, with everything that does not change during one lookup done once:
 *
 *   searchPage, per compare                 searchInt64Key, per compare
 *   ─────────────────────────────           ───────────────────────────────
 *   which order? (compare === …)            decided once per tree
 *   probe length 8?  probe words            decoded once per lookup: (hi, lo)
 *   slot i in 0…keyCount? (bounds)          mid < keyCount by construction
 *   a view object per page opened           the frame's bytes, header read in place
 *   slot: 4 byte loads; key: 8 byte loads   one DataView word each (the DataView
 *                                           made once per page and frame)
 *
 * PostgreSQL does the same: `_bt_mkscankey` builds the insertion scan key once per
 * descent (the comparison function looked up, the datum ready), and `_bt_binsrch` and
 * `_bt_compare` then run on the page in place for every level.
 *
 * The result of `searchInt64Key` is packed in one number, index × 2 + found, so the hot
 * loop allocates nothing: `index` = result >>> 1 is the first slot whose key is ≥ the
 * probe, `found` = result & 1 says whether that key equals it (as `SearchResult`). A key
 * on the page that is not 8 bytes long (a unique tree may mix key kinds) is compared with
 * `compareByteRanges`, as `compareAt` would.
 *
 * Cost, measured on the leaves of a 100,000-key tree (8 KB pages, 8.5 compares a leaf)
 * on a busy machine: a leaf already in the CPU's cache costs ~4–6 ns per compare here
 * against ~15–19 for `BTreePage.open` + `searchPage`; a random leaf, whose lines mostly
 * miss the cache, ~17–20 against ~30–36. What is left is memory: each step reads a slot
 * and then a key somewhere else in the page.
 */
import { compareByteRanges } from "./key-codec.js";

// Local copies of btree-page.ts's layout constants (imported constants are property loads
// in the compiled CommonJS, once per use in the loop).
const HEADER_SIZE = 16;
const SLOT_SIZE = 4;
const OFF_KEY_COUNT = 4;

/** The first big-endian word of an 8-byte key. */
export function keyHi(probe: Uint8Array): number {
  return (((probe[0] as number) << 24) | ((probe[1] as number) << 16) | ((probe[2] as number) << 8) | (probe[3] as number)) >>> 0;
}

/** The second big-endian word of an 8-byte key. */
export function keyLo(probe: Uint8Array): number {
  return (((probe[4] as number) << 24) | ((probe[5] as number) << 16) | ((probe[6] as number) << 8) | (probe[7] as number)) >>> 0;
}

/**
 * Binary search of the B+tree page in `b` (leaf: `valueSize` 6, internal: 4) for the
 * 8-byte key `probe`, whose words are `hi` and `lo`: index × 2 + (found ? 1 : 0), where
 * index is the first slot whose key is ≥ the probe in `compareBytes` order. `view` is a
 * DataView over all of `b.buffer` (one per buffer, not per page: `viewOfBuffer`), `base`
 * is `b.byteOffset`. The page's header must have been checked (`BTreePage.open`'s checks).
 */
export function searchInt64Key(b: Uint8Array, view: DataView<ArrayBufferLike>, base: number, valueSize: number, probe: Uint8Array, hi: number, lo: number): number {
  let l = 0;
  let h = view.getUint16(base + OFF_KEY_COUNT, true);
  let found = 0;
  while (l < h) {
    const mid = (l + h) >>> 1;
    // The slot, offset and length in one little-endian word.
    const slot = view.getUint32(base + HEADER_SIZE + SLOT_SIZE * mid, true);
    const offset = slot & 0xffff;
    const length = slot >>> 16;
    let c: number;
    if (length - valueSize === 8) {
      const k = base + offset + valueSize;
      const k1 = view.getUint32(k, false);
      if (k1 !== hi) {
        c = k1 < hi ? -1 : 1;
      } else {
        const k2 = view.getUint32(k + 4, false);
        c = k2 === lo ? 0 : k2 < lo ? -1 : 1;
      }
    } else {
      c = compareByteRanges(b, offset + valueSize, offset + length, probe, 0, 8);
    }
    if (c < 0) {
      l = mid + 1;
    } else {
      h = mid;
      found = c === 0 ? 1 : 0;
    }
  }
  return l * 2 + found;
}
