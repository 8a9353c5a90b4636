/**
 * Jupyter's own kernel conformance suite, jupyter_kernel_test (Debian package
 * python3-jupyter-kernel-test), run against the registered workbook kernel. The samples
 * it needs are real TypeScript, in conformance/test_workbook_kernel.py.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const PYTHON = "/usr/bin/python3";
const SUITE = path.join(__dirname, "conformance", "test_workbook_kernel.py");
const available = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import jupyter_kernel_test"]).status === 0;

describe.runIf(available || process.env["CI"])("jupyter_kernel_test", () => {
  it("passes every test that applies to a TypeScript kernel", () => {
    const run = spawnSync(PYTHON, [SUITE, "-v"], { cwd: path.resolve(__dirname, "../../notebooks"), encoding: "utf8", timeout: 240_000 });
    const log = `${run.stdout}\n${run.stderr}`;
    const results = [...log.matchAll(/^(test_\w+) \(.*?\) \.\.\. (ok|FAIL|ERROR|skipped.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(results.length, log).toBeGreaterThanOrEqual(12);
    expect(run.status, log).toBe(0);
    // The one skip is documented in the suite: TypeScript has no pager.
    expect(results.filter(([, r]) => r!.startsWith("skipped")).map(([t]) => t)).toEqual(["test_pager"]);
    expect(log).toMatch(/^OK \(skipped=1\)$/m);
  });
});
