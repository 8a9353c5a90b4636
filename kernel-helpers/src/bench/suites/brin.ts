/**
 * Benchmark suite `brin` (notebook 06), from the same measurement functions as the
 * notebook's cells (../brin.ts), with the engine's heap, free-space map, pool and LRU:
 *
 *   data       @workbook/datasets' flights in time order, id = rank in time (20,000 rows;
 *              5,000 at the small size), then copies with a fraction f of the rows moved
 *              to random places, f = 0, 0.001, 0.01, 0.1, 0.5, 1
 *   ours       BlockRangeIndex on id, 8 pages per range (2 at the small size), over a heap
 *              of 8 KB pages
 *   PostgreSQL the same rows in the same order in PGlite, BRIN on id (minmax and
 *              minmax-multi), same pages per range, `analyze`, EXPLAIN ANALYZE of each query
 *
 * For each f: the correlation (ours over every row, PostgreSQL's pg_stats.correlation),
 * and per query (20 queries of 1% of the ids each, the same on both sides) the heap pages
 * read and skipped and the rows removed by recheck. Counts, not times: no ratios of speed.
 */
import { BufferPoolManager, FreeSpaceTree, HeapFile, LruReplacer } from "@workbook/engine";
import { benchSize } from "../bench.js";
import { blockRangeLayouts, brinChart, measureBlockRanges, measurePostgresBlockRanges } from "../brin.js";
import { pg } from "../../pg/pg.js";
import type { SuiteResult } from "./types.js";

export async function brinSuite(): Promise<SuiteResult> {
  const size = benchSize() === "small" ? "5k" : "20k";
  const setup = blockRangeLayouts({ size });
  const ours = measureBlockRanges({ Heap: HeapFile, Fsm: FreeSpaceTree, Pool: BufferPoolManager, replacer: (frames) => new LruReplacer(frames) }, setup);
  const theirs = await measurePostgresBlockRanges(pg(), setup);
  const rows = [...ours, ...theirs];
  const n = setup.layouts[0]?.flights.length ?? 0;
  return {
    title: `Block-range index: pages skipped against correlation, ${n.toLocaleString("en-US")} flights, ${setup.pagesPerRange} pages per range (ours vs PostgreSQL's BRIN)`,
    rows: rows.map((r) => ({ ...r })),
    chart: brinChart(rows, `Pages skipped by a block-range index, ${n.toLocaleString("en-US")} flights`),
  };
}
