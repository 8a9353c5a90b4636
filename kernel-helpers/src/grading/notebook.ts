/**
 * Grading from inside a notebook
 * ==============================
 * `await grade("00.1")` grades the code most recently executed in the exercise's cell
 * (the cell whose first line is `// Exercise 00.1 …`) and shows the report. A pass is
 * remembered for that exact source, in this kernel and on disk (learner-pieces.ts), so
 * `choose()` can hand later cells the learner's code once it passes and the engine's
 * reference until then, and later notebooks can build on it (`yours()`), each saying
 * which one it used. `myEngine()` shows the whole picture.
 *
 * The grader (grade.ts: TypeScript, vitest's process) is loaded by the first `grade()`
 * call, not when a notebook imports `@workbook/helpers`: most cells never grade.
 */
import { executedCells } from "../display/bundle.js";
import { table, type Table } from "../display/table.js";
import type { GradeReport } from "./grade.js";
import { learnerEngine, rememberPassed, savedPiece, sourceDigest, yours } from "./learner-pieces.js";
import { exerciseIdInSource, findExercise } from "./manifest.js";

const PASSED = Symbol.for("workbook.passedExercises");

function passedSources(): Map<string, string> {
  const g = globalThis as Record<symbol, unknown>;
  g[PASSED] ??= new Map<string, string>();
  return g[PASSED] as Map<string, string>;
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
  const { GradeReport, gradeSource } = await import("./grade.js");
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
  if (report.status === "passed") {
    passedSources().set(id, sourceDigest(source));
    rememberPassed(id, source, report.passed, report.total);
  } else {
    passedSources().delete(id);
  }
  return report;
}

/**
 * True when the code last run in the exercise's cell is the code that passed its grade, in
 * this kernel or in an earlier one (the remembered pass has the same source).
 */
export function passes(id: string): boolean {
  const { source } = latestSource(id);
  if (source === undefined) return false;
  const digest = sourceDigest(source);
  return passedSources().get(id) === digest || savedPiece(id)?.digest === digest;
}

/**
 * The learner's implementation when exercise `id` passes, the engine's otherwise, with a
 * line saying which. `learner` is a thunk so a cell that was never run costs nothing. Both
 * are typed as the contract `T` (`choose<engine.BufferPoolConstructor>(…)`).
 *
 * The piece is handed out as it is, not wrapped as `yours()` wraps pieces from earlier
 * notebooks: in its own notebook the cells measure it (a wrapper would add ~10 ns to every
 * call of a buffer-pool hit), and an error's stack points at the cell just above.
 */
export function choose<T>(id: string, learner: () => T, reference: T, name = "it"): T {
  if (passes(id)) {
    console.log(`Using your ${name} (exercise ${id} passes).`);
    return learner();
  }
  // The exercise cell has not run in this kernel (say, after a restart, the learner went
  // on from below it): the learner's remembered pass, if any, is still theirs.
  if (latestSource(id).source === undefined && savedPiece(id) !== undefined) return yours(id, reference, name);
  console.log(`Using the engine's reference ${name}: exercise ${id} has not passed its grade cell yet.`);
  return reference;
}

/**
 * The learner's engine as a table: every component, whose code it is (yours once its
 * exercise passed, in any notebook; the reference until then) and its grade. The same
 * rows as plain data: `learnerEngine()`.
 */
export function myEngine(): Table {
  const rows = learnerEngine();
  const mine = rows.filter((r) => r.whose === "yours").length;
  return table(
    rows.map((r) => ({
      exercise: r.exercise,
      component: r.component,
      whose: r.whose === "yours" ? "yours" : "the engine's",
      grade: r.grade,
      notebook: r.notebook,
    })),
    { title: `Your engine: ${mine} of ${rows.length} pieces are yours` },
  );
}
