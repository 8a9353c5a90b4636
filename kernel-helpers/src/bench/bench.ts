/**
 * Benchmarks in a cell
 * ====================
 * `await bench({ mine: () => …, peer: () => … }, { baseline: "peer" })` measures each
 * task with tinybench and displays a table of ratios against the baseline, measured in
 * the same run (the workbook reports ratios, never absolute targets: absolute numbers
 * depend on the machine, ratios much less):
 *
 *   task | ops/s     | mean    | p99     | ±rme   | relative
 *   peer | 1,204,311 | 830 ns  | 1.52 µs | ±0.41% | 1.00×
 *   mine | 3,873,022 | 258 ns  | 410 ns  | ±0.87% | 3.2× faster
 *
 * `rows` holds the same numbers unformatted (tidy: one row per task), and `chart()`
 * draws them. `benchSeries` measures how throughput changes with a size `n` (one task
 * factory per contender, one measurement per (task, n)) and charts ops/s against n.
 *
 * How a task is measured: a warm-up loop (a fifth of `time`, at most 250 ms), then one
 * tinybench `Bench` per task, one call per sample, until at least `time` ms of wall-clock
 * time have passed and at least `iterations` calls were made (16 by default: a task of
 * 100 ms takes 1.6 s; lower it for slower tasks). Tasks run one after another, and
 * between two tasks the event loop is let through once, so the progress bar (shown when
 * the run is expected to take over a second) reaches the notebook while a long
 * synchronous benchmark runs. ops/s is calls per second over the whole run (1 / mean
 * latency), not tinybench's mean of per-sample rates, which overweights the fastest
 * samples.
 *
 * What this does not do: each sample times a single call, so for tasks well under a
 * microsecond the clock's own cost shows in the result; batch such work inside the task
 * (e.g. 1000 lookups per call) and divide. Benchmarks are not tests: nothing here fails
 * on a timing.
 */
import { type Displayable, MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { type Chart, type ChartSpec, chart } from "../display/chart.js";
import { progress, type Progress } from "../display/progress.js";
import { table } from "../display/table.js";

/** One benchmarked operation; may be async. Its return value is ignored. */
export type BenchTask = () => unknown;

/** Makes the task to measure at size `n` (setup work here is not measured). */
export type TaskFactory = (n: number) => BenchTask | Promise<BenchTask>;

export interface BenchOptions {
  /** Task the others are compared with; default the first. */
  readonly baseline?: string;
  /** Measuring time per task, in ms. Default 500. */
  readonly time?: number;
  /** Least number of calls per task, even past `time`. Default 16. */
  readonly iterations?: number;
  /** Run each task for a short while before measuring. Default true. */
  readonly warmup?: boolean;
  /** Title of the table and chart. */
  readonly title?: string;
}

export interface BenchRow {
  readonly name: string;
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p99Ns: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly samples: number;
  /** opsPerSec / the baseline's opsPerSec: 1 for the baseline, 2 for twice as fast. */
  readonly relative: number;
}

export interface SeriesOptions {
  /** Measuring time per (task, n), in ms. Default 200. */
  readonly time?: number;
  readonly iterations?: number;
  readonly warmup?: boolean;
  readonly title?: string;
  /** What n counts, for the x axis, e.g. "keys in the tree". Default "n". */
  readonly nTitle?: string;
}

export interface SeriesRow {
  readonly task: string;
  readonly n: number;
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p99Ns: number;
  readonly rme: number;
  readonly samples: number;
}

/** Thrown for a bad benchmark definition, or when a task throws while measured. */
export class BenchError extends Error {
  override readonly name = "BenchError";
}

/** Axis labels as 200k, 1.5M: each label on its own ("0", not the shared-precision "0M"). */
const SI_LABEL = "format(datum.value, '~s')";

/** Results of `bench()`: displays as a table; `rows` for computing, `chart()` for drawing. */
export class BenchResult implements Displayable {
  readonly title: string;
  readonly baseline: string;
  readonly rows: readonly BenchRow[];

  constructor(title: string, baseline: string, rows: readonly BenchRow[]) {
    this.title = title;
    this.baseline = baseline;
    this.rows = rows;
  }

  /** The row of one task, or `undefined`. */
  row(name: string): BenchRow | undefined {
    return this.rows.find((row) => row.name === name);
  }

  /** A horizontal bar chart of ops/s per task, labelled with the ratio to the baseline. */
  chart(): Promise<Chart> {
    const values = this.rows.map((row) => ({
      task: row.name,
      opsPerSec: row.opsPerSec,
      label: formatRelative(row.relative, row.name === this.baseline),
    }));
    const spec: ChartSpec = {
      title: { text: this.title, subtitle: `operations per second, higher is better; baseline: ${this.baseline}` },
      data: { values },
      encoding: {
        y: { field: "task", type: "nominal", sort: null, title: null },
        x: { field: "opsPerSec", type: "quantitative", title: "operations per second", axis: { labelExpr: SI_LABEL } },
      },
      layer: [
        {
          mark: { type: "bar", tooltip: true },
        },
        {
          mark: { type: "text", align: "left", dx: 4, fontSize: 12, color: "#333" },
          encoding: { text: { field: "label", type: "nominal" } },
        },
      ],
      config: { view: { discreteHeight: { step: 32 } } },
    };
    return chart(spec);
  }

  [MIME_BUNDLE](): MimeBundle {
    return table(
      this.rows.map((row) => ({
        task: row.name,
        "ops/s": formatOps(row.opsPerSec),
        mean: formatNs(row.meanNs),
        p99: formatNs(row.p99Ns),
        "±rme": `±${row.rme.toFixed(2)}%`,
        relative: formatRelative(row.relative, row.name === this.baseline),
      })),
      {
        title: `${this.title} (baseline: ${this.baseline})`,
        limit: Infinity,
        align: { "ops/s": "right", mean: "right", p99: "right", "±rme": "right", relative: "right" },
      },
    )[MIME_BUNDLE]();
  }
}

/** Results of `benchSeries()`: a table of ops/s with one row per n and one column per task. */
export class SeriesResult implements Displayable {
  readonly title: string;
  readonly nTitle: string;
  readonly tasks: readonly string[];
  readonly ns: readonly number[];
  readonly rows: readonly SeriesRow[];

  constructor(title: string, nTitle: string, tasks: readonly string[], ns: readonly number[], rows: readonly SeriesRow[]) {
    this.title = title;
    this.nTitle = nTitle;
    this.tasks = tasks;
    this.ns = ns;
    this.rows = rows;
  }

  /** Ops/s against n, one line per task; n on a log axis unless `logX: false`. */
  chart(options: { readonly logX?: boolean; readonly logY?: boolean } = {}): Promise<Chart> {
    const logX = (options.logX ?? true) && this.ns.every((n) => n > 0);
    const logY = (options.logY ?? false) && this.rows.every((row) => row.opsPerSec > 0);
    const spec: ChartSpec = {
      title: { text: this.title, subtitle: "operations per second, higher is better" },
      data: { values: this.rows.map((row) => ({ task: row.task, n: row.n, opsPerSec: row.opsPerSec })) },
      encoding: {
        x: {
          field: "n",
          type: "quantitative",
          title: logX ? `${this.nTitle} (log scale)` : this.nTitle,
          scale: logX ? { type: "log" } : { zero: false },
          // Ticks at the measured sizes only: a log axis's default 2s and 3s crowd it.
          axis: { values: [...this.ns], labelExpr: SI_LABEL },
        },
        y: {
          field: "opsPerSec",
          type: "quantitative",
          title: logY ? "operations per second (log scale)" : "operations per second",
          scale: logY ? { type: "log" } : {},
          axis: { labelExpr: SI_LABEL },
        },
        color: { field: "task", type: "nominal", title: "task", sort: [...this.tasks] },
      },
      layer: [{ mark: { type: "line" } }, { mark: { type: "point", tooltip: true } }],
    };
    return chart(spec);
  }

  [MIME_BUNDLE](): MimeBundle {
    const pivot = this.ns.map((n) => {
      const row: Record<string, unknown> = { [this.nTitle]: n };
      for (const task of this.tasks) {
        const found = this.rows.find((r) => r.n === n && r.task === task);
        row[task] = found === undefined ? undefined : formatOps(found.opsPerSec);
      }
      return row;
    });
    const align = Object.fromEntries(this.tasks.map((task) => [task, "right" as const]));
    return table(pivot, { title: `${this.title}: operations per second`, limit: Infinity, align })[MIME_BUNDLE]();
  }
}

/** Measure each task; see the module header. */
export async function bench(tasks: Readonly<Record<string, BenchTask>>, options: BenchOptions = {}): Promise<BenchResult> {
  const names = Object.keys(tasks);
  if (names.length === 0) throw new BenchError("bench(): no tasks given; pass an object like { mine: () => …, peer: () => … }");
  for (const name of names) {
    if (typeof tasks[name] !== "function") throw new BenchError(`bench(): task "${name}" is not a function`);
  }
  const baseline = options.baseline ?? names[0] ?? "";
  if (!names.includes(baseline)) {
    throw new BenchError(`bench(): baseline "${baseline}" is not one of the tasks (${names.map((n) => `"${n}"`).join(", ")})`);
  }
  const settings = resolve(options.time ?? 500, options);
  const title = options.title ?? "Benchmark";

  const bar = maybeProgress(names.length, title, settings);
  const measured: Measurement[] = [];
  try {
    for (const name of names) {
      measured.push(await measure(name, tasks[name] as BenchTask, settings));
      bar?.tick();
      await yieldToEventLoop();
    }
  } finally {
    bar?.done();
  }
  const base = measured[names.indexOf(baseline)] as Measurement;
  const rows = measured.map((m, i) => ({
    name: names[i] as string,
    ...m,
    relative: base.opsPerSec > 0 ? m.opsPerSec / base.opsPerSec : Number.NaN,
  }));
  return new BenchResult(title, baseline, rows);
}

/** Measure every task factory at every n; see the module header. */
export async function benchSeries(
  factories: Readonly<Record<string, TaskFactory>>,
  ns: readonly number[],
  options: SeriesOptions = {},
): Promise<SeriesResult> {
  const names = Object.keys(factories);
  if (names.length === 0) throw new BenchError("benchSeries(): no task factories given; pass { name: (n) => () => … }");
  if (ns.length === 0) throw new BenchError("benchSeries(): no sizes given; pass a list such as [1e3, 1e4, 1e5]");
  for (const name of names) {
    if (typeof factories[name] !== "function") throw new BenchError(`benchSeries(): factory "${name}" is not a function`);
  }
  for (const n of ns) {
    if (typeof n !== "number" || !Number.isFinite(n)) throw new BenchError(`benchSeries(): size ${String(n)} is not a finite number`);
  }
  const settings = resolve(options.time ?? 200, options);
  const title = options.title ?? "Throughput against n";

  const bar = maybeProgress(names.length * ns.length, title, settings);
  const rows: SeriesRow[] = [];
  try {
    for (const n of ns) {
      for (const name of names) {
        let task: BenchTask;
        try {
          task = await (factories[name] as TaskFactory)(n);
        } catch (error) {
          throw new BenchError(`benchSeries(): factory "${name}" threw for n = ${n}: ${messageOf(error)}`, { cause: error });
        }
        if (typeof task !== "function") {
          throw new BenchError(`benchSeries(): factory "${name}" returned ${typeof task} for n = ${n}, not a task function`);
        }
        rows.push({ task: name, n, ...(await measure(`${name} (n = ${n})`, task, settings)) });
        bar?.tick();
        await yieldToEventLoop();
      }
    }
  } finally {
    bar?.done();
  }
  return new SeriesResult(title, options.nTitle ?? "n", names, [...ns], rows);
}

// ---------------------------------------------------------------------------------------
// Measuring one task

interface Settings {
  readonly time: number;
  readonly iterations: number;
  readonly warmup: boolean;
  readonly warmupTime: number;
}

interface Measurement {
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p99Ns: number;
  readonly rme: number;
  readonly samples: number;
}

function resolve(time: number, options: { readonly iterations?: number; readonly warmup?: boolean }): Settings {
  if (!(time > 0) || !Number.isFinite(time)) throw new BenchError(`bench(): time must be a positive number of ms, got ${String(time)}`);
  const iterations = options.iterations ?? 16;
  if (!(iterations >= 1)) throw new BenchError(`bench(): iterations must be ≥ 1, got ${String(iterations)}`);
  // A fifth of the measuring time, capped: enough for V8 to optimise a hot loop.
  return { time, iterations, warmup: options.warmup ?? true, warmupTime: Math.min(250, time / 5) };
}

// tinybench 5 is ESM-only, and the build's TypeScript (5.0, tslab's) cannot name an ESM
// package's types from CommonJS: the few parts used here are declared by hand.
type TinybenchModule = { Bench: new (options: Record<string, unknown>) => TinyBench };

type Hook = (mode?: "run" | "warmup") => void;

interface TinyBench {
  add(name: string, fn: BenchTask, options: { signal: AbortSignal; beforeAll: Hook; afterEach: Hook }): TinyBench;
  run(): Promise<unknown>;
  readonly tasks: readonly {
    readonly result?: {
      readonly error?: unknown;
      readonly latency?: { readonly mean: number; readonly p99?: number; readonly rme: number; readonly samples: readonly number[] };
    };
  }[];
}

let tinybench: Promise<TinybenchModule> | undefined;

async function measure(name: string, fn: BenchTask, settings: Settings): Promise<Measurement> {
  // Loaded with import(), which the CommonJS build keeps as import().
  tinybench ??= import("tinybench").then((m) => m as unknown as TinybenchModule);
  const { Bench } = await tinybench;
  if (settings.warmup) await warmUp(name, fn, settings.warmupTime);

  // tinybench's `time` counts only the time spent inside the task, so for a 50 ns task
  // the loop around it makes the run last many times longer than asked. The budget here
  // is wall-clock: once `iterations` samples are in and `time` ms have passed, abort.
  const deadline = new AbortController();
  let runs = 0;
  let startedAt = 0;
  const b = new Bench({ name, time: settings.time, iterations: settings.iterations, warmup: false, throws: false });
  b.add(name, fn, {
    signal: deadline.signal,
    beforeAll: () => {
      startedAt = performance.now();
    },
    afterEach: () => {
      runs++;
      if (runs >= settings.iterations && performance.now() - startedAt >= settings.time) deadline.abort();
    },
  });
  await b.run();
  const result = b.tasks[0]?.result;
  if (result?.error !== undefined) throw taskError(name, result.error);
  const latency = result?.latency;
  if (!latency || latency.samples.length === 0) throw new BenchError(`bench(): task "${name}" produced no samples`);
  // tinybench's latencies are in milliseconds.
  return {
    opsPerSec: latency.mean > 0 ? 1000 / latency.mean : Number.POSITIVE_INFINITY,
    meanNs: latency.mean * 1e6,
    p99Ns: (latency.p99 ?? latency.mean) * 1e6,
    rme: latency.rme,
    samples: latency.samples.length,
  };
}

/** Run the task for `ms` of wall-clock time (and at least 16 times) so V8 optimises it. */
async function warmUp(name: string, fn: BenchTask, ms: number): Promise<void> {
  const end = performance.now() + ms;
  try {
    for (let i = 0; i < 16 || performance.now() < end; i++) {
      const value = fn();
      if (isPromiseLike(value)) await value;
    }
  } catch (error) {
    throw taskError(name, error);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function taskError(name: string, error: unknown): BenchError {
  return new BenchError(`bench(): task "${name}" threw: ${messageOf(error)}`, { cause: error });
}

/** A progress bar when the run is expected to take over a second. */
function maybeProgress(measurements: number, label: string, settings: Settings): Progress | undefined {
  const expectedMs = measurements * (settings.time + (settings.warmup ? settings.warmupTime : 0));
  return expectedMs > 1000 ? progress(measurements, label) : undefined;
}

/** Let timers and I/O (the kernel's messages) run between two synchronous measurements. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------------------------------
// Formatting

/** "1.00×" for the baseline, "3.2× faster", "1.45× slower". */
export function formatRelative(relative: number, isBaseline = false): string {
  if (isBaseline) return "1.00×";
  if (!Number.isFinite(relative) || relative <= 0) return "n/a";
  const factor = relative >= 1 ? relative : 1 / relative;
  const digits = factor < 2 ? 2 : factor < 100 ? 1 : 0;
  const text = factor.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (text === "1.00") return "1.00×";
  return `${text}× ${relative >= 1 ? "faster" : "slower"}`;
}

function formatOps(opsPerSec: number): string {
  if (!Number.isFinite(opsPerSec)) return String(opsPerSec);
  return opsPerSec.toLocaleString("en-US", { maximumFractionDigits: opsPerSec < 100 ? 1 : 0 });
}

/** Nanoseconds with three significant digits and a unit: "830 ns", "1.52 µs", "4.1 ms". */
function formatNs(ns: number): string {
  const units: readonly [number, string][] = [
    [1e9, "s"],
    [1e6, "ms"],
    [1e3, "µs"],
  ];
  for (const [scale, unit] of units) {
    if (ns >= scale) return `${Number((ns / scale).toPrecision(3))} ${unit}`;
  }
  return `${Number(ns.toPrecision(3))} ns`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
