/**
 * `npm run grade [-- 00 | 00.1 | path.ipynb] [--json]`
 * Grades the saved notebooks (never modifying them) and prints a scoreboard across the
 * curriculum. Exit code 0 whenever grading ran, whatever the score; 2 when it could not.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type GradeReport, GradeReport as Report, gradeSource } from "../grading/grade.js";
import { exerciseIdOf } from "../grading/inject.js";
import { type Exercise, ExerciseNotFoundError, allExercises, exerciseIdInSource, findExercise } from "../grading/manifest.js";
import { NOTEBOOKS_DIR, NotebookNotFoundError, cellSource, readNotebook, resolveNotebook } from "../runner/run-notebook.js";
import { fail, parseArgs } from "./args.js";

const HELP = `usage: npm run grade -- [00 | 00.1 | path/to/notebook.ipynb] [--json]`;

function scope(arg: string | undefined): { exercises: Exercise[]; file?: string } {
  if (arg === undefined) return { exercises: allExercises() };
  if (/^\d\d?\.\d+$/.test(arg)) {
    const [nb, n] = arg.split(".") as [string, string];
    return { exercises: [findExercise(`${nb.padStart(2, "0")}.${n}`)] };
  }
  const file = resolveNotebook(arg);
  const prefix = path.basename(file).slice(0, 2);
  const exercises = allExercises().filter((e) => e.id.startsWith(`${prefix}.`));
  return { exercises, file };
}

async function gradeFromNotebook(exercise: Exercise, file: string): Promise<GradeReport> {
  const nb = readNotebook(file);
  const claims = nb.cells.filter(
    (c) => c.cell_type === "code" && (exerciseIdOf(c) === exercise.id || exerciseIdInSource(cellSource(c)) === exercise.id),
  );
  if (claims.length === 0) return new Report(exercise, "no-cell", [], [{ line: 0, message: `no cell in ${path.basename(file)} holds exercise ${exercise.id}` }]);
  if (claims.length > 1) {
    return new Report(exercise, "duplicate", [], [
      { line: 0, message: `${claims.length} cells in ${path.basename(file)} claim exercise ${exercise.id}; keep one` },
    ]);
  }
  return gradeSource(exercise.id, cellSource(claims[0]!));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.flags.has("help")) return void console.log(HELP);
  const unknown = [...args.flags].filter((f) => f !== "json");
  if (unknown.length > 0 || args.positionals.length > 1) fail(`unexpected arguments\n${HELP}`);
  const json = args.flags.has("json");
  const { exercises, file } = scope(args.positionals[0]);
  if (exercises.length === 0) fail(file ? `${path.basename(file)} has no exercises` : "there are no exercises to grade");

  const reports: GradeReport[] = [];
  for (const exercise of exercises) {
    const notebook = file ?? path.join(NOTEBOOKS_DIR, `${exercise.notebook}.ipynb`);
    const report = await gradeFromNotebook(exercise, notebook);
    reports.push(report);
    if (!json) console.log(`${exercise.id.padEnd(6)} ${exercise.title.padEnd(34)} ${`${report.passed}/${report.total}`.padStart(6)}  ${report.status}`);
  }
  const passedTests = reports.reduce((n, r) => n + r.passed, 0);
  const totalTests = reports.reduce((n, r) => n + r.total, 0);
  const passedExercises = reports.filter((r) => r.status === "passed").length;
  if (json) {
    console.log(JSON.stringify({ exercises: reports.map((r) => r.toJSON()), passedExercises, totalExercises: reports.length, passedTests, totalTests }, null, 2));
  } else {
    console.log(`${"".padEnd(41, "-")} ${"-".repeat(6)}  ------`);
    console.log(`Total: ${passedExercises}/${reports.length} exercises pass, ${passedTests}/${totalTests} tests`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof ExerciseNotFoundError || e instanceof NotebookNotFoundError) fail(e.message);
  console.error(e);
  process.exit(2);
});
