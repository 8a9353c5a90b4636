/**
 * Benchmark suite `heap` (notebook 04), from the same measurement functions as the
 * notebook's cells (../heap.ts), with the engine's heap, free-space map, pool and LRU:
 *
 *   data          @workbook/datasets' flights, 10,000 rows in FLIGHTS_SCHEMA, in a heap
 *                 over a FileDiskManager in a temp dir and in embedded PostgreSQL (PGlite)
 *   insert        heapLoadTasks: encode + insert, insert (128 frames), insert (16 frames),
 *                 against PostgreSQL's `insert into … select` of the same rows
 *   scan          heapScanTasks: count through scan() (a copy per row); sum(delay)
 *                 through a TupleReader over scan()'s copies and in place, page by page
 *                 (scanHeapBatches: reading delay only, warm and cold; decoding every
 *                 column, warm), against `select count(*)` and `select sum(delay)`
 *
 * Rows per second, with ratios against PostgreSQL from the same interleaved run (median of
 * rounds, range in `spread`): inserts against `insert … select`, count against `count(*)`,
 * the sums against `sum(delay)`. Page reads come from the OS page cache.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BufferPoolManager, FileDiskManager, FreeSpaceTree, HeapFile, LruReplacer } from "@workbook/engine";
import { bench } from "../bench.js";
import { flightsData, type HeapParts, heapLoadTasks, heapScanTasks, loadPostgresFlights, writeFlightsHeap } from "../heap.js";
import { pg } from "../../pg/pg.js";
import type { SuiteResult } from "./types.js";

const ENGINE_PARTS: HeapParts = {
  Heap: HeapFile,
  Fsm: FreeSpaceTree,
  Pool: BufferPoolManager,
  replacer: (frames) => new LruReplacer(frames),
  disk: (file) => new FileDiskManager(file),
};

interface Measured {
  readonly measure: "insert" | "scan";
  readonly task: string;
  readonly system: "workbook heap" | "PostgreSQL (PGlite)";
  readonly rowsPerSec: number;
  readonly baseline: string;
  readonly ratio: number;
  readonly spread: string;
}

export async function heapSuite(): Promise<SuiteResult> {
  const data = flightsData("10k");
  const n = data.rows.length;
  const dir = mkdtempSync(path.join(os.tmpdir(), "workbook-bench-heap-"));
  const db = pg();
  const measured: Measured[] = [];
  const record = (measure: "insert" | "scan", result: Awaited<ReturnType<typeof bench>>, baselineOf: (task: string) => string) => {
    for (const row of result.rows) {
      const baseline = baselineOf(row.name);
      const c = result.compare(row.name, baseline);
      measured.push({
        measure,
        task: row.name,
        system: row.name.startsWith("PostgreSQL") ? "PostgreSQL (PGlite)" : "workbook heap",
        rowsPerSec: row.opsPerSec,
        baseline,
        ratio: c.ratio,
        spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`,
      });
    }
  };
  try {
    await loadPostgresFlights(db, data);
    const inserts = await bench(heapLoadTasks(ENGINE_PARTS, data, db, dir), { time: 2_500, iterations: 5, perCall: n, title: "Loading 10,000 flights" });
    record("insert", inserts, () => "PostgreSQL: insert … select");
    const disk = new FileDiskManager(path.join(dir, "flights.db"));
    try {
      const pageIds = writeFlightsHeap(ENGINE_PARTS, data, disk);
      const scans = await bench(heapScanTasks(ENGINE_PARTS, data, db, disk, pageIds), { time: 2_000, iterations: 10, perCall: n, title: "Scanning 10,000 flights" });
      record("scan", scans, (task) => (task.includes("count") ? "PostgreSQL: count(*)" : "PostgreSQL: sum(delay)"));
    } finally {
      disk.close();
    }
    await db.exec("drop table flights, flights_copy");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const out = measured.map((m) => ({
    measure: m.measure === "insert" ? "insert 10,000 flights" : "scan 10,000 flights",
    case: m.task,
    value: Math.round(m.rowsPerSec),
    unit: "rows/s",
    baseline: m.baseline,
    ratio: Number(m.ratio.toFixed(2)),
    spread: m.spread,
  }));
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
