/**
 * Looking at a B+tree
 * ===================
 * Plain data about a whole tree, for tables and drawings (the engine draws nothing;
 * kernel-helpers' `renderBTree` draws a snapshot):
 *
 *   treeStats      pages, entries and fill per level, root level first
 *   treeSnapshot   every page, level by level from the root down, left to right: its
 *                  keys formatted as text, its used bytes, its children or right sibling
 *
 * Both walk the tree breadth first, keeping only the next level's page ids in memory,
 * one pin at a time.
 */
import { INVALID_PAGE_ID, ridToString, type PageId } from "../common/ids.js";
import type { BTreePage } from "./btree-page.js";
import { splitRid, toHex } from "./key-codec.js";
import { expectLevel, type TreeContext } from "./tree-context.js";

export interface BPlusTreeLevelStats {
  /** 0 for the leaves. */
  readonly level: number;
  readonly pages: number;
  readonly entries: number;
  /** Bytes of entries and slots, summed over the level's pages. */
  readonly usedBytes: number;
  /** usedBytes / (pages × usable bytes per page), in 0…1. */
  readonly averageFill: number;
}

export interface BPlusTreeStats {
  readonly height: number;
  /** Pages in use, the meta page included. */
  readonly pageCount: number;
  readonly size: number;
  /** Usable bytes per page (pageSize − 16). */
  readonly capacity: number;
  /** Root level first, leaves last. */
  readonly levels: readonly BPlusTreeLevelStats[];
  readonly averageLeafFill: number;
}

/** One page as plain data, for drawing the tree. */
export interface BPlusTreePageSnapshot {
  readonly pageId: PageId;
  readonly level: number;
  /** The keys, formatted (non-unique trees: the key, a space, then the rid as `(page,slot)`). */
  readonly keys: readonly string[];
  /** Bytes of entries and slots in use (out of the snapshot's `capacity`). */
  readonly usedBytes: number;
  /** Leaves: the right sibling, absent for the last leaf. */
  readonly next?: PageId;
  /** Internal pages: the children, left to right (keys.length + 1 of them). */
  readonly children?: readonly PageId[];
}

export interface BPlusTreeLevelSnapshot {
  readonly level: number;
  readonly pages: readonly BPlusTreePageSnapshot[];
}

export interface BPlusTreeSnapshot {
  readonly height: number;
  readonly unique: boolean;
  readonly size: number;
  readonly rootPageId: PageId;
  readonly pageSize: number;
  /** Usable bytes per page (pageSize − 16). */
  readonly capacity: number;
  /** Root level first, leaves last; pages left to right. */
  readonly levels: readonly BPlusTreeLevelSnapshot[];
}

/** Turns a key's bytes into text for a snapshot (see `keyFormatter` in key-codec). */
export type KeyFormat = (key: Uint8Array) => string;

/** Pages, entries and fill per level (walks the whole tree). */
export function treeStats(tree: TreeContext, size: number): BPlusTreeStats {
  const capacity = tree.capacity;
  const levels: BPlusTreeLevelStats[] = [];
  let current = { level: -1, pages: 0, entries: 0, usedBytes: 0 };
  const close = () => {
    if (current.pages > 0) levels.push({ ...current, averageFill: current.usedBytes / (current.pages * capacity) });
  };
  forEachPage(tree, (level, _pageId, page) => {
    if (level !== current.level) {
      close();
      current = { level, pages: 0, entries: 0, usedBytes: 0 };
    }
    current.pages++;
    current.entries += page.keyCount;
    current.usedBytes += page.usedSpace;
  });
  close();
  const leaves = levels[levels.length - 1] as BPlusTreeLevelStats;
  return {
    height: tree.height,
    pageCount: tree.pageCount,
    size,
    capacity,
    levels,
    averageLeafFill: leaves.averageFill,
  };
}

/**
 * The whole tree as plain data, for drawing: levels from the root down, pages left to
 * right, keys formatted by `format` (default: hex; see `keyFormatter`).
 */
export function treeSnapshot(tree: TreeContext, size: number, format: KeyFormat = toHex): BPlusTreeSnapshot {
  const show = (stored: Uint8Array): string => {
    if (tree.unique) return format(stored);
    const { key, rid } = splitRid(stored);
    return `${format(key)} ${ridToString(rid)}`;
  };
  const levels: { level: number; pages: BPlusTreePageSnapshot[] }[] = [];
  let current: { level: number; pages: BPlusTreePageSnapshot[] } | undefined;
  forEachPage(tree, (level, pageId, page) => {
    if (current?.level !== level) {
      current = { level, pages: [] };
      levels.push(current);
    }
    const keys: string[] = [];
    for (let i = 0; i < page.keyCount; i++) keys.push(show(page.keyView(i)));
    const next = page.rightSibling;
    const common = { pageId, level, keys, usedBytes: page.usedSpace };
    if (!page.isLeaf) current.pages.push({ ...common, children: page.internalEntries().children });
    else if (next === INVALID_PAGE_ID) current.pages.push(common);
    else current.pages.push({ ...common, next });
  });
  return {
    height: tree.height,
    unique: tree.unique,
    size,
    rootPageId: tree.rootPageId,
    pageSize: tree.pool.pageSize,
    capacity: tree.capacity,
    levels,
  };
}

/**
 * Call `fn` on every page, pinned, level by level from the root down and left to right
 * within a level (breadth first). Keeps only the page ids of the next level in memory.
 */
function forEachPage(tree: TreeContext, fn: (level: number, pageId: PageId, page: BTreePage) => void): void {
  let ids: PageId[] = [tree.rootPageId];
  for (let level = tree.height - 1; level >= 0; level--) {
    const below: PageId[] = [];
    for (const pageId of ids) {
      tree.read(pageId, (page) => {
        expectLevel(page, level, pageId);
        fn(level, pageId, page);
        if (level > 0) below.push(...page.internalEntries().children);
      });
    }
    ids = below;
  }
}
