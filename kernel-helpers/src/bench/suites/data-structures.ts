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
 * Each task does a batch of operations per call; rows give single operations per second.
 * The contenders of one comparison run in the same interleaved rounds; `ratio` is the
 * median of the per-round ratios and `spread` their range (bench.ts, `compare`). The
 * chart shows every ratio at the largest N. Benchmarks are not tests: nothing here
 * fails on speed.
 */
import { LruCache, MemBTree as BTree, OpenAddressingHashMap, Random } from "@workbook/engine";
import SortedBTree from "sorted-btree";
import type { ChartSpec } from "../../display/chart.js";
import { bench, benchSeries, type BenchTask, type Comparison, type SeriesResult } from "../bench.js";
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

const TIME_MS = 200;

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

/** `count` keys from 0…n−1 with P(k) ∝ 1/(k + 1) (Zipf, exponent 1), seeded. */
function zipfKeys(n: number, count: number, seed: number): number[] {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += 1 / (k + 1);
  const rng = new Random(seed);
  return Array.from({ length: count }, () => {
    const x = rng.float() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

function binarySearch(sorted: readonly number[], key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** ops/s of `ours` and `theirs`, measured in one bench() run, times `perCall`. */
async function pair(ours: BenchTask, theirs: BenchTask, perCall: number): Promise<[number, number, Comparison]> {
  const result = await bench({ theirs, ours }, { baseline: "theirs", time: TIME_MS, perCall });
  return [result.row("ours")!.opsPerSec, result.row("theirs")!.opsPerSec, result.compare("ours", "theirs")];
}

async function hashMapRows(): Promise<Row[]> {
  const N = 100_000;
  const rng = new Random(1);
  const intKeys = rng.shuffle(Array.from({ length: N }, (_, i) => i * 7 + 3));
  const strKeys = intKeys.map((k) => `customer:${k}`);
  const hits = Array.from({ length: 1_000 }, () => intKeys[rng.int(N)]!);
  const strHits = hits.map((k) => `customer:${k}`);
  const misses = Array.from({ length: 1_000 }, (_, i) => i * 7 + 5);
  const ours = new OpenAddressingHashMap<number, number>();
  const theirs = new Map<number, number>();
  const oursStr = new OpenAddressingHashMap<string, number>();
  const theirsStr = new Map<string, number>();
  intKeys.forEach((k, i) => {
    ours.set(k, i);
    theirs.set(k, i);
    oursStr.set(strKeys[i]!, i);
    theirsStr.set(strKeys[i]!, i);
  });
  const cases: [string, BenchTask, BenchTask, number][] = [
    [
      "get, key present",
      () => hits.reduce((s, k) => s + ours.get(k)!, 0),
      () => hits.reduce((s, k) => s + theirs.get(k)!, 0),
      1_000,
    ],
    [
      "get, key absent",
      () => misses.filter((k) => ours.get(k) === undefined).length,
      () => misses.filter((k) => theirs.get(k) === undefined).length,
      1_000,
    ],
    [
      "set: build 10,000 keys",
      () => {
        const m = new OpenAddressingHashMap<number, number>();
        for (let i = 0; i < 10_000; i++) m.set(intKeys[i]!, i);
        return m;
      },
      () => {
        const m = new Map<number, number>();
        for (let i = 0; i < 10_000; i++) m.set(intKeys[i]!, i);
        return m;
      },
      10_000,
    ],
    [
      "delete, then set",
      () => {
        for (const k of hits) {
          ours.delete(k);
          ours.set(k, k);
        }
      },
      () => {
        for (const k of hits) {
          theirs.delete(k);
          theirs.set(k, k);
        }
      },
      1_000,
    ],
    [
      "get, string key",
      () => strHits.reduce((s, k) => s + oursStr.get(k)!, 0),
      () => strHits.reduce((s, k) => s + theirsStr.get(k)!, 0),
      1_000,
    ],
  ];
  const rows: Row[] = [];
  for (const [operation, oursTask, theirsTask, perCall] of cases) {
    const [o, t, c] = await pair(oursTask, theirsTask, perCall);
    rows.push(row(operation, N, "OpenAddressingHashMap", "Map", o, t, c));
  }
  return rows;
}

async function lruRows(): Promise<Row[]> {
  const CAPACITY = 10_000;
  const MASK = (1 << 17) - 1;
  const requests = zipfKeys(100_000, MASK + 1, 5);
  const stream = (step: (key: number) => void): BenchTask => {
    let at = 0;
    return () => {
      for (let i = 0; i < 1_000; i++) step(requests[(at + i) & MASK]!);
      at = (at + 1_000) & MASK;
    };
  };
  const cache = new LruCache<number, number>(CAPACITY);
  const mapLru = new Map<number, number>();
  const mapAll = new Map<number, number>();
  const result = await bench(
    {
      mapLru: stream((key) => {
        const v = mapLru.get(key);
        if (v !== undefined) {
          mapLru.delete(key);
          mapLru.set(key, v);
        } else {
          mapLru.set(key, key);
          if (mapLru.size > CAPACITY) mapLru.delete(mapLru.keys().next().value!);
        }
      }),
      lru: stream((key) => {
        if (cache.get(key) === undefined) cache.set(key, key);
      }),
      mapAll: stream((key) => {
        if (mapAll.get(key) === undefined) mapAll.set(key, key);
      }),
    },
    { baseline: "mapLru", time: 300 },
  );
  const ops = (name: string) => result.row(name)!.opsPerSec * 1_000;
  return [
    row("get or set (Zipf)", CAPACITY, "LruCache", "Map as LRU", ops("lru"), ops("mapLru"), result.compare("lru", "mapLru")),
    row("get or set (Zipf)", CAPACITY, "LruCache", "Map, never evicts", ops("lru"), ops("mapAll"), result.compare("lru", "mapAll")),
  ];
}

const keysFor = (n: number): number[] => new Random(n).shuffle(Array.from({ length: n }, (_, i) => i * 2));

async function btreeRows(): Promise<Row[]> {
  const sizes = [1_000, 10_000, 100_000];
  const queriesFor = (n: number): number[] => {
    const rng = new Random(n + 1);
    return Array.from({ length: 1_000 }, () => rng.int(n) * 2);
  };
  const lookups = await benchSeries(
    {
      btree: (n) => {
        const tree = new BTree<number, number>({ minDegree: 32 });
        for (const k of keysFor(n)) tree.insert(k, k);
        const q = queriesFor(n);
        return () => q.reduce((s, k) => s + tree.search(k)!, 0);
      },
      sortedBtree: (n) => {
        const tree = new SortedBTree<number, number>(undefined, undefined, 64);
        for (const k of keysFor(n)) tree.set(k, k);
        const q = queriesFor(n);
        return () => q.reduce((s, k) => s + tree.get(k)!, 0);
      },
      array: (n) => {
        const sorted = keysFor(n).sort((a, b) => a - b);
        const q = queriesFor(n);
        return () => q.reduce((s, k) => s + sorted[binarySearch(sorted, k)]!, 0);
      },
    },
    sizes,
    { time: TIME_MS },
  );
  const build = { time: 600, iterations: 5, warmup: false };
  const buildSizes = [1_000, 10_000, 30_000, 100_000];
  // A sorted array's build is O(N²): at 100,000 keys one build takes seconds, so it stops at
  // 30,000; up to there all three are built in the same interleaved rounds.
  const arraySizes = [1_000, 10_000, 30_000];
  const arrayBuild = (n: number) => {
    const keys = keysFor(n);
    return () => {
      const sorted: number[] = [];
      for (const k of keys) sorted.splice(binarySearch(sorted, k), 0, k);
      return sorted;
    };
  };
  const treeFactories = {
      btree: (n: number) => {
        const keys = keysFor(n);
        return () => {
          const tree = new BTree<number, number>({ minDegree: 32 });
          for (const k of keys) tree.insert(k, k);
          return tree;
        };
      },
      sortedBtree: (n: number) => {
        const keys = keysFor(n);
        return () => {
          const tree = new SortedBTree<number, number>(undefined, undefined, 64);
          for (const k of keys) tree.set(k, k);
          return tree;
        };
      },
  };
  const smallBuilds = await benchSeries({ ...treeFactories, array: arrayBuild }, arraySizes, build);
  const largeBuilds = await benchSeries(treeFactories, buildSizes.filter((n) => !arraySizes.includes(n)), build);
  /** A row comparing the BTree with `peer` at `n`, from the series both ran in. */
  const versus = (series: SeriesResult, operation: string, n: number, task: string, peer: string, perCall: number): Row =>
    row(operation, n, "BTree (t = 32)", peer, series.row("btree", n)!.opsPerSec * perCall, series.row(task, n)!.opsPerSec * perCall, series.compare("btree", task, n));

  const rows: Row[] = [];
  for (const n of sizes) {
    rows.push(versus(lookups, "lookup", n, "sortedBtree", "sorted-btree", 1_000));
    rows.push(versus(lookups, "lookup", n, "array", "sorted array", 1_000));
  }
  for (const n of buildSizes) {
    const series = arraySizes.includes(n) ? smallBuilds : largeBuilds;
    rows.push(versus(series, "insert, random order", n, "sortedBtree", "sorted-btree", n));
    if (arraySizes.includes(n)) rows.push(versus(series, "insert, random order", n, "array", "sorted array", n));
  }

  const SCAN_N = 100_000;
  const keys = keysFor(SCAN_N);
  const tree = new BTree<number, number>({ minDegree: 32 });
  const peer = new SortedBTree<number, number>(undefined, undefined, 64);
  for (const k of keys) {
    tree.insert(k, k);
    peer.set(k, k);
  }
  const sorted = [...keys].sort((a, b) => a - b);
  const starts = Array.from({ length: 100 }, (_, i) => new Random(99 + i).int(SCAN_N - 100) * 2);
  const scans = await bench(
    {
      peer: () => {
        let s = 0;
        for (const lo of starts) peer.forRange(lo, lo + 200, false, (_k, v) => (s += v));
        return s;
      },
      btree: () => {
        let s = 0;
        for (const lo of starts) for (const [, v] of tree.range(lo, lo + 200)) s += v;
        return s;
      },
      array: () => {
        let s = 0;
        for (const lo of starts) for (let i = binarySearch(sorted, lo); i < sorted.length && sorted[i]! < lo + 200; i++) s += sorted[i]!;
        return s;
      },
    },
    { baseline: "peer", time: 300 },
  );
  const scanOps = (name: string) => scans.row(name)!.opsPerSec * 100;
  rows.push(row("scan 100 keys", SCAN_N, "BTree (t = 32)", "sorted-btree", scanOps("btree"), scanOps("peer"), scans.compare("btree", "peer")));
  rows.push(row("scan 100 keys", SCAN_N, "BTree (t = 32)", "sorted array", scanOps("btree"), scanOps("array"), scans.compare("btree", "array")));
  return rows;
}

export async function dataStructuresSuite(): Promise<SuiteResult> {
  const rows = [...(await hashMapRows()), ...(await lruRows()), ...(await btreeRows())];
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
