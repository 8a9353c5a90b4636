/**
 * The configuration the grader runs a hidden suite with. `@submission` is the learner's
 * cell turned into a module (see kernel-helpers/src/grading/submission.ts).
 */
import path from "node:path";
import { defineConfig } from "vitest/config";

const submission = process.env["WORKBOOK_SUBMISSION"];
if (!submission) throw new Error("WORKBOOK_SUBMISSION must name the module to grade");

export default defineConfig({
  root: path.resolve(__dirname, ".."),
  resolve: { alias: { "@submission": submission } },
  test: {
    include: ["exercises/[0-9][0-9]/*.test.ts"],
    setupFiles: [path.resolve(__dirname, "setup.ts")],
    testTimeout: 10_000,
    pool: "forks",
    maxWorkers: 1,
    watch: false,
  },
});
