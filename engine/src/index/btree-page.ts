/**
 * B+tree page
 * ===========
 * One node of the disk B+tree is one page. Keys have variable length, so a page is a
 * small slotted page: a slot directory of (offset, length) pairs grows up from the header,
 * the entries grow down from the end, and the slots are kept *in key order*, so a binary
 * search over the slots (`searchPage`, search-page.ts) finds a key in O(log n) compares
 * without moving any entry.
 *
 *   0        16       20       24                  upper                     pageSize
 *   | header | slot 0 | slot 1 | … →   free space   ← | entry 1 | entry 0 | entry 2 |
 *                                                     (entries in arrival order; the
 *                                                      slots give the key order)
 *
 *   Header, 16 bytes, little-endian:
 *   | type u8 (0) | flags u8 (1) | level u16 (2) | keyCount u16 (4) | upper u16 (6) |
 *   | rightSibling u32 (8) | leftmostChild u32 (12) |
 *     type           1 leaf, 2 internal (0 is a new, never formatted page: corrupt here)
 *     flags          reserved, 0
 *     level          0 for leaves; a parent is one more than its children (PostgreSQL's
 *                    btpo_level), so a descent knows when it has reached the leaves
 *     keyCount       slots in use
 *     upper          start of the entry area; pageSize on an empty page
 *     rightSibling   leaves: the next leaf in key order, INVALID_PAGE_ID for the last;
 *                    internal pages: INVALID_PAGE_ID (not linked)
 *     leftmostChild  internal pages: child 0, the subtree of keys below key 0;
 *                    leaves: INVALID_PAGE_ID
 *
 *   Slot, 4 bytes: | offset u16 | length u16 |   (length of the whole entry)
 *
 *   Leaf entry:      | rid.pageId u32 | rid.slot u16 | key bytes … |   (6 + key bytes)
 *   Internal entry:  | child u32 | key bytes … |                      (4 + key bytes)
 *
 * An internal page with n keys has n + 1 children: child 0 in the header, child i + 1 in
 * entry i. Key i separates them: every key in child i is < key i ≤ every key in child i + 1.
 * As in PostgreSQL's IndexTupleData, the pointer comes before the key, at a fixed offset.
 *
 * Space. An entry *costs* its bytes plus its slot. The usable space of a page is
 * pageSize − 16; the largest entry costs at most a quarter of it (`maxKeySize` follows),
 * which gives the tree two guarantees that hold for any mix of key lengths:
 * - four entries of the largest size fit in a page, so a split always leaves room, and
 * - after a split, a merge or a redistribution, each page involved holds at least a
 *   quarter of the usable space (`minFillBytes`). `BPlusTree.check()` checks that.
 * (With fixed-size keys textbooks count keys: at least ⌈order / 2⌉ per node. With
 * variable-size keys only bytes can be counted, and then half-full cannot be promised.)
 *
 * The entry area stays contiguous: `removeAt` slides the entries below the hole up, as
 * PostgreSQL's PageIndexTupleDelete does, so free space is always one gap and
 * `freeSpace` = upper − (16 + 4 × keyCount).
 *
 * The page is a view: all its state lives in the bytes, so it works directly on a
 * buffer-pool frame and reads the same after a round trip through the disk.
 *
 * Fast where every lookup passes: a descent opens one page per level and compares the
 * probe with about log₂(keys) of its keys. So opening a page allocates nothing but the
 * view object (fields are read with little-endian shifts on the bytes, no `DataView`,
 * which costs ~100 ns to create; the page size is checked once per size seen), and
 * `compareAt(i, probe, compare)` compares key i where it lies in the page, with no
 * `subarray` per comparison (PostgreSQL's `_bt_compare` likewise compares the scan key
 * against the index tuple in place). Only the 8-byte integer case is written inline in
 * `compareAt`; other keys go through a separate method, so that V8 inlines the common
 * path into the search loop. A split copies a page out (`leafEntries`, one slice per key)
 * and formats pages from nodes (`formatLeaf`, `formatInternal`), which write the entries
 * one after the other without the per-insert checks and moves of `insertLeafAt`.
 *
 * Simpler than PostgreSQL's nbtree page: no page LSN (notebook 09), no left-sibling link
 * and no right links on internal pages (they serve concurrent readers, notebook 07), no
 * high key (Lehman–Yao's upper bound of the page), no line-pointer flags (LP_DEAD hints),
 * no alignment padding, no posting lists (PostgreSQL 13 stores duplicates of one key
 * once with a list of TIDs) and no suffix truncation of separator keys.
 */
import { DbError, InvariantError } from "../common/errors.js";
import { INVALID_PAGE_ID, type PageId, type Rid, type SlotId } from "../common/ids.js";
import { DEFAULT_PAGE_SIZE, checkPageSize } from "../storage/page-size.js";
import { compareByteRanges, compareBytes, compareKeyRid, compareKeyRidRanges, type KeyCompare } from "./key-codec.js";

// The module's own uses read these two unexported constants: compiled to CommonJS, a use
// of an exported `const` inside its module becomes a property load on `exports` at every
// use (`exports.BTREE_SLOT_SIZE * i`), once per comparison in the binary search.
const HEADER_SIZE = 16;
const SLOT_SIZE = 4;
export const BTREE_PAGE_HEADER_SIZE = HEADER_SIZE;
export const BTREE_SLOT_SIZE = SLOT_SIZE;
/** rid.pageId u32 + rid.slot u16 before a leaf key. */
export const LEAF_VALUE_SIZE = 6;
/** child u32 before an internal key. */
export const INTERNAL_VALUE_SIZE = 4;

/** Page type codes, byte 0 of every B+tree page (3 is the meta page). */
export const BTREE_PAGE_LEAF = 1;
export const BTREE_PAGE_INTERNAL = 2;

export type BTreePageKind = "leaf" | "internal";

const OFF_TYPE = 0;
const OFF_LEVEL = 2;
const OFF_KEY_COUNT = 4;
const OFF_UPPER = 6;
const OFF_RIGHT_SIBLING = 8;
const OFF_LEFTMOST_CHILD = 12;

// Little-endian fields, read and written with shifts (see "Fast where …" in the header).
function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}
/** A big-endian unsigned word: keys are compared in this order (key-codec.ts). */
function be32(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}
function setU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}
function setU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** `b.set(key, at)`, byte by byte for short keys (a loop beats the call's own cost there). */
/**
 * Slot `i` of a page being formatted in key order (slots 0 … i − 1 written, entries from
 * `upper` on): room for an entry of `length` bytes just below `upper`, its slot pointing at
 * it. Returns the new `upper`. Throws `InvariantError` (naming `what`) when it does not fit.
 */
function appendSlot(b: Uint8Array, i: number, upper: number, length: number, what: string, count: number): number {
  const lower = HEADER_SIZE + i * SLOT_SIZE;
  if (SLOT_SIZE + length > upper - lower) {
    throw new InvariantError(`${what}: entry ${i} of ${count} does not fit a ${b.length}-byte page`);
  }
  const at = upper - length;
  setU16(b, lower, at);
  setU16(b, lower + 2, length);
  return at;
}

function copyKey(b: Uint8Array, at: number, key: Uint8Array): void {
  const n = key.length;
  if (n > 16) {
    b.set(key, at);
    return;
  }
  for (let i = 0; i < n; i++) b[at + i] = key[i] as number;
}

/** The bytes of a page that entries and slots can use: pageSize − header. */
export function btreePageCapacity(pageSize: number): number {
  return pageSize - HEADER_SIZE;
}

/** The largest cost (slot + value + key) one entry may have: a quarter of the capacity. */
export function maxEntryCost(pageSize: number): number {
  return Math.floor(btreePageCapacity(pageSize) / 4);
}

/**
 * The longest key, in bytes, a B+tree page of `pageSize` bytes accepts: 50 for 256-byte
 * pages, 2034 for 8 KB pages (PostgreSQL's limit, a third of a page, is 2704).
 */
export function maxKeySize(pageSize: number): number {
  return maxEntryCost(pageSize) - SLOT_SIZE - LEAF_VALUE_SIZE;
}

/** The longest key for the default 8 KB page. */
export const MAX_KEY_SIZE = maxKeySize(DEFAULT_PAGE_SIZE);

/** Every page but the root holds at least this many bytes of entries and slots. */
export function minFillBytes(pageSize: number): number {
  return Math.floor(btreePageCapacity(pageSize) / 4);
}

/** What an entry with a key of `keyLength` bytes costs in a page of `kind`. */
export function entryCost(kind: BTreePageKind, keyLength: number): number {
  return SLOT_SIZE + (kind === "leaf" ? LEAF_VALUE_SIZE : INTERNAL_VALUE_SIZE) + keyLength;
}

/**
 * Where to split a leaf whose entries cost `costs` (in key order): the index of the first
 * entry of the right page. It is the first point where the left side holds at least half
 * of the bytes, kept in 1…n − 1 so neither side is empty. With every cost ≤ a quarter of
 * a page and a total above one page, both sides get more than a quarter (see the header).
 */
export function leafSplitPoint(costs: readonly number[]): number {
  if (costs.length < 2) throw new InvariantError(`cannot split ${costs.length} leaf entries`);
  const total = costs.reduce((a, b) => a + b, 0);
  let prefix = 0;
  for (let i = 0; i < costs.length; i++) {
    prefix += costs[i] as number;
    if (2 * prefix >= total) return Math.min(Math.max(i + 1, 1), costs.length - 1);
  }
  return costs.length - 1;
}

/**
 * Where to split an internal page whose entries (key, child) cost `costs`: the index of
 * the entry whose key moves up to the parent (its child becomes the right page's leftmost
 * child). Kept in 1…n − 2 so both pages keep at least one key.
 */
export function internalSplitPoint(costs: readonly number[]): number {
  if (costs.length < 3) throw new InvariantError(`cannot split an internal page with ${costs.length} keys`);
  const total = costs.reduce((a, b) => a + b, 0);
  let prefix = 0;
  for (let j = 0; j < costs.length; j++) {
    prefix += costs[j] as number;
    if (2 * prefix >= total) return Math.min(Math.max(j, 1), costs.length - 2);
  }
  return costs.length - 2;
}

/** One slot as plain data, like a row of pageinspect's `bt_page_items`. */
export interface BTreePageItem {
  readonly slot: number;
  readonly offset: number;
  readonly length: number;
  readonly key: Uint8Array;
  /** Leaves: the record id the entry points to. */
  readonly rid?: Rid;
  /** Internal pages: the child to the right of this key. */
  readonly child?: PageId;
}

/** A page as plain data, like pageinspect's `bt_page_stats` plus `bt_page_items`. */
export interface BTreePageLayout {
  readonly kind: BTreePageKind;
  readonly level: number;
  readonly keyCount: number;
  readonly upper: number;
  readonly freeSpace: number;
  readonly usedSpace: number;
  readonly rightSibling: PageId;
  readonly leftmostChild: PageId;
  readonly items: readonly BTreePageItem[];
}

/** The page size `open` last checked (0: none yet). */
let lastCheckedPageSize = 0;

export class BTreePage {
  /** The bytes this page views: a buffer-pool frame, usually. */
  readonly bytes: Uint8Array;
  /** Bytes before the key in an entry: 6 on a leaf (the rid), 4 on an internal page (the child). Fixed for a page's life. */
  readonly #valueSize: number;

  /** Format `bytes` as an empty leaf. Throws `invalid-argument` for a bad page size. */
  static initLeaf(bytes: Uint8Array): BTreePage {
    return BTreePage.#init(bytes, BTREE_PAGE_LEAF, 0, INVALID_PAGE_ID);
  }

  /** Format `bytes` as an internal page at `level` ≥ 1 with one child and no key. */
  static initInternal(bytes: Uint8Array, level: number, leftmostChild: PageId): BTreePage {
    if (!Number.isInteger(level) || level < 1 || level > 0xffff) {
      throw new DbError("invalid-argument", `an internal page's level must be 1…65535, got ${String(level)}`, { level });
    }
    return BTreePage.#init(bytes, BTREE_PAGE_INTERNAL, level, leftmostChild);
  }

  static #init(bytes: Uint8Array, type: number, level: number, leftmostChild: PageId): BTreePage {
    checkPageSize(bytes.byteLength);
    bytes.fill(0);
    bytes[OFF_TYPE] = type;
    setU16(bytes, OFF_LEVEL, level);
    setU16(bytes, OFF_UPPER, bytes.byteLength);
    setU32(bytes, OFF_RIGHT_SIBLING, INVALID_PAGE_ID);
    setU32(bytes, OFF_LEFTMOST_CHILD, leftmostChild);
    return new BTreePage(bytes);
  }

  /**
   * Format `bytes` as a leaf holding `keys[i] → rids[i]` (already in order) and linked to
   * `rightSibling`. Throws `InvariantError` if they do not fit: callers split first.
   */
  static formatLeaf(
    bytes: Uint8Array,
    keys: readonly Uint8Array[],
    rids: readonly Rid[],
    rightSibling: PageId,
  ): BTreePage {
    const page = BTreePage.initLeaf(bytes);
    page.rightSibling = rightSibling;
    // insertLeafAt(i, …) for i = 0, 1, …, written directly: each entry goes below the
    // previous one and its slot after the previous slot, nothing moves.
    let upper = bytes.byteLength;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Uint8Array;
      upper = appendSlot(bytes, i, upper, LEAF_VALUE_SIZE + key.length, "formatLeaf", keys.length);
      const rid = rids[i] as Rid;
      setU32(bytes, upper, rid.pageId);
      setU16(bytes, upper + 4, rid.slot);
      copyKey(bytes, upper + LEAF_VALUE_SIZE, key);
      setU16(bytes, OFF_KEY_COUNT, i + 1);
      setU16(bytes, OFF_UPPER, upper);
    }
    return page;
  }

  /**
   * Format `bytes` as an internal page at `level` with `children.length` = `keys.length` + 1.
   * Throws `InvariantError` if the entries do not fit or the counts disagree.
   */
  static formatInternal(
    bytes: Uint8Array,
    level: number,
    keys: readonly Uint8Array[],
    children: readonly PageId[],
  ): BTreePage {
    if (children.length !== keys.length + 1) {
      throw new InvariantError(
        `formatInternal: ${keys.length} keys need ${keys.length + 1} children, got ${children.length}`,
      );
    }
    const page = BTreePage.initInternal(bytes, level, children[0] as PageId);
    // insertInternalAt(i, …) for i = 0, 1, …, written directly (as in formatLeaf).
    let upper = bytes.byteLength;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Uint8Array;
      upper = appendSlot(bytes, i, upper, INTERNAL_VALUE_SIZE + key.length, "formatInternal", keys.length);
      setU32(bytes, upper, children[i + 1] as PageId);
      copyKey(bytes, upper + INTERNAL_VALUE_SIZE, key);
      setU16(bytes, OFF_KEY_COUNT, i + 1);
      setU16(bytes, OFF_UPPER, upper);
    }
    return page;
  }

  /**
   * A view over a formatted B+tree page. Throws `corrupt` (naming `pageId` when given) if
   * the bytes are not a leaf or internal page or the header is inconsistent.
   */
  static open(bytes: Uint8Array, pageId?: PageId): BTreePage {
    // Every page of a descent is opened, and a pool's frames all have one size: check a
    // size the first time it is seen, not on every open.
    if (bytes.byteLength !== lastCheckedPageSize) {
      checkPageSize(bytes.byteLength);
      lastCheckedPageSize = bytes.byteLength;
    }
    const type = bytes[OFF_TYPE] as number;
    const level = u16(bytes, OFF_LEVEL);
    const keyCount = u16(bytes, OFF_KEY_COUNT);
    const upper = u16(bytes, OFF_UPPER);
    const consistent =
      (type === BTREE_PAGE_LEAF ? level === 0 : type === BTREE_PAGE_INTERNAL && level >= 1) &&
      HEADER_SIZE + SLOT_SIZE * keyCount <= upper &&
      upper <= bytes.byteLength;
    if (consistent) return new BTreePage(bytes);
    const where = pageId === undefined ? "" : `page ${pageId}: `;
    const details = { pageId, type, level, keyCount, upper, pageSize: bytes.byteLength };
    if (type !== BTREE_PAGE_LEAF && type !== BTREE_PAGE_INTERNAL) {
      const what = type === 0 ? "a new (all-zero) page" : `page type ${type}`;
      throw new DbError("corrupt", `${where}expected a B+tree leaf or internal page, found ${what}`, details);
    }
    throw new DbError(
      "corrupt",
      `${where}B+tree page header is inconsistent: type ${type}, level ${level}, keyCount ${keyCount}, upper ${upper}`,
      details,
    );
  }

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#valueSize = bytes[OFF_TYPE] === BTREE_PAGE_LEAF ? LEAF_VALUE_SIZE : INTERNAL_VALUE_SIZE;
  }

  get pageSize(): number {
    return this.bytes.byteLength;
  }

  get kind(): BTreePageKind {
    return this.bytes[OFF_TYPE] === BTREE_PAGE_LEAF ? "leaf" : "internal";
  }

  get isLeaf(): boolean {
    return this.bytes[OFF_TYPE] === BTREE_PAGE_LEAF;
  }

  /** 0 for a leaf; a parent's level is its children's plus one. */
  get level(): number {
    return u16(this.bytes, OFF_LEVEL);
  }

  get keyCount(): number {
    return u16(this.bytes, OFF_KEY_COUNT);
  }

  /** The start of the entry area. */
  get upper(): number {
    return u16(this.bytes, OFF_UPPER);
  }

  /** Leaves: the next leaf in key order, or INVALID_PAGE_ID. */
  get rightSibling(): PageId {
    return u32(this.bytes, OFF_RIGHT_SIBLING) as PageId;
  }

  set rightSibling(pageId: PageId) {
    setU32(this.bytes, OFF_RIGHT_SIBLING, pageId);
  }

  /** Internal pages: child 0. */
  get leftmostChild(): PageId {
    return u32(this.bytes, OFF_LEFTMOST_CHILD) as PageId;
  }

  set leftmostChild(pageId: PageId) {
    setU32(this.bytes, OFF_LEFTMOST_CHILD, pageId);
  }

  /** Bytes entries and slots may use in total: pageSize − 16. */
  get capacity(): number {
    return btreePageCapacity(this.pageSize);
  }

  /** The gap between the slots and the entries: the most a new entry (with its slot) may cost. */
  get freeSpace(): number {
    return this.upper - HEADER_SIZE - SLOT_SIZE * this.keyCount;
  }

  /** Bytes taken by entries and their slots: capacity − freeSpace. */
  get usedSpace(): number {
    return this.capacity - this.freeSpace;
  }

  /** True when an entry with a key of `keyLength` bytes fits now. */
  fits(keyLength: number): boolean {
    return entryCost(this.kind, keyLength) <= this.freeSpace;
  }

  /** Key `i` as a view into the page: valid only while the page stays pinned and unchanged. */
  keyView(i: number): Uint8Array {
    const at = this.#slotAt(i);
    const offset = u16(this.bytes, at);
    return this.bytes.subarray(offset + this.#valueSize, offset + u16(this.bytes, at + 2));
  }

  /**
   * Key `i` compared with `probe` under `compare`, negative, zero or positive as
   * `compare(keyView(i), probe)`, but for the two orders of the engine (`compareBytes`,
   * `compareKeyRid`) compared where the key lies, without making a view.
   */
  compareAt(i: number, probe: Uint8Array, compare: KeyCompare): number {
    const b = this.bytes;
    // The slot check of #slotAt, inlined: this runs once per comparison of every search.
    if ((i >>> 0) !== i || i >= u16(b, OFF_KEY_COUNT)) this.#slotAt(i);
    const at = HEADER_SIZE + SLOT_SIZE * i;
    const offset = u16(b, at);
    const start = offset + this.#valueSize;
    const end = offset + u16(b, at + 2);
    // The common case, an 8-byte integer key against an 8-byte probe: two big-endian words.
    if (compare === compareBytes && end - start === 8 && probe.length === 8) {
      const k = be32(b, start);
      const p = be32(probe, 0);
      if (k !== p) return k < p ? -1 : 1;
      const k2 = be32(b, start + 4);
      const p2 = be32(probe, 4);
      return k2 === p2 ? 0 : k2 < p2 ? -1 : 1;
    }
    return this.#compareRange(start, end, probe, compare);
  }

  /**
   * `compareAt` for any other key: kept out of it so that `compareAt` stays small enough
   * for V8 to inline it into the search, and the search into the tree's descent.
   */
  #compareRange(start: number, end: number, probe: Uint8Array, compare: KeyCompare): number {
    const b = this.bytes;
    if (compare === compareBytes) return compareByteRanges(b, start, end, probe, 0, probe.length);
    if (compare === compareKeyRid) return compareKeyRidRanges(b, start, end, probe, 0, probe.length);
    return compare(b.subarray(start, end), probe);
  }

  /** Key `i`, copied out of the page. */
  keyAt(i: number): Uint8Array {
    return this.keyView(i).slice();
  }

  /** Leaves: the record id of entry `i`. */
  ridAt(i: number): Rid {
    this.#expect("leaf", "ridAt");
    const offset = u16(this.bytes, this.#slotAt(i));
    return { pageId: u32(this.bytes, offset) as PageId, slot: u16(this.bytes, offset + 4) as SlotId };
  }

  /** Internal pages: child `i` in 0…keyCount (0 is the leftmost child). */
  childAt(i: number): PageId {
    this.#expect("internal", "childAt");
    if (i === 0) return this.leftmostChild;
    return u32(this.bytes, u16(this.bytes, this.#slotAt(i - 1))) as PageId;
  }

  /** Leaves: insert `key → rid` as slot `i`, shifting later slots right. False (and no change) when it does not fit. */
  insertLeafAt(i: number, key: Uint8Array, rid: Rid): boolean {
    this.#expect("leaf", "insertLeafAt");
    const offset = this.#insertSlot(i, LEAF_VALUE_SIZE + key.length);
    if (offset === undefined) return false;
    setU32(this.bytes, offset, rid.pageId);
    setU16(this.bytes, offset + 4, rid.slot);
    copyKey(this.bytes, offset + LEAF_VALUE_SIZE, key);
    return true;
  }

  /**
   * Internal pages: insert key `i` with `rightChild` as child i + 1 (the child that holds
   * the keys ≥ `key`). False (and no change) when it does not fit.
   */
  insertInternalAt(i: number, key: Uint8Array, rightChild: PageId): boolean {
    this.#expect("internal", "insertInternalAt");
    const offset = this.#insertSlot(i, INTERNAL_VALUE_SIZE + key.length);
    if (offset === undefined) return false;
    setU32(this.bytes, offset, rightChild);
    copyKey(this.bytes, offset + INTERNAL_VALUE_SIZE, key);
    return true;
  }

  /** Remove slot `i` and its entry (on an internal page: key i and child i + 1), closing both gaps. */
  removeAt(i: number): void {
    const n = this.keyCount;
    const { offset, length } = this.#slot(i);
    const upper = this.upper;
    const b = this.bytes;
    // Slide the entries stored below the removed one up by its length, and fix their slots.
    this.bytes.copyWithin(upper + length, upper, offset);
    this.bytes.fill(0, upper, upper + length);
    for (let s = 0; s < n; s++) {
      const at = HEADER_SIZE + SLOT_SIZE * s;
      const o = u16(b, at);
      if (o < offset) setU16(b, at, o + length);
    }
    const slotAt = HEADER_SIZE + SLOT_SIZE * i;
    const slotsEnd = HEADER_SIZE + SLOT_SIZE * n;
    this.bytes.copyWithin(slotAt, slotAt + SLOT_SIZE, slotsEnd);
    this.bytes.fill(0, slotsEnd - SLOT_SIZE, slotsEnd);
    setU16(b, OFF_KEY_COUNT, n - 1);
    setU16(b, OFF_UPPER, upper + length);
  }

  /** Leaves: every key and rid, copied out, in order. */
  leafEntries(): { keys: Uint8Array[]; rids: Rid[] } {
    this.#expect("leaf", "leafEntries");
    const b = this.bytes;
    const n = this.keyCount;
    const keys: Uint8Array[] = new Array<Uint8Array>(n);
    const rids: Rid[] = new Array<Rid>(n);
    for (let i = 0, at = HEADER_SIZE; i < n; i++, at += SLOT_SIZE) {
      const offset = u16(b, at);
      keys[i] = b.slice(offset + LEAF_VALUE_SIZE, offset + u16(b, at + 2));
      rids[i] = { pageId: u32(b, offset) as PageId, slot: u16(b, offset + 4) as SlotId };
    }
    return { keys, rids };
  }

  /** Internal pages: every key and every child (keys.length + 1 of them), copied out. */
  internalEntries(): { keys: Uint8Array[]; children: PageId[] } {
    this.#expect("internal", "internalEntries");
    const b = this.bytes;
    const n = this.keyCount;
    const keys: Uint8Array[] = new Array<Uint8Array>(n);
    const children: PageId[] = new Array<PageId>(n + 1);
    children[0] = this.leftmostChild;
    for (let i = 0, at = HEADER_SIZE; i < n; i++, at += SLOT_SIZE) {
      const offset = u16(b, at);
      keys[i] = b.slice(offset + INTERNAL_VALUE_SIZE, offset + u16(b, at + 2));
      children[i + 1] = u32(b, offset) as PageId;
    }
    return { keys, children };
  }

  /**
   * Check the slot directory against the entry area, and the key order under `compare`
   * when given; return the problems found (empty when the page is sound).
   */
  verify(compare?: (a: Uint8Array, b: Uint8Array) => number): string[] {
    const problems: string[] = [];
    const n = this.keyCount;
    const upper = this.upper;
    const valueSize = this.#valueSize;
    const spans: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const { offset, length } = this.#slot(i);
      if (length < valueSize) problems.push(`slot ${i}: length ${length} < ${valueSize}`);
      if (offset < upper || offset + length > this.pageSize) {
        const entry = `[${offset}, ${offset + length})`;
        problems.push(`slot ${i}: entry ${entry} outside the entry area [${upper}, ${this.pageSize})`);
      }
      spans.push([offset, offset + length]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    let at = upper;
    for (const [start, end] of spans) {
      if (start !== at) {
        problems.push(`entry area has ${start < at ? "an overlap" : "a gap"} at offset ${Math.min(start, at)}`);
      }
      at = Math.max(at, end);
    }
    if (problems.length === 0 && at !== this.pageSize) problems.push(`entry area ends at ${at}, not ${this.pageSize}`);
    if (problems.length === 0 && compare !== undefined) {
      for (let i = 1; i < n; i++) {
        if (compare(this.keyView(i - 1), this.keyView(i)) >= 0) {
          problems.push(`keys ${i - 1} and ${i} are not in increasing order`);
        }
      }
    }
    if (this.isLeaf && this.leftmostChild !== INVALID_PAGE_ID) problems.push(`leaf has leftmostChild ${this.leftmostChild}`);
    if (!this.isLeaf && this.rightSibling !== INVALID_PAGE_ID) {
      problems.push(`internal page has rightSibling ${this.rightSibling}`);
    }
    return problems;
  }

  /** The page as plain data, for drawing and for comparing with pageinspect's B-tree functions. */
  layout(): BTreePageLayout {
    const items: BTreePageItem[] = [];
    for (let i = 0; i < this.keyCount; i++) {
      const { offset, length } = this.#slot(i);
      const common = { slot: i, offset, length, key: this.keyAt(i) };
      items.push(this.isLeaf ? { ...common, rid: this.ridAt(i) } : { ...common, child: this.childAt(i + 1) });
    }
    return {
      kind: this.kind,
      level: this.level,
      keyCount: this.keyCount,
      upper: this.upper,
      freeSpace: this.freeSpace,
      usedSpace: this.usedSpace,
      rightSibling: this.rightSibling,
      leftmostChild: this.leftmostChild,
      items,
    };
  }

  /** Where slot `i` is; throws `out-of-range` unless 0 ≤ i < keyCount. */
  #slotAt(i: number): number {
    if (!(i >= 0 && i < this.keyCount && (i | 0) === i)) {
      throw new DbError("out-of-range", `slot ${String(i)} is not in 0…${this.keyCount - 1}`, {
        slot: i,
        keyCount: this.keyCount,
      });
    }
    return HEADER_SIZE + SLOT_SIZE * i;
  }

  #slot(i: number): { offset: number; length: number } {
    const at = this.#slotAt(i);
    return { offset: u16(this.bytes, at), length: u16(this.bytes, at + 2) };
  }

  /** Open slot `i` for an entry of `length` bytes; return its offset, or undefined if it does not fit. */
  #insertSlot(i: number, length: number): number | undefined {
    const n = this.keyCount;
    if (!Number.isInteger(i) || i < 0 || i > n) {
      throw new DbError("out-of-range", `insert position ${String(i)} is not in 0…${n}`, { position: i, keyCount: n });
    }
    if (SLOT_SIZE + length > this.freeSpace) return undefined;
    const offset = this.upper - length;
    const slotAt = HEADER_SIZE + SLOT_SIZE * i;
    const slotsEnd = HEADER_SIZE + SLOT_SIZE * n;
    this.bytes.copyWithin(slotAt + SLOT_SIZE, slotAt, slotsEnd);
    setU16(this.bytes, slotAt, offset);
    setU16(this.bytes, slotAt + 2, length);
    setU16(this.bytes, OFF_KEY_COUNT, n + 1);
    setU16(this.bytes, OFF_UPPER, offset);
    return offset;
  }

  #expect(kind: BTreePageKind, what: string): void {
    if (this.kind !== kind) {
      const actual = this.isLeaf ? "a leaf" : "an internal";
      throw new DbError("invalid-state", `${what} needs a ${kind} page, this is ${actual} page`, { kind: this.kind });
    }
  }
}
