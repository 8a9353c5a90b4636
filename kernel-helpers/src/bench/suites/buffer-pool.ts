/**
 * Benchmark suite `buffer-pool` (notebook 03): the engine's buffer pool with each replacer.
 *   hit ratio      seeded traces (uniform, zipfian θ = 0.99, zipfian point reads flooded by
 *                  sequential scans) over a 1,000-page table, replayed on pools of 16…512
 *                  frames with LRU, clock and LRU-2; deterministic, so identical on every run
 *   hit path       1,000 fetch + unpin pairs on a pool that holds all 64 pages, per replacer,
 *                  next to a bare Map.get of the same pages (the floor), in the same run
 * The traces come from @workbook/datasets with the notebook's seed, so the numbers match its chart.
 */
import { bufferPoolTraces, hitRatio, type Trace, zipfianKeys } from "@workbook/datasets";
import { BufferPoolManager, ClockReplacer, LruKReplacer, LruReplacer, MemoryDiskManager, type PageId, type Replacer } from "@workbook/engine";
import { bench } from "../bench.js";
import type { SuiteResult } from "./types.js";

const POOL_SIZES = [16, 32, 64, 128, 256, 512];
const SEED = 2024;

function poolHitRatio(t: Trace, frames: number, replacer: Replacer): number {
  const disk = new MemoryDiskManager({ pageSize: 256 });
  for (let i = 0; i < t.pages; i++) disk.allocatePage();
  return hitRatio(t, new BufferPoolManager({ frames, disk, replacer }));
}

const POLICIES: Record<string, (frames: number) => Replacer> = {
  LRU: (n) => new LruReplacer(n),
  clock: (n) => new ClockReplacer(n),
  "LRU-2": (n) => new LruKReplacer(n, 2),
};

export async function bufferPoolSuite(): Promise<SuiteResult> {
  const hitRows: { workload: string; policy: string; frames: number; hitRatio: number }[] = [];
  for (const w of bufferPoolTraces(SEED)) {
    for (const [policy, make] of Object.entries(POLICIES)) {
      for (const frames of POOL_SIZES) hitRows.push({ workload: w.name, policy, frames, hitRatio: poolHitRatio(w, frames, make(frames)) });
    }
  }

  const HOT = 64;
  const keys = Int32Array.from({ length: 1000 }, zipfianKeys(7, HOT));
  const warmPool = (replacer: Replacer) => {
    const disk = new MemoryDiskManager({ pageSize: 256 });
    for (let i = 0; i < HOT; i++) disk.allocatePage();
    const pool = new BufferPoolManager({ frames: HOT, disk, replacer });
    for (let i = 0; i < HOT; i++) pool.unpinPage(pool.fetchPage(i as PageId).pageId, false);
    return () => {
      let sum = 0;
      for (let i = 0; i < keys.length; i++) {
        const page = keys[i] as PageId;
        sum += pool.fetchPage(page).data[0]!;
        pool.unpinPage(page, false);
      }
      return sum;
    };
  };
  const bare = new Map<number, Uint8Array>(Array.from({ length: HOT }, (_, i) => [i, new Uint8Array(256)]));
  const hitPath = await bench(
    {
      "Map.get (no pool)": () => {
        let sum = 0;
        for (let i = 0; i < keys.length; i++) sum += bare.get(keys[i]!)![0]!;
        return sum;
      },
      "pool + LRU": warmPool(new LruReplacer(HOT)),
      "pool + clock": warmPool(new ClockReplacer(HOT)),
      "pool + LRU-2": warmPool(new LruKReplacer(HOT, 2)),
    },
    { baseline: "Map.get (no pool)", time: 1000, title: "1,000 buffer-pool hits (fetch + unpin), 64 resident pages" },
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
    })),
    ...hitPath.rows.map((r) => ({
      measure: "hit path",
      workload: "1,000 fetch + unpin, 64 resident pages",
      contender: r.name,
      frames: HOT,
      value: Number((r.meanNs / 1000).toFixed(1)),
      unit: "ns per hit",
      ratio: Number((r.meanNs / hitPath.row("Map.get (no pool)")!.meanNs).toFixed(2)),
      "ratio to": "Map.get (time)",
    })),
  ];
  return {
    title: "Buffer pool: hit ratio by workload, policy and pool size; cost of a hit next to Map.get",
    rows,
    chart: {
      title: { text: "Hit ratio against pool size, by workload and replacement policy", subtitle: "1,000-page table; 25,000 counted fetches per point (scan flooding: point reads only)" },
      data: { values: hitRows },
      facet: { column: { field: "workload", type: "nominal", title: null, sort: ["uniform", "zipfian", "scan flooding"] } },
      spec: {
        width: 220,
        height: 220,
        encoding: {
          x: { field: "frames", type: "quantitative", scale: { type: "log", base: 2 }, axis: { values: POOL_SIZES }, title: "pool size (frames, log scale)" },
          y: { field: "hitRatio", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] }, title: "hit ratio (% of fetches)" },
          color: { field: "policy", type: "nominal", title: "policy", sort: ["LRU", "clock", "LRU-2"] },
        },
        layer: [{ mark: "line" }, { mark: { type: "point", tooltip: true } }],
      },
    },
  };
}
