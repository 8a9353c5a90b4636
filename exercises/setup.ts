/**
 * What every hidden-suite run starts with
 * =======================================
 * This file runs in the test process before the suite imports the learner's module. It
 * sets the limits the grader promises (kernel-helpers/src/grading/grade.ts sets the values
 * through the environment):
 *
 *   - a scratch working directory (WORKBOOK_SCRATCH), so a relative `rmSync("exercises/…")`
 *     in graded code touches a throwaway folder, not the checkout;
 *   - a time limit on the learner's loops: the grader puts `__workbookLoopGuard(line)` at
 *     the top of every loop body; once the deadline has passed every call throws, so even
 *     a loop that catches the first error cannot spin on. The clock starts when this file
 *     loads, so a loop at the top level of the cell is caught while the module loads, and
 *     restarts before each test (with a shorter limit once a test has run out of time);
 *   - the name of each test as it starts, appended to WORKBOOK_PROGRESS, so that when the
 *     process dies (out of memory) the grader can say which test killed it;
 *   - built-ins kept whole: a cell that replaces `Array.prototype.push` breaks the test
 *     runner itself. The submission calls `__workbookCheckBuiltins()` as its last statement
 *     and every test checks again afterwards: a replaced built-in is put back and reported.
 *
 * And one thing for readable reports: chai prints whole values in its messages (its default
 * cuts them at 40 characters); the grader shortens them, keeping both sides.
 */
import { appendFileSync } from "node:fs";
import { afterEach, beforeEach, chai } from "vitest";
import { BuiltinGuard } from "@workbook/helpers/dist/kernel/builtins.js";

chai.config.truncateThreshold = 0;

const scratch = process.env["WORKBOOK_SCRATCH"];
if (scratch) process.chdir(scratch);

class TimeLimitExceeded extends Error {
  override readonly name = "TimeLimitExceeded";
}

class BuiltinReplaced extends Error {
  override readonly name = "BuiltinReplaced";
}

// The grader sets the limit (DEFAULT_TEST_MS in kernel-helpers/src/grading/grade.ts). Once
// one test has run out of time the code is known to loop, and the tests after it get a
// second each, so a suite of seventy tests ends in a minute and a half, not six.
const firstLimitMs = Number(process.env["WORKBOOK_TEST_MS"] ?? 5000);
const laterLimitMs = Math.min(firstLimitMs, 1000);
let limitMs = firstLimitMs;
let deadline = Date.now() + limitMs;
let ticks = 0;
const progress = process.env["WORKBOOK_PROGRESS"];

// Until the first test starts, the learner's module is loading: an error then reaches the
// report as a bare message, without its name, so the name goes into the message.
let loading = true;

beforeEach((context) => {
  loading = false;
  if (progress) appendFileSync(progress, `${context.task.fullTestName ?? context.task.name}\n`);
  deadline = Date.now() + limitMs;
});

function named(name: string, message: string): string {
  return loading ? `${name}: ${message}` : message;
}

const globals = globalThis as Record<string, unknown>;

globals["__workbookLoopGuard"] = (line?: number) => {
  // Reading the clock on every iteration would slow tight loops; every 1024th call checks.
  if ((++ticks & 1023) === 0 && Date.now() > deadline) {
    const where = line === undefined ? "a loop" : `the loop at line ${line} of your cell`;
    const when = loading ? " while the cell's top level ran" : "";
    const limit = limitMs;
    limitMs = laterLimitMs;
    throw new TimeLimitExceeded(named("TimeLimitExceeded", `your code ran longer than ${limit / 1000} s in ${where}${when}: is there an infinite loop?`));
  }
};

// One implementation of "put the built-ins back": the kernel's, which checks the same
// built-ins after every cell (kernel-helpers/src/kernel/builtins.ts), through the built
// package: Stryker's sandbox finds no tests when setup reaches into kernel-helpers/src.
const pristine = new BuiltinGuard();

/** Put back every built-in the learner's code replaced or deleted, and say which. */
function checkBuiltins(): void {
  const repair = pristine.repair();
  if (repair === undefined) return;
  const names = [...repair.restored, ...repair.lost];
  const list = `${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`;
  throw new BuiltinReplaced(
    named("BuiltinReplaced", `your code replaced the built-in ${list}: the tests need the real one (the kernel puts it back after the cell, and says so)`),
  );
}

globals["__workbookCheckBuiltins"] = checkBuiltins;
afterEach(checkBuiltins);
