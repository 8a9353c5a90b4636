/**
 * Per-test time limit on the learner's loops. The grader puts a call to the guard at the
 * top of every loop body in the submission; once the test's deadline has passed, every
 * call throws, so even a loop that catches the first error cannot spin on.
 */
import { beforeEach } from "vitest";

class TimeLimitExceeded extends Error {
  override readonly name = "TimeLimitExceeded";
}

// The grader sets the limit (DEFAULT_TEST_MS in kernel-helpers/src/grading/grade.ts).
const limitMs = Number(process.env["WORKBOOK_TEST_MS"] ?? 5000);
let deadline = Number.POSITIVE_INFINITY;
let ticks = 0;

beforeEach(() => {
  deadline = Date.now() + limitMs;
});

(globalThis as Record<string, unknown>)["__workbookLoopGuard"] = () => {
  // Reading the clock on every iteration would slow tight loops; every 1024th call checks.
  if ((++ticks & 1023) === 0 && Date.now() > deadline) {
    throw new TimeLimitExceeded(`your code ran longer than ${limitMs / 1000} s in a loop: is there an infinite loop?`);
  }
};
