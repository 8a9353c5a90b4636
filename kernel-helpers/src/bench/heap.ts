/**
 * Heap measurements
 * =================
 * The one place notebook 04's measurement cells and `npm run bench -- heap` get their
 * numbers from: the cells pass the heap, free-space map and pool `choose()` picked, the
 * suite the engine's. The data is @workbook/datasets' flights, in its schema
 * (`FLIGHTS_SCHEMA`: id, date, delay, distance, origin, destination) and in PostgreSQL
 * under the same DDL, so both sides hold identical rows.
 *
 *   flightsData(size)                 rows, the codec, the encoded tuples
 *   heapLoadTasks(parts, data, pg)    load every row into a new heap (encode + insert;
 *                                     insert only, 128 and 16 frames) and PostgreSQL's
 *                                     `insert … select` of the same rows
 *   scanPageReads(parts, disk, ids)   pages one scan reads from the file, warm and cold
 *   heapScanTasks(parts, data, pg)    count through the heap's scan() (a copy per row);
 *                                     sum(delay) through a TupleReader (only the columns
 *                                     up to delay are located), over scan()'s copies and
 *                                     in place, page by page (scanHeapBatches); sum(delay)
 *                                     decoding every column in place; warm (128 frames)
 *                                     and cold (16 frames, LRU rereads every page);
 *                                     PostgreSQL's `count(*)` and `sum(delay)`, sequential
 *                                     scans
 *
 * Every task does one pass over the table: pass `perCall: rows` to read rows per second.
 * Task names stay short enough for a chart's axis: a heap task runs on a 128-frame pool
 * (the table fits: warm) unless its name says `cold` or `16 frames`; `sum` is sum(delay).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { type Flight, FLIGHTS_SCHEMA, type FlightsSize, flightRow, loadFlights, loadFlightsIntoPostgres } from "@workbook/datasets";
import {
  type BufferPool,
  type BufferPoolConstructor,
  type FreeSpaceMapConstructor,
  type FileDiskManager,
  type HeapPageFormat,
  type PageId,
  type Replacer,
  type Row,
  type TableHeap,
  type TableHeapConstructor,
  TupleCodec,
  TupleReader,
  scanHeapBatches,
} from "@workbook/engine";
import type { BenchTask } from "./bench.js";

/** The pieces a heap measurement runs on: the learner's where they pass, the engine's otherwise. */
export interface HeapParts {
  readonly Heap: TableHeapConstructor;
  readonly Fsm: FreeSpaceMapConstructor;
  readonly Pool: BufferPoolConstructor;
  readonly replacer: (frames: number) => Replacer;
  /** A file disk at `file` (the suite and the notebook both write real files). */
  readonly disk: (file: string) => FileDiskManager;
  /** The page layout the heap is given (the engine's `SlottedPage` when absent). */
  readonly pageFormat?: HeapPageFormat;
}

export interface FlightsData {
  readonly flights: readonly Flight[];
  readonly rows: readonly Row[];
  readonly codec: TupleCodec;
  readonly tuples: readonly Uint8Array[];
  /** The column `sum(delay)` reads. */
  readonly delayColumn: number;
}

/** What the measurements need of PostgreSQL (the helpers' `pg()` has it). */
export interface SqlSession {
  exec(sql: string): Promise<unknown>;
  query(sql: string): Promise<unknown>;
}

export function flightsData(size: FlightsSize = "10k"): FlightsData {
  const flights = loadFlights(size);
  const rows = flights.map(flightRow);
  const codec = new TupleCodec(FLIGHTS_SCHEMA);
  return { flights, rows, codec, tuples: rows.map((r) => codec.encode(r)), delayColumn: FLIGHTS_SCHEMA.findIndex((c) => c.name === "delay") };
}

/** `flights` and an empty `flights_copy` in PostgreSQL, vacuumed: the peer of every task below. */
export async function loadPostgresFlights(db: SqlSession, data: FlightsData): Promise<void> {
  await loadFlightsIntoPostgres(db, data.flights);
  await db.exec("drop table if exists flights_copy; create table flights_copy (like flights)");
  // VACUUM refuses to run inside the transaction block a multi-statement exec makes.
  await db.exec("vacuum analyze flights");
}

function poolOf(parts: HeapParts, frames: number, disk: FileDiskManager): BufferPool {
  return new parts.Pool({ frames, disk, replacer: parts.replacer(frames) });
}

function newHeap(parts: HeapParts, pool: BufferPool): TableHeap {
  return new parts.Heap(pool, new parts.Fsm(pool.pageSize), parts.pageFormat);
}

function openHeap(parts: HeapParts, pool: BufferPool, pageIds: readonly PageId[]): TableHeap {
  return parts.Heap.open(pool, pageIds, new parts.Fsm(pool.pageSize), parts.pageFormat);
}

/** Loading the table: each call writes every row into a new heap in a new file under `dir`. */
export function heapLoadTasks(parts: HeapParts, data: FlightsData, db: SqlSession, dir: string): Record<string, BenchTask> {
  let fileNo = 0;
  const load = (frames: number, source: () => Iterable<Uint8Array>) => () => {
    const file = path.join(dir, `load-${fileNo++}.db`);
    const disk = parts.disk(file);
    const pool = poolOf(parts, frames, disk);
    const heap = newHeap(parts, pool);
    for (const tuple of source()) heap.insert(tuple);
    pool.flushAll();
    disk.close();
    rmSync(file);
  };
  return {
    "heap: encode + insert": load(128, function* () {
      for (const row of data.rows) yield data.codec.encode(row);
    }),
    "heap: insert": load(128, () => data.tuples),
    "heap: insert, 16 frames": load(16, () => data.tuples),
    "PostgreSQL: insert … select": () => db.exec("truncate flights_copy; insert into flights_copy select * from flights"),
  };
}

/** The table written once to `file`; its page ids, to open it through pools of any size. */
export function writeFlightsHeap(parts: HeapParts, data: FlightsData, disk: FileDiskManager): readonly PageId[] {
  const pool = poolOf(parts, 128, disk);
  const heap = newHeap(parts, pool);
  for (const tuple of data.tuples) heap.insert(tuple);
  pool.flushAll();
  return heap.pageIds;
}

/**
 * One pass over the table per call, warm (128 frames) and cold (16 frames), and PostgreSQL's
 * scans. The sums read tuples in place, page by page (`scanHeapBatches`, PostgreSQL's
 * heapgetpage), through a lazy `TupleReader` (its slot_getsomeattrs); the contract's
 * `scan()`, which copies every tuple, is measured next to them for the difference.
 */
export function heapScanTasks(parts: HeapParts, data: FlightsData, db: SqlSession, disk: FileDiskManager, pageIds: readonly PageId[]): Record<string, BenchTask> {
  const warm = openHeap(parts, poolOf(parts, 128, disk), pageIds);
  const cold = openHeap(parts, poolOf(parts, 16, disk), pageIds);
  const count = (heap: TableHeap) => () => {
    let rows = 0;
    for (const _ of heap.scan()) rows++;
    return rows;
  };
  const reader = new TupleReader(FLIGHTS_SCHEMA);
  const delay = data.delayColumn;
  const sumCopied = (heap: TableHeap) => () => {
    let sum = 0;
    for (const { tuple } of heap.scan()) sum += reader.attach(tuple).value(delay) as number;
    return sum;
  };
  const sumInPlace = (heap: TableHeap) => () => {
    let sum = 0;
    scanHeapBatches(heap, (b) => {
      const { bytes, starts, ends } = b;
      for (let i = 0; i < b.count; i++) sum += reader.attach(bytes, starts[i], ends[i]).value(delay) as number;
    });
    return sum;
  };
  const sumDecoded = (heap: TableHeap) => () => {
    let sum = 0;
    scanHeapBatches(heap, (b) => {
      const { bytes, starts, ends } = b;
      for (let i = 0; i < b.count; i++) sum += reader.attach(bytes, starts[i], ends[i]).row()[delay] as number;
    });
    return sum;
  };
  count(warm)();
  return {
    "heap: count": count(warm),
    "heap: count, cold": count(cold),
    "heap: sum, scan() copies": sumCopied(warm),
    "heap: sum in place": sumInPlace(warm),
    "heap: sum in place, cold": sumInPlace(cold),
    "heap: every column in place": sumDecoded(warm),
    "PostgreSQL: count(*)": () => db.query("select count(*) from flights"),
    "PostgreSQL: sum(delay)": () => db.query("select sum(delay) from flights"),
  };
}

/**
 * Pages read from the file by one scan, warm (128 frames) and cold (16 frames): the table
 * opened through a new pool of each size, scanned once to fill it, then counted over a
 * second scan (what every scan in `heapScanTasks` pays once the pool has seen the table).
 */
export function scanPageReads(parts: HeapParts, disk: FileDiskManager, pageIds: readonly PageId[]): { readonly warm: number; readonly cold: number } {
  const readsPerScan = (frames: number): number => {
    const pool = poolOf(parts, frames, disk);
    const heap = openHeap(parts, pool, pageIds);
    scanHeapBatches(heap, () => undefined);
    pool.resetStats();
    scanHeapBatches(heap, () => undefined);
    return pool.stats.reads;
  };
  return { warm: readsPerScan(128), cold: readsPerScan(16) };
}
