/**
 * The configuration the grader runs a hidden suite with. `@submission` is the learner's
 * cell turned into a module (see kernel-helpers/src/grading/submission.ts).
 */
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(__dirname, "..");
const submission = process.env["WORKBOOK_SUBMISSION"];
if (!submission) throw new Error("WORKBOOK_SUBMISSION must name the module to grade");
// Optional: run one exercise's suite only (the mutation run sets it; the grader names the file).
const only = process.env["WORKBOOK_EXERCISE"];

export default defineConfig({
  root,
  // Relative to the checkout, so that a copy of it (Stryker's sandbox) grades its own copy.
  resolve: { alias: { "@submission": path.resolve(root, submission) } },
  test: {
    include: [only ? `exercises/${only.split(".")[0]}/${only}.test.ts` : "exercises/[0-9][0-9]/*.test.ts"],
    setupFiles: [path.resolve(__dirname, "setup.ts")],
    testTimeout: 10_000,
    pool: "forks",
    maxWorkers: 1,
    watch: false,
  },
});
