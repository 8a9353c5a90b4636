/**
 * One compiler for the kernel and the grader: the same cells go to the kernel's compile
 * path (the Executor a notebook runs cells with) and to the grader's type check, and both
 * accept or reject exactly the same ones. Top-level `await` was the case that differed:
 * the kernel ran it and the grader rejected it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Executor } from "../src/kernel/executor.js";
import { prepare, typeCheck } from "../src/grading/submission.js";

const CELLS: Record<string, { readonly source: string; readonly accepted: boolean }> = {
  "top-level await": { source: "const table = await Promise.resolve([1, 2, 3]);\nconst total = table.length;", accepted: true },
  "a type error": { source: "const n: string = 42;", accepted: false },
  "a let redeclared": { source: "let q = 1;\nlet q = 2;", accepted: false },
  "a class with #private fields": { source: "class Counter {\n  #n = 0;\n  next(): number {\n    return ++this.#n;\n  }\n}\nnew Counter().next();", accepted: true },
  "an import from @workbook/engine": { source: 'import { crc32c } from "@workbook/engine";\nconst c: number = crc32c(new Uint8Array([1, 2, 3]));', accepted: true },
  "a wrong import from @workbook/engine": { source: 'import { noSuchThing } from "@workbook/engine";', accepted: false },
  "an exported function (the solutions' style)": { source: "export function twice(x: number): number {\n  return 2 * x;\n}", accepted: true },
  "an untyped parameter (tslab is not strict)": { source: "function id(x) {\n  return x;\n}", accepted: true },
  "an undeclared name": { source: "const y = notDeclaredAnywhere + 1;", accepted: false },
  "a syntax error": { source: "function broken( {\n  return 1;\n}", accepted: false },
};

describe("the kernel and the grader compile cells alike", () => {
  const kernel = new Executor(process.cwd());
  afterAll(() => kernel.close());

  it.each(Object.entries(CELLS))("%s", async (_name, { source, accepted }) => {
    const outcome = await kernel.execute(source);
    const kernelAccepts = outcome.kind !== "compile-error";
    const graderAccepts = typeCheck(source) === undefined;
    expect({ kernelAccepts, graderAccepts }).toEqual({ kernelAccepts: accepted, graderAccepts: accepted });
  });

  it("grades a cell with top-level await: the loop guards go in, the module keeps its await", () => {
    const prepared = prepare("const seed = await Promise.resolve(7);\nfunction f(n: number): number {\n  let s = seed;\n  while (n-- > 0) s++;\n  return s;\n}", ["f"]);
    expect(prepared.kind).toBe("ok");
    const module = prepared.kind === "ok" ? prepared.module : "";
    expect(module).toContain("await Promise.resolve(7)");
    expect(module).toContain("__workbookLoopGuard(4);");
    expect(module).toMatch(/export \{ f \};\n__workbookCheckBuiltins\(\);\n$/);
  });

  it("reports the kernel's line numbers for type errors", () => {
    expect(typeCheck("const a = 1;\n\nconst b: string = a;")).toEqual({
      kind: "type-error",
      problems: [{ line: 3, message: "Type 'number' is not assignable to type 'string'." }],
    });
  });
});
