/**
 * Extendible hash insert with bucket split and directory doubling (exercise 06.1)
 * ===============================================================================
 * An insert hashes the key, takes the low `globalDepth` bits of the hash as a directory
 * slot, and adds the entry to that slot's bucket. Most of the time it fits and that is
 * all: one page changes. When the bucket is full, it *splits* on the next hash bit:
 *
 *   global depth 1, insert a key with hash …10 into the full bucket A (local depth 1)
 *
 *   slot 0 ──► A d=1 [000 010 100]      slot 00 ──► A d=2 [000 100]
 *   slot 1 ──► B d=1 [001]              slot 01 ──► B d=1 [001]      ◄─┐ B is shared by
 *                                       slot 10 ──► C d=2 [010 110]    │ two slots now
 *                                       slot 11 ──────────────────────┘
 *
 * 1. A bucket of local depth d holds the keys whose hashes agree on their low d bits.
 *    Splitting it looks at bit d: entries with that bit 0 stay, those with it 1 move to
 *    a new bucket; both get local depth d + 1.
 * 2. If d was the global depth, no slot can tell the two halves apart: first *double*
 *    the directory (slot s + 2^g starts as a copy of slot s, the global depth grows by
 *    one). Otherwise 2^(g − d) slots point at the bucket, and half of them (bit d = 1)
 *    now point at the new one. Nothing else in the directory changes.
 * 3. All entries may land on one side (their hashes agree on bit d too): the key's bucket
 *    is still full, so split again, one bit deeper, until it has room.
 * 4. Depth is bounded (`maxDepth`: the directory must fit its page). An insert works out
 *    first how deep the key's bucket must go, d' = the smallest depth at which the
 *    entries that share the key's low d' bits fit one bucket, and refuses with
 *    `index-full` before any split when d' > maxDepth: a refusal changes nothing. Keys
 *    whose hashes are *equal* can never be separated: more than a bucket of them is
 *    always `index-full`.
 *
 * Cost: an insert without a split writes one page; a split writes the two buckets and
 * the directory page (and doubles the directory, O(2^g) slots, when d = g). A doubling
 * touches no bucket: that is the point of extendible hashing over rehashing everything.
 * With a good hash, buckets split about when they fill, and the directory has about
 * 2 · (entries / bucket capacity) slots, more when hashes cluster.
 *
 * PostgreSQL's hash index grows differently (*linear* hashing, `_hash_expandtable`):
 * buckets split one at a time in a fixed order, whichever bucket overflowed, and a full
 * bucket gets an overflow page in the meantime, so there is no directory to double and no
 * index-full; the price is overflow chains on skewed keys.
 */
import { DbError, invariant } from "../common/errors.js";
import type { Rid } from "../common/ids.js";
import type { HashBucket, HashIndexContext } from "./hash-index.js";
import { lowBits } from "./extendible-hash-page.js";

/**
 * Add `key → rid`. False, changing nothing, when the key is present; true once the entry
 * is in its bucket. Throws `index-full`, changing nothing, when its bucket cannot split
 * far enough (see the header, step 4).
 */
export function hashInsertEntry(ctx: HashIndexContext, key: Uint8Array, rid: Rid): boolean {
  const hash = ctx.hash(key);
  const pageId = ctx.bucketAt(lowBits(hash, ctx.globalDepth));
  // The common case: add it in place, one page touched.
  const outcome = ctx.write(pageId, (page) => {
    if (page.find(key, hash) >= 0) return "duplicate";
    return page.insert(key, rid, hash) ? "inserted" : "full";
  });
  if (outcome === "duplicate") return false;
  if (outcome === "inserted") return true;

  // Full. How deep must the key's bucket go before the entries sharing its low bits fit?
  const bucket = ctx.readBucket(pageId);
  const from = bucket.localDepth;
  let keys = [...bucket.keys, key];
  let depth = from;
  while (!ctx.fits({ localDepth: depth, keys, rids: [] })) {
    depth++;
    if (depth > ctx.maxDepth) {
      throw new DbError(
        "index-full",
        `hash index full: the bucket of hash 0x${hash.toString(16).padStart(8, "0")} would need local depth ${depth}, ` +
          `above the maximum depth ${ctx.maxDepth} (more entries share its low ${ctx.maxDepth} hash bits than a bucket holds)`,
        { hash, localDepth: from, maxDepth: ctx.maxDepth },
      );
    }
    const bits = lowBits(hash, depth);
    keys = keys.filter((k) => lowBits(ctx.hash(k), depth) === bits);
  }
  // Split the key's bucket one bit at a time until it has that depth, then add the entry.
  for (let d = from; d < depth; d++) ctx.split(lowBits(hash, ctx.globalDepth));
  const target = ctx.bucketAt(lowBits(hash, ctx.globalDepth));
  const added = ctx.write(target, (page) => page.insert(key, rid, hash));
  invariant(added, `hash insert: bucket ${target} has no room after splitting to depth ${depth}`);
  return true;
}

/**
 * Split the bucket of directory slot `slot` once, on hash bit d (its local depth),
 * doubling the directory first when d is the global depth. Throws `index-full`, changing
 * nothing, when d is already `maxDepth`.
 */
export function splitBucket(ctx: HashIndexContext, slot: number): void {
  const pageId = ctx.bucketAt(slot);
  const d = ctx.localDepthAt(slot);
  if (d >= ctx.maxDepth) {
    throw new DbError("index-full", `hash index full: the bucket of slot ${slot} has local depth ${d}, the maximum depth`, { slot, localDepth: d, maxDepth: ctx.maxDepth });
  }
  const bucket = ctx.readBucket(pageId);
  const stay: HashBucket = { localDepth: d + 1, keys: [], rids: [] };
  const move: HashBucket = { localDepth: d + 1, keys: [], rids: [] };
  bucket.keys.forEach((key, i) => {
    const half = ((ctx.hash(key) >>> d) & 1) === 1 ? move : stay;
    half.keys.push(key);
    half.rids.push(bucket.rids[i]!);
  });
  const directory = ctx.directory();
  if (d === directory.globalDepth) {
    directory.bucketIds.push(...directory.bucketIds);
    directory.localDepths.push(...directory.localDepths);
    directory.globalDepth++;
  }
  // The new page first: a pool with no free frame fails here, before anything changed.
  const newId = ctx.allocateBucket(move);
  ctx.writeBucket(pageId, stay);
  const bits = lowBits(slot, d);
  for (let s = 0; s < directory.bucketIds.length; s++) {
    if (lowBits(s, d) !== bits) continue;
    directory.localDepths[s] = d + 1;
    if (((s >>> d) & 1) === 1) directory.bucketIds[s] = newId;
  }
  ctx.writeDirectory(directory);
}
