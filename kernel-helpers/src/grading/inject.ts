/**
 * Exercise cells and their reference solutions
 * =============================================
 * An exercise cell carries its id in the cell metadata, `{"workbook": {"exercise": "00.1"}}`.
 * Its reference answer is the engine's own module for that piece, named by the manifest's
 * `solution` field (`"solution": "engine/src/storage/clock-replacer.ts"`): one source of
 * truth per algorithm, and no symbolic links, which a Windows checkout turns into text
 * files. Running a notebook "with solutions" swaps each exercise cell's source for that
 * module, its relative imports pointed at `@workbook/engine` as a cell's are;
 * `solutions/README.md` says where to look for them.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";
import type { NbCell } from "../runner/run-notebook.js";
import { type Exercise, findExercise } from "./manifest.js";

/** The exercise id a cell claims, if any. */
export function exerciseIdOf(cell: Pick<NbCell, "metadata">): string | undefined {
  const wb = cell.metadata["workbook"] as { exercise?: unknown } | undefined;
  return typeof wb?.exercise === "string" ? wb.exercise : undefined;
}

/** The engine module that is exercise `id`'s reference solution (the manifest's `solution`). */
export function solutionPath(id: string): string {
  // The manifest is JSON: its type says `solution` is there, the file may not.
  const { solution } = findExercise(id) as Partial<Exercise>;
  if (typeof solution !== "string") {
    throw new Error(`exercise ${id} names no reference solution: add "solution": "engine/src/…" to its manifest`);
  }
  return path.join(CHECKOUT, solution);
}

/**
 * An engine module's import and export declarations that name a neighbour by relative path
 * (`from "./replacer.js"`, across lines for a long import list): a cell imports the same
 * names from the package.
 */
const RELATIVE_FROM = /^((?:import|export)\b[^;]*?\bfrom\s+)(["'])\.{1,2}\/[^"']+\2/gm;

/** The solution as a learner would write the cell. */
export function solutionSource(id: string): string {
  const file = solutionPath(id);
  if (!existsSync(file)) throw new Error(`exercise ${id} has no reference solution at ${path.relative(CHECKOUT, file)}`);
  return readFileSync(file, "utf8").replace(RELATIVE_FROM, '$1"@workbook/engine"');
}

/** A `transformCell` for the runner that puts every exercise's solution in its cell. */
export function solutionInjector(): (cell: NbCell, source: string) => string | undefined {
  return (cell) => {
    const id = exerciseIdOf(cell);
    // The header line is how grade() recognises the cell in the kernel's history, and how
    // it knows not to remember the pass as the learner's.
    return id === undefined ? undefined : `// Exercise ${id} (reference solution)\n${solutionSource(id)}`;
  };
}
