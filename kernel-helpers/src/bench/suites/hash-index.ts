/**
 * Benchmark suite `hash-index` (notebook 06): the engine's extendible hash index against
 * its B+tree, from the same measurement functions as the notebook's cells (../hash-index.ts):
 *
 *   lookups   the same present keys looked up in both, interleaved rounds, at each N
 *             (8 KB pages; a pool big enough for either index, so nothing waits for a
 *             disk): lookups per second, the ratio hash ÷ B+tree (median of rounds, range
 *             in `spread`), page fetches per lookup
 *   small     the same lookups through a pool of 16 frames: disk reads per lookup
 *   range     lo ≤ k < hi at the largest N: pages fetched by the B+tree's range scan, by
 *             probing every possible key in the hash index, and by reading every bucket
 *
 * `size` is the knob: "small" (tests, the notebook) or "full" (`npm run bench`).
 */
import { type BenchSize, benchSize } from "../bench.js";
import { buildHashAndTree, HASH_INDEX_SIZES, HASH_TASKS, lookupChart, lookupProbes, measurePointLookups, pointLookupPages, rangeQueryPages } from "../hash-index.js";
import type { SuiteResult } from "./types.js";

export async function hashIndexSuite(size: BenchSize = benchSize()): Promise<SuiteResult> {
  const sizes = HASH_INDEX_SIZES[size];
  const rows: Record<string, unknown>[] = [];
  const measurements = [];
  for (const n of sizes.keys) {
    // Frames enough for either index: int entries are 22 bytes in a bucket, 18 in a leaf.
    const frames = Math.ceil((n * 22) / (8180 * 0.6)) + 64;
    const built = buildHashAndTree({}, { keys: n, frames });
    const m = await measurePointLookups(built, { lookups: sizes.lookups, time: sizes.time });
    measurements.push(m);
    for (const row of m.result.rows) {
      const c = m.result.compare(row.name, HASH_TASKS.tree);
      const pages = m.pages.find((p) => p.index === row.name)!;
      rows.push({
        measure: "lookup",
        index: row.name,
        keys: n,
        frames,
        lookupsPerSecond: Math.round(row.opsPerSec),
        baseline: HASH_TASKS.tree,
        ratio: Number(c.ratio.toFixed(3)),
        spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`,
        pages: pages.pages,
        shape: pages.shape,
        pageFetchesPerLookup: pages.pageFetchesPerLookup,
      });
    }
    const tight = buildHashAndTree({}, { keys: n, frames: 16 });
    for (const p of pointLookupPages(tight, lookupProbes(tight, sizes.lookups))) {
      rows.push({ measure: "lookup, 16 frames", index: p.index, keys: n, frames: 16, pages: p.pages, shape: p.shape, pageFetchesPerLookup: p.pageFetchesPerLookup, diskReadsPerLookup: p.diskReadsPerLookup });
    }
    if (n === sizes.keys[sizes.keys.length - 1]) {
      for (const r of rangeQueryPages(built, sizes.widths)) rows.push({ measure: "range", ...r });
    }
  }
  const last = measurements[measurements.length - 1]!;
  return {
    title: "Extendible hash index against B+tree: point lookups per second (8 KB pages, whole index in the pool), pages per lookup and per range query; ratio: median of interleaved rounds",
    rows,
    chart: lookupChart(measurements, `at ${last.keys} keys, hash index lookups against the B+tree's: ${last.hashVsTree.text}`),
  };
}
