/**
 * bench() and benchSeries(): tidy rows, ratios against the baseline, tables and charts.
 * Timings themselves are never asserted; budgets are tiny so the file runs in seconds.
 */
import { describe, expect, it } from "vitest";
import { bench, BenchError, benchSeries, formatRelative } from "../src/bench/bench.js";
import { KERNEL_CHANNEL, type KernelChannel, MIME_BUNDLE, type MimeBundle } from "../src/display/bundle.js";

const quick = { time: 50, warmup: false, iterations: 8 } as const;

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
      // ops/s is calls per second over the run: the reciprocal of the mean latency.
      expect(row.opsPerSec).toBeCloseTo(1e9 / row.meanNs, 3);
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
    for (const header of ["task", "ops/s", "mean", "p99", "±rme", "relative"]) expect(text).toContain(header);
    const lines = text.split("\n");
    expect(lines.find((l) => l.startsWith(" a "))).toMatch(/1\.00×$/);
    const b = result.row("b");
    expect(lines.find((l) => l.startsWith(" b "))?.endsWith(formatRelative(b?.relative ?? 0))).toBe(true);
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
    expect(sent[0]?.bundle["text/plain"]).toMatch(/^Long run \[\.{10}\] 0\/3 0%/);
    expect(sent.at(-1)?.update).toBe(true);
    expect(sent.at(-1)?.displayId).toBe(sent[0]?.displayId);
    expect(sent.at(-1)?.bundle["text/plain"]).toMatch(/^Long run \[#{10}\] 3\/3 100%/);
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
