/**
 * Checking an extendible hash index
 * =================================
 * `ExtendibleHashIndex.check()` reads the directory page (not the index's cached copy,
 * so a damaged page is seen) and every bucket once, and throws `InvariantError` naming
 * the first broken invariant, in this order:
 *
 *   directory-matches-cache   the page says what the index last wrote
 *   local-depth               every slot's local depth ≤ the global depth ≤ maxDepth
 *   slots-agree               all slots of one bucket record the same local depth d …
 *   slot-count                … there are exactly 2^(global − d) of them …
 *   slot-bits                 … and they share their low d bits
 *   bucket-depth              the bucket page records the local depth its slots say
 *   bucket-capacity           at most `bucketCapacity` entries
 *   stored-hash               an entry's stored hash is the hash of its key
 *   bucket-order              a bucket's slots are sorted by hash (lookups binary-search them)
 *   key-placement             every key's hash selects the bucket it is in
 *   unique-keys               no key appears twice
 *   size / page-count         the index's counts match what was found
 *
 * It uses none of the pluggable algorithms, so it can judge them; the hidden tests call
 * it after every operation. A page that is not a bucket page at all is `corrupt` (DbError).
 */
import { InvariantError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";
import type { ExtendibleHashContext } from "./extendible-hash-context.js";
import { lowBits, readHashDirectory } from "./extendible-hash-page.js";
import { toHex } from "./key-codec.js";

function broken(invariant: string, message: string): never {
  throw new InvariantError(`hash index invariant ${invariant} broken: ${message}`);
}

/** Verify every invariant above; `size` is the entry count the index keeps. */
export function checkHashIndex(ctx: ExtendibleHashContext, size: number): void {
  const page = ctx.pool.withReadPage(ctx.directoryPageId, (bytes) => readHashDirectory(bytes, ctx.directoryPageId));
  const { globalDepth: g, bucketIds, localDepths } = page;
  const same =
    g === ctx.globalDepth &&
    page.maxDepth === ctx.maxDepth &&
    page.bucketCapacity === ctx.bucketCapacity &&
    bucketIds.every((id, s) => id === ctx.bucketIds[s] && localDepths[s] === ctx.localDepths[s]);
  if (!same) broken("directory-matches-cache", `directory page ${ctx.directoryPageId} differs from the directory the index last wrote`);
  if (g > ctx.maxDepth) broken("local-depth", `global depth ${g} is above the maximum depth ${ctx.maxDepth}`);
  const slotsOf = new Map<PageId, number[]>();
  for (let s = 0; s < bucketIds.length; s++) {
    if (localDepths[s]! > g) broken("local-depth", `slot ${s} has local depth ${localDepths[s]}, above the global depth ${g}`);
    const list = slotsOf.get(bucketIds[s]!);
    if (list === undefined) slotsOf.set(bucketIds[s]!, [s]);
    else list.push(s);
  }
  // The directory's own invariants first, for every bucket; then each bucket page.
  for (const [bucketId, slots] of slotsOf) {
    const first = slots[0]!;
    const d = localDepths[first]!;
    const disagree = slots.find((s) => localDepths[s] !== d);
    if (disagree !== undefined) {
      broken("slots-agree", `bucket ${bucketId}: slot ${first} says local depth ${d}, slot ${disagree} says ${localDepths[disagree]}`);
    }
    if (slots.length !== 2 ** (g - d)) {
      broken("slot-count", `bucket ${bucketId} of local depth ${d} has ${slots.length} slots [${slots.join(", ")}]; global depth ${g} needs exactly ${2 ** (g - d)}`);
    }
    const stray = slots.find((s) => lowBits(s, d) !== lowBits(first, d));
    if (stray !== undefined) broken("slot-bits", `bucket ${bucketId} of local depth ${d}: slots ${first} and ${stray} differ in their low ${d} bits`);
  }
  const seen = new Set<string>();
  let entries = 0;
  for (const [bucketId, slots] of slotsOf) {
    const d = localDepths[slots[0]!]!;
    const bits = lowBits(slots[0]!, d);
    const bucket = ctx.read(bucketId, (p) => ({ localDepth: p.localDepth, count: p.count, ...p.entries() }));
    if (bucket.localDepth !== d) broken("bucket-depth", `bucket ${bucketId} records local depth ${bucket.localDepth}, its slots say ${d}`);
    if (bucket.count > ctx.bucketCapacity) broken("bucket-capacity", `bucket ${bucketId} holds ${bucket.count} entries, more than ${ctx.bucketCapacity}`);
    bucket.keys.forEach((key, i) => {
      const hash = ctx.hash(key);
      if (bucket.hashes[i] !== hash) broken("stored-hash", `bucket ${bucketId}, entry ${i} (key ${toHex(key)}): stored hash ${bucket.hashes[i]}, the key hashes to ${hash}`);
      if (lowBits(hash, d) !== bits) {
        broken("key-placement", `key ${toHex(key)} (hash 0x${hash.toString(16)}) is in bucket ${bucketId}, but its hash selects slot ${lowBits(hash, g)}`);
      }
      const hex = toHex(key);
      if (seen.has(hex)) broken("unique-keys", `key ${hex} appears twice (again in bucket ${bucketId})`);
      seen.add(hex);
    });
    const unsorted = bucket.hashes.findIndex((h, i) => i > 0 && h < bucket.hashes[i - 1]!);
    if (unsorted > 0) broken("bucket-order", `bucket ${bucketId}: slot ${unsorted} has hash ${bucket.hashes[unsorted]}, below slot ${unsorted - 1}'s ${bucket.hashes[unsorted - 1]}`);
    entries += bucket.count;
  }
  if (entries !== size) broken("size", `the buckets hold ${entries} entries, the index counts ${size}`);
  if (slotsOf.size + 1 !== ctx.pageCount) broken("page-count", `${slotsOf.size} buckets plus the directory page, the index counts ${ctx.pageCount} pages`);
}
