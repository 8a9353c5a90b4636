/**
 * Every hint can be reached: `hint("00.2")` shows the next one each call, a failing report
 * shows the first and says how to get more, hints' `code` spans are HTML code, and the
 * module stays light (no TypeScript, no vitest). Also: the scoreboard's columns line up
 * whatever the titles' lengths.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { MIME_BUNDLE } from "../src/display/bundle.js";
import { GradeReport } from "../src/grading/grade.js";
import { hint } from "../src/grading/hint.js";
import { findExercise } from "../src/grading/manifest.js";
import { scoreboard } from "../src/grading/scoreboard.js";

const CHECKOUT = path.resolve(__dirname, "../..");

beforeEach(() => {
  (globalThis as Record<symbol, Map<string, number> | undefined>)[Symbol.for("workbook.hintsShown")]?.clear();
});

describe("hint()", () => {
  it("shows the next hint on each call, then says there are no more", () => {
    const hints = findExercise("00.2").hints;
    expect(hints).toHaveLength(3);
    const shown = [hint("00.2"), hint("00.2"), hint("00.2"), hint("00.2")].map(String);
    expect(shown[0]).toBe(`Hint 1 of 3 for 00.2: ${hints[0]} (run \`hint("00.2")\` again for hint 2)`);
    expect(shown[1]).toBe(`Hint 2 of 3 for 00.2: ${hints[1]} (run \`hint("00.2")\` again for hint 3)`);
    expect(shown[2]).toBe(`Hint 3 of 3 for 00.2: ${hints[2]} (that was the last one)`);
    expect(shown[3]).toMatch(/^No more hints for 00\.2: you have seen all 3\./);
  });

  it("counts each exercise on its own", () => {
    hint("00.2");
    expect(String(hint("00.1"))).toMatch(/^Hint 1 of 3 for 00\.1: /);
  });

  it("renders `code` spans as HTML code, escaped", () => {
    hint("00.2");
    const html = hint("00.2")[MIME_BUNDLE]()["text/html"];
    expect(html).toContain("Use <code>&gt;&gt;&gt;</code> (unsigned shift), never <code>&gt;&gt;</code>");
    expect(html).not.toContain("`");
  });

  it("is light: loading it loads neither TypeScript nor vitest", () => {
    const script = `require(${JSON.stringify(path.join(CHECKOUT, "kernel-helpers/dist/grading/hint.js"))});
      console.log(Object.keys(require.cache).filter((f) => /typescript|vitest|tslab/.test(f)).length);`;
    expect(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim()).toBe("0");
  });
});

describe("a failing grade report", () => {
  const report = new GradeReport(findExercise("00.2"), "failed", [{ name: "00.2 crc32c › check value", passed: false, reason: "expected 3808858755, received 0" }]);

  it("shows the first hint, says how to get the next, and shows its code spans as code", () => {
    const bundle = report[MIME_BUNDLE]();
    expect(bundle["text/plain"]).toContain(`Hint 1 of 3: ${findExercise("00.2").hints[0]} (run \`hint("00.2")\` for hint 2 of 3)`);
    expect(bundle["text/html"]).toContain("<code>&gt;&gt;&gt; 0</code> turns the result");
    expect(bundle["text/html"]).toContain("<code>hint(\"00.2\")</code>");
    expect(bundle["text/html"]).not.toMatch(/<p><b>Hint[^<]*<\/b>[^<]*`/);
  });

  it("shows a problem's `code` spans as code too", () => {
    const missing = new GradeReport(findExercise("00.2"), "missing-symbols", [], [{ line: 0, message: "the cell does not define `crc32c` at its top level" }]);
    expect(missing[MIME_BUNDLE]()["text/html"]).toContain("the cell does not define <code>crc32c</code> at its top level");
  });

  it("counts as having shown hint 1, so hint() continues with hint 2", () => {
    report[MIME_BUNDLE]();
    expect(String(hint("00.2"))).toMatch(/^Hint 2 of 3 for 00\.2: /);
  });
});

describe("the scoreboard", () => {
  it("sizes its columns from the data, so a long title keeps every row aligned", () => {
    const lines = scoreboard([
      { id: "05.1", title: "Search in a page", score: "9/9", status: "passed" },
      { id: "05.2", title: "Insert with leaf and internal splits", score: "0/13", status: "failed" },
      { id: "05.10", title: "A", score: "10/100", status: "type-error" },
    ]);
    const rows = lines.slice(0, -1);
    const statusColumn = rows.map((l) => l.search(/(status|passed|failed|type-error)$/));
    expect(new Set(statusColumn).size).toBe(1);
    const scoreEnds = rows.map((l) => l.search(/ +(status|passed|failed|type-error)$/));
    expect(new Set(scoreEnds).size).toBe(1);
    expect(lines[2]).toBe("05.2   Insert with leaf and internal splits    0/13  failed");
    expect(lines.at(-1)).toMatch(/^-+$/);
  });
});
