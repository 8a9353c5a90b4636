/**
 * Grading from inside a notebook
 * ==============================
 * `await grade("00.1")` grades the code most recently executed in the exercise's cell
 * (the cell whose first line is `// Exercise 00.1 …`) and shows the report. A pass is
 * remembered for that exact source, so `choose()` can hand later cells the learner's code
 * once it passes and the engine's reference until then, saying which one it used.
 */
import { createHash } from "node:crypto";
import { executedCells } from "../display/bundle.js";
import { GradeReport, gradeSource } from "./grade.js";
import { exerciseIdInSource, findExercise } from "./manifest.js";

const PASSED = Symbol.for("workbook.passedExercises");

function passedSources(): Map<string, string> {
  const g = globalThis as Record<symbol, unknown>;
  g[PASSED] ??= new Map<string, string>();
  return g[PASSED] as Map<string, string>;
}

function digest(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

function latestSource(id: string): { source?: string; cells: number } {
  const runs = (executedCells() ?? []).filter((c) => exerciseIdInSource(c.source) === id);
  const ids = new Set(runs.map((r) => r.cellId).filter((c) => c !== undefined));
  const last = runs[runs.length - 1];
  return { ...(last ? { source: last.source } : {}), cells: ids.size };
}

export async function grade(id: string): Promise<GradeReport> {
  const exercise = findExercise(id);
  if (executedCells() === undefined) {
    throw new Error("grade() needs the workbook kernel; outside Jupyter, run `npm run grade`");
  }
  const { source, cells } = latestSource(id);
  if (source === undefined) {
    return new GradeReport(exercise, "no-cell", [], [
      { line: 0, message: `run the exercise cell first (its first line is \`// Exercise ${id}\`), then this grade cell` },
    ]);
  }
  if (cells > 1) {
    return new GradeReport(exercise, "duplicate", [], [
      { line: 0, message: `${cells} different cells start with \`// Exercise ${id}\`: keep one (a copy-pasted cell keeps the header)` },
    ]);
  }
  const report = await gradeSource(id, source);
  if (report.status === "passed") passedSources().set(id, digest(source));
  else passedSources().delete(id);
  return report;
}

/** True when the code last run in the exercise's cell is the code that passed its grade. */
export function passes(id: string): boolean {
  const { source } = latestSource(id);
  return source !== undefined && passedSources().get(id) === digest(source);
}

/**
 * The learner's implementation when exercise `id` passes, the engine's otherwise, with a
 * line saying which. `learner` is a thunk so a cell that was never run costs nothing.
 * The result has the reference's type: a learner's class is never the same TypeScript
 * type as the engine's (`#private` fields are nominal), and passing the hidden suite is
 * what shows it behaves as one.
 */
export function choose<T>(id: string, learner: () => unknown, reference: T, name = "it"): T {
  if (passes(id)) {
    console.log(`Using your ${name} (exercise ${id} passes).`);
    return learner() as T;
  }
  console.log(`Using the engine's reference ${name}: exercise ${id} has not passed its grade cell yet.`);
  return reference;
}
