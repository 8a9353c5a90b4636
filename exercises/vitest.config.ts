/**
 * The configuration the grader runs a hidden suite with. `@submission` is the learner's
 * cell turned into a module (see kernel-helpers/src/grading/submission.ts).
 *
 * Each suite file runs in a child process whose heap is capped (WORKBOOK_MEMORY_MB, set by
 * the grader): code that allocates without bound dies in seconds with "heap out of memory",
 * which the grader reports against the test that was running, instead of swapping for
 * minutes until the run's time limit. WORKBOOK_MEMORY_MB=0 lifts the cap: the mutation run
 * does, since Stryker's vitest runner starts its own worker pool, which refuses execArgv.
 */
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(__dirname, "..");
const submission = process.env["WORKBOOK_SUBMISSION"];
if (!submission) throw new Error("WORKBOOK_SUBMISSION must name the module to grade");
// Optional: run one exercise's suite only (the grader and the mutation run set it).
const only = process.env["WORKBOOK_EXERCISE"];
const memoryMb = Number(process.env["WORKBOOK_MEMORY_MB"] ?? 256);

export default defineConfig({
  root,
  // Relative to the checkout, so that a copy of it (Stryker's sandbox) grades its own copy.
  resolve: { alias: { "@submission": path.resolve(root, submission) } },
  test: {
    include: [only ? `exercises/${only.split(".")[0]}/${only}.test.ts` : "exercises/[0-9][0-9]/*.test.ts"],
    setupFiles: [path.resolve(__dirname, "setup.ts")],
    testTimeout: 10_000,
    pool: "forks",
    execArgv: memoryMb > 0 ? [`--max-old-space-size=${memoryMb}`] : [],
    maxWorkers: 1,
    watch: false,
  },
});
