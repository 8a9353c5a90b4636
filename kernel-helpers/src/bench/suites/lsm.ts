/**
 * Benchmark suite `lsm` (notebook 06): the LSM tree's amplification against the B+tree's,
 * and its speed against LevelDB.
 *
 *   amplification   write, read and space amplification of the engine's B+tree and LSM
 *                   tree (leveled, leveled without bloom filters, size-tiered) under
 *                   write-heavy, mixed and read-heavy seeded workloads, the same memory
 *                   for each (kernel-helpers/src/bench/lsm.ts): deterministic counts
 *   LevelDB         puts/s and gets/s of the LSM tree (LevelDB's default shape) against
 *                   LevelDB through classic-level, same keys and values, both without
 *                   fsync per write; interleaved rounds, ratio = median of per-round
 *                   ratios with its range in `spread`
 *
 * The chart shows the amplification rows; the LevelDB rows are in the JSON and the table.
 */
import { amplification, amplificationChart, lsmVsLevelDb } from "../lsm.js";
import type { SuiteResult } from "./types.js";

export async function lsmSuite(): Promise<SuiteResult> {
  const amp = amplification();
  const peer = await lsmVsLevelDb();
  const rows: Record<string, unknown>[] = amp.map((r) => ({
    measure: "amplification",
    workload: r.workload,
    structure: r.structure,
    writeAmplification: Number(r.writeAmplification.toFixed(3)),
    readAmplification: Number(r.readAmplification.toFixed(3)),
    spaceAmplification: Number(r.spaceAmplification.toFixed(3)),
  }));
  for (const [operation, result, ratio] of [
    ["put", peer.puts, peer.putRatio],
    ["get", peer.gets, peer.getRatio],
  ] as const) {
    for (const row of result.rows) {
      rows.push({
        measure: "vs LevelDB",
        operation,
        contender: row.name,
        keys: peer.keys,
        perSecond: Math.round(row.opsPerSec),
        ...(row.name === "ours" ? { ratio: Number(ratio.ratio.toFixed(3)), spread: `${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)}` } : {}),
      });
    }
  }
  return {
    title: `LSM tree: amplification against the B+tree; puts ${peer.putRatio.ratio.toFixed(2)}× and gets ${peer.getRatio.ratio.toFixed(2)}× LevelDB's (median of interleaved rounds)`,
    rows,
    chart: amplificationChart(amp),
  };
}
