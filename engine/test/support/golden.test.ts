/** Tests of test-support's golden-script runner, on a toy stack. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { checkGolden, parseGolden, runGoldenText, type GoldenHandler } from "../../../test-support/golden.js";

/** push x, pop (prints the value or fails), peek, size, fail (throws NotImplemented). */
function stack(): GoldenHandler {
  const items: string[] = [];
  return (c) => {
    switch (c.name) {
      case "push":
        items.push(...c.args);
        return undefined;
      case "pop": {
        const v = items.pop();
        if (v === undefined) throw Object.assign(new Error("the stack is empty"), { name: "DbError", kind: "invalid-state" });
        return v;
      }
      case "size":
        return `size ${items.length}${c.options["label"] ? ` (${c.options["label"]})` : ""}`;
      case "unwritten":
        throw Object.assign(new Error("write me"), { name: "NotImplemented" });
    }
    throw new Error(`unknown command ${c.name}`);
  };
}

const SCRIPT = `# a comment before the first case
push a b
size label=two
---
size 2 (two)

# pops come back last in, first out
pop
pop
---
b
a

pop
---
error DbError (invalid-state): the stack is empty
`;

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("test support: golden scripts", () => {
  test("parses cases: commands with words and key=value options, then the output after ---", () => {
    const { cases } = parseGolden(SCRIPT);
    expect(cases.map((c) => c.commands.map((cmd) => cmd.name))).toEqual([["push", "size"], ["pop", "pop"], ["pop"]]);
    expect(cases[0]!.commands[1]!.options).toEqual({ label: "two" });
    expect(cases[0]!.commands[0]!.args).toEqual(["a", "b"]);
    expect(cases[1]!.expected).toEqual(["b", "a"]);
    expect(cases[1]!.lineNumber).toBe(8);
  });

  test("a script whose outputs agree passes; state carries from case to case; an error is output", () => {
    expect(runGoldenText(SCRIPT, stack()).failure).toBeUndefined();
  });

  test("a mismatch names the file, the line and the command, expected then received, and shows a diff of the case", () => {
    const wrong = SCRIPT.replace("b\na\n", "b\nc\n");
    const failure = runGoldenText(wrong, stack(), "stack.golden").failure!;
    const [first, ...diff] = failure.split("\n");
    expect(first).toBe('stack.golden:9: after "pop": expected "c", received "a"');
    expect(diff).toEqual(["  pop", "  pop", "  ---", "  b", "- c", "+ a"]);
  });

  test("missing and extra output lines are mismatches too", () => {
    expect(runGoldenText("push a\nsize\n---\n", stack()).failure?.split("\n")[0]).toBe('script:2: after "size": expected no more output, received "size 1"');
    expect(runGoldenText("push a\n---\nok\nmore\n", stack()).failure?.split("\n")[0]).toBe('script:1: after "push a": expected "more", received no more output');
  });

  test("a starter's NotImplemented is not output: it fails the run as it is", () => {
    expect(() => runGoldenText("unwritten\n---\nok\n", stack())).toThrow("write me");
  });

  test("a case without --- is refused, naming its line", () => {
    expect(() => parseGolden("push a\n---\nok\n\npop\n", "bad.golden")).toThrow('bad.golden:5: the case has no "---" line');
  });

  test("UPDATE_GOLDEN rewrites the expected parts in place, keeping comments and commands; the file then passes", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "golden-"));
    const file = path.join(dir, "stack.golden");
    const stale = SCRIPT.replace("size 2 (two)", "size 3").replace("b\na\n", "x\n");
    writeFileSync(file, stale);
    expect(() => checkGolden(file, stack)).toThrow('stack.golden:3: after "size label=two": expected "size 3", received "size 2 (two)"');
    checkGolden(file, stack, true);
    expect(readFileSync(file, "utf8")).toBe(SCRIPT);
    expect(() => checkGolden(file, stack)).not.toThrow();
  });
});
