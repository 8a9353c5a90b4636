/**
 * Benchmark suite `bloom` (notebook 06), from the same measurement functions as the
 * notebook's cells (../bloom.ts), with the engine's `BloomFilter`:
 *
 *   false positives  10,000 keys added, 100,000 absent keys probed, 1 … 16 bits per key:
 *                    measured rate, theory (1 − e^(−kn/m))^k, their ratio
 *   table gets       one SSTable of 20,000 entries built with 0, 2, 5, 10, 16 bits per key:
 *                    data blocks read per absent get and per present get, filter size
 *   get time         1,000 absent gets, no filter against 10 bits per key (bench(),
 *                    interleaved rounds, median ratio and its spread)
 *
 * The first two are counts over seeded keys: the same on every machine.
 */
import { BloomFilter } from "@workbook/engine";
import { bench } from "../bench.js";
import { bloomFalsePositiveChart, bloomFalsePositiveRates, sstableGetCosts, sstableGetTasks } from "../bloom.js";
import type { SuiteResult } from "./types.js";

export async function bloomSuite(): Promise<SuiteResult> {
  const rates = bloomFalsePositiveRates({ "engine BloomFilter": BloomFilter });
  const gets = sstableGetCosts(BloomFilter);
  const timed = await bench(sstableGetTasks(BloomFilter), { time: 1_000, perCall: 1_000, title: "1,000 absent gets on a 20,000-entry SSTable" });
  const c = timed.compare("absent gets, 10 bits/key", "absent gets, no filter");
  return {
    title: "Bloom filter: false-positive rate against bits per key (measured vs theory), and SSTable reads saved",
    rows: [
      ...rates.map((r) => ({ measurement: "false positives", ...r })),
      ...gets.map((r) => ({ measurement: "table gets", ...r })),
      ...timed.rows.map((r) => ({ measurement: "get time", task: r.name, opsPerSec: r.opsPerSec, meanNs: r.meanNs })),
      { measurement: "get time", task: "10 bits/key vs no filter", ratio: c.ratio, spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`, text: c.text },
    ],
    chart: bloomFalsePositiveChart(rates),
  };
}
