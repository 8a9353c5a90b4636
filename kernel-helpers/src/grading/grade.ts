/**
 * Grading one exercise
 * ====================
 *   cell source ──prepare──▶ syntax error │ missing symbols │ type error   (reported, no run)
 *                   │ ok                     (the kernel's compiler and options)
 *                   ▼
 *   suite intact? ──no──▶ "the hidden suite for 00.2 was changed on disk: …" (no run)
 *                   │ yes (digests recorded by the build: suite-digests.ts)
 *                   ▼
 *   build/grading/<id>-…/submission.ts ──▶ vitest, in a fresh process, JSON reporter
 *                   │                        (exercises/vitest.config.ts aliases
 *                   ▼                         `@submission` to that file)
 *   GradeReport: each hidden test passed or failed, with a one-line reason
 *
 * The learner's code runs only in the child process, so nothing it does (a loop, a crash,
 * a `process.exit`) can take down the kernel or the grader; its working directory there is
 * a scratch folder outside the checkout. Limits: a time limit per test on its loops (also
 * while the module loads), a heap cap on the test process (an allocation without bound
 * dies in seconds and is reported against the test that was running), and a hard limit on
 * the whole run.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { oneLine } from "./failure-message.js";
import { hintCall, inlineHtml, markHintShown } from "./hint.js";
import { type Exercise, EXERCISES_DIR, findExercise, suitePath } from "./manifest.js";
import { type Problem, prepare } from "./submission.js";
import { DIGESTS_FILE, SuiteIntegrityError, checkSuiteIntact } from "./suite-digests.js";

export { oneLine };

export type GradeStatus =
  | "passed"
  | "failed"
  | "syntax-error"
  | "type-error"
  | "missing-symbols"
  | "crashed"
  | "suite-changed"
  | "duplicate"
  | "no-cell";

export interface TestOutcome {
  readonly name: string;
  readonly passed: boolean;
  /** One line: expected vs received, or what was thrown. Never the test's code. */
  readonly reason?: string;
}

const STATUS_TEXT: Record<GradeStatus, string> = {
  passed: "all tests pass",
  failed: "some tests fail",
  "syntax-error": "syntax error: the cell does not parse",
  "type-error": "type error: the cell does not type-check",
  "missing-symbols": "the cell does not define what the exercise asks for",
  crashed: "the tests could not run",
  "suite-changed": "the hidden suite was changed on disk: not graded",
  duplicate: "two cells claim this exercise",
  "no-cell": "no cell holds this exercise",
};

export class GradeReport {
  constructor(
    readonly exercise: Exercise,
    readonly status: GradeStatus,
    readonly tests: readonly TestOutcome[],
    readonly problems: readonly Problem[] = [],
    readonly ms = 0,
  ) {}

  get passed(): number {
    return this.tests.filter((t) => t.passed).length;
  }

  get total(): number {
    return this.tests.length;
  }

  get summary(): string {
    const counts = this.total > 0 ? `${this.passed}/${this.total} tests pass` : STATUS_TEXT[this.status];
    return `Exercise ${this.exercise.id} · ${this.exercise.title}: ${counts}`;
  }

  toJSON(): object {
    return { id: this.exercise.id, title: this.exercise.title, status: this.status, passed: this.passed, total: this.total, tests: this.tests, problems: this.problems };
  }

  /** The hint the report shows, if any: the first, since the code is not there yet. */
  get hint(): string | undefined {
    const helps = this.status !== "passed" && this.status !== "suite-changed" && this.status !== "duplicate" && this.status !== "no-cell";
    return helps ? this.exercise.hints[0] : undefined;
  }

  [MIME_BUNDLE](): MimeBundle {
    const hint = this.hint;
    const id = this.exercise.id;
    const total = this.exercise.hints.length;
    const more = total > 1 ? `run \`${hintCall(id)}\` for hint 2 of ${total}` : "";
    if (hint !== undefined) markHintShown(id, 1);
    const lines = [this.summary];
    for (const p of this.problems) lines.push(`  ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
    for (const t of this.tests) lines.push(`  ${t.passed ? "✓" : "✗"} ${t.name}${t.reason ? ` — ${t.reason}` : ""}`);
    if (hint !== undefined) lines.push(`Hint 1 of ${total}: ${hint}${more ? ` (${more})` : ""}`);

    const rows = [
      ...this.problems.map((p) => `<tr><td style="color:#b00">✗</td><td>${p.line > 0 ? `line ${p.line}` : ""}</td><td style="text-align:left">${inlineHtml(p.message)}</td></tr>`),
      ...this.tests.map(
        (t) =>
          `<tr><td style="color:${t.passed ? "#080" : "#b00"}">${t.passed ? "✓" : "✗"}</td><td style="text-align:left">${esc(t.name)}</td>` +
          `<td style="text-align:left"><code>${esc(t.reason ?? "")}</code></td></tr>`,
      ),
    ];
    const colour = this.status === "passed" ? "#080" : "#b00";
    const html =
      `<div><p style="font-weight:bold;color:${colour}">${esc(this.summary)}${this.total === 0 ? "" : ` — ${esc(STATUS_TEXT[this.status])}`}</p>` +
      `<table><tbody>${rows.join("")}</tbody></table>` +
      (hint !== undefined ? `<p><b>Hint 1 of ${total}:</b> ${inlineHtml(hint)}${more ? ` <i>(${inlineHtml(more)})</i>` : ""}</p>` : "") +
      `</div>`;
    return { "text/html": html, "text/plain": lines.join("\n") };
  }
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface GradeOptions {
  /** Per-test limit on the learner's loops, in ms; default DEFAULT_TEST_MS. */
  readonly testTimeMs?: number;
  /** Hard limit on the whole vitest run, in ms. */
  readonly runTimeMs?: number;
  /** Heap cap of the test process, in MB; default DEFAULT_MEMORY_MB. */
  readonly memoryMb?: number;
  /** The digests the suites are checked against (tests point it elsewhere). */
  readonly digestsFile?: string;
}

const WORK_ROOT = path.join(CHECKOUT, "build", "grading");

/**
 * How long one hidden test may spend in the learner's loops. Generous on purpose: it only
 * has to tell "never ends" from "slow", and a correct solution on a busy laptop must pass.
 */
export const DEFAULT_TEST_MS = 5000;

/**
 * The heap of the process that runs a suite, in MB. Vitest and the engine take about 100,
 * and every reference solution passes its suite with 160. Code that allocates without
 * bound reaches the cap in seconds: a growing array of arrays in 2–7 s; the slowest case
 * measured, `new Array(2 ** 31).fill(0)`, in 6 s on a quiet machine (25 s at 512 MB).
 */
export const DEFAULT_MEMORY_MB = 256;

/** Grade `source` as the cell of exercise `id`. */
export async function gradeSource(id: string, source: string, options: GradeOptions = {}): Promise<GradeReport> {
  const exercise = findExercise(id);
  const started = performance.now();
  const report = (status: GradeStatus, tests: readonly TestOutcome[], problems: readonly Problem[] = []) =>
    new GradeReport(exercise, status, tests, problems, performance.now() - started);
  try {
    checkSuiteIntact(id, CHECKOUT, options.digestsFile ?? DIGESTS_FILE);
  } catch (e) {
    if (!(e instanceof SuiteIntegrityError)) throw e;
    return report("suite-changed", [], [{ line: 0, message: e.message }]);
  }
  const prepared = prepare(source, exercise.symbols);
  if (prepared.kind !== "ok") return report(prepared.kind, [], prepared.problems);
  // The work folder sits inside the checkout so that `@workbook/*` resolve as in a notebook;
  // the learner's code runs with a scratch folder outside it as its working directory.
  const workDir = path.join(WORK_ROOT, `${id}-${randomUUID().slice(0, 8)}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "workbook-scratch-"));
  try {
    mkdirSync(workDir, { recursive: true });
    const submission = path.join(workDir, "submission.ts");
    writeFileSync(submission, prepared.module);
    const run = await runSuite(id, submission, workDir, scratch, options);
    if (run.kind === "crashed") return report("crashed", [], [{ line: 0, message: run.message }]);
    return report(run.tests.length > 0 && run.tests.every((t) => t.passed) ? "passed" : "failed", run.tests);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface JsonReport {
  testResults: {
    status: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

type SuiteRun = { kind: "ran"; tests: TestOutcome[] } | { kind: "crashed"; message: string };

/** What the test process left behind when it ended. */
export interface RunEvidence {
  readonly stderr: string;
  /** The tests that started, in order, as "suite > test" (exercises/setup.ts appends them). */
  readonly started: readonly string[];
  readonly memoryMb: number;
}

function runSuite(id: string, submission: string, workDir: string, scratch: string, options: GradeOptions): Promise<SuiteRun> {
  const suite = suitePath(id);
  const outputFile = path.join(workDir, "result.json");
  const progressFile = path.join(workDir, "progress.txt");
  const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const args = [vitest, "run", "--config", path.join(EXERCISES_DIR, "vitest.config.ts"), "--reporter=json", `--outputFile=${outputFile}`, path.relative(CHECKOUT, suite)];
  const limit = options.runTimeMs ?? 120_000;
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: CHECKOUT,
      env: {
        ...process.env,
        WORKBOOK_SUBMISSION: submission,
        WORKBOOK_EXERCISE: id,
        WORKBOOK_TEST_MS: String(options.testTimeMs ?? DEFAULT_TEST_MS),
        WORKBOOK_MEMORY_MB: String(memoryMb),
        WORKBOOK_SCRATCH: scratch,
        WORKBOOK_PROGRESS: progressFile,
        VITE_CONFIG_NATIVE_IGNORE_WARNING: "true",
        FORCE_COLOR: "0",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), limit);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return resolve({ kind: "crashed", message: `the tests did not finish within ${limit / 1000} s` });
      const started = existsSync(progressFile) ? readFileSync(progressFile, "utf8").split("\n").filter((l) => l !== "") : [];
      const evidence: RunEvidence = { stderr, started, memoryMb };
      if (!existsSync(outputFile)) return resolve({ kind: "crashed", message: crashReason(evidence) ?? `the test run failed before reporting: ${lastLines(stderr)}` });
      resolve(parseReport(JSON.parse(readFileSync(outputFile, "utf8")) as JsonReport, evidence));
    });
  });
}

/** The heap cap was hit (V8 aborts the process with this message). */
function outOfMemory(stderr: string): boolean {
  return /JavaScript heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY/.test(stderr);
}

function outOfMemoryMessage(memoryMb: number, where = ""): string {
  return `OutOfMemory: your code used more than the ${memoryMb} MB the tests may use${where}: does something grow without bound?`;
}

/** Why the test process died, when it says so. */
function crashReason(evidence: RunEvidence): string | undefined {
  if (!outOfMemory(evidence.stderr)) return undefined;
  const last = evidence.started[evidence.started.length - 1];
  return outOfMemoryMessage(evidence.memoryMb, last !== undefined ? ` in the test "${last.replaceAll(" > ", " › ")}"` : " while your cell's top level ran");
}

export function parseReport(report: JsonReport, evidence: RunEvidence): SuiteRun {
  const file = report.testResults[0];
  if (!file) return { kind: "crashed", message: "the hidden suite was not found by the test runner" };
  if (file.assertionResults.length === 0 || (outOfMemory(evidence.stderr) && evidence.started.length === 0)) {
    const reason = crashReason(evidence) ?? (file.message ? oneLine(file.message) : lastLines(evidence.stderr) || "no reason given");
    return { kind: "crashed", message: `loading your code failed: ${reason}` };
  }
  // When the process died, the test that was running is the one to blame; the tests after
  // it never ran.
  const killer = outOfMemory(evidence.stderr) ? evidence.started[evidence.started.length - 1] : undefined;
  return {
    kind: "ran",
    tests: file.assertionResults.map((a) => {
      const name = [...a.ancestorTitles, a.title].join(" › ");
      if (a.status === "passed") return { name, passed: true };
      if (killer !== undefined && a.status === "pending") {
        const killed = [...a.ancestorTitles, a.title].join(" > ") === killer;
        const reason = killed ? outOfMemoryMessage(evidence.memoryMb) : `not run: the test process ran out of memory in "${killer.replaceAll(" > ", " › ")}"`;
        return { name, passed: false, reason };
      }
      return { name, passed: false, reason: a.failureMessages.length > 0 ? oneLine(a.failureMessages[0]!) : `test ${a.status}` };
    }),
  };
}
function lastLines(text: string): string {
  return text.trim().split("\n").slice(-5).join(" | ");
}
