/**
 * Benchmark suite `btree` (notebook 05): point lookups and inserts per second against N,
 * up to 1,000,000 keys (the notebook stops at 100,000 to stay quick).
 *
 *   ours           the engine's BPlusTree, 8 KB pages, a clock-sweep pool big enough to
 *                  hold the whole tree (nothing waits for a disk); keys inserted one by one
 *                  in random order, then 20,000 lookups of present keys
 *   sorted-btree   the published in-memory B+tree, same keys, same order
 *   PostgreSQL     PGlite (PostgreSQL compiled to WebAssembly, in this process): one
 *                  `insert … select unnest($1)` into a table with a B-tree index (heap,
 *                  index and WAL), then the same lookups as one statement, a nested-loop
 *                  join of unnest($1) with the table over an index-only scan
 *   bulk load      the engine's bulkLoad (fill factor 0.9) and PostgreSQL's CREATE INDEX
 *                  on the loaded table, as keys per second
 *
 * Ratios are against sorted-btree, measured in the same run. The best of several runs
 * for the small sizes, one for 1,000,000 (its build takes seconds).
 */
import { BPlusTree, BufferPoolManager, ClockReplacer, MemoryDiskManager, Random, rid } from "@workbook/engine";
import BTree from "sorted-btree";
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

const timeMs = (fn: () => void): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

async function timeMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The smallest of `reps` timings. */
function best(reps: number, fn: () => number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) min = Math.min(min, fn());
  return min;
}

type Row = {
  contender: string;
  operation: string;
  n: number;
  perSecond: number;
  vsSortedBtree?: number;
};

export async function btreeSuite(): Promise<SuiteResult> {
  const db = pg();
  const rows: Row[] = [];
  const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));
  for (const n of BTREE_SIZES) {
    const keys = new Random(n).shuffle(Array.from({ length: n }, (_, i) => i * 2));
    const probes = Array.from({ length: LOOKUPS }, (_, i) => keys[(i * 7919) % n]!);
    const sortedEntries = [...keys].sort((a, b) => a - b).map((k) => [k, rid(k % 4000, 1)] as const);
    const reps = n >= 1_000_000 ? 1 : 3;
    const pages = Math.ceil((n * 18) / (8176 * 0.6)) + 16;

    let tree = newTree(pages);
    const insertMs = best(reps, () => {
      tree = newTree(pages);
      return timeMs(() => {
        for (const k of keys) tree.insert(k, rid(k % 4000, 1));
      });
    });
    rows.push({ contender: "ours", operation: "insert", n, perSecond: rate(n, insertMs) });
    rows.push({ contender: "ours", operation: "lookup", n, perSecond: rate(LOOKUPS, best(3, () => timeMs(() => probes.forEach((k) => tree.get(k))))) });
    rows.push({ contender: "ours", operation: "bulk load", n, perSecond: rate(n, best(reps, () => timeMs(() => newTree(pages).bulkLoad(sortedEntries, { fillFactor: 0.9 })))) });

    let peer = new BTree<number, number>();
    const peerMs = best(reps, () => {
      peer = new BTree<number, number>();
      return timeMs(() => {
        for (const k of keys) peer.set(k, k);
      });
    });
    rows.push({ contender: "sorted-btree", operation: "insert", n, perSecond: rate(n, peerMs) });
    rows.push({ contender: "sorted-btree", operation: "lookup", n, perSecond: rate(LOOKUPS, best(3, () => timeMs(() => probes.forEach((k) => peer.get(k))))) });

    await db.exec("drop table if exists bench_btree; create table bench_btree (k int8 not null, v int4 not null); create index bench_btree_k on bench_btree (k)");
    const pgInsertMs = await timeMsAsync(() => db.query("insert into bench_btree select k, (k % 1000)::int4 from unnest($1::int8[]) as u(k)", [keys]));
    rows.push({ contender: "PostgreSQL", operation: "insert", n, perSecond: rate(n, pgInsertMs) });
    await db.query("vacuum analyze bench_btree");
    await db.exec("set enable_hashjoin = off; set enable_mergejoin = off; set enable_seqscan = off");
    const pgLookupMs = await timeMsAsync(() => db.query("select count(*) from unnest($1::int8[]) as q(k) join bench_btree using (k)", [probes]));
    await db.exec("reset enable_hashjoin; reset enable_mergejoin; reset enable_seqscan");
    rows.push({ contender: "PostgreSQL", operation: "lookup", n, perSecond: rate(LOOKUPS, pgLookupMs) });
    await db.query("drop index bench_btree_k");
    const pgBuildMs = await timeMsAsync(() => db.query("create index bench_btree_k on bench_btree (k)"));
    rows.push({ contender: "PostgreSQL", operation: "bulk load", n, perSecond: rate(n, pgBuildMs) });
  }
  await db.exec("drop table if exists bench_btree");
  for (const row of rows) {
    const base = rows.find((r) => r.contender === "sorted-btree" && r.operation === row.operation && r.n === row.n);
    if (base) row.vsSortedBtree = Number((row.perSecond / base.perSecond).toFixed(3));
  }
  return {
    title: "B+tree: operations per second against N (8 KB pages, whole tree in the buffer pool)",
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
