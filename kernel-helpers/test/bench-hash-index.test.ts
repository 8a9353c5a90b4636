/**
 * The hash-index measurement (notebook 06, `npm run bench -- hash-index`) counts what it
 * says: both indexes hold the same keys, a hash lookup fetches one page and a B+tree
 * lookup its height, the three range methods find the same entries, and the suite's rows
 * and chart are well formed. Timing is not checked (benchmarks are not tests).
 */
import { describe, expect, test } from "vitest";
import { ExtendibleHashIndex, hashInsertEntry, splitBucket } from "@workbook/engine";
import { buildHashAndTree, lookupProbes, measurePointLookups, pointLookupPages, rangeQueryPages, HASH_TASKS, RANGE_METHODS } from "../src/bench/hash-index.js";
import { hashIndexSuite } from "../src/bench/suites/hash-index.js";

describe("hash index measurement", () => {
  test("both indexes hold the same keys; pages per lookup are 1 and the tree's height", () => {
    let splits = 0;
    const built = buildHashAndTree({ hashAlgorithms: { hashInsertEntry, splitBucket: (ctx, slot) => (splits++, splitBucket(ctx, slot)) } }, { keys: 3000, frames: 64 });
    expect(splits, "the pieces passed in are the ones the hash index runs").toBeGreaterThan(0);
    expect(built.hash).toBeInstanceOf(ExtendibleHashIndex);
    expect([built.hash.size, built.tree.size]).toEqual([3000, 3000]);
    built.hash.check();
    const rows = pointLookupPages(built, lookupProbes(built, 500));
    expect(rows.map((r) => [r.index, r.pageFetchesPerLookup])).toEqual([
      [HASH_TASKS.hash, 1],
      [HASH_TASKS.tree, built.tree.height],
    ]);
    const tight = buildHashAndTree({}, { keys: 3000, frames: 4 });
    const cold = pointLookupPages(tight, lookupProbes(tight, 500));
    for (const r of cold) expect(r.diskReadsPerLookup, `${r.index} through 4 frames`).toBeGreaterThan(0);
  });

  test("range queries: the three methods find the same entries; probing costs one page per possible key", () => {
    const built = buildHashAndTree({}, { keys: 2000, frames: 64 });
    const rows = rangeQueryPages(built, [10, 400]);
    expect(rows).toHaveLength(6);
    for (const width of [10, 400]) {
      const at = (method: string) => rows.find((r) => r.method === method && r.width === width)!;
      expect(at(RANGE_METHODS.tree).entriesFound).toBe(width / 2);
      expect(at(RANGE_METHODS.probe).pageFetches).toBe(width);
      expect(at(RANGE_METHODS.scan).pageFetches).toBe(built.hash.bucketCount);
    }
  });

  test("lookups are timed in one interleaved run, compared hash against B+tree", async () => {
    const built = buildHashAndTree({}, { keys: 2000, frames: 64 });
    const m = await measurePointLookups(built, { lookups: 200, time: 40 });
    expect(m.result.rows.map((r) => r.name).sort()).toEqual([HASH_TASKS.tree, HASH_TASKS.hash].sort());
    expect(m.hashVsTree.ratio).toBeGreaterThan(0);
  });

  test("the suite at the small size returns lookup, 16-frame and range rows and a chart", async () => {
    const result = await hashIndexSuite("small");
    const measures = new Set(result.rows.map((r) => r["measure"]));
    expect([...measures]).toEqual(["lookup", "lookup, 16 frames", "range"]);
    expect(result.chart.data?.values?.length).toBeGreaterThan(0);
  }, 120_000);
});
