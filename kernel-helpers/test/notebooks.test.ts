/**
 * Every notebook executes top to bottom: under the workbook's runner with the untouched
 * starters and with every exercise replaced by its solution, and under Jupyter's own
 * `jupyter nbconvert --execute`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { solutionInjector } from "../src/grading/inject.js";
import { type Notebook, listNotebooks, runNotebook } from "../src/runner/run-notebook.js";

const notebooks = listNotebooks();
// The learner's remembered pieces (learner-pieces.ts) must not leak into these runs, nor
// these runs into them: every kernel gets an empty state folder of its own.
const kernelEnv = () => ({ ...process.env, WORKBOOK_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), "nb-state-")) });
const JUPYTER = ["/usr/bin/jupyter", "jupyter"].find((j) => spawnSync(j, ["nbconvert", "--version"]).status === 0);

function gradeOutputs(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
  return nb.cells
    .filter((c) => (c.metadata["workbook"] as { grade?: string } | undefined)?.grade)
    .map((c) => String((c.outputs ?? []).map((o) => ("data" in o ? (o.data["text/plain"] as string) : "")).join("")).split("\n")[0]!);
}

it("there is at least the welcome notebook", () => {
  expect(notebooks.map((n) => path.basename(n))).toContain("00-welcome.ipynb");
});

describe.each(notebooks.map((n) => [path.basename(n, ".ipynb"), n] as const))("%s", (_name, file) => {
  it("runs cleanly with the untouched starters, every grade cell reporting failures", async () => {
    const report = await runNotebook(file, { outDir: mkdtempSync(path.join(os.tmpdir(), "nb-starters-")), kernel: { env: kernelEnv() } });
    expect(report.cells.filter((c) => c.status !== "ok")).toEqual([]);
    for (const line of gradeOutputs(report.output)) expect(line).toMatch(/: 0\/\d+ tests pass$/);
  }, 600_000);

  it("runs cleanly with the solutions, every grade cell passing", async () => {
    const report = await runNotebook(file, {
      outDir: mkdtempSync(path.join(os.tmpdir(), "nb-solutions-")),
      transformCell: solutionInjector(),
      kernel: { env: kernelEnv() },
    });
    expect(report.cells.filter((c) => c.status !== "ok")).toEqual([]);
    const grades = gradeOutputs(report.output);
    expect(grades.length).toBeGreaterThan(0);
    for (const line of grades) {
      const [, passed, total] = /: (\d+)\/(\d+) tests pass$/.exec(line) ?? [];
      expect(passed, line).toBe(total);
    }
  }, 600_000);

  it.runIf(JUPYTER !== undefined || process.env["CI"])("runs cleanly under jupyter nbconvert --execute", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "nb-nbconvert-"));
    const run = spawnSync(JUPYTER ?? "jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600", "--output-dir", out, file], {
      encoding: "utf8",
      timeout: 900_000,
      env: kernelEnv(),
    });
    expect(run.status, run.stderr).toBe(0);
    const nb = JSON.parse(readFileSync(path.join(out, path.basename(file)), "utf8")) as Notebook;
    const errors = nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error"));
    expect(errors).toEqual([]);
    const charts = nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => "data" in o && "application/vnd.vegalite.v5+json" in o.data));
    for (const c of charts) expect("data" in c && Object.keys(c.data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/markdown", "text/plain"]);
  }, 900_000);
});
