/**
 * Grading one exercise
 * ====================
 *   cell source ──prepare──▶ syntax error │ missing symbols │ type error   (reported, no run)
 *                   │ ok
 *                   ▼
 *   build/grading/<id>-…/submission.ts ──▶ vitest, in a fresh process, JSON reporter
 *                   │                        (exercises/vitest.config.ts aliases
 *                   ▼                         `@submission` to that file)
 *   GradeReport: each hidden test passed or failed, with a one-line reason
 *
 * The learner's code runs only in the child process, so nothing it does (a loop, a crash,
 * a `process.exit`) can take down the kernel or the grader. Each test has a time limit
 * (the loop guards); the whole run has a hard one too.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { type Exercise, EXERCISES_DIR, findExercise, suitePath } from "./manifest.js";
import { type Problem, prepare } from "./submission.js";

export type GradeStatus = "passed" | "failed" | "syntax-error" | "type-error" | "missing-symbols" | "crashed" | "duplicate" | "no-cell";

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

  [MIME_BUNDLE](): MimeBundle {
    const hint = this.status !== "passed" ? this.exercise.hints[0] : undefined;
    const lines = [this.summary];
    for (const p of this.problems) lines.push(`  ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
    for (const t of this.tests) lines.push(`  ${t.passed ? "✓" : "✗"} ${t.name}${t.reason ? ` — ${t.reason}` : ""}`);
    if (hint) lines.push(`Hint: ${hint}`);

    const rows = [
      ...this.problems.map((p) => `<tr><td style="color:#b00">✗</td><td>${p.line > 0 ? `line ${p.line}` : ""}</td><td><code>${esc(p.message)}</code></td></tr>`),
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
      (hint ? `<p><b>Hint:</b> ${esc(hint)}</p>` : "") +
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
}

const WORK_ROOT = path.join(CHECKOUT, "build", "grading");

/**
 * How long one hidden test may spend in the learner's loops. Generous on purpose: it only
 * has to tell "never ends" from "slow", and a correct solution on a busy laptop must pass.
 */
export const DEFAULT_TEST_MS = 5000;

/** Grade `source` as the cell of exercise `id`. */
export async function gradeSource(id: string, source: string, options: GradeOptions = {}): Promise<GradeReport> {
  const exercise = findExercise(id);
  const started = performance.now();
  // The work folder sits inside the checkout so that `@workbook/*` resolve as in a notebook.
  const workDir = path.join(WORK_ROOT, `${id}-${randomUUID().slice(0, 8)}`);
  try {
    const prepared = prepare(source, exercise.symbols, workDir);
    if (prepared.kind !== "ok") return new GradeReport(exercise, prepared.kind, [], prepared.problems, performance.now() - started);
    const submission = path.join(workDir, "submission.ts");
    writeFileSync(submission, prepared.module);
    const run = await runSuite(id, submission, workDir, options);
    if (run.kind === "crashed") return new GradeReport(exercise, "crashed", [], [{ line: 0, message: run.message }], performance.now() - started);
    const status = run.tests.length > 0 && run.tests.every((t) => t.passed) ? "passed" : "failed";
    return new GradeReport(exercise, status, run.tests, [], performance.now() - started);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface JsonReport {
  testResults: {
    status: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[];
  }[];
}

type SuiteRun = { kind: "ran"; tests: TestOutcome[] } | { kind: "crashed"; message: string };

function runSuite(id: string, submission: string, workDir: string, options: GradeOptions): Promise<SuiteRun> {
  const suite = suitePath(id);
  if (!existsSync(suite)) return Promise.resolve({ kind: "crashed", message: `exercise ${id} has no hidden suite at ${path.relative(CHECKOUT, suite)}` });
  const outputFile = path.join(workDir, "result.json");
  const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const args = [vitest, "run", "--config", path.join(EXERCISES_DIR, "vitest.config.ts"), "--reporter=json", `--outputFile=${outputFile}`, path.relative(CHECKOUT, suite)];
  const limit = options.runTimeMs ?? 120_000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: CHECKOUT,
      env: { ...process.env, WORKBOOK_SUBMISSION: submission, WORKBOOK_TEST_MS: String(options.testTimeMs ?? DEFAULT_TEST_MS), FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), limit);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return resolve({ kind: "crashed", message: `the tests did not finish within ${limit / 1000} s` });
      if (!existsSync(outputFile)) return resolve({ kind: "crashed", message: `the test run failed before reporting: ${lastLines(stderr)}` });
      resolve(parseReport(JSON.parse(readFileSync(outputFile, "utf8")) as JsonReport));
    });
  });
}

function parseReport(report: JsonReport): SuiteRun {
  const file = report.testResults[0];
  if (!file) return { kind: "crashed", message: "the hidden suite was not found by the test runner" };
  if (file.assertionResults.length === 0) {
    return { kind: "crashed", message: `loading your code failed: ${oneLine(file.message ?? "unknown error")}` };
  }
  return {
    kind: "ran",
    tests: file.assertionResults.map((a) => ({
      name: [...a.ancestorTitles, a.title].join(" › "),
      passed: a.status === "passed",
      ...(a.status === "passed" ? {} : { reason: a.failureMessages.length > 0 ? oneLine(a.failureMessages[0]!) : `test ${a.status}` }),
    })),
  };
}

/** The first meaningful line of an error, without the assertion library's prefix. */
export function oneLine(message: string): string {
  const first = message.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("at ")) ?? message;
  const cleaned = first.replace(/^AssertionError: /, "").replace(/ \/\/ Object\.is equality$/, "");
  return cleaned.length > 240 ? `${cleaned.slice(0, 237)}…` : cleaned;
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-5).join(" | ");
}
