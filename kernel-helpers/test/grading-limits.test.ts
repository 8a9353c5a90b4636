/**
 * Failures in graded code are fast and say what happened: an endless loop at the top level
 * of the cell stops in seconds with `TimeLimitExceeded` naming its line; an allocation
 * without bound hits the test process's heap cap in seconds and is reported against the
 * test that ran it; a replaced built-in is named (and put back, so later tests run).
 */
import { describe, expect, it } from "vitest";
import { type GradeReport, type JsonReport, gradeSource, parseReport } from "../src/grading/grade.js";

const HEADER = "// Exercise 00.2 · CRC-32C: write crc32c.\n";
const STUB = "function crc32c(bytes: Uint8Array, previous = 0): number {\n  return 0;\n}\n";

async function timed(source: string): Promise<{ report: GradeReport; seconds: number }> {
  const started = Date.now();
  const report = await gradeSource("00.2", source);
  return { report, seconds: (Date.now() - started) / 1000 };
}

describe("limits on graded code", () => {
  it("stops an endless loop at the cell's top level within seconds, naming its line", async () => {
    const { report, seconds } = await timed(`${HEADER}${STUB}let spins = 0;\nwhile (true) {\n  spins++;\n}\n`);
    expect(report.status).toBe("crashed");
    expect(report.problems[0]!.message).toBe(
      "loading your code failed: TimeLimitExceeded: your code ran longer than 5 s in the loop at line 6 of your cell while the cell's top level ran: is there an infinite loop?",
    );
    expect(seconds).toBeLessThan(40);
  }, 120_000);

  it("gives the tests after one that ran out of time a second each, so an endless loop fails a suite quickly", async () => {
    const cell = `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  let crc = previous;\n  for (let i = 0; i < bytes.length; ) crc ^= bytes[i];\n  return crc;\n}\n`;
    const { report, seconds } = await timed(cell);
    const loop = (s: number) => `TimeLimitExceeded: your code ran longer than ${s} s in the loop at line 4 of your cell: is there an infinite loop?`;
    const timedOut = report.tests.filter((t) => t.reason?.startsWith("TimeLimitExceeded"));
    expect(timedOut.length).toBeGreaterThan(3);
    expect(timedOut.map((t) => t.reason)).toEqual([loop(5), ...timedOut.slice(1).map(() => loop(1))]);
    expect(seconds).toBeLessThan(5 + timedOut.length + 25);
  }, 120_000);

  it("fails an allocation without bound within seconds, as out of memory, against the test that ran it", async () => {
    const cell = `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  const kept: number[][] = [];\n  for (;;) kept.push(new Array(1e6).fill(previous));\n}\n`;
    const { report, seconds } = await timed(cell);
    expect(report.status).toBe("failed");
    const [first, ...rest] = report.tests;
    expect(first!.reason).toMatch(/^OutOfMemory: your code used more than the 256 MB the tests may use/);
    for (const t of rest) expect(t.reason).toBe(`not run: the test process ran out of memory in "${first!.name}"`);
    expect(seconds).toBeLessThan(60);
  }, 120_000);

  it("names a built-in the cell replaced instead of failing with no reason", async () => {
    const { report } = await timed(`${HEADER}Array.prototype.push = function () {\n  return 0;\n};\n${STUB}`);
    expect(report.status).toBe("crashed");
    expect(report.problems[0]!.message).toBe(
      "loading your code failed: BuiltinReplaced: your code replaced the built-in Array.prototype.push: the tests need the real one (the kernel puts it back after the cell, and says so)",
    );
  }, 120_000);

  it("puts back a built-in replaced during a test, so the tests after it run normally", async () => {
    const cell = [
      HEADER + `import { crc32c as reference } from "@workbook/engine";`,
      `let broke = false;`,
      `function crc32c(bytes: Uint8Array, previous = 0): number {`,
      `  if (!broke) {`,
      `    broke = true;`,
      `    Math.max = () => 0;`,
      `  }`,
      `  return reference(bytes, previous);`,
      `}`,
    ].join("\n");
    const { report } = await timed(cell);
    const failed = report.tests.filter((t) => !t.passed);
    expect(failed.map((t) => t.reason)).toEqual([
      "BuiltinReplaced: your code replaced the built-in Math.max: the tests need the real one (the kernel puts it back after the cell, and says so)",
    ]);
    expect(report.passed).toBe(report.total - 1);
  }, 120_000);
});

describe("reading a run that went wrong", () => {
  const file = (message: string, tests: JsonReport["testResults"][number]["assertionResults"] = []): JsonReport => ({
    testResults: [{ status: "failed", message, assertionResults: tests }],
  });

  it("gives the process's last words when loading failed without a message", () => {
    const run = parseReport(file(""), { stderr: "warming up\nError: Cannot find module 'left-pad'\n", started: [], memoryMb: 256 });
    expect(run).toEqual({ kind: "crashed", message: "loading your code failed: warming up | Error: Cannot find module 'left-pad'" });
  });

  it("says the cell ran out of memory while it loaded, when no test had started", () => {
    const stderr = "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory";
    const pending = [{ ancestorTitles: ["00.2 crc32c"], title: "gives 0", fullName: "00.2 crc32c gives 0", status: "pending", failureMessages: [] }];
    expect(parseReport(file("", pending), { stderr, started: [], memoryMb: 256 })).toEqual({
      kind: "crashed",
      message: "loading your code failed: OutOfMemory: your code used more than the 256 MB the tests may use while your cell's top level ran: does something grow without bound?",
    });
  });
});
