/**
 * B+tree meta page
 * ================
 * The root of a B+tree moves: a root split makes a new root above it, and a delete that
 * empties the root's last separator makes its only child the root. Whoever wants to open
 * the tree (the catalog, a notebook after a restart) needs one page id that never changes,
 * so the tree's first page is a *meta page* that records where the root is now. PostgreSQL
 * does the same: block 0 of every B-tree index holds BTMetaPageData (`bt_metap()` shows it).
 *
 *   Meta page, little-endian (the rest of the page is zeros):
 *   0         1         2           4          8         12         14          16
 *   | type u8 | flags u8 | version u16 | magic u32 | root u32 | height u16 | (0) u16 |
 *   16             20            24           32
 *   | pageCount u32 | pageSize u32 | size u64 |
 *     type       3, the meta page (leaves are 1, internal pages 2)
 *     flags      bit 0: unique index
 *     version    1
 *     magic      0x42505431 ("BPT1" read big-endian), to reject pages that are not ours
 *     root       the root page; a leaf when height = 1
 *     height     levels, leaves included: root level + 1 (PostgreSQL stores the root's level)
 *     pageCount  pages the tree uses, this one included (PostgreSQL's relpages for an index)
 *     pageSize   checked on open, so a file is not read with the wrong page size
 *     size       entries in the leaves when the page was last written (a hint: `open`
 *                counts the leaves)
 *
 * Invariant: root, height and pageCount describe the tree as of the last completed
 * operation; the tree writes this page at the end of every change of one of them. Simpler than PostgreSQL: no "fast root"
 * (the lowest page with a single child, where searches may start after many deletes), no
 * vacuum statistics, no allequalimage/deduplication flag.
 */
import { DbError } from "../common/errors.js";
import { LITTLE_ENDIAN, viewOf } from "../common/bytes.js";
import type { PageId } from "../common/ids.js";

export const BTREE_PAGE_META = 3;
export const BTREE_MAGIC = 0x4250_5431;
export const BTREE_VERSION = 1;

const OFF_TYPE = 0;
const OFF_FLAGS = 1;
const OFF_VERSION = 2;
const OFF_MAGIC = 4;
const OFF_ROOT = 8;
const OFF_HEIGHT = 12;
const OFF_PAGE_COUNT = 16;
const OFF_PAGE_SIZE = 20;
const OFF_SIZE = 24;
const FLAG_UNIQUE = 0x1;

/** What the meta page records, as plain data. */
export interface BTreeMeta {
  readonly unique: boolean;
  readonly root: PageId;
  readonly height: number;
  readonly pageCount: number;
  readonly size: number;
}

/** Format `bytes` as a meta page holding `meta`. */
export function writeBTreeMeta(bytes: Uint8Array, meta: BTreeMeta): void {
  bytes.fill(0);
  const view = viewOf(bytes);
  view.setUint8(OFF_TYPE, BTREE_PAGE_META);
  view.setUint8(OFF_FLAGS, meta.unique ? FLAG_UNIQUE : 0);
  view.setUint16(OFF_VERSION, BTREE_VERSION, LITTLE_ENDIAN);
  view.setUint32(OFF_MAGIC, BTREE_MAGIC, LITTLE_ENDIAN);
  view.setUint32(OFF_ROOT, meta.root, LITTLE_ENDIAN);
  view.setUint16(OFF_HEIGHT, meta.height, LITTLE_ENDIAN);
  view.setUint32(OFF_PAGE_COUNT, meta.pageCount, LITTLE_ENDIAN);
  view.setUint32(OFF_PAGE_SIZE, bytes.byteLength, LITTLE_ENDIAN);
  view.setBigUint64(OFF_SIZE, BigInt(meta.size), LITTLE_ENDIAN);
}

/**
 * Read the meta page in `bytes`. Throws `corrupt` (naming `pageId`) when it is not a B+tree
 * meta page of this version, or was written with another page size.
 */
export function readBTreeMeta(bytes: Uint8Array, pageId?: PageId): BTreeMeta {
  const view = viewOf(bytes);
  const type = view.getUint8(OFF_TYPE);
  const magic = view.getUint32(OFF_MAGIC, LITTLE_ENDIAN);
  const version = view.getUint16(OFF_VERSION, LITTLE_ENDIAN);
  const pageSize = view.getUint32(OFF_PAGE_SIZE, LITTLE_ENDIAN);
  const where = pageId === undefined ? "" : `page ${pageId}: `;
  if (type !== BTREE_PAGE_META || magic !== BTREE_MAGIC) {
    throw new DbError("corrupt", `${where}not a B+tree meta page (type ${type}, magic 0x${magic.toString(16)})`, {
      pageId,
      type,
      magic,
    });
  }
  if (version !== BTREE_VERSION) {
    throw new DbError("corrupt", `${where}B+tree meta page version ${version}, expected ${BTREE_VERSION}`, {
      pageId,
      version,
    });
  }
  if (pageSize !== bytes.byteLength) {
    throw new DbError(
      "corrupt",
      `${where}the B+tree was written with ${pageSize}-byte pages, this disk has ${bytes.byteLength}-byte pages`,
      { pageId, pageSize, diskPageSize: bytes.byteLength },
    );
  }
  const height = view.getUint16(OFF_HEIGHT, LITTLE_ENDIAN);
  if (height < 1) throw new DbError("corrupt", `${where}B+tree meta page says height ${height}`, { pageId, height });
  return {
    unique: (view.getUint8(OFF_FLAGS) & FLAG_UNIQUE) !== 0,
    root: view.getUint32(OFF_ROOT, LITTLE_ENDIAN) as PageId,
    height,
    pageCount: view.getUint32(OFF_PAGE_COUNT, LITTLE_ENDIAN),
    size: Number(view.getBigUint64(OFF_SIZE, LITTLE_ENDIAN)),
  };
}
