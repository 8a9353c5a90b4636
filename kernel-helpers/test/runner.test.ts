/**
 * The headless runner: what it writes, and how it fails.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KernelNotFoundError } from "../src/kernel/kernelspec.js";
import { KernelClient } from "../src/runner/kernel-client.js";
import { NotebookNotFoundError, resolveNotebook, runNotebook } from "../src/runner/run-notebook.js";

const CLI = path.resolve(__dirname, "../dist/cli/notebooks.js");

function writeNotebook(dir: string, name: string, cells: string[]): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "database-workbook", display_name: "Database Workbook (TypeScript)", language: "typescript" } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
  };
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(nb));
  return file;
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "workbook-runner-"));
}

describe("runner", () => {
  it("executes every cell and writes the executed copy elsewhere, leaving the source untouched", async () => {
    const dir = tmp();
    const file = writeNotebook(dir, "01-ok.ipynb", ["const a = 20;", "console.log(a + 1)", "a * 2"]);
    const before = readFileSync(file, "utf8");
    const report = await runNotebook(file, { outDir: path.join(dir, "out") });
    expect(report.ok).toBe(true);
    expect(report.cells.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
    expect(readFileSync(file, "utf8")).toBe(before);
    const executed = JSON.parse(readFileSync(report.output, "utf8"));
    expect(report.output).toBe(path.join(dir, "out", "01-ok.ipynb"));
    expect(executed.cells[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "21\n" }]);
    expect(executed.cells[2].outputs[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": "40" }, execution_count: 3 });
  });

  it("stops at the first cell that throws, and runs on with keepGoing", async () => {
    const dir = tmp();
    const file = writeNotebook(dir, "02-throws.ipynb", ["1", 'throw new Error("cell two fails")', "3"]);
    const stopped = await runNotebook(file, { outDir: dir });
    expect(stopped.ok).toBe(false);
    expect(stopped.cells.map((c) => c.status)).toEqual(["ok", "error", "not-run"]);
    expect(stopped.cells[1]!.error).toBe("Error: cell two fails");
    const executed = JSON.parse(readFileSync(stopped.output, "utf8"));
    expect(executed.cells[1].outputs[0]).toMatchObject({ output_type: "error", ename: "Error", evalue: "cell two fails" });

    const kept = await runNotebook(file, { outDir: dir, keepGoing: true });
    expect(kept.cells.map((c) => c.status)).toEqual(["ok", "error", "ok"]);
  });

  it("interrupts a cell that never ends and says which limit it hit", async () => {
    const dir = tmp();
    const file = writeNotebook(dir, "03-loops.ipynb", ["1", "while (true) {}", "3"]);
    const report = await runNotebook(file, { outDir: dir, cellTimeoutMs: 1500 });
    expect(report.cells.map((c) => c.status)).toEqual(["ok", "timeout", "not-run"]);
    expect(report.cells[1]!.error).toBe("Timeout: the cell did not finish within 1.5 s and was interrupted");
    const executed = JSON.parse(readFileSync(report.output, "utf8"));
    expect(executed.cells[2].outputs).toEqual([]);
  });

  it("runs a notebook saved outside the checkout that imports the workbook's packages", async () => {
    const dir = tmp();
    expect(path.relative(path.resolve(__dirname, "../.."), dir).startsWith("..")).toBe(true);
    const file = writeNotebook(dir, "05-elsewhere.ipynb", [
      'import { crc32c } from "@workbook/engine";\nimport { uniformKeys } from "@workbook/datasets";\nimport { MIME_BUNDLE } from "@workbook/helpers";',
      "const next = uniformKeys(1, 10);\n[crc32c(new Uint8Array([1, 2, 3])), typeof next(), typeof MIME_BUNDLE]",
    ]);
    const report = await runNotebook(file, { outDir: path.join(dir, "out") });
    expect(report.cells.map((c) => c.error ?? c.status)).toEqual(["ok", "ok"]);
    const executed = JSON.parse(readFileSync(report.output, "utf8"));
    expect(executed.cells[1].outputs[0]).toMatchObject({ data: { "text/plain": "[ 4046516766, 'number', 'symbol' ]" } });
  });

  it("names the notebooks that exist when none matches", () => {
    expect(() => resolveNotebook("77")).toThrow(NotebookNotFoundError);
    expect(() => resolveNotebook("77")).toThrow(/no notebook matches '77' in .*notebooks \(there are: 00-welcome/);
    expect(() => resolveNotebook("/nowhere/x.ipynb")).toThrow("no notebook at /nowhere/x.ipynb");
  });

  it("says how to register the kernel when it is not registered", async () => {
    const env = { ...process.env, JUPYTER_DATA_DIR: tmp(), JUPYTER_PATH: "" };
    await expect(KernelClient.start({ env })).rejects.toThrow(KernelNotFoundError);
    await expect(KernelClient.start({ env })).rejects.toThrow(/not registered with Jupyter .*run `npm run kernel:install`/);

    const dir = tmp();
    const file = writeNotebook(dir, "04-any.ipynb", ["1"]);
    const cli = spawnSync(process.execPath, [CLI, file], { env, encoding: "utf8" });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("npm run kernel:install");
  });

  it("rejects a missing notebook on the command line with exit code 2", () => {
    const cli = spawnSync(process.execPath, [CLI, "77"], { encoding: "utf8" });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("no notebook matches '77'");
  });
});
