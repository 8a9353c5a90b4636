/**
 * Benchmark suite `buffer-pool` (notebook 03), from the same measurement functions as the
 * notebook's cells (../buffer-pool.ts), with the engine's pool and replacers:
 *   hit ratio      hitRatios(): seeded traces replayed on pools of 16…512 frames with
 *                  LRU, clock and LRU-2; deterministic, so identical on every run
 *   hit path       1,000 fetch + unpin pairs on a pool holding all 64 pages, per replacer,
 *                  and 1,000 hits on each replacer alone, next to a bare Map.get of the same
 *                  pages (the floor); every contender in a worker thread of its own (so
 *                  each pool's replacer call site stays monomorphic), interleaved rounds,
 *                  medians with the range over rounds
 */
import { BufferPoolManager } from "@workbook/engine";
import { benchIsolated } from "../isolated.js";
import { ENGINE_POLICIES, HITS_PER_CALL, HOT_PAGES, hitRatioChart, hitRatios } from "../buffer-pool.js";
import type { SuiteResult } from "./types.js";

const MAP = "Map.get (no pool)";

export async function bufferPoolSuite(): Promise<SuiteResult> {
  const hitRows = hitRatios(BufferPoolManager, ENGINE_POLICIES);
  const policies = Object.keys(ENGINE_POLICIES);
  const hitPath = await benchIsolated(
    require.resolve("../buffer-pool.js"),
    "poolHitTask",
    [MAP, ...policies.map((p) => `pool + ${p}`), ...policies.map((p) => `${p} alone`)],
    { baseline: MAP, time: 2_000, rounds: 7, perCall: HITS_PER_CALL, title: `${HITS_PER_CALL.toLocaleString("en-US")} hits, ${HOT_PAGES} resident pages` },
  );

  const rows: Record<string, unknown>[] = [
    ...hitRows.map((r) => ({
      measure: "hit ratio",
      workload: r.workload,
      contender: r.policy,
      frames: r.frames,
      value: Number((100 * r.hitRatio).toFixed(2)),
      unit: "% of counted fetches",
      ratio: Number((r.hitRatio / hitRows.find((b) => b.workload === r.workload && b.frames === r.frames && b.policy === "LRU")!.hitRatio).toFixed(3)),
      "ratio to": "LRU",
      spread: "",
    })),
    ...hitPath.rows.map((r) => {
      // Cost of a hit relative to Map.get: the inverse of the throughput comparison.
      const c = hitPath.compare(MAP, r.name);
      return {
        measure: "hit path",
        workload: r.name.endsWith(" alone") ? "replacer alone: recordAccess + setEvictable ×2" : "fetch + unpin",
        contender: r.name,
        frames: HOT_PAGES,
        value: Number(r.meanNs.toFixed(1)),
        unit: "ns per hit",
        ratio: Number(c.ratio.toFixed(2)),
        "ratio to": "Map.get (cost)",
        spread: `${c.low.toFixed(2)}–${c.high.toFixed(2)}`,
      };
    }),
  ];
  return {
    title: "Buffer pool: hit ratio by workload, policy and pool size; cost of a hit next to Map.get (each in its own worker)",
    rows,
    chart: hitRatioChart(hitRows),
  };
}
