/**
 * Benchmark suite `pages` (notebook 02): the same measurements as the notebook's cells.
 *
 *   rows per page     one text column of L bytes, stored by the engine (TupleCodec +
 *                     SlottedPage, 8 KiB) and by embedded PostgreSQL (heap page 0 counted
 *                     with pageinspect; storage plain, so TOAST stays out of the way)
 *   page I/O          FileDiskManager in a temp dir: sequential and random page reads and
 *                     writes, with and without an fsync after every write; pages/s
 *
 * Ratios: rows per page against PostgreSQL's for the same rows; page I/O against the
 * sequential write without fsync, measured in the same run (reads first, as in the notebook). Reads and writes here hit
 * the OS page cache (the file is small and was just written); only fsync reaches the device.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileDiskManager, Random, SlottedPage, TupleCodec, type PageId } from "@workbook/engine";
import { bench } from "../bench.js";
import { pg } from "../../pg/pg.js";
import type { SuiteResult } from "./types.js";

const PAGE_SIZE = 8192;
export const TEXT_LENGTHS = [0, 1, 8, 20, 50, 100, 200, 500, 1000, 2000, 4000, 8000] as const;

/** Rows of one `text` column of `length` bytes that fit on one engine page, and the tuple size. */
export function engineRowsPerPage(length: number): { rows: number; tupleBytes: number } {
  const codec = new TupleCodec([{ name: "v", type: "text" }]);
  const page = SlottedPage.init(new Uint8Array(PAGE_SIZE));
  const tuple = codec.encode(["x".repeat(length)]);
  let rows = 0;
  while (page.insert(tuple) !== undefined) rows++;
  return { rows, tupleBytes: tuple.length };
}

async function postgresRowsPerPage(): Promise<Map<number, { rows: number; tupleBytes: number }>> {
  const db = pg();
  await db.use("pageinspect");
  const out = new Map<number, { rows: number; tupleBytes: number }>();
  for (const length of TEXT_LENGTHS) {
    await db.exec(`drop table if exists bench_rows_per_page; create table bench_rows_per_page (v text); alter table bench_rows_per_page alter column v set storage plain`);
    const rows = Math.ceil(PAGE_SIZE / (length + 28)) + 8;
    await db.query(`insert into bench_rows_per_page select repeat('x', $1) from generate_series(1, $2)`, [length, rows]);
    const r = await db.query<{ rows: number; tuple_bytes: number }>(
      `select count(*)::int as rows, max(lp_len)::int as tuple_bytes from heap_page_items(get_raw_page('bench_rows_per_page', 0))`,
    );
    const row = r.rows[0]!;
    out.set(length, { rows: row.rows, tupleBytes: row.tuple_bytes });
  }
  await db.exec("drop table bench_rows_per_page");
  return out;
}

export interface IoPattern {
  readonly name: string;
  readonly pages: number;
  readonly run: () => void;
}

/** The page-I/O patterns, over a fresh file of `filePages` pages in `dir`. */
export function ioPatterns(dir: string, filePages = 256, syncedPages = 16): { patterns: IoPattern[]; close: () => void } {
  const disk = new FileDiskManager(path.join(dir, "pages.db"));
  for (let p = 0; p < filePages; p++) disk.allocatePage();
  disk.sync();
  const page = new Uint8Array(PAGE_SIZE).fill(0x5a);
  const sequential = Array.from({ length: filePages }, (_, p) => p as PageId);
  const shuffled = new Random(2).shuffle([...sequential]);
  const writeAll = (order: readonly PageId[], syncEach: boolean) => () => {
    for (const p of order) {
      disk.writePage(p, page);
      if (syncEach) disk.sync();
    }
  };
  const readAll = (order: readonly PageId[]) => () => {
    for (const p of order) disk.readPage(p, page);
  };
  const patterns: IoPattern[] = [
    { name: "sequential read", pages: filePages, run: readAll(sequential) },
    { name: "random read", pages: filePages, run: readAll(shuffled) },
    { name: "sequential write", pages: filePages, run: writeAll(sequential, false) },
    { name: "random write", pages: filePages, run: writeAll(shuffled, false) },
    {
      name: `${filePages} writes, then one fsync`,
      pages: filePages,
      run: () => {
        writeAll(sequential, false)();
        disk.sync();
      },
    },
    { name: "sequential write + fsync each", pages: syncedPages, run: writeAll(sequential.slice(0, syncedPages), true) },
    { name: "random write + fsync each", pages: syncedPages, run: writeAll(shuffled.slice(0, syncedPages), true) },
  ];
  return { patterns, close: () => disk.close() };
}

export async function pagesSuite(): Promise<SuiteResult> {
  const rows: Record<string, unknown>[] = [];

  const postgres = await postgresRowsPerPage();
  const perPage: { length: number; store: string; tupleBytes: number; rows: number }[] = [];
  for (const length of TEXT_LENGTHS) {
    const ours = engineRowsPerPage(length);
    const theirs = postgres.get(length)!;
    perPage.push({ length, store: "workbook page", ...ours }, { length, store: "PostgreSQL heap page", ...theirs });
    rows.push({
      measure: "rows per 8 KiB page",
      case: `text of ${length} bytes (tuple: ours ${ours.tupleBytes} B, PostgreSQL ${theirs.tupleBytes} B)`,
      value: ours.rows,
      unit: "rows",
      baseline: `PostgreSQL: ${theirs.rows}`,
      ratio: Number((ours.rows / theirs.rows).toFixed(2)),
    });
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "workbook-bench-pages-"));
  let io: { name: string; pagesPerSec: number }[];
  try {
    const { patterns, close } = ioPatterns(dir);
    try {
      const result = await bench(Object.fromEntries(patterns.map((p) => [p.name, p.run])), {
        time: 250,
        iterations: 3,
        title: "FileDiskManager page I/O",
      });
      io = patterns.map((p) => ({ name: p.name, pagesPerSec: result.row(p.name)!.opsPerSec * p.pages }));
    } finally {
      close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = io.find((p) => p.name === "sequential write")!;
  const base = baseline.pagesPerSec;
  // Bars on a log axis need a baseline above zero: the power of ten below the slowest pattern.
  const floor = 10 ** Math.floor(Math.log10(Math.min(...io.map((p) => p.pagesPerSec))));
  const ceiling = 10 ** Math.ceil(Math.log10(Math.max(...io.map((p) => p.pagesPerSec)) * 3));
  for (const p of io) {
    rows.push({
      measure: "FileDiskManager pages/s",
      case: p.name,
      value: Math.round(p.pagesPerSec),
      unit: "pages/s",
      baseline: baseline.name,
      ratio: Number((p.pagesPerSec / base).toFixed(3)),
    });
  }

  return {
    title: "Pages and files: rows per page (vs PostgreSQL) and page I/O (vs sequential write)",
    rows,
    chart: {
      title: { text: "Pages and files", subtitle: "rows per 8 KiB page against tuple size; FileDiskManager page I/O" },
      vconcat: [
        {
          title: "Rows per 8 KiB page (one text column)",
          data: { values: perPage },
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "tupleBytes", type: "quantitative", scale: { type: "log" }, title: "tuple size on the page (bytes, log scale)" },
            y: { field: "rows", type: "quantitative", scale: { type: "log" }, title: "rows per page (log scale)" },
            color: { field: "store", type: "nominal", title: null, sort: ["workbook page", "PostgreSQL heap page"], legend: { labelLimit: 320, orient: "top-right" } },
          },
        },
        {
          title: "Page I/O through FileDiskManager",
          data: { values: io.map((p) => ({ ...p, label: `${(p.pagesPerSec / base).toPrecision(2)}×` })) },
          encoding: {
            y: { field: "name", type: "nominal", sort: null, title: null },
            x: { field: "pagesPerSec", type: "quantitative", scale: { type: "log", domain: [floor, ceiling] }, title: "8 KiB pages per second (log scale)" },
          },
          layer: [{ mark: "bar", encoding: { x2: { datum: floor } } }, { mark: { type: "text", align: "left", dx: 4 }, encoding: { text: { field: "label" } } }],
        },
      ],
    },
  };
}
