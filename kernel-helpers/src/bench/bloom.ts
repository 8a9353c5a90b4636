/**
 * Bloom filter and SSTable read measurements
 * ==========================================
 * The one place notebook 06's bloom cells and `npm run bench -- bloom` get their numbers
 * from. The cells pass the filter `choose()` picked (the learner's `BloomFilter` once
 * 06.2 passes); the suite passes the engine's.
 *
 *   bloomFalsePositiveRates(filters, options)   per filter and bits per key (1 … 16): n seeded
 *                                          keys added, 100,000 absent keys probed; the
 *                                          measured rate next to (1 − e^(−kn/m))^k
 *   bloomFalsePositiveChart(rows)               measured points and the theory line, log scale
 *   sstableGetCosts(Filter, options)         one SSTable of n entries built with 0 (no
 *                                          filter), 2, 5, 10 and 16 bits per key; data
 *                                          blocks read per absent get and per present get,
 *                                          gets answered by the filter, the filter's size
 *   sstableGetChart(rows)                    blocks read per absent get against bits per key
 *   sstableGetTasks(Filter, options)         for `bench()`: 1,000 absent gets on a table
 *                                          without and with a 10-bit filter
 *   sstableLayoutRows(reader)              one row per block of a table (kind, offset,
 *                                          size, entries, restarts, first and last key)
 *
 * Counts, not times, for the first three: the keys are seeded and the hashes fixed, so
 * they are the same on every machine. Absent keys are drawn from inside the table's key
 * range (a key outside [smallest, largest] is refused before the filter is asked).
 */
import { Random, compareBytes } from "@workbook/engine";
// The LSM layer straight from its folder until engine/src/index.ts re-exports ./lsm/index.js
// (then: one import from "@workbook/engine").
import {
  type LsmEntry,
  type MembershipFilterClass,
  type SSTableBlockInfo,
  SSTableReader,
  buildSSTable,
  theoreticalFalsePositiveRate,
} from "@workbook/engine";
import type { ChartSpec } from "../display/chart.js";
import type { BenchTask } from "./bench.js";

/** Bits per key measured by default: 1 … 16. */
export const BLOOM_BITS_PER_KEY: readonly number[] = Array.from({ length: 16 }, (_, i) => i + 1);
/** Bits per key of the tables `sstableGetCosts` builds (0 = no filter). */
export const SSTABLE_FILTER_BITS_PER_KEY: readonly number[] = [0, 2, 5, 10, 16];

export interface BloomFalsePositiveRow {
  readonly filter: string;
  readonly bitsPerKey: number;
  /** n, m, k. */
  readonly keys: number;
  readonly bitCount: number;
  readonly hashCount: number;
  readonly probes: number;
  readonly falsePositives: number;
  /** falsePositives / probes. */
  readonly measured: number;
  /** (1 − e^(−kn/m))^k. */
  readonly theory: number;
  /** measured / theory. */
  readonly ratio: number;
}

export interface BloomFalsePositiveOptions {
  /** Keys added (default 10,000). */
  readonly keys?: number;
  /** Absent keys probed (default 100,000). */
  readonly probes?: number;
  readonly bitsPerKey?: readonly number[];
  readonly seed?: number;
}

/**
 * `count` distinct keys "user:<decimal>" with ids drawn from the even (tag 0) or odd
 * (tag 1) numbers below 2·range: two tags never share a key, and both spread over the
 * same key range.
 */
export function bloomMeasurementKeys(count: number, tag: 0 | 1, seed: number, range = count * 4): Uint8Array[] {
  const random = new Random(seed);
  const ids = new Set<number>();
  while (ids.size < count) ids.add(2 * random.int(range) + tag);
  const enc = new TextEncoder();
  return [...ids].map((id) => enc.encode(`user:${String(id).padStart(10, "0")}`));
}

/** The false-positive rate of each filter at each number of bits per key, measured and in theory. */
export function bloomFalsePositiveRates(filters: Readonly<Record<string, MembershipFilterClass>>, options: BloomFalsePositiveOptions = {}): BloomFalsePositiveRow[] {
  const n = options.keys ?? 10_000;
  const probeCount = options.probes ?? 100_000;
  const seed = options.seed ?? 62;
  const added = bloomMeasurementKeys(n, 0, seed, Math.max(n, probeCount) * 2);
  const absent = bloomMeasurementKeys(probeCount, 1, seed + 1, Math.max(n, probeCount) * 2);
  const rows: BloomFalsePositiveRow[] = [];
  for (const [name, Filter] of Object.entries(filters)) {
    for (const bitsPerKey of options.bitsPerKey ?? BLOOM_BITS_PER_KEY) {
      const filter = Filter.withBitsPerKey(n, bitsPerKey);
      for (const key of added) filter.add(key);
      let falsePositives = 0;
      for (const key of absent) if (filter.mayContain(key)) falsePositives++;
      const measured = falsePositives / absent.length;
      const theory = theoreticalFalsePositiveRate(n, filter.bitCount, filter.hashCount);
      rows.push({
        filter: name,
        bitsPerKey,
        keys: n,
        bitCount: filter.bitCount,
        hashCount: filter.hashCount,
        probes: absent.length,
        falsePositives,
        measured,
        theory,
        ratio: measured / theory,
      });
    }
  }
  return rows;
}

/** Measured false-positive rates (points, one colour per filter) over the theory's line, log scale. */
export function bloomFalsePositiveChart(rows: readonly BloomFalsePositiveRow[], title = "Bloom filter false-positive rate against bits per key"): ChartSpec {
  const first = rows[0];
  const bits = rows.length === 0 ? [0, 1] : rows.map((r) => r.bitsPerKey);
  const theory = [...new Map(rows.map((r) => [r.bitsPerKey, r])).values()].map((r) => ({ bitsPerKey: r.bitsPerKey, rate: r.theory, series: "theory (1 − e^(−kn/m))^k" }));
  // Zero false positives cannot sit on a log scale: they are left out (the table shows them).
  const measured = rows.filter((r) => r.falsePositives > 0).map((r) => ({ bitsPerKey: r.bitsPerKey, rate: r.measured, series: `measured: ${r.filter}`, k: r.hashCount }));
  return {
    title: { text: title, subtitle: first === undefined ? "" : `${first.keys.toLocaleString("en-US")} keys added, ${first.probes.toLocaleString("en-US")} absent keys probed; k = round(bits per key · ln 2)` },
    width: 460,
    height: 260,
    layer: [
      {
        data: { values: theory },
        mark: { type: "line", strokeDash: [4, 3] },
        encoding: {
          x: { field: "bitsPerKey", type: "quantitative", title: "bits per key (m/n)", scale: { domain: [Math.min(...bits), Math.max(...bits)] } },
          y: { field: "rate", type: "quantitative", scale: { type: "log" }, axis: { format: ".2~%" }, title: "false-positive rate (log scale)" },
          color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 400 } },
        },
      },
      {
        data: { values: measured },
        mark: { type: "point", filled: true, size: 50, tooltip: true },
        encoding: {
          x: { field: "bitsPerKey", type: "quantitative" },
          y: { field: "rate", type: "quantitative", scale: { type: "log" } },
          color: { field: "series", type: "nominal", title: null },
        },
      },
    ],
  };
}

export interface SSTableGetRow {
  readonly bitsPerKey: number;
  readonly entries: number;
  readonly dataBlocks: number;
  readonly tableBytes: number;
  /** The filter block's size in bytes (0 without a filter). */
  readonly filterBytes: number;
  readonly hashCount: number;
  readonly absentGets: number;
  /** Data blocks read per absent get: the false-positive rate, or 1 without a filter. */
  readonly blocksPerAbsentGet: number;
  /** Share of absent gets the filter answered without a block read. */
  readonly filteredShare: number;
  /** Data blocks read per present get (always 1). */
  readonly blocksPerPresentGet: number;
}

export interface SSTableGetOptions {
  /** Entries in the table (default 20,000). */
  readonly entries?: number;
  /** Absent gets (default 20,000). */
  readonly absentGets?: number;
  readonly bitsPerKey?: readonly number[];
  readonly seed?: number;
}

/** A table's entries: `count` keys with 100-byte values, ascending. */
export function sstableMeasurementEntries(keys: readonly Uint8Array[]): LsmEntry[] {
  return [...keys].sort(compareBytes).map((key, i) => ({ key, seq: i + 1, value: new Uint8Array(100).fill(i & 0xff) }));
}

/** What a get costs in data blocks read, for tables built with each number of bits per key. */
export function sstableGetCosts(Filter: MembershipFilterClass, options: SSTableGetOptions = {}): SSTableGetRow[] {
  const n = options.entries ?? 20_000;
  const gets = options.absentGets ?? 20_000;
  const seed = options.seed ?? 62;
  const range = Math.max(n, gets) * 2;
  const present = bloomMeasurementKeys(n, 0, seed, range);
  const entries = sstableMeasurementEntries(present);
  const smallest = entries[0]!.key;
  const largest = entries[entries.length - 1]!.key;
  const absent = bloomMeasurementKeys(gets, 1, seed + 1, range).filter((k) => compareBytes(k, smallest) > 0 && compareBytes(k, largest) < 0);
  const presentSample = present.slice(0, 2000);
  return (options.bitsPerKey ?? SSTABLE_FILTER_BITS_PER_KEY).map((bitsPerKey) => {
    const bytes = buildSSTable(entries, { bitsPerKey, filter: Filter });
    const table = SSTableReader.open(bytes, { filter: Filter });
    for (const key of absent) table.get(key);
    const a = table.stats;
    table.resetStats();
    for (const key of presentSample) table.get(key);
    const p = table.stats;
    const filterBlock = table.layout().find((b) => b.kind === "filter");
    return {
      bitsPerKey,
      entries: n,
      dataBlocks: table.info.blocks,
      tableBytes: bytes.length,
      filterBytes: filterBlock?.length ?? 0,
      hashCount: table.info.filterHashes,
      absentGets: absent.length,
      blocksPerAbsentGet: a.blocksRead / absent.length,
      filteredShare: a.bloomNegatives / absent.length,
      blocksPerPresentGet: p.blocksRead / presentSample.length,
    };
  });
}

/** Data blocks read per absent get against bits per key (0 = no filter). */
export function sstableGetChart(rows: readonly SSTableGetRow[]): ChartSpec {
  const first = rows[0];
  return {
    title: {
      text: "Data blocks an SSTable reads for a key it does not hold",
      subtitle: first === undefined ? "" : `${first.entries.toLocaleString("en-US")} entries in ${first.dataBlocks} blocks of ~4 KB; ${first.absentGets.toLocaleString("en-US")} absent gets inside the key range`,
    },
    data: { values: rows.map((r) => ({ ...r, label: r.bitsPerKey === 0 ? "no filter" : `${r.bitsPerKey} bits/key` })) },
    width: 380,
    height: 220,
    encoding: {
      x: { field: "label", type: "ordinal", sort: null, title: "filter" },
      y: { field: "blocksPerAbsentGet", type: "quantitative", title: "data blocks read per absent get" },
    },
    layer: [
      { mark: { type: "bar", tooltip: true } },
      { mark: { type: "text", dy: -6 }, encoding: { text: { field: "blocksPerAbsentGet", type: "quantitative", format: ".4~f" } } },
    ],
  };
}

/**
 * Tasks for `bench()`: 1,000 absent gets (inside the key range) on the same 20,000-entry
 * table built without a filter and with 10 bits per key. Reads come from memory, so the
 * difference is what reading a block costs besides I/O (its CRC-32C, most of it, and the
 * search inside it), not a disk's latency.
 */
export function sstableGetTasks(Filter: MembershipFilterClass, options: { entries?: number; seed?: number } = {}): Record<string, BenchTask> {
  const n = options.entries ?? 20_000;
  const seed = options.seed ?? 62;
  const entries = sstableMeasurementEntries(bloomMeasurementKeys(n, 0, seed, n * 2));
  const absent = bloomMeasurementKeys(1000, 1, seed + 1, n * 2).filter((k) => compareBytes(k, entries[0]!.key) > 0 && compareBytes(k, entries[entries.length - 1]!.key) < 0);
  const task = (table: SSTableReader): BenchTask => () => {
    let found = 0;
    for (const key of absent) if (table.get(key) !== undefined) found++;
    return found;
  };
  return {
    "absent gets, no filter": task(SSTableReader.open(buildSSTable(entries, { bitsPerKey: 0 }))),
    "absent gets, 10 bits/key": task(SSTableReader.open(buildSSTable(entries, { bitsPerKey: 10, filter: Filter }), { filter: Filter })),
  };
}

export interface SSTableLayoutRow {
  readonly block: string;
  readonly offset: number;
  readonly bytes: number;
  readonly entries: number | string;
  readonly restarts: number | string;
  readonly firstKey: string;
  readonly lastKey: string;
}

/** One row per block of `table`, in file order, keys shown by `showKey` (default: text, else hex). */
export function sstableLayoutRows(table: SSTableReader, showKey: (key: Uint8Array) => string = defaultShowKey, maxDataBlocks = 4): SSTableLayoutRow[] {
  const blocks = table.layout();
  const data = blocks.filter((b) => b.kind === "data");
  const row = (b: SSTableBlockInfo, name: string): SSTableLayoutRow => ({
    block: name,
    offset: b.offset,
    bytes: b.length,
    entries: b.kind === "data" || b.kind === "index" ? b.entries : "",
    restarts: b.kind === "data" || b.kind === "index" ? b.restarts : "",
    firstKey: b.firstKey === undefined ? "" : showKey(b.firstKey),
    lastKey: b.lastKey === undefined ? "" : showKey(b.lastKey),
  });
  const rows: SSTableLayoutRow[] = [];
  data.forEach((b, i) => {
    if (i < maxDataBlocks - 1 || i === data.length - 1) rows.push(row(b, `data ${i}`));
    else if (i === maxDataBlocks - 1) {
      const skipped = data.slice(i, -1);
      rows.push({
        block: `data ${i} … ${data.length - 2}`,
        offset: b.offset,
        bytes: skipped.reduce((s, x) => s + x.length, 0),
        entries: skipped.reduce((s, x) => s + x.entries, 0),
        restarts: skipped.reduce((s, x) => s + x.restarts, 0),
        firstKey: "…",
        lastKey: "…",
      });
    }
  });
  for (const b of blocks) if (b.kind !== "data") rows.push(row(b, b.kind));
  return rows;
}

function defaultShowKey(key: Uint8Array): string {
  const printable = key.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? new TextDecoder().decode(key) : Buffer.from(key).toString("hex");
}
