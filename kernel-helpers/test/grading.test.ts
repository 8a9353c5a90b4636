/**
 * Grading saved notebooks with `npm run grade`: every way a learner's cell can go wrong
 * gives its own readable result, the notebook is never modified, and two cells claiming
 * one exercise are reported.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exerciseIdOf, solutionSource } from "../src/grading/inject.js";
import { type Notebook, cellSource } from "../src/runner/run-notebook.js";

const CHECKOUT = path.resolve(__dirname, "../..");
const CLI = path.join(CHECKOUT, "kernel-helpers/dist/cli/grade.js");
const WELCOME = path.join(CHECKOUT, "notebooks/00-welcome.ipynb");

const HEADER = "// Exercise 00.2 · CRC-32C: write crc32c.\n";
const variants: Record<string, string> = {
  syntax: `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  return (bytes.length\n}`,
  type: `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  const n: string = bytes.length;\n  return 0;\n}`,
  exception: `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  throw new Error("forgot the table");\n}`,
  loop: `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  let crc = previous;\n  for (let i = 0; i < bytes.length; ) crc ^= bytes[i];\n  return crc;\n}`,
  wrong: `${HEADER}function crc32c(bytes: Uint8Array, previous = 0): number {\n  let crc = previous;\n  for (const b of bytes) crc = (crc + b) >>> 0;\n  return crc;\n}`,
};

/** A copy of the welcome notebook, named like it, with exercise 00.2's cell replaced. */
function notebookWith(source: string, extra?: (nb: Notebook) => void): string {
  const nb = JSON.parse(readFileSync(WELCOME, "utf8")) as Notebook;
  for (const cell of nb.cells) if (exerciseIdOf(cell) === "00.2") cell.source = source;
  extra?.(nb);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "workbook-grade-")), "00-welcome.ipynb");
  writeFileSync(file, JSON.stringify(nb));
  return file;
}

interface Graded {
  exercises: { id: string; status: string; passed: number; total: number; tests: { name: string; passed: boolean; reason?: string }[]; problems: { line: number; message: string }[] }[];
}

function gradeJson(file: string, exercise = "00.2"): Graded["exercises"][number] {
  const out = execFileSync(process.execPath, [CLI, file, "--json"], { encoding: "utf8", cwd: CHECKOUT });
  const graded = JSON.parse(out) as Graded;
  return graded.exercises.find((e) => e.id === exercise)!;
}

describe("npm run grade", () => {
  it("gives five distinct, readable results for five kinds of mistake", () => {
    const results = Object.fromEntries(Object.entries(variants).map(([k, src]) => [k, gradeJson(notebookWith(src))]));

    expect(results["syntax"]).toMatchObject({ status: "syntax-error", total: 0 });
    expect(results["syntax"]!.problems[0]).toEqual({ line: 4, message: "')' expected." });

    expect(results["type"]).toMatchObject({ status: "type-error", total: 0 });
    expect(results["type"]!.problems[0]).toEqual({ line: 3, message: "Type 'number' is not assignable to type 'string'." });

    expect(results["exception"]).toMatchObject({ status: "failed", passed: 0 });
    expect(results["exception"]!.tests.every((t) => t.reason === "Error: forgot the table")).toBe(true);

    expect(results["loop"]).toMatchObject({ status: "failed" });
    expect(results["loop"]!.tests.filter((t) => !t.passed).map((t) => t.reason)).toContain(
      "TimeLimitExceeded: your code ran longer than 5 s in the loop at line 4 of your cell: is there an infinite loop?",
    );

    expect(results["wrong"]).toMatchObject({ status: "failed" });
    const checkValue = results["wrong"]!.tests.find((t) => t.name.includes('"123456789"'))!;
    expect(checkValue).toEqual({ name: '00.2 crc32c › gives the standard check value for "123456789"', passed: false, reason: "expected 3808858755, received 477" });

    const firstReasons = Object.values(results).map((r) => r!.problems[0]?.message ?? r!.tests.find((t) => !t.passed)?.reason);
    expect(new Set(firstReasons).size).toBe(5);
  }, 900_000);

  it("never modifies the notebook it grades", () => {
    const file = notebookWith(variants["wrong"]!);
    const before = readFileSync(file, "utf8");
    gradeJson(file);
    expect(readFileSync(file, "utf8")).toBe(before);
  }, 300_000);

  it("reports two cells claiming one exercise instead of grading either", () => {
    const file = notebookWith(variants["wrong"]!, (nb) => {
      const cell = nb.cells.find((c) => exerciseIdOf(c) === "00.2")!;
      nb.cells.push({ ...cell, id: "copy" });
    });
    const graded = gradeJson(file);
    expect(graded.status).toBe("duplicate");
    expect(graded.problems[0]!.message).toBe("2 cells in 00-welcome.ipynb claim exercise 00.2; keep one");
  }, 300_000);

  it("prints a scoreboard of the shipped notebook when the learner has no copy, and exits 0 whatever the score", () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "workbook-learner-"));
    const out = execFileSync(process.execPath, [CLI, "00"], { encoding: "utf8", cwd: CHECKOUT, env: { ...process.env, WORKBOOK_LEARNER_DIR: empty } });
    expect(out).toMatch(/^Grading notebooks\/00-welcome\.ipynb \(the shipped notebook: you have no copy in /m);
    expect(out).toMatch(/^00\.1 +Log record header codec +0\/\d+ +failed$/m);
    expect(out).toMatch(/^00\.2 +CRC-32C checksum +0\/\d+ +failed$/m);
    expect(out).toMatch(/^Total: 0\/2 exercises pass, 0\/\d+ tests$/m);
  }, 300_000);

  it("grades the learner's copy in my-notebooks/ when there is one, and `npm run grade -- 00 --json` prints only JSON", () => {
    const learnerDir = mkdtempSync(path.join(os.tmpdir(), "workbook-learner-"));
    const copy = path.join(learnerDir, "00-welcome.ipynb");
    writeFileSync(copy, readFileSync(notebookWith(`${HEADER}${solutionSource("00.2")}`), "utf8"));
    const stdout = execFileSync("npm", ["run", "grade", "--", "00", "--json"], {
      encoding: "utf8",
      cwd: CHECKOUT,
      env: { ...process.env, WORKBOOK_LEARNER_DIR: learnerDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const graded = JSON.parse(stdout) as Graded & { exercises: { notebook: string }[] };
    const crc = graded.exercises.find((e) => e.id === "00.2")!;
    expect(crc).toMatchObject({ status: "passed", notebook: copy });
    expect(graded.exercises.find((e) => e.id === "00.1")).toMatchObject({ status: "failed", passed: 0, notebook: copy });
  }, 300_000);

  it("exits 2 with the reason when it cannot run", () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [CLI, "00.9"], { encoding: "utf8", cwd: CHECKOUT, stdio: "pipe" });
    } catch (e) {
      failure = e as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toContain("there is no exercise '00.9' (there are: 00.1, 00.2");
  });

  it("keeps the welcome notebook's exercise cells starting with their header", () => {
    const nb = JSON.parse(readFileSync(WELCOME, "utf8")) as Notebook;
    const ids = nb.cells.map((c) => exerciseIdOf(c)).filter(Boolean);
    expect(ids).toEqual(["00.1", "00.2"]);
    for (const c of nb.cells.filter((c) => exerciseIdOf(c))) expect(cellSource(c)).toMatch(/^\/\/ Exercise 00\.\d/);
  });
});
