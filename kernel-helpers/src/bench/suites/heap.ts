/**
 * Benchmark suite `heap` (notebook 04): the same measurements as the notebook's cells.
 *
 *   data          vega-datasets' flights-10k.json: 10,000 rows (id, delay, distance, date,
 *                 origin, destination), encoded with TupleCodec, stored in a HeapFile
 *                 over a FileDiskManager in a temp dir; the same rows in embedded
 *                 PostgreSQL (PGlite: PostgreSQL 18 compiled to WebAssembly, in process)
 *   insert        load all rows into a new heap: encode + insert, insert only (128-frame
 *                 pool, bigger than the table), insert only (16 frames, smaller); against
 *                 PostgreSQL's `insert into … select` of the same rows
 *   scan          count rows, warm pool (128 frames) and cold (16 frames: LRU rereads every
 *                 page on every scan); sum(delay) read at its fixed offset, warm and cold;
 *                 sum(delay) decoding every column; against `select count(*)` and
 *                 `select sum(delay)`, both sequential scans
 *
 * Everything is reported in rows per second, with the ratio against PostgreSQL measured in
 * the same run (inserts against `insert … select`, scans against `count(*)`). Page reads
 * come from the OS page cache: the file is small and was just written.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BufferPoolManager, FileDiskManager, LruReplacer, HeapFile, TupleCodec, type Row, type Schema } from "@workbook/engine";
import { bench } from "../bench.js";
import { CHECKOUT } from "../../kernel/kernelspec.js";
import { pg } from "../../pg/pg.js";
import type { SuiteResult } from "./types.js";

const FLIGHTS = path.join(CHECKOUT, "node_modules", "vega-datasets", "data", "flights-10k.json");

export const FLIGHT_SCHEMA: Schema = [
  { name: "id", type: "int4", nullable: false },
  { name: "delay", type: "int4", nullable: false },
  { name: "distance", type: "int4", nullable: false },
  { name: "date", type: "text", nullable: false },
  { name: "origin", type: "text", nullable: false },
  { name: "destination", type: "text", nullable: false },
];

type Flight = { date: string; delay: number; distance: number; origin: string; destination: string };

/** The 10,000 flights as rows of FLIGHT_SCHEMA (integer columns first). */
export function flightRows(): Row[] {
  const flights = JSON.parse(readFileSync(FLIGHTS, "utf8")) as Flight[];
  return flights.map((f, i) => [i + 1, f.delay, f.distance, f.date, f.origin, f.destination]);
}

interface Measured {
  readonly measure: "insert" | "scan";
  readonly task: string;
  readonly system: "workbook heap" | "PostgreSQL (PGlite)";
  readonly rowsPerSec: number;
}

export async function heapSuite(): Promise<SuiteResult> {
  const rows = flightRows();
  const codec = new TupleCodec(FLIGHT_SCHEMA);
  const tuples = rows.map((row) => codec.encode(row));
  const delayOffset = codec.layout(tuples[0]!).columns[1]!.offset;
  const n = rows.length;
  const dir = mkdtempSync(path.join(os.tmpdir(), "workbook-bench-heap-"));
  const db = pg();
  const measured: Measured[] = [];
  try {
    await db.exec(`
      drop table if exists bench_flights, bench_flights_copy;
      create table bench_flights (id int4 not null, delay int4 not null, distance int4 not null,
                                  date text not null, origin text not null, destination text not null);
      create table bench_flights_copy (like bench_flights);`);
    await db.query(
      `insert into bench_flights select * from json_to_recordset($1::json)
         as t(id int4, delay int4, distance int4, date text, origin text, destination text)`,
      [JSON.stringify(rows.map(([id, delay, distance, date, origin, destination]) => ({ id, delay, distance, date, origin, destination })))],
    );
    await db.exec("vacuum analyze bench_flights");

    // Insert: each call loads every row into a new heap in a new file.
    let fileNo = 0;
    const load = (frames: number, source: () => Iterable<Uint8Array>) => () => {
      const file = path.join(dir, `load-${fileNo++}.db`);
      const disk = new FileDiskManager(file);
      const pool = new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
      const heap = new HeapFile(pool);
      for (const tuple of source()) heap.insert(tuple);
      pool.flushAll();
      disk.close();
      rmSync(file);
    };
    const insertTasks: Record<string, () => unknown> = {
      "heap: encode + insert, 128 frames": load(128, function* () {
        for (const row of rows) yield codec.encode(row);
      }),
      "heap: insert, 128 frames": load(128, () => tuples),
      "heap: insert, 16 frames": load(16, () => tuples),
      "PostgreSQL: insert … select": () => db.exec("truncate bench_flights_copy; insert into bench_flights_copy select * from bench_flights"),
    };
    const inserts = await bench(insertTasks, { time: 250, iterations: 3, title: "Loading 10,000 flights" });
    for (const name of Object.keys(insertTasks)) {
      measured.push({ measure: "insert", task: name, system: name.startsWith("PostgreSQL") ? "PostgreSQL (PGlite)" : "workbook heap", rowsPerSec: inserts.row(name)!.opsPerSec * n });
    }

    // Scan: one table file, opened through a warm (128 frames) and a cold (16 frames) pool.
    const disk = new FileDiskManager(path.join(dir, "flights.db"));
    try {
      const loadPool = new BufferPoolManager({ frames: 128, disk, replacer: new LruReplacer(128) });
      const table = new HeapFile(loadPool);
      for (const tuple of tuples) table.insert(tuple);
      loadPool.flushAll();
      const open = (frames: number) => HeapFile.open(new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) }), table.pageIds);
      const warm = open(128);
      const cold = open(16);
      const count = (heap: HeapFile) => () => {
        let rowsSeen = 0;
        for (const _ of heap.scan()) rowsSeen++;
        return rowsSeen;
      };
      const sumAtOffset = (heap: HeapFile) => () => {
        let sum = 0;
        const o = delayOffset;
        for (const { tuple: t } of heap.scan()) sum += t[o]! | (t[o + 1]! << 8) | (t[o + 2]! << 16) | (t[o + 3]! << 24);
        return sum;
      };
      const sumDecoded = (heap: HeapFile) => () => {
        let sum = 0;
        for (const { tuple } of heap.scan()) sum += codec.decode(tuple)[1] as number;
        return sum;
      };
      count(warm)();
      const scanTasks: Record<string, () => unknown> = {
        "heap: count, warm (128 frames)": count(warm),
        "heap: count, cold (16 frames)": count(cold),
        "heap: sum(delay) by offset, warm": sumAtOffset(warm),
        "heap: sum(delay) by offset, cold": sumAtOffset(cold),
        "heap: sum(delay) decoding rows, warm": sumDecoded(warm),
        "PostgreSQL: count(*)": () => db.query("select count(*) from bench_flights"),
        "PostgreSQL: sum(delay)": () => db.query("select sum(delay) from bench_flights"),
      };
      const scans = await bench(scanTasks, { time: 300, iterations: 10, title: "Scanning 10,000 flights" });
      for (const name of Object.keys(scanTasks)) {
        measured.push({ measure: "scan", task: name, system: name.startsWith("PostgreSQL") ? "PostgreSQL (PGlite)" : "workbook heap", rowsPerSec: scans.row(name)!.opsPerSec * n });
      }
    } finally {
      disk.close();
    }
    await db.exec("drop table bench_flights, bench_flights_copy");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const baselineOf = { insert: "PostgreSQL: insert … select", scan: "PostgreSQL: count(*)" } as const;
  const out = measured.map((m) => {
    const base = measured.find((b) => b.task === baselineOf[m.measure])!;
    return {
      measure: m.measure === "insert" ? "insert 10,000 flights" : "scan 10,000 flights",
      case: m.task,
      value: Math.round(m.rowsPerSec),
      unit: "rows/s",
      baseline: base.task,
      ratio: Number((m.rowsPerSec / base.rowsPerSec).toFixed(2)),
    };
  });
  const bars = (measure: "insert" | "scan", title: string) => ({
    title,
    data: { values: measured.filter((m) => m.measure === measure) },
    mark: "bar",
    width: 420,
    encoding: {
      y: { field: "task", type: "nominal", sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: "rowsPerSec", type: "quantitative", title: "rows per second", axis: { format: "~s" } },
      color: { field: "system", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 400 } },
    },
  });
  return {
    title: "Table heap: insert and scan throughput on 10,000 flights (ratios vs PostgreSQL, same run)",
    rows: out,
    chart: {
      title: { text: "Table heap vs PostgreSQL, 10,000 flights", subtitle: "rows per second, higher is better; PostgreSQL is PGlite (WebAssembly)" },
      vconcat: [bars("insert", "Insert"), bars("scan", "Sequential scan")],
      resolve: { scale: { color: "shared" } },
    },
  };
}
