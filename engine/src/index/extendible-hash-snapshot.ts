/**
 * Extendible hash index: stats and snapshot
 * =========================================
 * Plain data for tables and drawings (kernel-helpers draws it; the engine draws nothing):
 *
 *   snapshot.directory   one row per slot: its number, its low bits as a binary string,
 *                        the bucket page it points at and the local depth it records
 *   snapshot.buckets     one row per bucket, in the order of its first slot: page id,
 *                        local depth, the slots pointing at it, its keys (formatted,
 *                        sorted by their bytes)
 *
 * Both read every bucket once.
 */
import type { PageId } from "../common/ids.js";
import type { ExtendibleHashContext } from "./extendible-hash-context.js";
import { HASH_BUCKET_HEADER_SIZE } from "./extendible-hash-page.js";
import { compareBytes, toHex } from "./key-codec.js";

export interface HashIndexStats {
  readonly entries: number;
  readonly globalDepth: number;
  readonly maxDepth: number;
  /** 2^globalDepth. */
  readonly directorySlots: number;
  readonly buckets: number;
  /** The directory page and the buckets. */
  readonly pages: number;
  readonly bucketCapacity: number;
  /** Entries per bucket: average, fewest, most. */
  readonly averageEntries: number;
  readonly minEntries: number;
  readonly maxEntries: number;
  /** Entry bytes in use over the buckets' room for entries (0…1). */
  readonly fill: number;
}

export interface HashSlotSnapshot {
  readonly slot: number;
  /** The slot number's low globalDepth bits, e.g. "011" ("" at global depth 0). */
  readonly bits: string;
  readonly bucketId: PageId;
  readonly localDepth: number;
}

export interface HashBucketSnapshot {
  readonly pageId: PageId;
  readonly localDepth: number;
  /** The directory slots pointing here, ascending. */
  readonly slots: readonly number[];
  readonly keys: readonly string[];
}

export interface HashIndexSnapshot {
  readonly globalDepth: number;
  readonly maxDepth: number;
  readonly bucketCapacity: number;
  readonly size: number;
  readonly directory: readonly HashSlotSnapshot[];
  readonly buckets: readonly HashBucketSnapshot[];
}

/** The slot number as `depth` binary digits. */
export function slotBits(slot: number, depth: number): string {
  return depth === 0 ? "" : slot.toString(2).padStart(depth, "0");
}

/** The buckets in the order of their first slot, with their slots. */
function bucketsInOrder(ctx: ExtendibleHashContext): Map<PageId, number[]> {
  const slotsOf = new Map<PageId, number[]>();
  ctx.bucketIds.forEach((id, s) => {
    const list = slotsOf.get(id);
    if (list === undefined) slotsOf.set(id, [s]);
    else list.push(s);
  });
  return slotsOf;
}

export function hashIndexStats(ctx: ExtendibleHashContext, size: number): HashIndexStats {
  const counts: number[] = [];
  let used = 0;
  for (const id of bucketsInOrder(ctx).keys()) {
    ctx.read(id, (page) => {
      counts.push(page.count);
      used += page.usedBytes;
    });
  }
  const room = counts.length * (ctx.pool.pageSize - HASH_BUCKET_HEADER_SIZE);
  return {
    entries: size,
    globalDepth: ctx.globalDepth,
    maxDepth: ctx.maxDepth,
    directorySlots: ctx.bucketIds.length,
    buckets: counts.length,
    pages: ctx.pageCount,
    bucketCapacity: ctx.bucketCapacity,
    averageEntries: counts.length === 0 ? 0 : size / counts.length,
    minEntries: Math.min(...counts),
    maxEntries: Math.max(...counts),
    fill: room === 0 ? 0 : used / room,
  };
}

export function hashIndexSnapshot(ctx: ExtendibleHashContext, size: number, format: (key: Uint8Array) => string = toHex): HashIndexSnapshot {
  const g = ctx.globalDepth;
  const directory = ctx.bucketIds.map((bucketId, slot) => ({ slot, bits: slotBits(slot, g), bucketId, localDepth: ctx.localDepths[slot]! }));
  const buckets: HashBucketSnapshot[] = [];
  for (const [pageId, slots] of bucketsInOrder(ctx)) {
    const { localDepth, keys } = ctx.readBucket(pageId);
    keys.sort(compareBytes);
    buckets.push({ pageId, localDepth, slots, keys: keys.map(format) });
  }
  return { globalDepth: g, maxDepth: ctx.maxDepth, bucketCapacity: ctx.bucketCapacity, size, directory, buckets };
}
