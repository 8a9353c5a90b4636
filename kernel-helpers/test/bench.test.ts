/**
 * bench() and benchSeries(): tidy rows, ratios against the baseline, tables and charts.
 * Timings themselves are never asserted; budgets are tiny so the file runs in seconds.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BufferPoolManager, FileDiskManager, FreeSpaceTree, HeapFile, LruReplacer } from "@workbook/engine";
import { bench, BenchError, benchSeries, benchSize, compareRounds, formatRelative } from "../src/bench/bench.js";
import { ENGINE_POLICIES, hitPathTasks, hitRatios, replacerHitTasks } from "../src/bench/buffer-pool.js";
import { flightsData, type HeapParts, heapScanTasks, writeFlightsHeap } from "../src/bench/heap.js";
import { benchIsolated } from "../src/bench/isolated.js";
import { KERNEL_CHANNEL, type KernelChannel, MIME_BUNDLE, type MimeBundle } from "../src/display/bundle.js";

const quick = { time: 50, warmup: false, iterations: 8 } as const;

// Under vitest benchSize() is "small", which quarters every time budget; these tests reason
// about the budgets they pass, so they measure at "full" (one test below checks "small").
process.env["WORKBOOK_BENCH_SIZE"] = "full";

function work(n: number): () => number {
  return () => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += i;
    return sum;
  };
}

describe("bench", () => {
  it("returns one tidy row per task, in order, with the baseline at relative 1", async () => {
    const result = await bench({ small: work(10), large: work(1000), async: async () => work(10)() }, { ...quick, baseline: "large" });
    expect(result.rows.map((r) => r.name)).toEqual(["small", "large", "async"]);
    expect(result.baseline).toBe("large");
    expect(result.row("large")?.relative).toBe(1);
    const base = result.row("large")?.opsPerSec ?? Number.NaN;
    for (const row of result.rows) {
      expect(row.opsPerSec).toBeGreaterThan(0);
      expect(row.samples).toBeGreaterThanOrEqual(8);
      expect(row.meanNs).toBeGreaterThan(0);
      expect(row.p99Ns).toBeGreaterThanOrEqual(0);
      expect(row.relative).toBeCloseTo(row.opsPerSec / base, 10);
      // ops/s is the median round's rate: the reciprocal of that round's mean latency.
      expect(row.opsPerSec).toBeCloseTo(1e9 / row.meanNs, 3);
      expect(row.rounds).toHaveLength(5);
      const sorted = [...row.rounds].sort((x, y) => x - y);
      expect(row.opsPerSec).toBe(sorted[2]);
    }
  });

  it("takes the first task as the baseline by default", async () => {
    const result = await bench({ first: work(10), second: work(10) }, quick);
    expect(result.baseline).toBe("first");
    expect(result.rows[0]?.relative).toBe(1);
  });

  it("displays a table with the ratio column formatted from the rows", async () => {
    const result = await bench({ a: work(10), b: work(100) }, { ...quick, title: "Sums" });
    const bundle = result[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual(["text/html", "text/plain"]);
    const text = bundle["text/plain"];
    expect(text).toContain("Sums (baseline: a)");
    for (const header of ["task", "ops/s", "mean", "p99", "rounds (ops/s)", "relative"]) expect(text).toContain(header);
    const lines = text.split("\n");
    expect(lines.find((l) => l.startsWith(" a "))).toMatch(/1\.00×$/);
    expect(lines.find((l) => l.startsWith(" b "))?.endsWith(result.compare("b", "a").text)).toBe(true);
  });

  it("formats ratios as faster or slower than the baseline", () => {
    expect(formatRelative(1, true)).toBe("1.00×");
    expect(formatRelative(3.2)).toBe("3.2× faster");
    expect(formatRelative(1.456)).toBe("1.46× faster");
    expect(formatRelative(0.25)).toBe("4.0× slower");
    expect(formatRelative(1 / 250)).toBe("250× slower");
    expect(formatRelative(1.001)).toBe("1.00×");
  });

  it("charts ops/s per task as bars with a title and a labelled axis", async () => {
    const result = await bench({ a: work(10), b: work(100) }, { ...quick, title: "Sum loops" });
    const c = await result.chart();
    expect(c.svg).toContain("Sum loops");
    expect(c.svg).toContain("operations per second");
    expect(c.summary).toBe(`chart "Sum loops": bar + text, 2 data points`);
  });

  it("names the task that threw, while measuring or warming up", async () => {
    const broken = (): never => {
      throw new Error("index out of range");
    };
    await expect(bench({ fine: work(1), broken }, quick)).rejects.toThrow(/task "broken" threw: index out of range/);
    await expect(bench({ broken }, { ...quick, warmup: true })).rejects.toThrow(/task "broken" threw: index out of range/);
  });

  it("shows a progress bar, updated in place, when the run is expected to last over a second", async () => {
    const sent: { bundle: MimeBundle; displayId?: string; update?: boolean }[] = [];
    const channel: KernelChannel = { display: (bundle, options) => sent.push({ bundle, ...options }), clearOutput: () => undefined };
    const globals = globalThis as Record<symbol, unknown>;
    globals[KERNEL_CHANNEL] = channel;
    try {
      await bench({ a: work(5000), b: work(5000), c: work(5000) }, { time: 350, warmup: false, title: "Long run" });
    } finally {
      delete globals[KERNEL_CHANNEL];
    }
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]?.update).toBe(false);
    // One step per timed slice: 3 tasks × 5 rounds.
    expect(sent[0]?.bundle["text/plain"]).toMatch(/^Long run \[\.{10}\] 0\/15 0%/);
    expect(sent.at(-1)?.update).toBe(true);
    expect(sent.at(-1)?.displayId).toBe(sent[0]?.displayId);
    expect(sent.at(-1)?.bundle["text/plain"]).toMatch(/^Long run \[#{10}\] 15\/15 100%/);
  });

  it("shows no progress bar for a short run", async () => {
    const sent: MimeBundle[] = [];
    const globals = globalThis as Record<symbol, unknown>;
    globals[KERNEL_CHANNEL] = { display: (bundle: MimeBundle) => sent.push(bundle), clearOutput: () => undefined };
    try {
      await bench({ a: work(1) }, quick);
    } finally {
      delete globals[KERNEL_CHANNEL];
    }
    expect(sent).toEqual([]);
  });

  it("rejects an unknown baseline, listing the tasks", async () => {
    const error = await bench({ a: work(1), b: work(1) }, { ...quick, baseline: "c" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BenchError);
    expect((error as Error).message).toBe('bench(): baseline "c" is not one of the tasks ("a", "b")');
  });

  it("rejects no tasks and a non-positive time", async () => {
    await expect(bench({}, quick)).rejects.toThrow(/no tasks/);
    await expect(bench({ a: work(1) }, { time: 0 })).rejects.toThrow(/time must be a positive number/);
  });
});

describe("benchSeries", () => {
  it("measures every task at every n, in tidy rows", async () => {
    const built: number[] = [];
    const result = await benchSeries(
      {
        array: (n) => {
          built.push(n);
          const a = Array.from({ length: n }, (_, i) => i);
          return () => a.includes(n - 1);
        },
        set: async (n) => {
          const s = new Set(Array.from({ length: n }, (_, i) => i));
          return () => s.has(n - 1);
        },
      },
      [10, 100, 1000],
      { ...quick, title: "Membership", nTitle: "elements" },
    );
    expect(built).toEqual([10, 100, 1000]);
    expect(result.rows.map((r) => [r.task, r.n])).toEqual([
      ["array", 10],
      ["set", 10],
      ["array", 100],
      ["set", 100],
      ["array", 1000],
      ["set", 1000],
    ]);
    for (const row of result.rows) expect(row.opsPerSec).toBeGreaterThan(0);

    const text = result[MIME_BUNDLE]()["text/plain"];
    expect(text.split("\n")[1]).toMatch(/^ elements \| +array \| +set$/);

    const logChart = await result.chart({ logX: true });
    const x = (logChart.spec["encoding"] as { x: { scale: { type?: string }; title: string } }).x;
    expect(x.scale.type).toBe("log");
    expect(x.title).toBe("elements (log scale)");
    expect(logChart.svg).toContain("Membership");
    expect(logChart.summary).toBe(`chart "Membership": line + point, 6 data points`);

    const linear = await result.chart({ logX: false });
    expect((linear.spec["encoding"] as { x: { scale: { type?: string } } }).x.scale.type).toBeUndefined();
  });

  it("names the factory that threw and the n it threw for", async () => {
    await expect(
      benchSeries({ tree: (n) => { if (n > 5) throw new Error("too big"); return () => n; } }, [1, 10], quick),
    ).rejects.toThrow(/factory "tree" threw for n = 10: too big/);
  });
});

describe("interleaved rounds and compare()", () => {
  it("times the tasks in alternating order, round by round (A B, B A, A B …)", async () => {
    const order: string[] = [];
    const note = (name: string) => () => {
      if (order.at(-1) !== name) order.push(name);
    };
    await bench({ a: note("a"), b: note("b") }, { time: 20, iterations: 4, rounds: 4, warmup: false });
    // A B | B A | A B | B A, runs of one task merged: a plain A B A B … would give eight runs.
    expect(order).toEqual(["a", "b", "a", "b", "a"]);
  });

  it("pairs rounds: the ratio is the median per-round ratio, the interval their range", () => {
    const c = compareRounds([200, 210, 190, 400, 220], [100, 100, 100, 100, 100]);
    expect(c.ratio).toBe(2.1);
    expect([c.low, c.high]).toEqual([1.9, 4]);
    expect(c.clear).toBe(true);
    expect(c.text).toBe("2.1× faster (1.9–4.0×)");
  });

  it("says 'within noise' when the interval contains 1, and 'slower' below it", () => {
    const noisy = compareRounds([90, 120, 100], [100, 100, 100]);
    expect(noisy.clear).toBe(false);
    expect(noisy.text).toBe("within noise (0.90–1.2×)");
    const slow = compareRounds([3, 3.2, 2.9, 3.1, 3], [100, 100, 100, 100, 100]);
    expect(slow.clear).toBe(true);
    expect(slow.ratio).toBeCloseTo(0.03, 10);
    expect(slow.text).toBe("33× slower (31–34×)");
    // Next to 1, more digits: an interval that excludes 1 never prints as touching it.
    expect(compareRounds([0.7, 0.8, 0.996], [1, 1, 1]).text).toBe("1.3× slower (1.004–1.4×)");
    expect(compareRounds([1, 1, 1], [1, 1, 1]).text).toBe("within noise (1.0–1.0×)");
  });

  it("rejects rounds that do not pair up, and unknown task names", async () => {
    expect(() => compareRounds([1, 2], [1])).toThrow(BenchError);
    const result = await bench({ a: work(10), b: work(10) }, quick);
    expect(() => result.compare("a", "z")).toThrow(/no task "z"/);
  });

  it("compares a clearly faster task as clearly faster, in the same run", async () => {
    const result = await bench({ slow: work(20_000), fast: work(200) }, { time: 100, warmup: true, rounds: 5 });
    const c = result.compare("fast", "slow");
    expect(c.clear).toBe(true);
    expect(c.ratio).toBeGreaterThan(1);
    expect(c.low).toBeLessThanOrEqual(c.ratio);
    expect(c.high).toBeGreaterThanOrEqual(c.ratio);
    expect(c.text).toMatch(/× faster \(/);
    expect(result.compare("slow", "fast").text).toMatch(/× slower \(/);
  });

  it("series results compare two tasks at one n, and perCall rescales to single operations", async () => {
    const series = await benchSeries({ loop: (n) => work(n), twice: (n) => work(2 * n) }, [100, 1000], { ...quick, perCall: (n) => n });
    const c = series.compare("loop", "twice", 1000);
    expect(c.ratio).toBeGreaterThan(0);
    expect(() => series.compare("loop", "twice", 5)).toThrow(/no measurement of "loop" at n = 5/);
    const plain = await bench({ a: work(10) }, { ...quick, perCall: 1000 });
    const row = plain.row("a")!;
    // 1,000 operations per call: ops/s is 1,000 × the calls per second.
    expect(row.opsPerSec).toBeGreaterThan(1000 * (1e9 / row.meanNs) / 1001);
    await expect(bench({ a: work(1) }, { ...quick, perCall: 0 })).rejects.toThrow(/perCall must be a positive number/);
    await expect(bench({ a: work(1) }, { ...quick, rounds: 0 })).rejects.toThrow(/rounds must be a whole number/);
  });

  it("at size small, a run measures for a quarter of its time budget", async () => {
    process.env["WORKBOOK_BENCH_SIZE"] = "small";
    try {
      expect((await bench({ a: work(100) }, { time: 400, warmup: false })).timeMs).toBe(100);
    } finally {
      process.env["WORKBOOK_BENCH_SIZE"] = "full";
    }
    expect((await bench({ a: work(100) }, { time: 400, warmup: false })).timeMs).toBe(400);
  });

  it("benchSize() is small under tests and CI, full otherwise, and obeys WORKBOOK_BENCH_SIZE", () => {
    expect(benchSize({})).toBe("full");
    expect(benchSize({ CI: "true" })).toBe("small");
    expect(benchSize({ VITEST: "true" })).toBe("small");
    expect(benchSize({ VITEST: "true", WORKBOOK_BENCH_SIZE: "full" })).toBe("full");
    expect(benchSize({ WORKBOOK_BENCH_SIZE: "small" })).toBe("small");
    expect(() => benchSize({ WORKBOOK_BENCH_SIZE: "huge" })).toThrow(/must be "small" or "full"/);
  });
});

describe("benchIsolated: each contender in a worker thread of its own", () => {
  const tasks = path.join(__dirname, "..", "dist", "bench", "buffer-pool.js");

  it("times the workers in interleaved rounds and compares them like bench()", async () => {
    const result = await benchIsolated(tasks, "poolHitTask", ["Map.get (no pool)", "clock alone", "pool + clock"], { time: 60, warmup: true, perCall: 1000 });
    expect(result.rows.map((r) => r.name)).toEqual(["Map.get (no pool)", "clock alone", "pool + clock"]);
    for (const row of result.rows) {
      expect(row.rounds).toHaveLength(5);
      expect(row.opsPerSec).toBeGreaterThan(0);
    }
    const c = result.compare("pool + clock", "Map.get (no pool)");
    expect(c.low).toBeLessThanOrEqual(c.ratio);
    expect(c.text).not.toBe("n/a");
  });

  it("names the task a worker could not build, and refuses a relative module path", async () => {
    await expect(benchIsolated(tasks, "poolHitTask", ["pool + FIFO"], { time: 10, warmup: false })).rejects.toThrow(/"pool \+ FIFO".*no hit-path task "pool \+ FIFO" \(there are: Map\.get/);
    await expect(benchIsolated("dist/bench/buffer-pool.js", "poolHitTask", ["clock alone"], quick)).rejects.toThrow(/absolute path/);
  });
});

describe("buffer-pool measurements (notebook 03 and the suite)", () => {
  it("hit ratios are deterministic and LRU-2 resists the scan flooding that defeats LRU", () => {
    const sizes = [64];
    const a = hitRatios(BufferPoolManager, ENGINE_POLICIES, { poolSizes: sizes });
    const b = hitRatios(BufferPoolManager, ENGINE_POLICIES, { poolSizes: sizes });
    expect(a).toEqual(b);
    const at = (workload: string, policy: string) => a.find((r) => r.workload === workload && r.policy === policy)!.hitRatio;
    expect(at("scan flooding", "LRU-2")).toBeGreaterThan(at("scan flooding", "LRU"));
    expect(a.map((r) => r.workload + "/" + r.policy)).toHaveLength(9);
  });

  it("hit-path tasks fetch resident pages only and leave nothing pinned", () => {
    const tasks = hitPathTasks(BufferPoolManager, ENGINE_POLICIES);
    expect(Object.keys(tasks)).toEqual(["Map.get (no pool)", "pool + LRU", "pool + clock", "pool + LRU-2"]);
    const sums = Object.values(tasks).map((t) => t());
    expect(new Set(sums).size).toBe(1); // every contender reads the same zeroed pages
    const alone = replacerHitTasks({ LRU: (n) => new LruReplacer(n) });
    expect(alone["LRU alone"]!()).toBe(1000);
  });
});

describe("heap measurements (notebook 04 and the suite)", () => {
  it("use the datasets' flights schema, and every scan task reads the same table", () => {
    const data = flightsData("2k");
    expect(data.codec.schema.map((c) => c.name)).toEqual(["id", "date", "delay", "distance", "origin", "destination"]);
    expect(data.delayColumn).toBe(2);
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-heap-test-"));
    try {
      const parts: HeapParts = { Heap: HeapFile, Fsm: FreeSpaceTree, Pool: BufferPoolManager, replacer: (n) => new LruReplacer(n), disk: (f) => new FileDiskManager(f) };
      const asked: string[] = [];
      const db = { exec: async (sql: string) => asked.push(sql), query: async (sql: string) => asked.push(sql) };
      const disk = new FileDiskManager(path.join(dir, "t.db"));
      const tasks = heapScanTasks(parts, data, db, disk, writeFlightsHeap(parts, data, disk));
      const delays = data.flights.reduce((s, f) => s + f.delay, 0);
      expect(tasks["heap: count, cold"]!()).toBe(2000);
      expect(tasks["heap: sum in place"]!()).toBe(delays);
      expect(tasks["heap: sum in place, cold"]!()).toBe(delays);
      expect(tasks["heap: every column in place"]!()).toBe(delays);
      void tasks["PostgreSQL: sum(delay)"]!();
      expect(asked).toEqual(["select sum(delay) from flights"]);
      disk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("heap scan tasks: in place and copied", () => {
  it("the in-place sums (scanHeapBatches) and scan()'s copies agree, and leave no page pinned in either pool", () => {
    const data = flightsData("2k");
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-heap-inplace-"));
    try {
      const pools: BufferPoolManager[] = [];
      const parts: HeapParts = {
        Heap: HeapFile,
        Fsm: FreeSpaceTree,
        Pool: class extends BufferPoolManager {
          constructor(...args: ConstructorParameters<typeof BufferPoolManager>) {
            super(...args);
            pools.push(this);
          }
        },
        replacer: (n) => new LruReplacer(n),
        disk: (f) => new FileDiskManager(f),
      };
      const db = { exec: async () => undefined, query: async () => undefined };
      const disk = new FileDiskManager(path.join(dir, "t.db"));
      const tasks = heapScanTasks(parts, data, db, disk, writeFlightsHeap(parts, data, disk));
      const delays = data.flights.reduce((s, f) => s + f.delay, 0);
      expect(tasks["heap: sum, scan() copies"]!()).toBe(delays);
      expect(tasks["heap: sum in place"]!()).toBe(delays);
      expect(tasks["heap: count"]!()).toBe(2000);
      expect(pools.length).toBe(3); // the writer's, warm and cold
      for (const pool of pools) expect(pool.snapshot().filter((f) => f.pinCount > 0)).toEqual([]);
      disk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the package root exports what notebooks 03 and 04 measure with", async () => {
    const helpers = await import("../src/index.js");
    for (const name of ["benchSize", "compareRounds", "benchContenders", "benchIsolated", "hitRatios", "hitRatioChart", "hitPathTasks", "heapLoadTasks", "heapScanTasks", "flightsData"]) {
      expect(typeof (helpers as Record<string, unknown>)[name], name).toBe("function");
    }
  });
});

describe("heap measurements on the parts given", () => {
  it("the heap gets the page format the parts name, and scanPageReads counts the cold pool's rereads", async () => {
    const { SlottedPage } = await import("@workbook/engine");
    const { scanPageReads } = await import("../src/bench/heap.js");
    let views = 0;
    const Counting = class extends SlottedPage {
      constructor(bytes: Uint8Array) {
        super(bytes);
        views++;
      }
    };
    const data = flightsData("10k"); // about 75 pages: more than the cold pool's 16 frames
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-heap-format-"));
    try {
      const parts: HeapParts = { Heap: HeapFile, Fsm: FreeSpaceTree, Pool: BufferPoolManager, replacer: (n) => new LruReplacer(n), disk: (f) => new FileDiskManager(f), pageFormat: Counting };
      const disk = new FileDiskManager(path.join(dir, "t.db"));
      const pageIds = writeFlightsHeap(parts, data, disk);
      expect(views).toBeGreaterThan(0);
      const reads = scanPageReads(parts, disk, pageIds);
      expect(reads).toEqual({ warm: 0, cold: pageIds.length });
      disk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
