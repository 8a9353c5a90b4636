/**
 * The learner's workspace
 * =======================
 * The workbook's own files (notebooks/, exercises/, engine/) change when the learner pulls
 * a new version; the learner's work must not. So the learner works elsewhere, in folders
 * that git ignores:
 *
 *   <checkout>/my-notebooks/            the learner's copies of the notebooks, made by
 *                                       `npm start` on first start (a missing one is copied
 *                                       again; an existing one is never overwritten)
 *   <checkout>/my-notebooks/.workbook/  what the workbook remembers for the learner: the
 *                                       pieces that passed their grade, so later notebooks,
 *                                       the REPL and the server build on them
 *
 * Both can be moved with environment variables (tests point them at temporary folders):
 * WORKBOOK_LEARNER_DIR and WORKBOOK_STATE_DIR.
 */
import path from "node:path";
import { CHECKOUT } from "./kernel/kernelspec.js";

/** The workbook's pristine notebooks, as shipped. */
export const SHIPPED_NOTEBOOKS_DIR = path.join(CHECKOUT, "notebooks");

/** Where the learner's own copies of the notebooks live. */
export function learnerNotebooksDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["WORKBOOK_LEARNER_DIR"] || path.join(CHECKOUT, "my-notebooks");
}

/** Where the workbook keeps the learner's state (passed pieces). */
export function learnerStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["WORKBOOK_STATE_DIR"] || path.join(learnerNotebooksDir(env), ".workbook");
}
