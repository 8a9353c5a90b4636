/**
 * Buffer-pool measurements
 * ========================
 * The one place notebook 03's measurement cells and `npm run bench -- buffer-pool` get
 * their numbers from: the cells pass the pool and replacers `choose()` picked (the
 * learner's once they pass), the suite passes the engine's.
 *
 *   hitRatios(Pool, policies)      seeded traces (uniform, zipfian θ = 0.99, zipfian point
 *                                  reads flooded by sequential scans) over a 1,000-page
 *                                  table, replayed on pools of 16…512 frames per policy;
 *                                  deterministic: the same numbers on every machine
 *   hitRatioChart(rows)            the faceted chart of those rows
 *   hitPathTasks(Pool, replacers)  1,000 fetch + unpin pairs on a pool holding all 64 of
 *                                  its pages, per replacer, next to a bare `Map.get` of the
 *                                  same pages (the floor)
 *   replacerHitTasks(replacers)    what a hit costs the replacer alone: recordAccess,
 *                                  setEvictable(false), setEvictable(true), 1,000 times
 *
 * Keeping a hit path monomorphic: every contender's loop is compiled on its own (the
 * tasks are made with `new Function`, so no two share a call site), but inside the pool
 * class one `replacer.recordAccess` site still sees every replacer class timed in the
 * same process. The suite therefore times each contender in a worker thread of its own
 * (`benchIsolated` with `poolHitTask`, below); a notebook, whose classes cannot travel to
 * a worker, times them in process and says so.
 */
import { bufferPoolTraces, hitRatio, type Trace, zipfianKeys } from "@workbook/datasets";
import {
  type BufferPool,
  type BufferPoolConstructor,
  BufferPoolManager,
  ClockReplacer,
  type FrameId,
  LruKReplacer,
  LruReplacer,
  MemoryDiskManager,
  type PageId,
  type Replacer,
} from "@workbook/engine";
import type { ChartSpec } from "../display/chart.js";
import type { BenchTask } from "./bench.js";

export const POOL_SIZES: readonly number[] = [16, 32, 64, 128, 256, 512];
export const TRACE_SEED = 2024;
/** Pages resident in the hit-path pool, and the pool's frames. */
export const HOT_PAGES = 64;
/** Page accesses per hit-path task call. */
export const HITS_PER_CALL = 1_000;

export type Policies = Readonly<Record<string, (frames: number) => Replacer>>;

export interface HitRatioRow {
  readonly workload: string;
  readonly policy: string;
  readonly frames: number;
  readonly hitRatio: number;
}

/** The engine's three policies, by the names the notebook and the suite print. */
export const ENGINE_POLICIES: Policies = {
  LRU: (n) => new LruReplacer(n),
  clock: (n) => new ClockReplacer(n),
  "LRU-2": (n) => new LruKReplacer(n, 2),
};

/** Replay `trace` on a fresh pool of `frames` frames with `replacer`; the share of counted fetches that hit. */
export function poolHitRatio(Pool: BufferPoolConstructor, trace: Trace, frames: number, replacer: Replacer): number {
  const disk = new MemoryDiskManager({ pageSize: 256 });
  for (let i = 0; i < trace.pages; i++) disk.allocatePage();
  return hitRatio(trace, new Pool({ frames, disk, replacer }));
}

/** Hit ratio per workload × policy × pool size (see the module header). */
export function hitRatios(Pool: BufferPoolConstructor, policies: Policies, options: { seed?: number; poolSizes?: readonly number[] } = {}): HitRatioRow[] {
  const rows: HitRatioRow[] = [];
  for (const w of bufferPoolTraces(options.seed ?? TRACE_SEED)) {
    for (const [policy, make] of Object.entries(policies)) {
      for (const frames of options.poolSizes ?? POOL_SIZES) rows.push({ workload: w.name, policy, frames, hitRatio: poolHitRatio(Pool, w, frames, make(frames)) });
    }
  }
  return rows;
}

/** Hit ratio against pool size, one panel per workload, one line per policy. */
export function hitRatioChart(rows: readonly HitRatioRow[], poolSizes: readonly number[] = POOL_SIZES): ChartSpec {
  return {
    title: { text: "Hit ratio against pool size, by workload and replacement policy", subtitle: "1,000-page table; 25,000 counted fetches per point (scan flooding: point reads only)" },
    data: { values: [...rows] },
    facet: { column: { field: "workload", type: "nominal", title: null, sort: ["uniform", "zipfian", "scan flooding"] } },
    spec: {
      width: 220,
      height: 220,
      encoding: {
        x: { field: "frames", type: "quantitative", scale: { type: "log", base: 2 }, axis: { values: [...poolSizes] }, title: "pool size (frames, log scale)" },
        y: { field: "hitRatio", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] }, title: "hit ratio (% of fetches)" },
        color: { field: "policy", type: "nominal", title: "policy", sort: Object.keys(ENGINE_POLICIES) },
      },
      layer: [{ mark: "line" }, { mark: { type: "point", tooltip: true } }],
    },
  };
}

/** The pages the hit-path tasks fetch: zipfian over the 64 resident pages, seeded. */
export function hitPathKeys(): Int32Array {
  return Int32Array.from({ length: HITS_PER_CALL }, zipfianKeys(7, HOT_PAGES));
}

/** A pool of `HOT_PAGES` frames with every one of its pages resident and unpinned. */
export function warmPool(Pool: BufferPoolConstructor, replacer: Replacer): BufferPool {
  const disk = new MemoryDiskManager({ pageSize: 256 });
  for (let i = 0; i < HOT_PAGES; i++) disk.allocatePage();
  const pool = new Pool({ frames: HOT_PAGES, disk, replacer });
  for (let i = 0; i < HOT_PAGES; i++) pool.unpinPage(pool.fetchPage(i as PageId).pageId, false);
  return pool;
}

// Each task's loop is compiled separately (see the header), from these sources.
const POOL_LOOP = `let sum = 0;
  for (let i = 0; i < keys.length; i++) {
    const page = keys[i];
    sum += pool.fetchPage(page).data[0];
    pool.unpinPage(page, false);
  }
  return sum;`;
const MAP_LOOP = `let sum = 0;
  for (let i = 0; i < keys.length; i++) sum += pages.get(keys[i])[0];
  return sum;`;
const REPLACER_LOOP = `for (let i = 0; i < keys.length; i++) {
    const frame = keys[i];
    replacer.recordAccess(frame);
    replacer.setEvictable(frame, false);
    replacer.setEvictable(frame, true);
  }
  return keys.length;`;

function compiled(parameter: string, body: string, argument: unknown, keys: Int32Array): BenchTask {
  // A fresh function per contender: its call sites see one class only.
  const make = new Function(parameter, "keys", `return function hits() {\n  ${body}\n};`) as (arg: unknown, keys: Int32Array) => BenchTask;
  return make(argument, keys);
}

/** `Map.get (no pool)` and one `pool + <name>` task per replacer: 1,000 hits per call. */
export function hitPathTasks(Pool: BufferPoolConstructor, replacers: Policies): Record<string, BenchTask> {
  const keys = hitPathKeys();
  const pages = new Map<number, Uint8Array>(Array.from({ length: HOT_PAGES }, (_, i) => [i, new Uint8Array(256)]));
  const tasks: Record<string, BenchTask> = { "Map.get (no pool)": compiled("pages", MAP_LOOP, pages, keys) };
  for (const [name, make] of Object.entries(replacers)) tasks[`pool + ${name}`] = compiled("pool", POOL_LOOP, warmPool(Pool, make(HOT_PAGES)), keys);
  return tasks;
}

/** `Map.get (no pool)` and one `<name> alone` task per replacer: 1,000 replacer hits per call. */
export function replacerHitTasks(replacers: Policies): Record<string, BenchTask> {
  const keys = hitPathKeys();
  const pages = new Map<number, Uint8Array>(Array.from({ length: HOT_PAGES }, (_, i) => [i, new Uint8Array(256)]));
  const tasks: Record<string, BenchTask> = { "Map.get (no pool)": compiled("pages", MAP_LOOP, pages, keys) };
  for (const [name, make] of Object.entries(replacers)) {
    const replacer = make(HOT_PAGES);
    for (let f = 0; f < HOT_PAGES; f++) {
      replacer.recordAccess(f as FrameId);
      replacer.setEvictable(f as FrameId, true);
    }
    tasks[`${name} alone`] = compiled("replacer", REPLACER_LOOP, replacer, keys);
  }
  return tasks;
}

/**
 * For `benchIsolated`: the task named `name` ("Map.get (no pool)", "pool + clock", "LRU alone", …),
 * built with the engine's pool and policies. Only that contender's classes are touched, so the
 * worker's code is optimised for it alone.
 */
export function poolHitTask(name: string): BenchTask {
  const policy = /^pool \+ (.+)$/.exec(name)?.[1] ?? /^(.+) alone$/.exec(name)?.[1];
  const make = policy === undefined ? undefined : ENGINE_POLICIES[policy];
  const only: Policies = policy !== undefined && make !== undefined ? { [policy]: make } : {};
  const task = (name.startsWith("pool + ") ? hitPathTasks(BufferPoolManager, only) : replacerHitTasks(only))[name];
  if (task === undefined) {
    const names = Object.keys(ENGINE_POLICIES).flatMap((p) => [`pool + ${p}`, `${p} alone`]);
    throw new Error(`no hit-path task "${name}" (there are: Map.get (no pool), ${names.join(", ")})`);
  }
  return task;
}
