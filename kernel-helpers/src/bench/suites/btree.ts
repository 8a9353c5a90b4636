/**
 * Benchmark suite `btree` (notebook 05): point lookups, inserts and bulk loads per second
 * against N, up to 1,000,000 keys (the notebook stops at 100,000 to stay quick).
 *
 *   ours           the engine's BPlusTree, 8 KB pages, a clock-sweep pool big enough to
 *                  hold the whole tree (nothing waits for a disk); keys inserted one by one
 *                  in random order, then 20,000 lookups of present keys per call
 *   sorted-btree   the published in-memory B+tree, same keys, same order
 *   PostgreSQL     PGlite (PostgreSQL compiled to WebAssembly, in this process): one
 *                  `insert … select unnest($1)` into an emptied table with a B-tree index
 *                  (heap, index and WAL), the lookups as one statement (a nested-loop join
 *                  of unnest($1) with the table over an index-only scan), and CREATE INDEX
 *   bulk load      the engine's bulkLoad (fill factor 0.9) against CREATE INDEX
 *
 * At every N the contenders of one operation run in the same interleaved rounds (A B C,
 * C B A, …; 7 rounds for lookups, whose calls are short, so that the range of per-round
 * ratios holds the true median ratio with 98% confidence; 5 for inserts and bulk loads,
 * 3 for the 1,000,000-key builds, which take seconds each, and
 * without PostgreSQL's insert there: one call takes many seconds), and each
 * ratio is `compare()`'s median of per-round ratios with its range in `spread`: lookups
 * and inserts against sorted-btree, bulk load against CREATE INDEX.
 */
import { BPlusTree, BufferPoolManager, ClockReplacer, MemoryDiskManager, Random, rid } from "@workbook/engine";
import SortedBTree from "sorted-btree";
import { bench, type BenchResult } from "../bench.js";
import { pg } from "../../pg/pg.js";
import type { SuiteResult } from "./types.js";

export const BTREE_SIZES = [10_000, 100_000, 1_000_000] as const;
const LOOKUPS = 20_000;

function newTree(pages: number): BPlusTree {
  const frames = Math.max(64, pages);
  const disk = new MemoryDiskManager({ pageSize: 8192 });
  const pool = new BufferPoolManager({ frames, disk, replacer: new ClockReplacer(frames) });
  return BPlusTree.create(pool, { unique: true });
}

type Row = {
  contender: string;
  operation: string;
  n: number;
  perSecond: number;
  baseline: string;
  ratio: number;
  spread: string;
};

export async function btreeSuite(): Promise<SuiteResult> {
  const db = pg();
  const rows: Row[] = [];
  const record = (operation: string, n: number, result: BenchResult, baseline: string, names: Record<string, string>) => {
    for (const row of result.rows) {
      const c = result.compare(row.name, baseline);
      rows.push({
        contender: names[row.name] ?? row.name,
        operation,
        n,
        perSecond: Math.round(row.opsPerSec),
        baseline: names[baseline] ?? baseline,
        ratio: Number(c.ratio.toFixed(3)),
        spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`,
      });
    }
  };
  const contenders = { ours: "ours", peer: "sorted-btree", pg: "PostgreSQL" };
  for (const n of BTREE_SIZES) {
    const keys = new Random(n).shuffle(Array.from({ length: n }, (_, i) => i * 2));
    const probes = Array.from({ length: LOOKUPS }, (_, i) => keys[(i * 7919) % n]!);
    const sortedEntries = [...keys].sort((a, b) => a - b).map((k) => [k, rid(k % 4000, 1)] as const);
    const pages = Math.ceil((n * 18) / (8176 * 0.6)) + 16;
    const big = n >= 1_000_000;
    const buildOptions = { time: big ? 6_000 : n >= 100_000 ? 2_500 : 1_500, rounds: big ? 3 : 5, iterations: big ? 3 : 5, warmup: !big, perCall: n };

    await db.exec("drop table if exists bench_btree; create table bench_btree (k int8 not null, v int4 not null); create index bench_btree_k on bench_btree (k)");
    const inserts = await bench(
      {
        peer: () => {
          const peer = new SortedBTree<number, number>();
          for (const k of keys) peer.set(k, k);
        },
        ours: () => {
          const tree = newTree(pages);
          for (const k of keys) tree.insert(k, rid(k % 4000, 1));
        },
        // PostgreSQL's insert of 1,000,000 rows takes many seconds a call: measured up to 100,000.
        ...(big
          ? {}
          : {
              pg: async () => {
                await db.exec("truncate bench_btree");
                await db.query("insert into bench_btree select k, (k % 1000)::int4 from unnest($1::int8[]) as u(k)", [keys]);
              },
            }),
      },
      { ...buildOptions, title: `insert ${n} keys` },
    );
    if (big) await db.query("insert into bench_btree select k, (k % 1000)::int4 from unnest($1::int8[]) as u(k)", [keys]);
    record("insert", n, inserts, "peer", contenders);

    const tree = newTree(pages);
    for (const k of keys) tree.insert(k, rid(k % 4000, 1));
    const peer = new SortedBTree<number, number>();
    for (const k of keys) peer.set(k, k);
    await db.query("vacuum analyze bench_btree");
    await db.exec("set enable_hashjoin = off; set enable_mergejoin = off; set enable_seqscan = off");
    const lookups = await bench(
      {
        peer: () => {
          let s = 0;
          for (const k of probes) s += peer.get(k)!;
          return s;
        },
        ours: () => {
          let s = 0;
          for (const k of probes) s += tree.get(k)!.pageId;
          return s;
        },
        pg: () => db.query("select count(*) from unnest($1::int8[]) as q(k) join bench_btree using (k)", [probes]),
      },
      { time: 1_500, rounds: 7, perCall: LOOKUPS, title: `${LOOKUPS} lookups, ${n} keys` },
    );
    await db.exec("reset enable_hashjoin; reset enable_mergejoin; reset enable_seqscan");
    record("lookup", n, lookups, "peer", contenders);

    const loads = await bench(
      {
        pg: async () => {
          await db.query("drop index if exists bench_btree_k");
          await db.query("create index bench_btree_k on bench_btree (k)");
        },
        ours: () => newTree(pages).bulkLoad(sortedEntries, { fillFactor: 0.9 }),
      },
      { ...buildOptions, title: `bulk load ${n} keys` },
    );
    record("bulk load", n, loads, "pg", contenders);
  }
  await db.exec("drop table if exists bench_btree");
  return {
    title: "B+tree: operations per second against N (8 KB pages, whole tree in the buffer pool); ratio: median of interleaved rounds",
    rows,
    chart: {
      title: { text: "B+tree throughput against N", subtitle: "ours (8 KB pages through the buffer pool), sorted-btree (in memory), PostgreSQL via PGlite" },
      data: { values: rows },
      facet: { column: { field: "operation", type: "nominal", title: null, sort: ["lookup", "insert", "bulk load"] } },
      spec: {
        width: 240,
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "n", type: "quantitative", scale: { type: "log" }, title: "keys in the index (log scale)", axis: { values: [...BTREE_SIZES], labelExpr: "format(datum.value, '~s')" } },
          y: { field: "perSecond", type: "quantitative", scale: { type: "log" }, title: "operations per second (log scale)", axis: { labelExpr: "format(datum.value, '~s')" } },
          color: { field: "contender", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 320 } },
        },
      },
    },
  };
}
