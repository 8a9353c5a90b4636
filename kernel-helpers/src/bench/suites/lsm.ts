/**
 * Benchmark suite `lsm` (notebook 06): the LSM tree's amplification against the B+tree's,
 * and its speed against LevelDB.
 *
 *   amplification   write, read and space amplification of the engine's B+tree and LSM
 *                   tree (leveled, leveled without bloom filters, size-tiered) under
 *                   write-heavy, mixed and read-heavy seeded workloads, the same memory
 *                   for each (kernel-helpers/src/bench/lsm.ts): deterministic counts
 *   LevelDB         the LSM tree (LevelDB's default shape) against LevelDB through
 *                   classic-level, same keys and values, both without fsync per write;
 *                   interleaved rounds, ratio = median of per-round ratios with its range
 *                   in `spread`:
 *                     put                         ours compacting inside put (the target)
 *                     put, compaction deferred    ours leaving compaction for later, as
 *                                                 LevelDB's background thread; its debt
 *                                                 (compactAll after) in its row
 *                     load then settle            fresh stores, N puts, then compaction
 *                                                 until no trigger holds, in both
 *                     get                         present keys, one at a time
 *
 * The chart shows the amplification rows; the LevelDB rows are in the JSON and the table.
 */
import { amplification, amplificationChart, lsmVsLevelDb } from "../lsm.js";
import type { Comparison } from "../bench.js";
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
  const ratioFields = (c: Comparison) => ({ ratio: Number(c.ratio.toFixed(3)), spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}` });
  const debt = peer.deferredDebt;
  for (const row of peer.puts.rows) {
    const deferred = row.name === "ours, compaction deferred";
    rows.push({
      measure: "vs LevelDB",
      operation: deferred ? "put, compaction deferred" : "put",
      contender: deferred ? "ours" : row.name,
      perSecond: Math.round(row.opsPerSec),
      ...(row.name === "ours" ? ratioFields(peer.putRatio) : {}),
      ...(deferred
        ? { ...ratioFields(peer.putDeferredRatio), debt: `${debt.l0Tables} L0 tables after ${debt.puts} puts; compactAll: ${debt.compactions} compactions, ${debt.seconds.toFixed(1)} s` }
        : {}),
    });
  }
  for (const who of ["LevelDB", "ours"] as const) {
    const run = peer.settle[who];
    rows.push({
      measure: "vs LevelDB",
      operation: "load then settle",
      contender: who,
      keys: peer.settle.keys,
      perSecond: Math.round(run.keysPerSec),
      loadSeconds: Number(run.loadSeconds.toFixed(2)),
      settleSeconds: Number(run.settleSeconds.toFixed(2)),
      ...(who === "ours" ? ratioFields(peer.settle.ratio) : {}),
    });
  }
  for (const row of peer.gets.rows) {
    rows.push({ measure: "vs LevelDB", operation: "get", contender: row.name, keys: peer.keys, perSecond: Math.round(row.opsPerSec), ...(row.name === "ours" ? ratioFields(peer.getRatio) : {}) });
  }
  const x = (c: Comparison) => `${c.ratio.toFixed(2)}×`;
  return {
    title:
      `LSM tree: amplification against the B+tree; against LevelDB (median of interleaved rounds): puts ${x(peer.putRatio)} ` +
      `(compaction deferred ${x(peer.putDeferredRatio)}, load then settle ${x(peer.settle.ratio)}), gets ${x(peer.getRatio)}`,
    rows,
    chart: amplificationChart(amp),
  };
}
