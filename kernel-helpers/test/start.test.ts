/**
 * `npm start`: the learner's own copies of the notebooks (made when missing, never
 * overwritten, updates of the shipped notebook announced) and the Jupyter command line
 * (`--allow-root` as root), all without starting Jupyter.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CHECKOUT } from "../src/kernel/kernelspec.js";
import { copyMissingNotebooks, describeCopies, jupyterArgs, learnerNotebooksDir, learnerStateDir } from "../src/workspace.js";

function notebook(title: string): string {
  return `${JSON.stringify({ cells: [{ cell_type: "markdown", id: "a", metadata: {}, source: [`# ${title} — é`] }], metadata: { kernelspec: { name: "workbook" } }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

function folders(): { shipped: string; learner: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "start-"));
  const shipped = path.join(root, "notebooks");
  mkdirSync(shipped);
  writeFileSync(path.join(shipped, "00-welcome.ipynb"), notebook("Welcome"));
  writeFileSync(path.join(shipped, "01-data-structures.ipynb"), notebook("Data structures"));
  writeFileSync(path.join(shipped, "README.md"), "not a notebook");
  return { shipped, learner: path.join(root, "my-notebooks") };
}

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { cells: unknown[]; metadata: Record<string, unknown> };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the learner's copies of the notebooks", () => {
  it("copies every shipped notebook into a new folder, content unchanged, and says which", () => {
    const { shipped, learner } = folders();
    const copies = copyMissingNotebooks(shipped, learner);
    expect(copies).toEqual({ copied: ["00-welcome.ipynb", "01-data-structures.ipynb"], updated: [], kept: [] });
    expect(readdirSync(learner).sort()).toEqual(["00-welcome.ipynb", "01-data-structures.ipynb"]);
    const copy = read(path.join(learner, "00-welcome.ipynb"));
    expect(copy.cells).toEqual(read(path.join(shipped, "00-welcome.ipynb")).cells);
    expect(copy.metadata["kernelspec"]).toEqual({ name: "workbook" });
    expect(describeCopies(copies, shipped, learner, path.dirname(learner))).toEqual([
      "Copied 2 notebooks into my-notebooks/: 00-welcome.ipynb, 01-data-structures.ipynb",
    ]);
  });

  it("never overwrites the learner's copy, and copies again only a missing one", () => {
    const { shipped, learner } = folders();
    copyMissingNotebooks(shipped, learner);
    const mine = path.join(learner, "00-welcome.ipynb");
    const edited = readFileSync(mine, "utf8").replace("Welcome", "Welcome, with my notes");
    writeFileSync(mine, edited);
    const again = copyMissingNotebooks(shipped, learner);
    expect(again).toEqual({ copied: [], updated: [], kept: ["00-welcome.ipynb", "01-data-structures.ipynb"] });
    expect(readFileSync(mine, "utf8")).toBe(edited);
    expect(describeCopies(again, shipped, learner)).toEqual([]);
    // Outside the folder npm start runs in, paths are absolute rather than ../../…
    expect(describeCopies({ copied: ["00-welcome.ipynb"], updated: [], kept: [] }, shipped, learner, "/nowhere/else")).toEqual([
      `Copied 1 notebook into ${learner}/: 00-welcome.ipynb`,
    ]);
  });

  it("says, in one line with the way to get it, when a shipped notebook changed after the copy was made", () => {
    const { shipped, learner } = folders();
    copyMissingNotebooks(shipped, learner);
    writeFileSync(path.join(shipped, "01-data-structures.ipynb"), notebook("Data structures, second edition"));
    writeFileSync(path.join(shipped, "02-pages-and-files.ipynb"), notebook("Pages"));
    const copies = copyMissingNotebooks(shipped, learner);
    expect(copies).toEqual({ copied: ["02-pages-and-files.ipynb"], updated: ["01-data-structures.ipynb"], kept: ["00-welcome.ipynb"] });
    expect(read(path.join(learner, "01-data-structures.ipynb")).cells).not.toEqual(read(path.join(shipped, "01-data-structures.ipynb")).cells);
    const lines = describeCopies(copies, shipped, learner, path.dirname(learner));
    expect(lines).toEqual([
      "Copied 1 notebook into my-notebooks/: 02-pages-and-files.ipynb",
      "notebooks/01-data-structures.ipynb has changed since your copy was made; to get the new version, move " +
        "my-notebooks/01-data-structures.ipynb into another folder (e.g. my-notebooks/old/) and run npm start again.",
    ]);
  });

  it("keeps a copy it did not make (no stamp, or not JSON) without comment", () => {
    const { shipped, learner } = folders();
    mkdirSync(learner);
    writeFileSync(path.join(learner, "00-welcome.ipynb"), notebook("my own"));
    writeFileSync(path.join(learner, "01-data-structures.ipynb"), "{ half-saved");
    expect(copyMissingNotebooks(shipped, learner)).toEqual({ copied: [], updated: [], kept: ["00-welcome.ipynb", "01-data-structures.ipynb"] });
    expect(readFileSync(path.join(learner, "01-data-structures.ipynb"), "utf8")).toBe("{ half-saved");
  });

  it("lives in <checkout>/my-notebooks by default; WORKBOOK_LEARNER_DIR moves it, and the state with it", () => {
    expect(learnerNotebooksDir({})).toBe(path.join(CHECKOUT, "my-notebooks"));
    expect(learnerStateDir({})).toBe(path.join(CHECKOUT, "my-notebooks", ".workbook"));
    const { shipped, learner } = folders();
    vi.stubEnv("WORKBOOK_LEARNER_DIR", learner);
    expect(learnerNotebooksDir()).toBe(learner);
    expect(learnerStateDir()).toBe(path.join(learner, ".workbook"));
    expect(copyMissingNotebooks(shipped).copied).toHaveLength(2);
    expect(existsSync(path.join(learner, "00-welcome.ipynb"))).toBe(true);
  });

  it("is ignored by git, so pulling a new workbook never conflicts with it", () => {
    const ignored = spawnSync("git", ["check-ignore", "-q", "my-notebooks/00-welcome.ipynb"], { cwd: CHECKOUT });
    expect(ignored.status).toBe(0);
  });
});

describe("the Jupyter command line", () => {
  it("opens the learner's folder, with --allow-root only as root, and the learner's own arguments last", () => {
    expect(jupyterArgs("lab", "/w/my-notebooks", [], false)).toEqual(["lab", "--notebook-dir=/w/my-notebooks"]);
    expect(jupyterArgs("lab", "/w/my-notebooks", ["--port=9999"], true)).toEqual(["lab", "--notebook-dir=/w/my-notebooks", "--allow-root", "--port=9999"]);
    expect(jupyterArgs("notebook", "/w/n", ["--allow-root"], true)).toEqual(["notebook", "--notebook-dir=/w/n", "--allow-root"]);
  });

  it("npm start copies the notebooks, then runs jupyter on them (a stand-in jupyter records its arguments)", () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), "fake-jupyter-"));
    const log = path.join(bin, "args.txt");
    writeFileSync(path.join(bin, "jupyter"), `#!/bin/sh\n[ "$2" = "--version" ] && exit 0\necho "$@" > "${log}"\n`);
    chmodSync(path.join(bin, "jupyter"), 0o755);
    const learner = path.join(mkdtempSync(path.join(os.tmpdir(), "start-cli-")), "mine");
    const run = spawnSync(process.execPath, [path.join(CHECKOUT, "kernel-helpers/dist/cli/start.js"), "--no-browser"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`, WORKBOOK_LEARNER_DIR: learner },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("00-welcome.ipynb");
    expect(existsSync(path.join(learner, "00-welcome.ipynb"))).toBe(true);
    const root = process.getuid?.() === 0 ? " --allow-root" : "";
    expect(readFileSync(log, "utf8").trim()).toBe(`lab --notebook-dir=${learner}${root} --no-browser`);
  });
});
