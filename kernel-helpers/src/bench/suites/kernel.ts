/**
 * Benchmark suite `kernel`: the workbook kernel next to plain tslab, in the same run.
 *   cold start     spawn → kernel_info answered and iopub live
 *   round trip     execute "1 + 1" → reply and idle (10 per repetition)
 *   20-cell run    start, 20 typical cells, shutdown
 * Five repetitions, the kernels alternating; medians reported.
 */
import path from "node:path";
import { CHECKOUT, type KernelSpec, workbookKernelSpec } from "../../kernel/kernelspec.js";
import { KernelClient } from "../../runner/kernel-client.js";
import type { SuiteResult } from "./types.js";

const NOTEBOOKS = path.join(CHECKOUT, "notebooks");

const TSLAB: KernelSpec = {
  argv: [process.execPath, path.join(path.dirname(require.resolve("tslab/package.json")), "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
  display_name: "tslab",
  language: "typescript",
};

const CELLS = Array.from({ length: 20 }, (_, i) =>
  [
    `const values${i}: number[] = Array.from({ length: 1000 }, (_, k) => (k * ${i + 1}) % 97);`,
    `let sum${i} = 0;`,
    `for (const v of values${i}) sum${i} += v;`,
    i % 4 === 0 ? `console.log("cell ${i}", sum${i});` : `sum${i}`,
  ].join("\n"),
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Metrics = { coldStartMs: number[]; roundTripMs: number[]; notebookMs: number[] };

/** One repetition of each measurement, on one kernel. */
async function once(spec: KernelSpec, m: Metrics, trips: number): Promise<void> {
  let t = performance.now();
  const k = await KernelClient.start({ spec, cwd: NOTEBOOKS });
  m.coldStartMs.push(performance.now() - t);
  await k.execute("1 + 1"); // the first cell pays for the compiler's warm-up
  for (let i = 0; i < trips; i++) m.roundTripMs.push((await k.execute("1 + 1")).ms);
  await k.shutdown();
  t = performance.now();
  const nb = await KernelClient.start({ spec, cwd: NOTEBOOKS });
  for (const cell of CELLS) {
    const res = await nb.execute(cell);
    if (res.reply["status"] !== "ok") throw new Error(`cell failed on ${spec.display_name}: ${JSON.stringify(res.reply)}`);
  }
  await nb.shutdown();
  m.notebookMs.push(performance.now() - t);
}

export async function kernelSuite(): Promise<SuiteResult> {
  // The two kernels take turns, so background load on a small machine hits both alike.
  const raw = { workbook: { coldStartMs: [], roundTripMs: [], notebookMs: [] } as Metrics, tslab: { coldStartMs: [], roundTripMs: [], notebookMs: [] } as Metrics };
  for (let rep = 0; rep < 5; rep++) {
    await once(workbookKernelSpec(), raw.workbook, 10);
    await once(TSLAB, raw.tslab, 10);
  }
  const summary = (m: Metrics) => ({ coldStartMs: median(m.coldStartMs), roundTripMs: median(m.roundTripMs), notebookMs: median(m.notebookMs) });
  const ours = summary(raw.workbook);
  const tslab = summary(raw.tslab);
  const rows = (["coldStartMs", "roundTripMs", "notebookMs"] as const).map((metric) => ({
    metric: { coldStartMs: "cold start", roundTripMs: "trivial cell round trip", notebookMs: "20-cell notebook" }[metric],
    "workbook ms": Number(ours[metric].toFixed(1)),
    "tslab ms": Number(tslab[metric].toFixed(1)),
    "workbook / tslab": Number((ours[metric] / tslab[metric]).toFixed(2)),
  }));
  return {
    title: "The workbook kernel next to plain tslab (medians, lower is better)",
    rows,
    chart: {
      title: { text: "Workbook kernel vs plain tslab", subtitle: "median time, lower is better" },
      data: { values: rows.flatMap((r) => [{ metric: r.metric, kernel: "workbook", ms: r["workbook ms"] }, { metric: r.metric, kernel: "tslab", ms: r["tslab ms"] }]) },
      mark: "bar",
      encoding: {
        row: { field: "metric", type: "nominal", title: null, sort: null },
        y: { field: "kernel", type: "nominal", title: null },
        x: { field: "ms", type: "quantitative", title: "milliseconds" },
        color: { field: "kernel", type: "nominal", legend: null },
      },
      resolve: { scale: { x: "independent" } },
    },
  };
}
