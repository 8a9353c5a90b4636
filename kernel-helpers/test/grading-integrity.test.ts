/**
 * The code being graded cannot change the grading: suites are checked against the digests
 * the build recorded (a changed or deleted suite is reported, not run), and the learner's
 * module runs in a scratch working directory, so relative file writes and deletes in a
 * cell touch nothing in the checkout.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gradeSource } from "../src/grading/grade.js";
import { solutionSource } from "../src/grading/inject.js";
import { DIGESTS_FILE, SuiteIntegrityError, checkSuiteIntact, recordSuiteDigests, suiteFiles } from "../src/grading/suite-digests.js";

const CHECKOUT = path.resolve(__dirname, "../..");

/** A small checkout: two notebooks' suites, the shared files, a test-support helper. */
function fakeCheckout(): { root: string; digests: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "workbook-digests-"));
  const files: Record<string, string> = {
    "exercises/setup.ts": "setup",
    "exercises/vitest.config.ts": "config",
    "exercises/00/manifest.json": "{}",
    "exercises/00/00.1.test.ts": "suite 00.1",
    "exercises/00/00.2.test.ts": "suite 00.2",
    "exercises/03/03.1.test.ts": "suite 03.1",
    "exercises/03/harness.ts": "harness",
    "exercises/test/suites.test.ts": "the repository's own test",
    "test-support/model-check.ts": "model checker",
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  const digests = path.join(root, "digests.json");
  recordSuiteDigests(root, digests);
  return { root, digests };
}

function integrityError(id: string, root: string, digests: string): SuiteIntegrityError | undefined {
  try {
    checkSuiteIntact(id, root, digests);
    return undefined;
  } catch (e) {
    if (e instanceof SuiteIntegrityError) return e;
    throw e;
  }
}

describe("suite digests", () => {
  it("cover every file under exercises/ and test-support/, found by walking, except the repository's own tests", () => {
    const { root } = fakeCheckout();
    expect(suiteFiles(root)).toEqual([
      "exercises/00/00.1.test.ts",
      "exercises/00/00.2.test.ts",
      "exercises/00/manifest.json",
      "exercises/03/03.1.test.ts",
      "exercises/03/harness.ts",
      "exercises/setup.ts",
      "exercises/vitest.config.ts",
      "test-support/model-check.ts",
    ]);
  });

  it("pass when nothing changed, and when only another exercise's files changed", () => {
    const { root, digests } = fakeCheckout();
    expect(integrityError("00.2", root, digests)).toBeUndefined();
    writeFileSync(path.join(root, "exercises/00/00.1.test.ts"), "changed");
    writeFileSync(path.join(root, "exercises/03/harness.ts"), "changed");
    expect(integrityError("00.2", root, digests)).toBeUndefined();
  });

  it("say plainly that a suite was overwritten, deleted, or that a file it uses changed", () => {
    const { root, digests } = fakeCheckout();
    writeFileSync(path.join(root, "exercises/00/00.2.test.ts"), "export {};");
    expect(integrityError("00.2", root, digests)?.message).toMatch(
      /^the hidden suite for 00\.2 was changed on disk: restore it with `git checkout exercises\/`/,
    );
    rmSync(path.join(root, "exercises/00/00.2.test.ts"));
    expect(integrityError("00.2", root, digests)?.message).toMatch(/^the hidden suite for 00\.2 was deleted on disk: restore it with `git checkout exercises\/`/);

    const other = fakeCheckout();
    writeFileSync(path.join(other.root, "test-support/model-check.ts"), "always passes");
    const e = integrityError("03.1", other.root, other.digests);
    expect(e?.message).toMatch(/^test-support\/model-check\.ts, which the hidden suite for 03\.1 uses, was changed on disk: restore it with `git checkout exercises\/ test-support\/`/);
    expect(e?.files).toEqual(["test-support/model-check.ts"]);
  });

  it("were recorded by the build for this checkout's suites", () => {
    expect(existsSync(DIGESTS_FILE)).toBe(true);
    const recorded = Object.keys((JSON.parse(readFileSync(DIGESTS_FILE, "utf8")) as { files: object }).files);
    expect(recorded).toContain("exercises/00/00.2.test.ts");
    expect(recorded).toContain("exercises/setup.ts");
  });
});

describe("grading", () => {
  it("does not run a suite that differs from the recorded one, and says how to restore it", async () => {
    const digests = path.join(mkdtempSync(path.join(os.tmpdir(), "workbook-digests-")), "digests.json");
    const recorded = JSON.parse(readFileSync(DIGESTS_FILE, "utf8")) as { files: Record<string, string> };
    recorded.files["exercises/00/00.2.test.ts"] = "0".repeat(64); // as if the file had been overwritten since the build
    writeFileSync(digests, JSON.stringify(recorded));
    const started = Date.now();
    const report = await gradeSource("00.2", solutionSource("00.2"), { digestsFile: digests });
    expect(report.status).toBe("suite-changed");
    expect(report.total).toBe(0);
    expect(report.problems[0]!.message).toMatch(/^the hidden suite for 00\.2 was changed on disk: restore it with `git checkout exercises\/`/);
    expect(Date.now() - started).toBeLessThan(5000); // nothing ran
  });

  const sentinel = path.join(CHECKOUT, "build", `grading-sentinel-${process.pid}.txt`);
  const marker = `grading-marker-${process.pid}.txt`;
  afterAll(() => {
    rmSync(sentinel, { force: true });
    rmSync(path.join(CHECKOUT, marker), { force: true });
  });

  it("runs the learner's code in a scratch directory: relative writes and deletes miss the checkout", async () => {
    mkdirSync(path.dirname(sentinel), { recursive: true });
    writeFileSync(sentinel, "still here");
    const cell = [
      `import { rmSync, writeFileSync } from "node:fs";`,
      `rmSync(${JSON.stringify(path.relative(CHECKOUT, sentinel))}, { force: true });`,
      `writeFileSync(${JSON.stringify(marker)}, "written by the cell");`,
      solutionSource("00.2"),
    ].join("\n");
    const report = await gradeSource("00.2", cell);
    expect(report.status, JSON.stringify(report.toJSON())).toBe("passed");
    expect(readFileSync(sentinel, "utf8")).toBe("still here");
    expect(existsSync(path.join(CHECKOUT, marker))).toBe(false);
  }, 120_000);
});
