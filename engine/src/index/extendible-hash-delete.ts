/**
 * Extendible hash delete with bucket merge and directory shrinking
 * ================================================================
 * A delete removes the entry from its bucket. Then the bucket may *merge* with its
 * buddy, the bucket that its last split made (same low d − 1 hash bits, the other value
 * of bit d − 1), which exists only when the buddy has the same local depth d:
 *
 *   slot 00 ──► A d=2 [100]           slot 00 ──► A d=1 [100 010]
 *   slot 01 ──► B d=1 [001]    ──►    slot 01 ──► B d=1 [001]
 *   slot 10 ──► C d=2 [010]           slot 10 ──► A          (C is freed)
 *   slot 11 ──► B                     slot 11 ──► B
 *
 * The two become one bucket of local depth d − 1 (the one with bit d − 1 = 0 keeps its
 * page, the other page is freed), and every slot that pointed at either points at it.
 * Merging repeats one level up while it can. Then the directory *shrinks*: while no
 * bucket's local depth equals the global depth, each slot s + 2^(g−1) is a copy of slot
 * s, so the upper half goes and the global depth drops by one.
 *
 * When to merge is a policy, not an invariant: here, when one of the two is empty or
 * together they fill at most half a bucket (entries and bytes). Merging as soon as they
 * would fit makes a bucket near the boundary split and merge on every other operation.
 *
 * PostgreSQL's hash index never merges buckets or shrinks: deleted entries are removed
 * by VACUUM, which also squeezes overflow pages back into their bucket
 * (`_hash_squeezebucket`); the bucket count only grows.
 */
import { invariant } from "../common/errors.js";
import { hashEntryBytes, lowBits, HASH_BUCKET_HEADER_SIZE } from "./extendible-hash-page.js";
import type { ExtendibleHashContext } from "./extendible-hash-context.js";

/** Remove `key`; false when absent. Merges buckets and shrinks the directory as the header says. */
export function hashDeleteEntry(ctx: ExtendibleHashContext, key: Uint8Array): boolean {
  const hash = ctx.hash(key);
  const slot = lowBits(hash, ctx.globalDepth);
  const removed = ctx.write(ctx.bucketAt(slot), (page) => {
    const i = page.find(key, hash);
    if (i < 0) return false;
    page.removeAt(i);
    return true;
  });
  if (!removed) return false;
  mergeBuckets(ctx, slot);
  shrinkDirectory(ctx);
  return true;
}

/** Merge the bucket of `slot` with its buddy while the policy allows, one level at a time. */
export function mergeBuckets(ctx: ExtendibleHashContext, slot: number): void {
  const roomBytes = ctx.pool.pageSize - HASH_BUCKET_HEADER_SIZE;
  for (;;) {
    const d = ctx.localDepthAt(slot);
    if (d === 0) return;
    const buddySlot = slot ^ (1 << (d - 1));
    if (ctx.localDepthAt(buddySlot) !== d) return;
    const [low, high] = ((slot >>> (d - 1)) & 1) === 0 ? [slot, buddySlot] : [buddySlot, slot];
    const keepId = ctx.bucketAt(low);
    const goneId = ctx.bucketAt(high);
    invariant(keepId !== goneId, `hash merge: slots ${low} and ${high} of local depth ${d} share bucket ${keepId}`);
    const a = ctx.readBucket(keepId);
    const b = ctx.readBucket(goneId);
    const keys = [...a.keys, ...b.keys];
    const halfFull = 2 * keys.length <= ctx.bucketCapacity && 2 * hashEntryBytes(keys) <= roomBytes;
    if (a.keys.length > 0 && b.keys.length > 0 && !halfFull) return;
    ctx.writeBucket(keepId, { localDepth: d - 1, keys, rids: [...a.rids, ...b.rids] });
    const directory = ctx.directory();
    const bits = lowBits(slot, d - 1);
    for (let s = 0; s < directory.bucketIds.length; s++) {
      if (lowBits(s, d - 1) !== bits) continue;
      directory.bucketIds[s] = keepId;
      directory.localDepths[s] = d - 1;
    }
    ctx.writeDirectory(directory);
    ctx.freeBucket(goneId);
    slot = low;
  }
}

/** Halve the directory while every local depth is below the global depth. */
export function shrinkDirectory(ctx: ExtendibleHashContext): void {
  let g = ctx.globalDepth;
  while (g > 0 && ctx.localDepths.every((d) => d < g)) g--;
  if (g === ctx.globalDepth) return;
  const directory = ctx.directory();
  const slots = 2 ** g;
  ctx.writeDirectory({ globalDepth: g, bucketIds: directory.bucketIds.slice(0, slots), localDepths: directory.localDepths.slice(0, slots) });
}
