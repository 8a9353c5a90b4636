/**
 * A kernel that dies comes back and says why: the supervisor from the kernel spec, over
 * the real protocol. The kernel runs with a small heap so that running out of memory
 * takes seconds, not minutes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKernelSpec } from "../src/kernel/kernelspec.js";
import { KernelClient, KernelTimeoutError } from "../src/runner/kernel-client.js";

const NOTEBOOKS = path.resolve(__dirname, "../../notebooks");
const hasNbconvert = spawnSync("jupyter", ["nbconvert", "--version"]).status === 0;
let kernel: KernelClient;

/** The registered spec, with the heap capped for the kernel under test. */
function smallHeapSpec() {
  const { spec } = findKernelSpec();
  return { ...spec, env: { ...spec.env, NODE_OPTIONS: "--max-old-space-size=256" } };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/** The pid of the process that runs cells (the supervisor's child), asked of the kernel itself. */
async function cellPid(k: KernelClient): Promise<number> {
  const r = await k.execute("process.pid");
  return Number((r.outputs[0] as { data: Record<string, string> }).data["text/plain"]);
}

/** Wait until a (restarted) kernel answers kernel_info, asking again after each lost request. */
async function untilAnswered(k: KernelClient, withinMs = 45_000): Promise<void> {
  const end = Date.now() + withinMs;
  for (;;) {
    try {
      await k.request("shell", "kernel_info_request", {}, 2_000);
      return;
    } catch (e) {
      if (!(e instanceof KernelTimeoutError) || Date.now() > end) throw e;
    }
  }
}

beforeAll(async () => {
  kernel = await KernelClient.start({ cwd: NOTEBOOKS, spec: smallHeapSpec() });
});
afterAll(async () => {
  await kernel?.shutdown();
});

describe("out of memory", () => {
  it("stops a cell whose loop fills the heap before V8 gives up, keeping the kernel and its variables", async () => {
    await kernel.execute("const kept = 5;");
    const r = await kernel.execute("const rows: object[] = [];\nfor (let i = 0; ; i++) rows.push({ i, name: `row ${i}` });", { timeoutMs: 90_000 });
    expect(r.reply).toMatchObject({ status: "error", ename: "OutOfMemory" });
    expect(String(r.reply["evalue"])).toMatch(/^this cell was stopped when the kernel's memory reached \d+ MB of the \d+ MB JavaScript may use, before it ran out; the kernel and your variables are intact$/);
    // What the stopped cell filled was let go: there is room for two million objects again.
    const after = await kernel.execute("const xs = Array.from({ length: 2_000_000 }, (_, i) => ({ i }));\nxs.length + kept");
    expect(after.outputs).toEqual([expect.objectContaining({ data: { "text/plain": "2000005" } })]);
  });
});

describe("kernel restart", () => {
  it("answers a cell that ran out of memory with OutOfMemory, restarts, and tells the next cell what was lost", async () => {
    await kernel.execute("const before = 5;");
    const oom = await kernel.execute("new Array(2 ** 31).fill(0)", { timeoutMs: 90_000 });
    const count = oom.reply["execution_count"] as number;
    expect(oom.reply).toMatchObject({ status: "error", ename: "OutOfMemory" });
    expect(String(oom.reply["evalue"])).toMatch(/^The kernel ran out of memory \(JavaScript's heap is limited to \d+ MB\) while running this cell and restarted: every variable/);
    expect(oom.outputs).toEqual([expect.objectContaining({ output_type: "error", ename: "OutOfMemory" })]);

    const next = await kernel.execute("1 + 1");
    expect(next.reply).toMatchObject({ status: "ok", execution_count: count + 1 });
    expect(next.outputs[0]).toMatchObject({ name: "stderr", text: expect.stringMatching(new RegExp(`^The kernel ran out of memory .* while running cell \\[${count}\\] and restarted`)) });
    expect(next.outputs[1]).toMatchObject({ data: { "text/plain": "2" } });
    expect((await kernel.execute("before")).reply).toMatchObject({ status: "error", evalue: expect.stringContaining("Cannot find name 'before'") });
    expect(kernel.alive).toBe(true);
  });

  it("restarts a kernel process killed from outside, and says so in the next cell", async () => {
    const pid = await cellPid(kernel);
    process.kill(pid, "SIGKILL");
    // A request sent in the instant the process dies is lost with it (as with any kernel):
    // ask for kernel_info until the new kernel answers (on a loaded machine that takes
    // longer than any fixed pause), then run the cell.
    await untilAnswered(kernel);
    const r = await kernel.execute("2 + 2");
    expect(r.outputs[0]).toMatchObject({ name: "stderr", text: expect.stringContaining("The kernel was killed (SIGKILL)") });
    expect(r.outputs[1]).toMatchObject({ data: { "text/plain": "4" } });
    expect(await cellPid(kernel)).not.toBe(pid);
  });

  it.runIf(hasNbconvert)("answers the lost cell for Jupyter's own client too (nbconvert --execute)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "workbook-restart-"));
    const cells = ["const a = 1; a", "new Array(2 ** 31).fill(0)", "1 + 1"];
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "database-workbook", display_name: "Database Workbook (TypeScript)", language: "typescript" } },
      cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
    };
    writeFileSync(path.join(dir, "oom.ipynb"), JSON.stringify(nb));
    const run = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--output", "out.ipynb", "oom.ipynb"], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=256" },
      encoding: "utf8",
      timeout: 150_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(dir, "out.ipynb"), "utf8")) as { cells: { outputs: Record<string, unknown>[] }[] };
    expect(out.cells[1]!.outputs).toEqual([expect.objectContaining({ output_type: "error", ename: "OutOfMemory" })]);
    expect(out.cells[2]!.outputs.at(-1)).toMatchObject({ data: { "text/plain": ["2"] } });
  }, 160_000);

  it("stops when the process that started it exits without shutting it down", async () => {
    const client = path.resolve(__dirname, "../dist/runner/kernel-client.js");
    const script =
      `const { KernelClient } = require(${JSON.stringify(client)});\n` +
      `KernelClient.start({ cwd: ${JSON.stringify(NOTEBOOKS)} }).then(async (k) => {\n` +
      `  const r = await k.execute("process.pid");\n` +
      `  console.log(JSON.stringify([k.process.pid, Number(r.outputs[0].data["text/plain"])]));\n` +
      `  process.exit(0);\n` +
      `});`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    const pids = JSON.parse(run.stdout) as number[];
    try {
      const deadline = Date.now() + 10_000;
      while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(pids.filter(isRunning)).toEqual([]);
    } finally {
      for (const pid of pids.filter(isRunning)) process.kill(pid, "SIGKILL");
    }
  });

  it("does not outlive a supervisor killed with SIGKILL", async () => {
    const k = await KernelClient.start({ cwd: NOTEBOOKS });
    const pid = await cellPid(k);
    try {
      expect(pid).not.toBe(k.process.pid);
      k.process.kill("SIGKILL");
      const deadline = Date.now() + 5_000;
      while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(isRunning(pid)).toBe(false);
    } finally {
      k.close();
      if (isRunning(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
