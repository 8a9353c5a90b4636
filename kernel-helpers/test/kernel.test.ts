/**
 * The workbook kernel over the real protocol: a test client starts it from its kernel
 * spec and talks ZeroMQ to it, exactly as Jupyter does.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../src/runner/kernel-client.js";

const NOTEBOOKS = path.resolve(__dirname, "../../notebooks");
let kernel: KernelClient;

beforeAll(async () => {
  kernel = await KernelClient.start({ cwd: NOTEBOOKS });
});
afterAll(async () => {
  await kernel?.shutdown();
});

function types(messages: { header: { msg_type: string } }[]): string[] {
  return messages.map((m) => m.header.msg_type);
}

describe("execute", () => {
  it("returns the last expression as execute_result, after execute_input", async () => {
    const r = await kernel.execute("const answer: number = 6 * 7;\nanswer");
    expect(r.reply["status"]).toBe("ok");
    expect(types(r.messages)).toEqual(["status", "execute_input", "execute_result", "status"]);
    expect(r.outputs).toEqual([expect.objectContaining({ output_type: "execute_result", data: { "text/plain": "42" } })]);
  });

  it("keeps state between cells", async () => {
    const r = await kernel.execute("answer + 1");
    expect(r.outputs[0]).toMatchObject({ data: { "text/plain": "43" } });
  });

  it("sends a value's own MIME bundle as one execute_result", async () => {
    const r = await kernel.execute(
      'const v = { [Symbol.for("workbook.mimeBundle")]() { return { "text/html": "<b>hi</b>", "text/plain": "hi" }; } };\nv',
    );
    expect(r.outputs).toEqual([
      expect.objectContaining({ output_type: "execute_result", data: { "text/html": "<b>hi</b>", "text/plain": "hi" } }),
    ]);
  });

  it("resolves an object shorthand that names an earlier cell's variable", async () => {
    const r = await kernel.execute("const pair = { answer, other: 1 };\n({ answer }).answer + pair.answer");
    expect(r.reply["status"]).toBe("ok");
    expect(r.outputs[0]).toMatchObject({ data: { "text/plain": "84" } });
  });

  it("shows nothing for a cell ending in a statement or undefined", async () => {
    expect((await kernel.execute("let nothing = undefined;")).outputs).toEqual([]);
    expect((await kernel.execute("nothing")).outputs).toEqual([]);
  });

  it("streams stdout and stderr in order", async () => {
    const r = await kernel.execute('console.log("one"); console.error("two"); console.log("three")');
    expect(r.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "one\n" },
      { output_type: "stream", name: "stderr", text: "two\n" },
      { output_type: "stream", name: "stdout", text: "three\n" },
    ]);
  });

  it("sends a lone UTF-16 surrogate as U+FFFD, so Jupyter can write the notebook as UTF-8", async () => {
    const r = await kernel.execute('console.log("half \\ud800 a character"); "\\udc00"');
    expect(r.outputs[0]).toEqual({ output_type: "stream", name: "stdout", text: "half \ufffd a character\n" });
    // A result is shown through util.inspect, which already escapes it: '\udc00'.
    expect(r.outputs[1]).toMatchObject({ data: { "text/plain": "'\\udc00'" } });
  });

  it("supports top-level await", async () => {
    const r = await kernel.execute("await new Promise((r) => setTimeout(() => r(5), 20))");
    expect(r.outputs[0]).toMatchObject({ data: { "text/plain": "5" } });
  });
});

describe("errors", () => {
  it("reports a runtime error as an error message pointing at the cell line, and survives", async () => {
    const r = await kernel.execute('function explode() {\n  throw new RangeError("too far");\n}\nexplode();');
    expect(r.reply).toMatchObject({ status: "error", ename: "RangeError", evalue: "too far" });
    const errors = r.outputs.filter((o) => o.output_type === "error");
    expect(errors).toHaveLength(1);
    expect(r.outputs).toHaveLength(1);
    const tb = (r.reply["traceback"] as string[]).join("\n");
    expect(tb).toContain('cell line 2 in explode:  throw new RangeError("too far");');
    expect(tb).toContain("cell line 4");
    expect(tb).not.toContain("kernel-helpers/dist/kernel");
    expect((await kernel.execute("answer")).outputs[0]).toMatchObject({ data: { "text/plain": "42" } });
  });

  it("reports a type error with the line, the code and a caret", async () => {
    const r = await kernel.execute('const n: number = 1;\nconst s: string = n;');
    expect(r.reply).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(r.reply["evalue"])).toContain("Type 'number' is not assignable to type 'string'. (line 2)");
    const tb = r.reply["traceback"] as string[];
    expect(tb).toContain("  const s: string = n;");
    expect(tb.some((l) => l.includes("^"))).toBe(true);
  });

  it("reports a syntax error as SyntaxError", async () => {
    const r = await kernel.execute("const = 3;");
    expect(r.reply).toMatchObject({ status: "error", ename: "SyntaxError" });
  });

  it("reports a thrown non-Error value", async () => {
    const r = await kernel.execute('throw "plain string"');
    expect(String(r.reply["evalue"])).toContain("plain string");
  });

  it("survives a promise rejected after its cell finished", async () => {
    await kernel.execute('setTimeout(() => Promise.reject(new Error("late")), 0); 1');
    await new Promise((r) => setTimeout(r, 100));
    expect(kernel.alive).toBe(true);
    expect((await kernel.execute("2 + 2")).outputs[0]).toMatchObject({ data: { "text/plain": "4" } });
  });
});

describe("cells that would break the kernel", () => {
  it("refuses process.exit, process.abort and process.kill of its own process, keeping the kernel and its variables", async () => {
    await kernel.execute("const kept = 7;");
    for (const code of ["process.exit(1)", "process.abort()", "process.kill(process.pid)", 'process.kill(process.pid, "SIGKILL")']) {
      const r = await kernel.execute(code);
      expect(r.reply, code).toMatchObject({ status: "error", ename: "ProcessExitRefused" });
      expect(String(r.reply["evalue"]), code).toMatch(/would stop the kernel and lose every variable; throw an error instead/);
    }
    expect(kernel.alive).toBe(true);
    expect((await kernel.execute("kept")).outputs[0]).toMatchObject({ data: { "text/plain": "7" } });
  });

  it("puts back a built-in a cell replaced, says which, and later cells compile and run", async () => {
    const r = await kernel.execute("Array.prototype.push = function () { return 0; };\n1");
    expect(r.reply["status"]).toBe("ok");
    const note = r.outputs.find((o) => o.output_type === "stream" && o.name === "stderr");
    expect(note).toMatchObject({ text: expect.stringContaining("replaced or deleted built-in Array.prototype.push") });
    expect(note).toMatchObject({ text: expect.stringContaining("The kernel has put the original back") });
    const next = await kernel.execute("const xs: number[] = [];\nxs.push(1, 2);\nxs.length");
    expect(next.outputs).toEqual([expect.objectContaining({ data: { "text/plain": "2" } })]);
  });

  it("puts back a built-in deleted by a timer between cells, before the next cell compiles", async () => {
    await kernel.execute("setTimeout(() => { delete (Map.prototype as any).get; }, 0);");
    await new Promise((r) => setTimeout(r, 100));
    const r = await kernel.execute("new Map([[1, 'one']]).get(1)");
    expect(r.outputs[0]).toMatchObject({ name: "stderr", text: expect.stringContaining("Map.prototype.get") });
    expect(r.outputs[1]).toMatchObject({ data: { "text/plain": "'one'" } });
  });

  it("says a restart is needed when a replaced built-in was made read-only", async () => {
    const r = await kernel.execute(
      "const hypot = Math.hypot;\n" +
        'Object.defineProperty(Math, "hypot", { value: (...a: number[]) => hypot(...a), writable: false, configurable: false });',
    );
    expect(r.outputs[0]).toMatchObject({
      name: "stderr",
      text: expect.stringMatching(/changed built-in Math\.hypot so that it cannot be put back .*restart the kernel/s),
    });
    // Said once: later cells are not told again.
    expect((await kernel.execute("1")).outputs).toEqual([expect.objectContaining({ data: { "text/plain": "1" } })]);
  });
});

describe("display", () => {
  it("sends multi-MIME display_data and updates it in place by display id", async () => {
    const r = await kernel.execute(
      'import { DisplayHandle, MIME_BUNDLE } from "@workbook/helpers";\n' +
        "const shown = (n: number) => ({ [MIME_BUNDLE]: () => ({ 'text/html': `<i>${n}</i>`, 'text/plain': String(n) }) });\n" +
        "const h = new DisplayHandle();\nh.update(shown(1));\nh.update(shown(2));",
    );
    expect(types(r.messages)).toEqual(["status", "execute_input", "display_data", "update_display_data", "status"]);
    const [first, second] = r.messages.filter((m) => m.header.msg_type.endsWith("display_data"));
    expect(first!.content["data"]).toEqual({ "text/html": "<i>1</i>", "text/plain": "1" });
    expect(second!.content["transient"]).toEqual(first!.content["transient"]);
    expect(r.outputs).toEqual([expect.objectContaining({ output_type: "display_data", data: { "text/html": "<i>2</i>", "text/plain": "2" } })]);
  });

  it("clears output", async () => {
    const r = await kernel.execute('import { clearOutput } from "@workbook/helpers";\nconsole.log("gone");\nclearOutput();\nconsole.log("kept")');
    expect(types(r.messages)).toContain("clear_output");
    expect(r.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "kept\n" }]);
  });
});

describe("interrupt", () => {
  it("stops a runaway synchronous loop on interrupt_request and keeps the variables", async () => {
    const running = kernel.execute("let spins = 0;\nwhile (true) { spins++; }");
    await new Promise((r) => setTimeout(r, 500));
    const { reply } = await kernel.interrupt();
    expect(reply.content["status"]).toBe("ok");
    const r = await running;
    expect(r.reply).toMatchObject({ status: "error", ename: "Interrupted" });
    expect((await kernel.execute("answer")).outputs[0]).toMatchObject({ data: { "text/plain": "42" } });
  });

  it("stops a cell whose interrupt_request arrives while it is still compiling", async () => {
    // Type-checking these recursive types takes seconds; the loop after them never ends.
    const slow =
      'type Rep<N extends number, A extends unknown[] = []> = A["length"] extends N ? A : Rep<N, [...A, 0]>;\n' +
      'const r1: Rep<999>["length"] = 999;\nconst r2: Rep<998>["length"] = 998;\nfor (;;) {}';
    const running = kernel.execute(slow, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 200));
    await kernel.interrupt();
    expect((await running).reply).toMatchObject({ status: "error", ename: "Interrupted" });
  });

  it("stops a loop on SIGINT sent to the process", async () => {
    const running = kernel.execute("for (;;) {}");
    await new Promise((r) => setTimeout(r, 500));
    kernel.process.kill("SIGINT");
    expect((await running).reply).toMatchObject({ status: "error", ename: "Interrupted" });
  });

  it("abandons an awaited promise that never settles", async () => {
    const running = kernel.execute("await new Promise(() => {})");
    await new Promise((r) => setTimeout(r, 300));
    await kernel.interrupt();
    expect((await running).reply).toMatchObject({ status: "error", ename: "Interrupted" });
    expect(kernel.alive).toBe(true);
  });
});

describe("language service", () => {
  it("completes members from the TypeScript language service", async () => {
    const { reply } = await kernel.request("shell", "complete_request", { code: "Math.flo", cursor_pos: 8 });
    expect(reply.content).toMatchObject({ status: "ok", matches: ["floor"], cursor_start: 5, cursor_end: 8 });
  });

  it("completes names declared in earlier cells", async () => {
    const { reply } = await kernel.request("shell", "complete_request", { code: "answ", cursor_pos: 4 });
    expect(reply.content["matches"]).toContain("answer");
  });

  it("counts the cursor in code points, as Jupyter does", async () => {
    const code = 'const e = "😀"; Math.flo';
    const { reply } = await kernel.request("shell", "complete_request", { code, cursor_pos: [...code].length });
    expect(reply.content).toMatchObject({ matches: ["floor"], cursor_end: [...code].length });
  });

  it("inspects a symbol's type and docs", async () => {
    const { reply } = await kernel.request("shell", "inspect_request", { code: "Math.floor", cursor_pos: 7, detail_level: 0 });
    expect(reply.content).toMatchObject({ status: "ok", found: true });
    expect((reply.content["data"] as Record<string, string>)["text/plain"]).toContain("floor(x: number): number");
  });

  it("tells complete, incomplete and invalid code apart", async () => {
    const status = async (code: string) => (await kernel.request("shell", "is_complete_request", { code })).reply.content["status"];
    expect(await status("const x = 1;")).toBe("complete");
    expect(await status("function f() {")).toBe("incomplete");
    expect(await status("let x = );")).toBe("invalid");
  });

  it("describes itself in kernel_info", async () => {
    const { reply } = await kernel.request("shell", "kernel_info_request", {});
    expect(reply.content).toMatchObject({
      status: "ok",
      protocol_version: "5.3",
      language_info: { name: "typescript", file_extension: ".ts" },
    });
  });
});

describe("shutdown", () => {
  it("exits cleanly with code 0 on shutdown_request", async () => {
    const k = await KernelClient.start({ cwd: NOTEBOOKS });
    const exit = new Promise<number | null>((r) => k.process.once("exit", (code) => r(code)));
    await k.shutdown();
    expect(await exit).toBe(0);
    expect(k.stderr).not.toMatch(/terminate called|Napi::Error|Waiting for the debugger/);
  });
});
