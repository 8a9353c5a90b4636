/**
 * Benchmark suite `transactions` (notebook 07), from the same measurement as the
 * notebook's cell (../transactions.ts):
 *
 *   workload   8 concurrent transactions of 4 reads + 2 read-modify-writes on distinct
 *              keys of 200, drawn zipfian with θ = 0 (uniform), 0.5, 0.8, 0.99; 300 runs
 *              per point (10 at the small size), aborted transactions restarted (≤ 20 times)
 *   protocols  2PL (serializable) with detect, wait-die, wound-wait, timeout 5; OCC;
 *              MVCC at repeatable read and serializable
 *
 * Per protocol and θ: committed transactions per scheduler step (machine-free) and per
 * second of wall time, the abort rate, the aborts by reason, and the lost-update check
 * (must be 0).
 */
import { benchSize } from "../bench.js";
import { contentionChart, measureContention, transactionProtocols } from "../transactions.js";
import type { SuiteResult } from "./types.js";

export async function transactionsSuite(): Promise<SuiteResult> {
  const rows = measureContention(transactionProtocols(), { runs: benchSize() === "small" ? 10 : 300 });
  const r0 = rows[0];
  const what = r0 === undefined ? "" : `, ${r0.concurrency} concurrent transactions over ${r0.keys} keys, ${r0.runs} runs per point`;
  return {
    title: `Concurrency control under contention: throughput and abort rate against zipfian skew${what}`,
    rows: rows.map((r) => ({ ...r, reasons: Object.entries(r.reasons).map(([k, v]) => `${k} ${v}`).join(", ") })),
    chart: contentionChart(rows, "Throughput and aborts as contention rises (zipfian θ)"),
  };
}
