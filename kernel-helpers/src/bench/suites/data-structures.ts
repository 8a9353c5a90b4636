/**
 * Benchmark suite `data-structures` (notebook 01): the engine's in-memory structures next
 * to their peers, measured in the same run, reported as ratios (structure / peer, above 1
 * means the engine's structure is faster).
 *
 *   OpenAddressingHashMap  vs Map                      100,000 keys: get hit, get miss,
 *                                                      build 10,000, delete + set, string get
 *   LruCache               vs Map used as an LRU       capacity 10,000, Zipf requests over
 *                          (and a Map that never evicts) 100,000 keys, get or set on a miss
 *   BTree (t = 32)         vs sorted-btree (B+tree,    point lookups and random-order builds
 *                             64 entries a node) and   at N = 1,000…100,000 (the sorted array's
 *                             a sorted array           build stops at 30,000: it is O(N²));
 *                                                      100 scans of 100 keys at N = 100,000
 *
 * The measurements are notebook 01's own (bench/data-structures.ts), run on the engine's
 * structures with shorter time budgets. Each task does a batch of operations per call;
 * rows give single operations per second. The contenders of one comparison run in the
 * same interleaved rounds; `ratio` is the median of the per-round ratios and `spread`
 * their range (bench.ts, `compare`). The chart shows every ratio at the largest N.
 * Benchmarks are not tests: nothing here fails on speed.
 */
import { LruCache, MemBTree, OpenAddressingHashMap } from "@workbook/engine";
import type { ChartSpec } from "../../display/chart.js";
import type { BenchResult, Comparison, SeriesResult } from "../bench.js";
import {
  CACHE_CAPACITY,
  CACHE_TASKS,
  HASH_MAP,
  HASH_MAP_KEYS,
  measureCache,
  measureHashMap,
  measureRangeScans,
  measureTreeInserts,
  measureTreeLookups,
  SCAN_KEYS,
  SCAN_TASKS,
  TREE_MIN_DEGREE,
  TREE_TASKS,
} from "../data-structures.js";
import type { SuiteResult } from "./types.js";

type Row = {
  readonly operation: string;
  readonly n: number;
  readonly structure: string;
  readonly peer: string;
  readonly "structure ops/s": number;
  readonly "peer ops/s": number;
  /** structure ops/s ÷ peer ops/s, the median of interleaved rounds: above 1, the engine's structure is faster. */
  readonly ratio: number;
  /** The range of the per-round ratios. */
  readonly spread: string;
};

/** Sizes the tree runs at: the notebook's, less 3,000. */
const TREE_SIZES = [1_000, 10_000, 30_000, 100_000];
const TREE = `BTree (t = ${TREE_MIN_DEGREE})`;

function row(operation: string, n: number, structure: string, peer: string, ours: number, theirs: number, c: Comparison): Row {
  return {
    operation,
    n,
    structure,
    peer,
    "structure ops/s": Math.round(ours),
    "peer ops/s": Math.round(theirs),
    ratio: Number(c.ratio.toFixed(3)),
    spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`,
  };
}

/** A row comparing task `ours` with task `peer` of one bench() run (rows already per operation). */
function benchRow(result: BenchResult, operation: string, n: number, structure: string, ours: string, peer: string, peerName = peer): Row {
  return row(operation, n, structure, peerName, result.row(ours)!.opsPerSec, result.row(peer)!.opsPerSec, result.compare(ours, peer));
}

/** A row comparing the tree with `peer` at `n`, from the series both ran in. */
function seriesRow(series: SeriesResult, operation: string, n: number, peer: string): Row {
  return row(operation, n, TREE, peer, series.row(TREE_TASKS.tree, n)!.opsPerSec, series.row(peer, n)!.opsPerSec, series.compare(TREE_TASKS.tree, peer, n));
}

async function hashMapRows(): Promise<Row[]> {
  const measured = await measureHashMap(OpenAddressingHashMap, { time: 200 });
  return measured.map(({ operation, result }) => benchRow(result, operation, HASH_MAP_KEYS, "OpenAddressingHashMap", HASH_MAP, "Map"));
}

async function cacheRows(): Promise<Row[]> {
  const result = await measureCache(LruCache, { time: 300 });
  return [
    benchRow(result, "get or set (Zipf)", CACHE_CAPACITY, "LruCache", CACHE_TASKS.cache, CACHE_TASKS.mapLru, "Map as LRU"),
    benchRow(result, "get or set (Zipf)", CACHE_CAPACITY, "LruCache", CACHE_TASKS.cache, CACHE_TASKS.mapAll),
  ];
}

async function treeRows(): Promise<Row[]> {
  const lookups = await measureTreeLookups(MemBTree, TREE_SIZES, { time: 200 });
  const inserts = await measureTreeInserts(MemBTree, TREE_SIZES, { time: 600 });
  const scans = await measureRangeScans(MemBTree, { time: 300 });
  const rows: Row[] = [];
  for (const n of TREE_SIZES) {
    rows.push(seriesRow(lookups, "lookup", n, TREE_TASKS.peer));
    rows.push(seriesRow(lookups, "lookup", n, TREE_TASKS.array));
  }
  for (const n of TREE_SIZES) {
    const series = inserts.small.ns.includes(n) ? inserts.small : inserts.large;
    // The peers measured at n ran in the same rounds as the tree (the array only up to 30,000).
    for (const peer of series.tasks.filter((t) => t !== TREE_TASKS.tree)) rows.push(seriesRow(series, "insert, random order", n, peer));
  }
  rows.push(benchRow(scans, "scan 100 keys", SCAN_KEYS, TREE, SCAN_TASKS.tree, SCAN_TASKS.peer, TREE_TASKS.peer));
  rows.push(benchRow(scans, "scan 100 keys", SCAN_KEYS, TREE, SCAN_TASKS.tree, SCAN_TASKS.array, TREE_TASKS.array));
  return rows;
}

export async function dataStructuresSuite(): Promise<SuiteResult> {
  const rows = [...(await hashMapRows()), ...(await cacheRows()), ...(await treeRows())];
  // One bar per comparison, at the largest size measured for it.
  const largest = rows.filter((r) => !rows.some((o) => o.structure === r.structure && o.operation === r.operation && o.peer === r.peer && o.n > r.n));
  const values = largest.map((r) => ({
    comparison: `${r.operation.replace(", random order", "")} vs ${r.peer}${r.n === 100_000 || r.structure === "LruCache" ? "" : ` (n = ${r.n.toLocaleString("en-US")})`}`,
    structure: r.structure.replace(/ \(.*\)$/, ""),
    ratio: r.ratio,
    label: r.ratio >= 1 ? `${r.ratio.toFixed(2)}× faster` : `${(1 / r.ratio).toFixed(2)}× slower`,
  }));
  const y = { field: "comparison", type: "nominal", sort: null, title: null, axis: { labelLimit: 420 } };
  const chart: ChartSpec = {
    title: { text: "The engine's data structures against their peers", subtitle: "engine ops/s ÷ peer ops/s in the same run, 100,000 keys unless noted, inserts in random order; right of 1× the engine is faster" },
    data: { values },
    width: 360,
    encoding: { x: { field: "ratio", type: "quantitative", scale: { type: "log", domain: [0.01, 100] }, title: "engine ÷ peer, operations per second (log scale)" } },
    layer: [
      { mark: { type: "bar", tooltip: true }, encoding: { y, x2: { datum: 1 }, color: { field: "structure", type: "nominal", title: "engine structure", legend: { orient: "bottom", labelLimit: 300 } } } },
      { transform: [{ filter: "datum.ratio >= 1" }], mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#333" }, encoding: { y, text: { field: "label", type: "nominal" } } },
      // Labels of slower bars sit right of the 1× line, clear of the axis labels.
      { transform: [{ filter: "datum.ratio < 1" }], mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#333" }, encoding: { y, x: { datum: 1 }, text: { field: "label", type: "nominal" } } },
      { mark: { type: "rule", color: "#555" }, encoding: { x: { datum: 1 } } },
    ],
    config: { view: { discreteHeight: { step: 24 } } },
  };
  return { title: "Data structures against their peers (ratio > 1: the engine's structure is faster)", rows, chart };
}
