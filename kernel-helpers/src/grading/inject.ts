/**
 * Exercise cells and their reference solutions
 * =============================================
 * An exercise cell carries its id in the cell metadata, `{"workbook": {"exercise": "00.1"}}`;
 * its reference answer is `solutions/<notebook number>/<id>.ts`, written exactly as a
 * learner would write the cell. Running a notebook "with solutions" swaps each exercise
 * cell's source for that file.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";
import type { NbCell } from "../runner/run-notebook.js";

export const SOLUTIONS_DIR = path.join(CHECKOUT, "solutions");

/** The exercise id a cell claims, if any. */
export function exerciseIdOf(cell: Pick<NbCell, "metadata">): string | undefined {
  const wb = cell.metadata["workbook"] as { exercise?: unknown } | undefined;
  return typeof wb?.exercise === "string" ? wb.exercise : undefined;
}

export function solutionPath(id: string): string {
  return path.join(SOLUTIONS_DIR, id.split(".")[0]!, `${id}.ts`);
}

/**
 * The solution as a learner would write the cell. A solution is a link to the engine's own
 * module (one implementation per algorithm), and engine modules import their neighbours by
 * relative path; a cell imports the same names from the package, so those imports point
 * at `@workbook/engine` here.
 */
export function solutionSource(id: string): string {
  const file = solutionPath(id);
  if (!existsSync(file)) throw new Error(`exercise ${id} has no reference solution at ${path.relative(CHECKOUT, file)}`);
  return readFileSync(file, "utf8").replace(/(\bfrom\s+)(["'])\.{1,2}\/[^"']+\2/g, '$1"@workbook/engine"');
}

/** A `transformCell` for the runner that puts every exercise's solution in its cell. */
export function solutionInjector(): (cell: NbCell, source: string) => string | undefined {
  return (cell) => {
    const id = exerciseIdOf(cell);
    // The header line is how grade() recognises the cell in the kernel's history.
    return id === undefined ? undefined : `// Exercise ${id} (reference solution)\n${solutionSource(id)}`;
  };
}
