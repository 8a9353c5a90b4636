/**
 * Benchmarks in a cell
 * ====================
 * `await bench({ mine: () => …, peer: () => … }, { baseline: "peer" })` measures each
 * task and displays a table of ratios against the baseline, measured in the same run
 * (the workbook reports ratios, never absolute targets: absolute numbers depend on the
 * machine, ratios much less):
 *
 *   task | ops/s     | mean    | p99     | spread        | relative
 *   peer | 1,204,311 | 830 ns  | 1.52 µs | 1.1M…1.3M     | 1.00×
 *   mine | 3,873,022 | 258 ns  | 410 ns  | 3.6M…4.0M     | 3.2× faster
 *
 * Interleaved rounds
 * ------------------
 * A shared machine is noisy: another process, a GC or a frequency change can slow one
 * stretch of time down by half. Timing all of A and then all of B lets such a stretch
 * fall on one task only, and the ratio lies. So the budget is cut into `rounds` (5 by
 * default), and every round times each task for its slice, in the order A B C, then
 * C B A, then A B C…:
 *
 *   time ──▶ | A B | B A | A B | B A | A B |
 *   round       1     2     3     4     5      ratio of round i = rate(A,i) ÷ rate(B,i)
 *
 * A task's ops/s is the median of its per-round rates; `compare(a, b)` pairs the rounds
 * (both tasks ran within the same moment of the machine's life) and reports the median
 * ratio and the range [low, high] of the per-round ratios. With r rounds the true median
 * ratio lies inside [min, max] with probability 1 − 2·½ʳ (94% at 5 rounds, 98% at 7),
 * whatever the noise's distribution: a sign test, no normality assumed. A comparison is
 * `clear` only when that interval does not contain 1; otherwise its text says "within
 * noise", and a takeaway sentence built from it says so too.
 *
 * How a round measures a task: calls it back to back, each call timed on its own, until
 * its slice (`time` ÷ `rounds` ms) has passed and at least `iterations` ÷ `rounds` calls
 * (16 in all by default) were made. Before round 1 every task is warmed up (a fifth of
 * `time`, at most 250 ms) so V8 has optimised it. Between two slices the event loop is
 * let through once, so the progress bar (shown when the run is expected to take over a
 * second) reaches the notebook while a long synchronous benchmark runs.
 *
 * `rows` holds the numbers unformatted (tidy: one row per task), `chart()` draws them.
 * `benchSeries` measures how throughput changes with a size `n` (one task factory per
 * contender; at each n all tasks are built, then interleaved as above) and charts ops/s
 * against n. `perCall` rescales both to single operations when a task batches many.
 *
 * What this does not do: each call is timed on its own, so for tasks well under a
 * microsecond the clock's own cost shows; batch such work inside the task (1,000 lookups
 * per call, `perCall: 1000`). Tasks that share a call site in the caller's code (one
 * factory building closures over different classes) make that site polymorphic for all
 * of them; give each contender its own code, or its own process. Benchmarks are not
 * tests: nothing here fails on a timing.
 *
 * Size: `benchSize()` is "small" under tests and CI (`VITEST` or `CI` set) and "full"
 * otherwise; `WORKBOOK_BENCH_SIZE=small|full` overrides. At "small" every bench and
 * series measures for a quarter of the `time` it is given (the knob needs no code in the
 * cells), so a notebook executes in about a minute in CI while a learner gets the full,
 * steadier measurement; suites may also shrink their n with it.
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
  /** Measuring time per task, in ms, over all rounds. Default 500. */
  readonly time?: number;
  /** Least number of calls per task over all rounds, even past `time`. Default 16. */
  readonly iterations?: number;
  /** Interleaved rounds (see the header). Default 5. */
  readonly rounds?: number;
  /** Run each task for a short while before measuring. Default true. */
  readonly warmup?: boolean;
  /** Operations one call performs; rows report single operations. Default 1. */
  readonly perCall?: number;
  /** Title of the table and chart. */
  readonly title?: string;
}

export interface BenchRow {
  readonly name: string;
  /** Median over rounds of the per-round operations per second. */
  readonly opsPerSec: number;
  /** 1e9 ÷ opsPerSec: the mean latency of one operation in the median round. */
  readonly meanNs: number;
  readonly p99Ns: number;
  /** Relative margin of error of the per-round rates' mean, in percent (95%, Student t). */
  readonly rme: number;
  /** Calls timed, over all rounds. */
  readonly samples: number;
  /** Operations per second in each round, in round order. */
  readonly rounds: readonly number[];
  /** opsPerSec / the baseline's opsPerSec: 1 for the baseline, 2 for twice as fast. */
  readonly relative: number;
}

export interface SeriesOptions {
  /** Measuring time per (task, n), in ms, over all rounds. Default 200. */
  readonly time?: number;
  readonly iterations?: number;
  readonly rounds?: number;
  readonly warmup?: boolean;
  /** Operations one call performs at size n (a number or a function of n). Default 1. */
  readonly perCall?: number | ((n: number) => number);
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
  readonly rounds: readonly number[];
}

/**
 * How task a's throughput compares with b's, from paired interleaved rounds: `ratio` is
 * the median of rate(a) ÷ rate(b) per round, [`low`, `high`] the range of those ratios,
 * `clear` false when that range contains 1, and `text` a phrase for prose:
 * "2.1× faster (1.9–2.3×)", "3.0× slower (2.8–3.3×)", "within noise (0.91–1.2×)".
 */
export interface Comparison {
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  readonly clear: boolean;
  readonly text: string;
}

/** Thrown for a bad benchmark definition, or when a task throws while measured. */
export class BenchError extends Error {
  override readonly name = "BenchError";
}

/** "small" for tests and CI, "full" for learners and `npm run bench` (see the header). */
export type BenchSize = "small" | "full";

export function benchSize(env: NodeJS.ProcessEnv = process.env): BenchSize {
  const asked = env["WORKBOOK_BENCH_SIZE"];
  if (asked === "small" || asked === "full") return asked;
  if (asked !== undefined && asked !== "") {
    throw new BenchError(`WORKBOOK_BENCH_SIZE must be "small" or "full", got "${asked}"`);
  }
  return env["VITEST"] || env["CI"] ? "small" : "full";
}

/** Axis labels as 200k, 1.5M: each label on its own ("0", not the shared-precision "0M"). */
const SI_LABEL = "format(datum.value, '~s')";

/** Results of `bench()`: displays as a table; `rows` for computing, `chart()` for drawing. */
export class BenchResult implements Displayable {
  readonly title: string;
  readonly baseline: string;
  readonly rows: readonly BenchRow[];
  /** The measuring time each task got, in ms over all rounds (after the size knob). */
  readonly timeMs: number;

  constructor(title: string, baseline: string, rows: readonly BenchRow[], timeMs = Number.NaN) {
    this.title = title;
    this.baseline = baseline;
    this.rows = rows;
    this.timeMs = timeMs;
  }

  /** The row of one task, or `undefined`. */
  row(name: string): BenchRow | undefined {
    return this.rows.find((row) => row.name === name);
  }

  /** Task a's throughput against b's, round by round (see `Comparison`). */
  compare(a: string, b: string): Comparison {
    return compareRounds(this.#rowOrThrow(a).rounds, this.#rowOrThrow(b).rounds);
  }

  #rowOrThrow(name: string): BenchRow {
    const row = this.row(name);
    if (row === undefined) throw new BenchError(`compare(): no task "${name}" (there are: ${this.rows.map((r) => `"${r.name}"`).join(", ")})`);
    return row;
  }

  /** A horizontal bar chart of ops/s per task, labelled with the comparison to the baseline. */
  chart(): Promise<Chart> {
    const values = this.rows.map((row) => ({
      task: row.name,
      opsPerSec: row.opsPerSec,
      label: this.#relativeText(row),
    }));
    const spec: ChartSpec = {
      title: { text: this.title, subtitle: `operations per second (median of interleaved rounds), higher is better; baseline: ${this.baseline}` },
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

  #relativeText(row: BenchRow): string {
    return row.name === this.baseline ? formatRelative(1, true) : this.compare(row.name, this.baseline).text;
  }

  [MIME_BUNDLE](): MimeBundle {
    return table(
      this.rows.map((row) => ({
        task: row.name,
        "ops/s": formatOps(row.opsPerSec),
        mean: formatNs(row.meanNs),
        p99: formatNs(row.p99Ns),
        "rounds (ops/s)": formatSpread(row.rounds),
        relative: this.#relativeText(row),
      })),
      {
        title: `${this.title} (baseline: ${this.baseline})`,
        limit: Infinity,
        align: { "ops/s": "right", mean: "right", p99: "right", "rounds (ops/s)": "right", relative: "right" },
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

  /** The row of one task at one n, or `undefined`. */
  row(task: string, n: number): SeriesRow | undefined {
    return this.rows.find((r) => r.task === task && r.n === n);
  }

  /** Task a's throughput against b's at size n, round by round (see `Comparison`). */
  compare(a: string, b: string, n: number): Comparison {
    const rowOf = (task: string): SeriesRow => {
      const row = this.row(task, n);
      if (row === undefined) throw new BenchError(`compare(): no measurement of "${task}" at n = ${n} (tasks: ${this.tasks.join(", ")}; n: ${this.ns.join(", ")})`);
      return row;
    };
    return compareRounds(rowOf(a).rounds, rowOf(b).rounds);
  }

  /** Ops/s against n, one line per task; n on a log axis unless `logX: false`. */
  chart(options: { readonly logX?: boolean; readonly logY?: boolean } = {}): Promise<Chart> {
    const logX = (options.logX ?? true) && this.ns.every((n) => n > 0);
    const logY = (options.logY ?? false) && this.rows.every((row) => row.opsPerSec > 0);
    const spec: ChartSpec = {
      title: { text: this.title, subtitle: "operations per second (median of interleaved rounds), higher is better" },
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
        const found = this.row(task, n);
        row[task] = found === undefined ? undefined : formatOps(found.opsPerSec);
      }
      return row;
    });
    const align = Object.fromEntries(this.tasks.map((task) => [task, "right" as const]));
    return table(pivot, { title: `${this.title}: operations per second`, limit: Infinity, align })[MIME_BUNDLE]();
  }
}

/** Measure each task in interleaved rounds; see the module header. */
export async function bench(tasks: Readonly<Record<string, BenchTask>>, options: BenchOptions = {}): Promise<BenchResult> {
  const names = Object.keys(tasks);
  if (names.length === 0) throw new BenchError("bench(): no tasks given; pass an object like { mine: () => …, peer: () => … }");
  for (const name of names) {
    if (typeof tasks[name] !== "function") throw new BenchError(`bench(): task "${name}" is not a function`);
  }
  return benchContenders(names.map((name) => inProcess(name, tasks[name] as BenchTask)), options);
}

/** Measure every task factory at every n, tasks interleaved at each n; see the module header. */
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
  const perCallOf = (n: number) => checkPerCall(typeof options.perCall === "function" ? options.perCall(n) : (options.perCall ?? 1));
  const title = options.title ?? "Throughput against n";

  const bar = maybeProgress(names.length * ns.length, title, settings);
  const rows: SeriesRow[] = [];
  try {
    for (const n of ns) {
      const contenders: Contender[] = [];
      for (const name of names) contenders.push(inProcess(`${name} (n = ${n})`, await buildTask(factories, name, n)));
      const measured = await measureInterleaved(contenders, settings, perCallOf(n), bar);
      measured.forEach((m, i) => rows.push({ task: names[i] as string, n, ...m }));
    }
  } finally {
    bar?.done();
  }
  return new SeriesResult(title, options.nTitle ?? "n", names, [...ns], rows);
}

async function buildTask(factories: Readonly<Record<string, TaskFactory>>, name: string, n: number): Promise<BenchTask> {
  let task: BenchTask;
  try {
    task = await (factories[name] as TaskFactory)(n);
  } catch (error) {
    throw new BenchError(`benchSeries(): factory "${name}" threw for n = ${n}: ${messageOf(error)}`, { cause: error });
  }
  if (typeof task !== "function") {
    throw new BenchError(`benchSeries(): factory "${name}" returned ${typeof task} for n = ${n}, not a task function`);
  }
  return task;
}

// ---------------------------------------------------------------------------------------
// Comparing two tasks

/** The paired comparison of two tasks' per-round rates; see `Comparison`. */
export function compareRounds(a: readonly number[], b: readonly number[]): Comparison {
  if (a.length === 0 || a.length !== b.length) {
    throw new BenchError(`compare(): the two tasks have ${a.length} and ${b.length} rounds; they must come from one run`);
  }
  const ratios = a.map((rate, i) => rate / (b[i] as number)).sort((x, y) => x - y);
  const ratio = median(ratios);
  const low = ratios[0] as number;
  const high = ratios[ratios.length - 1] as number;
  const clear = low > 1 || high < 1;
  return { ratio, low, high, clear, text: comparisonText(ratio, low, high, clear) };
}

function comparisonText(ratio: number, low: number, high: number, clear: boolean): string {
  if (!(Number.isFinite(ratio) && ratio > 0)) return "n/a";
  if (!clear) return `within noise (${formatFactor(low)}–${formatFactor(high)}×)`;
  if (ratio >= 1) return `${formatFactor(ratio)}× faster (${formatFactor(low)}–${formatFactor(high)}×)`;
  return `${formatFactor(1 / ratio)}× slower (${formatFactor(1 / high)}–${formatFactor(1 / low)}×)`;
}

/**
 * Two significant digits below 10, whole numbers above: 0.031, 0.90, 2.0, 33, 250; three
 * or more next to 1 (1.004, not 1.0), so an interval that misses 1 never prints as touching it.
 */
function formatFactor(x: number): string {
  if (x >= 9.95) return String(Math.round(x));
  let digits = 2;
  while (digits < 6 && x !== 1 && Number(x.toPrecision(digits)) === 1) digits++;
  return x.toPrecision(digits);
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// ---------------------------------------------------------------------------------------
// Measuring tasks in interleaved rounds

interface Settings {
  readonly time: number;
  readonly iterations: number;
  readonly rounds: number;
  readonly warmup: boolean;
  readonly warmupTime: number;
}

/**
 * Something that can be timed in slices: a task in this process, or one in a worker
 * thread of its own (`benchIsolated`), so that each contender's code is optimised for it
 * alone.
 */
export interface Contender {
  readonly name: string;
  /** Run for about `ms` so the code is optimised before the first round. */
  warmUp(ms: number): Promise<void>;
  /** Call the task until `ms` have passed and `minCalls` calls were made; push each call's latency (ms) to `into`. */
  slice(ms: number, minCalls: number, into: number[]): Promise<{ readonly calls: number; readonly ms: number }>;
}

function inProcess(name: string, fn: BenchTask): Contender {
  return {
    name,
    warmUp: (ms) => warmUp(name, fn, ms),
    slice: (ms, minCalls, into) => timeSlice(name, fn, ms, minCalls, into),
  };
}

interface Measurement {
  readonly opsPerSec: number;
  readonly meanNs: number;
  readonly p99Ns: number;
  readonly rme: number;
  readonly samples: number;
  readonly rounds: readonly number[];
}

function resolve(time: number, options: { readonly iterations?: number; readonly rounds?: number; readonly warmup?: boolean }): Settings {
  if (!(time > 0) || !Number.isFinite(time)) throw new BenchError(`bench(): time must be a positive number of ms, got ${String(time)}`);
  const iterations = options.iterations ?? 16;
  if (!(iterations >= 1)) throw new BenchError(`bench(): iterations must be ≥ 1, got ${String(iterations)}`);
  const rounds = options.rounds ?? 5;
  if (!Number.isInteger(rounds) || rounds < 1) throw new BenchError(`bench(): rounds must be a whole number ≥ 1, got ${String(rounds)}`);
  const scaled = benchSize() === "small" ? time / 4 : time;
  // A fifth of the measuring time, capped: enough for V8 to optimise a hot loop.
  return { time: scaled, iterations, rounds, warmup: options.warmup ?? true, warmupTime: Math.min(250, scaled / 5) };
}

function checkPerCall(perCall: number): number {
  if (!(perCall > 0) || !Number.isFinite(perCall)) throw new BenchError(`bench(): perCall must be a positive number, got ${String(perCall)}`);
  return perCall;
}

/** Time `contenders` as `bench()` does (interleaved rounds) and return its result; for contenders that are not plain tasks. */
export async function benchContenders(contenders: readonly Contender[], options: BenchOptions = {}): Promise<BenchResult> {
  const names = contenders.map((c) => c.name);
  if (names.length === 0) throw new BenchError("bench(): no contenders given");
  const baseline = options.baseline ?? names[0] ?? "";
  if (!names.includes(baseline)) {
    throw new BenchError(`bench(): baseline "${baseline}" is not one of the tasks (${names.map((n) => `"${n}"`).join(", ")})`);
  }
  const settings = resolve(options.time ?? 500, options);
  const title = options.title ?? "Benchmark";
  const bar = maybeProgress(names.length, title, settings);
  let measured: Measurement[];
  try {
    measured = await measureInterleaved(contenders, settings, checkPerCall(options.perCall ?? 1), bar);
  } finally {
    bar?.done();
  }
  const base = measured[names.indexOf(baseline)] as Measurement;
  return new BenchResult(
    title,
    baseline,
    measured.map((m, i) => ({ name: names[i] as string, ...m, relative: base.opsPerSec > 0 ? m.opsPerSec / base.opsPerSec : Number.NaN })),
    settings.time,
  );
}

async function measureInterleaved(contenders: readonly Contender[], settings: Settings, perCall: number, bar: Progress | undefined): Promise<Measurement[]> {
  if (settings.warmup) {
    for (const c of contenders) await c.warmUp(settings.warmupTime);
  }
  const slice = settings.time / settings.rounds;
  const minCalls = Math.max(1, Math.ceil(settings.iterations / settings.rounds));
  const latencies = contenders.map((): number[] => []);
  const rates = contenders.map((): number[] => []);
  for (let round = 0; round < settings.rounds; round++) {
    // A B C, then C B A: each task is as often early as late in a round.
    const order = contenders.map((_, i) => (round % 2 === 0 ? i : contenders.length - 1 - i));
    for (const i of order) {
      const c = contenders[i] as Contender;
      const spent = await c.slice(slice, minCalls, latencies[i] as number[]);
      (rates[i] as number[])[round] = (spent.calls * perCall * 1e3) / spent.ms;
      bar?.tick();
      await yieldToEventLoop();
    }
  }
  return contenders.map((_, i) => summarise(rates[i] as number[], latencies[i] as number[], perCall));
}

/** Call `fn` until `ms` have passed and `minCalls` calls were made; each call's latency (ms) goes to `into`. */
export async function timeSlice(name: string, fn: BenchTask, ms: number, minCalls: number, into: number[]): Promise<{ calls: number; ms: number }> {
  let calls = 0;
  let spent = 0;
  const started = performance.now();
  try {
    while (calls < minCalls || performance.now() - started < ms) {
      const t0 = performance.now();
      const value = fn();
      if (isPromiseLike(value)) await value;
      const t1 = performance.now();
      into.push(t1 - t0);
      spent += t1 - t0;
      calls++;
    }
  } catch (error) {
    throw taskError(name, error);
  }
  // A task faster than the clock's resolution can show 0 ms: count it as one tick.
  return { calls, ms: spent > 0 ? spent : 1e-6 * calls };
}

function summarise(rates: readonly number[], latencies: number[], perCall: number): Measurement {
  const sortedRates = [...rates].sort((x, y) => x - y);
  const opsPerSec = median(sortedRates);
  latencies.sort((x, y) => x - y);
  const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] as number;
  return {
    opsPerSec,
    meanNs: opsPerSec > 0 ? 1e9 / opsPerSec : Number.POSITIVE_INFINITY,
    p99Ns: (p99 * 1e6) / perCall,
    rme: relativeMarginOfError(rates),
    samples: latencies.length,
    rounds: [...rates],
  };
}

/** Two-sided 95% Student-t quantiles for 1…10 degrees of freedom; 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

function relativeMarginOfError(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  const t = T95[values.length - 2] ?? 1.96;
  return mean > 0 ? (100 * t * Math.sqrt(variance / values.length)) / mean : 0;
}

/** Run the task for `ms` of wall-clock time (and at least 16 times) so V8 optimises it. */
export async function warmUp(name: string, fn: BenchTask, ms: number): Promise<void> {
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

/** A progress bar, one step per timed slice, when the run is expected to take over a second. */
function maybeProgress(measurements: number, label: string, settings: Settings): Progress | undefined {
  const expectedMs = measurements * (settings.time + (settings.warmup ? settings.warmupTime : 0));
  return expectedMs > 1000 ? progress(measurements * settings.rounds, label) : undefined;
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

/** The range of the per-round rates: "1.1M–1.3M". */
function formatSpread(rounds: readonly number[]): string {
  const short = (x: number) => (x >= 1e6 ? `${Number((x / 1e6).toPrecision(3))}M` : x >= 1e3 ? `${Number((x / 1e3).toPrecision(3))}k` : String(Number(x.toPrecision(3))));
  return `${short(Math.min(...rounds))}–${short(Math.max(...rounds))}`;
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
