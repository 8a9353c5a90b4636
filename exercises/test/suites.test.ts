/**
 * The hidden suites are real: for every exercise, the reference solution passes every
 * test, and the untouched starter in the committed notebook fails every test.
 */
import { describe, expect, it } from "vitest";
import { gradeSource } from "../../kernel-helpers/src/grading/grade.js";
import { exerciseIdOf, solutionSource } from "../../kernel-helpers/src/grading/inject.js";
import { allExercises } from "../../kernel-helpers/src/grading/manifest.js";
import { cellSource, readNotebook } from "../../kernel-helpers/src/runner/run-notebook.js";
import path from "node:path";

const NOTEBOOKS = path.resolve(__dirname, "../../notebooks");

function starter(id: string, notebook: string): string {
  const cells = readNotebook(path.join(NOTEBOOKS, `${notebook}.ipynb`)).cells.filter((c) => exerciseIdOf(c) === id);
  expect(cells, `exactly one cell of ${notebook} holds exercise ${id}`).toHaveLength(1);
  return cellSource(cells[0]!);
}

describe.each(allExercises().map((e) => [e.id, e] as const))("exercise %s", (id, exercise) => {
  it("the reference solution passes every hidden test", async () => {
    const report = await gradeSource(id, solutionSource(id));
    expect(report.status, JSON.stringify(report.toJSON(), null, 1)).toBe("passed");
    expect(report.total).toBeGreaterThanOrEqual(5);
  }, 600_000);

  it("the untouched starter fails every hidden test, loudly", async () => {
    const source = starter(id, exercise.notebook);
    expect(source).toContain(`new NotImplemented("${id}"`);
    const report = await gradeSource(id, source);
    expect(report.status).toBe("failed");
    expect(report.passed, report.tests.filter((t) => t.passed).map((t) => t.name).join(", ")).toBe(0);
    // Loudly: each test fails on the NotImplemented the starter throws (tests that expect a
    // particular error type see the wrong type instead).
    for (const t of report.tests) expect(t.reason).toMatch(/^NotImplemented: |^expected error to be instance of /);
    expect(report.tests.some((t) => t.reason?.startsWith(`NotImplemented: `))).toBe(true);
  }, 600_000);
});
