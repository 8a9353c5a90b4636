/**
 * `npm run grade [-- 00 | 00.1 | path.ipynb] [--json]`
 * Grades the saved notebooks (never modifying them) and prints a scoreboard across the
 * curriculum. The learner's own copy of a notebook (in `my-notebooks/`, made by
 * `npm start`) is graded when it exists, the shipped one otherwise; the scoreboard says
 * which file it read. With `--json`, stdout carries only the JSON document.
 * Exit code 0 whenever grading ran, whatever the score; 2 when it could not.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type GradeReport, GradeReport as Report, gradeSource } from "../grading/grade.js";
import { exerciseIdOf } from "../grading/inject.js";
import { learnerEngine, rememberPassed } from "../grading/learner-pieces.js";
import { type Exercise, ExerciseNotFoundError, allExercises, exerciseIdInSource, findExercise } from "../grading/manifest.js";
import { scoreboard } from "../grading/scoreboard.js";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { NOTEBOOKS_DIR, NotebookNotFoundError, cellSource, readNotebook, resolveNotebook } from "../runner/run-notebook.js";
import { learnerNotebooksDir } from "../workspace.js";
import { fail, parseArgs } from "./args.js";

const HELP = `usage: npm run grade -- [00 | 00.1 | path/to/notebook.ipynb] [--json]`;

function scope(arg: string | undefined): { exercises: Exercise[]; file?: string } {
  if (arg === undefined) return { exercises: allExercises() };
  if (/^\d\d?\.\d+$/.test(arg)) {
    const [nb, n] = arg.split(".") as [string, string];
    return { exercises: [findExercise(`${nb.padStart(2, "0")}.${n}`)] };
  }
  if (/^\d+$/.test(arg)) {
    const prefix = `${arg.padStart(2, "0")}.`;
    const exercises = allExercises().filter((e) => e.id.startsWith(prefix));
    // No exercises: name the notebook (or say there is none) in the error.
    return exercises.length > 0 ? { exercises } : { exercises, file: resolveNotebook(arg) };
  }
  const file = resolveNotebook(arg);
  const prefix = path.basename(file).slice(0, 2);
  const exercises = allExercises().filter((e) => e.id.startsWith(`${prefix}.`));
  return { exercises, file };
}

/** The learner's copy of a notebook when there is one, the shipped notebook otherwise. */
export function notebookToGrade(exercise: Exercise): string {
  const name = `${exercise.notebook}.ipynb`;
  const mine = path.join(learnerNotebooksDir(), name);
  return existsSync(mine) ? mine : path.join(NOTEBOOKS_DIR, name);
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
  const source = cellSource(claims[0]!);
  const report = await gradeSource(exercise.id, source);
  // A pass here is the learner's piece as much as one graded in the notebook: later
  // notebooks, the REPL and the server build on it.
  if (report.status === "passed") rememberPassed(exercise.id, source, report.passed, report.total);
  return report;
}

/** A path as the learner would type it: relative to the checkout when inside it. */
function shown(file: string): string {
  const rel = path.relative(CHECKOUT, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.flags.has("help")) return void console.log(HELP);
  const unknown = [...args.flags].filter((f) => f !== "json");
  if (unknown.length > 0 || args.positionals.length > 1) fail(`unexpected arguments\n${HELP}`);
  const json = args.flags.has("json");
  const { exercises, file } = scope(args.positionals[0]);
  if (exercises.length === 0) fail(file ? `${path.basename(file)} has no exercises` : "there are no exercises to grade");
  // The grader compiles cells as the kernel does, resolving `@workbook/*` from the working
  // directory: inside the checkout, like a notebook's folder.
  process.chdir(CHECKOUT);

  const graded: { report: GradeReport; notebook: string }[] = [];
  let lastNotebook: string | undefined;
  for (const exercise of exercises) {
    const notebook = file ?? notebookToGrade(exercise);
    if (!json && notebook !== lastNotebook) {
      const note = file === undefined && path.dirname(notebook) === NOTEBOOKS_DIR ? ` (the shipped notebook: you have no copy in ${shown(learnerNotebooksDir())})` : "";
      console.log(`Grading ${shown(notebook)}${note}`);
    }
    lastNotebook = notebook;
    graded.push({ report: await gradeFromNotebook(exercise, notebook), notebook });
  }
  const reports = graded.map((g) => g.report);
  const passedTests = reports.reduce((n, r) => n + r.passed, 0);
  const totalTests = reports.reduce((n, r) => n + r.total, 0);
  const passedExercises = reports.filter((r) => r.status === "passed").length;
  if (json) {
    const exercisesJson = graded.map((g) => ({ ...g.report.toJSON(), notebook: g.notebook }));
    const engine = learnerEngine();
    process.stdout.write(`${JSON.stringify({ exercises: exercisesJson, passedExercises, totalExercises: reports.length, passedTests, totalTests, engine }, null, 2)}\n`);
    return;
  }
  const rows = reports.map((r) => ({ id: r.exercise.id, title: r.exercise.title, score: `${r.passed}/${r.total}`, status: r.status }));
  console.log("");
  for (const l of scoreboard(rows)) console.log(l);
  console.log(`Total: ${passedExercises}/${reports.length} exercises pass, ${passedTests}/${totalTests} tests`);
  for (const r of reports.filter((r) => r.problems.length > 0 && (r.status === "suite-changed" || r.status === "crashed"))) {
    console.log(`${r.exercise.id}: ${r.problems[0]!.message}`);
  }
  console.log("\nYour engine: whose code each component runs (later notebooks, the REPL and the server use yours once it passes)");
  const engine = learnerEngine().map((c) => ({ id: c.exercise, title: c.component, score: c.whose, status: c.grade }));
  for (const l of scoreboard(engine, { id: "id", title: "component", score: "whose", status: "last pass" })) console.log(l);
}

main().catch((e: unknown) => {
  if (e instanceof ExerciseNotFoundError || e instanceof NotebookNotFoundError) fail(e.message);
  console.error(e);
  process.exit(2);
});
