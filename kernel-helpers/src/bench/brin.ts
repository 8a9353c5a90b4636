/**
 * Block-range (BRIN) measurements
 * ===============================
 * How much a block-range index skips depends on one thing: how well the column follows the
 * table's physical order. This module measures it, on the engine's `BlockRangeIndex` over
 * a heap built from the measurement's pieces (the learner's where they pass, in the
 * notebook) and on PostgreSQL's BRIN over the same rows in the same physical order:
 *
 *   flights in time order, id = 1 … n       ← sorted: correlation 1
 *   swap a fraction f of the rows at random ← f = 0.001, 0.01, 0.1, 0.5, 1
 *   for each f: Pearson(position, id)        (PostgreSQL: pg_stats.correlation, after analyze)
 *               the same `id between a and b` queries (1% of the rows each):
 *               pages read and skipped, rows removed by recheck
 *
 *   blockRangeLayouts(data, options)      the physical orders, one per fraction, with
 *                                         their correlation
 *   loadBlockRangeHeap(parts, flights)    a heap of 8 KB pages holding flights in that order
 *   measureBlockRanges(parts, setup)      ours: a heap per layout, BlockRangeIndex.build on
 *                                         id, the queries
 *   measurePostgresBlockRanges(db, setup) PostgreSQL: a table per layout, a BRIN index
 *                                         (minmax; minmax-multi too unless told not to),
 *                                         analyze, EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
 *                                         of each query read for "Lossy Heap Blocks" and
 *                                         "Rows Removed by Index Recheck"
 *   brinChart(rows)                       share of pages skipped against correlation, ours
 *                                         and PostgreSQL's side by side
 *
 * Rows are averages per query. A page is "read" when the scan visits it (our
 * `pagesRead`; PostgreSQL's heap blocks in the bitmap, exact + lossy): counts, not time,
 * so they are the same on every machine. Both sides use the same `pagesPerRange`: 8 by
 * default at 20,000 rows (2 at 5,000), because such a table has about 150 pages and
 * PostgreSQL's default 128 would make it a single range.
 */
import { type Flight, FLIGHTS_SCHEMA, type FlightsSize, flightRow, loadFlights } from "@workbook/datasets";
import { BlockRangeIndex, MemoryDiskManager, Random, type TableHeap, TupleCodec } from "@workbook/engine";
import type { ChartSpec } from "../display/chart.js";
import type { HeapParts } from "./heap.js";

/** What the PostgreSQL side needs (the helpers' `pg()` has it): statements with parameters. */
export interface PgSession {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
}

/** One physical order of the table: rows in heap order, id = the row's rank in time order. */
export interface BlockRangeLayout {
  /** The fraction of rows moved to random places (0: sorted by id). */
  readonly shuffled: number;
  readonly flights: readonly Flight[];
  /** Pearson correlation between position and id over every row (PostgreSQL samples). */
  readonly correlation: number;
}

export interface BlockRangeSetup {
  readonly layouts: readonly BlockRangeLayout[];
  /** Inclusive id ranges queried, the same on both sides. */
  readonly queries: readonly (readonly [number, number])[];
  readonly pagesPerRange: number;
}

export interface BlockRangeOptions {
  /** Flights to load (time order); "20k" by default, the test size passes "5k". */
  readonly size?: FlightsSize;
  /** Fractions of rows swapped at random; default [0, 0.001, 0.01, 0.1, 0.5, 1]. */
  readonly fractions?: readonly number[];
  /** Heap pages per range on both sides; default 8 per 20,000 rows (2 at "5k"), so the table has about 19 ranges. */
  readonly pagesPerRange?: number;
  /** Range queries per layout (default 20), each covering `width` of the ids (default 0.01). */
  readonly queries?: number;
  readonly width?: number;
  readonly seed?: number;
}

/** One layout's averages per query, for one system. */
export interface BlockRangeRow {
  readonly system: string;
  readonly shuffled: number;
  readonly correlation: number;
  readonly pages: number;
  readonly ranges: number;
  readonly pagesRead: number;
  readonly pagesSkipped: number;
  /** pagesSkipped ÷ pages, 0 … 1. */
  readonly skippedShare: number;
  readonly rowsMatched: number;
  readonly rowsRemovedByRecheck: number;
}

export const BRIN_FRACTIONS: readonly number[] = [0, 0.001, 0.01, 0.1, 0.5, 1];
/** The column the measurements index: flights' id, here the row's rank in time order. */
export const BRIN_ID_COLUMN = FLIGHTS_SCHEMA.findIndex((c) => c.name === "id");

/** Pearson's r between position (0 … n − 1) and value. */
export function positionCorrelation(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 1;
  const meanX = (n - 1) / 2;
  let meanY = 0;
  for (const v of values) meanY += v / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = i - meanX;
    const dy = (values[i] as number) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return syy === 0 ? 1 : sxy / Math.sqrt(sxx * syy);
}

/**
 * The table in time order, then one copy per fraction f with round(f·n) rows, picked at
 * random, dealt back into their own places in a random order (f = 1: a full shuffle).
 */
export function blockRangeLayouts(options: BlockRangeOptions = {}): BlockRangeSetup {
  const seed = options.seed ?? 6;
  const random = new Random(seed);
  const sorted = [...loadFlights(options.size ?? "20k")]
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id - b.id))
    .map((f, i) => ({ ...f, id: i + 1 }));
  const n = sorted.length;
  const layouts = (options.fractions ?? BRIN_FRACTIONS).map((f) => {
    if (!(f >= 0 && f <= 1)) throw new RangeError(`a shuffled fraction must be in 0 … 1, got ${f}`);
    const rows = [...sorted];
    const picked = random.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.round(f * n));
    const dealt = random.shuffle(picked.map((i) => sorted[i] as Flight));
    picked.forEach((at, k) => (rows[at] = dealt[k] as Flight));
    return { shuffled: f, flights: rows, correlation: positionCorrelation(rows.map((r) => r.id)) };
  });
  const width = Math.max(1, Math.round((options.width ?? 0.01) * n));
  const queries = Array.from({ length: options.queries ?? 20 }, () => {
    const lo = 1 + random.int(n - width + 1);
    return [lo, lo + width - 1] as const;
  });
  return { layouts, queries, pagesPerRange: options.pagesPerRange ?? Math.max(1, Math.round((8 * n) / 20_000)) };
}

/** The heap pieces a block-range measurement builds its heaps from (the learner's, in the notebook). */
export type BlockRangeHeapParts = Pick<HeapParts, "Heap" | "Fsm" | "Pool" | "replacer" | "pageFormat">;

/** `flights` inserted in order into a new heap of 8 KB pages over an in-memory disk (64 frames). */
export function loadBlockRangeHeap(parts: BlockRangeHeapParts, flights: readonly Flight[]): TableHeap {
  const codec = new TupleCodec(FLIGHTS_SCHEMA);
  const pool = new parts.Pool({ frames: 64, disk: new MemoryDiskManager({ pageSize: 8192 }), replacer: parts.replacer(64) });
  const heap = new parts.Heap(pool, new parts.Fsm(pool.pageSize), parts.pageFormat);
  for (const f of flights) heap.insert(codec.encode(flightRow(f)));
  return heap;
}

/** Ours: each layout loaded into a new heap (`loadBlockRangeHeap`), indexed on id, queried. */
export function measureBlockRanges(parts: BlockRangeHeapParts, setup: BlockRangeSetup): BlockRangeRow[] {
  return setup.layouts.map((layout) => {
    const heap = loadBlockRangeHeap(parts, layout.flights);
    const index = BlockRangeIndex.build(heap, { schema: FLIGHTS_SCHEMA, column: BRIN_ID_COLUMN, pagesPerRange: setup.pagesPerRange });
    let pagesRead = 0;
    let rowsMatched = 0;
    let removed = 0;
    for (const [lo, hi] of setup.queries) {
      const r = index.scan(lo, hi);
      pagesRead += r.pagesRead;
      rowsMatched += r.matches.length;
      removed += r.rowsRemovedByRecheck;
    }
    return row("workbook BlockRangeIndex", layout, layout.correlation, heap.pageIds.length, index.rangeCount, setup.queries.length, pagesRead, rowsMatched, removed);
  });
}

export interface PostgresBlockRangeOptions {
  /** Also measure the minmax-multi operator class (several intervals per range). Default true. */
  readonly minmaxMulti?: boolean;
  /** The table's name (dropped and recreated per layout; dropped at the end). Default brin_flights. */
  readonly table?: string;
}

interface PlanNode {
  readonly "Node Type": string;
  readonly "Exact Heap Blocks"?: number;
  readonly "Lossy Heap Blocks"?: number;
  readonly "Rows Removed by Index Recheck"?: number;
  readonly "Actual Rows"?: number;
  readonly Plans?: readonly PlanNode[];
}

function findNode(node: PlanNode, type: string): PlanNode | undefined {
  if (node["Node Type"] === type) return node;
  for (const child of node.Plans ?? []) {
    const found = findNode(child, type);
    if (found) return found;
  }
  return undefined;
}

/**
 * PostgreSQL: per layout, a table loaded in that physical order, a BRIN index on id with
 * the same pages_per_range, `analyze`, then each query under EXPLAIN (ANALYZE, BUFFERS,
 * FORMAT JSON) with sequential scans disabled (so the plan is always the BRIN bitmap
 * scan). `correlation` is pg_stats.correlation (PostgreSQL's, from its sample).
 */
export async function measurePostgresBlockRanges(db: PgSession, setup: BlockRangeSetup, options: PostgresBlockRangeOptions = {}): Promise<BlockRangeRow[]> {
  const table = options.table ?? "brin_flights";
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`measurePostgresBlockRanges: "${table}" is not a plain table name`);
  const opclasses = options.minmaxMulti === false ? ["int4_minmax_ops"] : ["int4_minmax_ops", "int4_minmax_multi_ops"];
  const out: BlockRangeRow[] = [];
  await db.exec("set enable_seqscan = off");
  try {
    for (const layout of setup.layouts) {
      const f = layout.flights;
      await db.exec(`drop table if exists ${table}; create table ${table} (id int not null, date text not null, delay int not null, distance int not null, origin text not null, destination text not null)`);
      await db.query(
        `insert into ${table} select id, date, delay, distance, origin, destination
           from unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[]) with ordinality as u(id, date, delay, distance, origin, destination, n) order by n`,
        [f.map((r) => r.id), f.map((r) => r.date), f.map((r) => r.delay), f.map((r) => r.distance), f.map((r) => r.origin), f.map((r) => r.destination)],
      );
      await db.exec(`analyze ${table}`);
      const stats = (await db.query(`select (select correlation from pg_stats where tablename = '${table}' and attname = 'id') as correlation, pg_relation_size('${table}') / current_setting('block_size')::int as pages`)) as { rows: { correlation: number; pages: number }[] };
      const { correlation, pages } = stats.rows[0] as { correlation: number; pages: number };
      for (const opclass of opclasses) {
        await db.exec(`drop index if exists ${table}_brin; create index ${table}_brin on ${table} using brin (id ${opclass}) with (pages_per_range = ${setup.pagesPerRange})`);
        let pagesRead = 0;
        let rowsMatched = 0;
        let removed = 0;
        for (const [lo, hi] of setup.queries) {
          const plan = (await db.query(`explain (analyze, buffers, format json) select count(*) from ${table} where id between ${lo} and ${hi}`)) as { rows: { "QUERY PLAN": { Plan: PlanNode }[] }[] };
          const heapScan = findNode((plan.rows[0] as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan, "Bitmap Heap Scan");
          if (!heapScan) throw new Error(`measurePostgresBlockRanges: no Bitmap Heap Scan in the plan of id between ${lo} and ${hi}`);
          pagesRead += (heapScan["Exact Heap Blocks"] ?? 0) + (heapScan["Lossy Heap Blocks"] ?? 0);
          rowsMatched += heapScan["Actual Rows"] ?? 0;
          removed += heapScan["Rows Removed by Index Recheck"] ?? 0;
        }
        const name = opclass === "int4_minmax_ops" ? "PostgreSQL BRIN (minmax)" : "PostgreSQL BRIN (minmax-multi)";
        out.push(row(name, layout, correlation, pages, Math.ceil(pages / setup.pagesPerRange), setup.queries.length, pagesRead, rowsMatched, removed));
      }
    }
  } finally {
    await db.exec(`reset enable_seqscan; drop table if exists ${table}`);
  }
  return out;
}

function row(system: string, layout: BlockRangeLayout, correlation: number, pages: number, ranges: number, queries: number, pagesRead: number, rowsMatched: number, removed: number): BlockRangeRow {
  const read = pagesRead / queries;
  return {
    system,
    shuffled: layout.shuffled,
    correlation: Number(correlation.toFixed(4)),
    pages,
    ranges,
    pagesRead: Number(read.toFixed(1)),
    pagesSkipped: Number((pages - read).toFixed(1)),
    skippedShare: Number(((pages - read) / pages).toFixed(3)),
    rowsMatched: Number((rowsMatched / queries).toFixed(1)),
    rowsRemovedByRecheck: Number((removed / queries).toFixed(1)),
  };
}

/** Share of pages skipped per shuffled fraction, one line per system. */
export function brinChart(rows: readonly BlockRangeRow[], title = "Pages a block-range index skips, as the column loses its order"): ChartSpec {
  return {
    title: { text: title, subtitle: "average over the same id range queries (1% of the rows each); x: fraction of rows moved to random places" },
    data: { values: rows.map((r) => ({ ...r, shuffledLabel: String(r.shuffled) })) },
    width: 420,
    height: 240,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "shuffledLabel", type: "ordinal", sort: null, title: "fraction of rows shuffled (correlation falls left to right)" },
      y: { field: "skippedShare", type: "quantitative", title: "share of heap pages skipped", axis: { format: "%" }, scale: { domain: [0, 1] } },
      color: { field: "system", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 400 } },
      tooltip: [{ field: "system" }, { field: "correlation" }, { field: "pagesRead" }, { field: "rowsRemovedByRecheck" }],
    },
  };
}
