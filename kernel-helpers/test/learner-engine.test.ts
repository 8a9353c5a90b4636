/**
 * The learner's engine: passes remembered on disk, handed out to later notebooks, named
 * when they break inside the engine; and @workbook/helpers that does not load the grader.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as engine from "@workbook/engine";
// The built module, as a notebook loads it: it requires the grader's compiled submission.js lazily.
import { learnerEngine, LearnerPieceError, rememberPassed, savedPiece, yours } from "../dist/grading/learner-pieces.js";
import { choose } from "../dist/grading/notebook.js";
import { solutionInjector, solutionSource } from "../src/grading/inject.js";
import { type Notebook, resolveNotebook, runNotebook } from "../src/runner/run-notebook.js";

const CHECKOUT = path.resolve(__dirname, "../..");
let stateDir: string;
let lines: string[];

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "workbook-state-"));
  vi.stubEnv("WORKBOOK_STATE_DIR", stateDir);
  lines = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A buffer pool that passes 03.3 but throws a TypeError for pages ≥ 2 (a call its tests never made, say). */
const BROKEN_POOL = `// Exercise 03.3 · Buffer pool
import { BufferPoolManager as Engine, type BufferPool, type BufferPoolOptions, type PageId, type PinnedPage } from "@workbook/engine";

class BufferPoolManager extends Engine implements BufferPool {
  constructor(options: BufferPoolOptions) {
    super(options);
  }
  override fetchPage(pageId: PageId): PinnedPage {
    if (pageId >= 2) return (undefined as unknown as { boom(): PinnedPage }).boom();
    return super.fetchPage(pageId);
  }
}
`;

function disk(pages = 0): engine.MemoryDiskManager {
  const d = new engine.MemoryDiskManager({ pageSize: 256 });
  for (let i = 0; i < pages; i++) d.allocatePage();
  return d;
}

describe("the learner's engine", () => {
  it("a remembered pass is handed out by yours(), compiled from its saved source, with a line saying so", () => {
    expect(yours<engine.BufferPoolConstructor>("03.3", engine.BufferPoolManager, "buffer pool")).toBe(engine.BufferPoolManager);
    expect(lines).toEqual(["Using the engine's buffer pool: exercise 03.3 (notebook 03) has not passed yet."]);

    rememberPassed("03.3", `// Exercise 03.3 · Buffer pool\n${solutionSource("03.3")}`, 25, 25, new Date("2026-12-05T07:00:00Z"));
    lines.length = 0;
    const Pool = yours<engine.BufferPoolConstructor>("03.3", engine.BufferPoolManager, "buffer pool");
    expect(Pool).not.toBe(engine.BufferPoolManager);
    expect(lines).toEqual(["Using your buffer pool (BufferPoolManager, exercise 03.3, passed 25/25 on 2026-12-05)."]);
    const pool = new Pool({ frames: 2, disk: disk(), replacer: new engine.ClockReplacer(2) });
    const heap = new engine.HeapFile(pool);
    const rid = heap.insert(new Uint8Array([1, 2, 3]));
    expect(heap.get(rid)).toEqual(new Uint8Array([1, 2, 3]));
    // The contract's errors pass through untouched.
    expect(() => pool.fetchPage(engine.pageId(9))).toThrow(engine.DbError);
  }, 60_000);

  it("a learner's piece that breaks inside the engine fails with an error naming the piece and the engine's caller", () => {
    rememberPassed("03.3", BROKEN_POOL, 25, 25);
    const Pool = yours<engine.BufferPoolConstructor>("03.3", engine.BufferPoolManager, "buffer pool");
    const pool = new Pool({ frames: 4, disk: disk(), replacer: new engine.ClockReplacer(4) });
    const heap = new engine.HeapFile(pool);
    const big = new Uint8Array(200).fill(7);
    heap.insert(big);
    heap.insert(big); // pages 0 and 1: fine
    heap.insert(big); // page 2 is new: newPage, fine
    let thrown: unknown;
    try {
      for (const _ of heap.scan()) {
        // the scan fetches page 2 through the broken fetchPage
      }
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LearnerPieceError);
    const message = (thrown as Error).message;
    expect(message).toMatch(/^your buffer pool \(BufferPoolManager, exercise 03\.3\) threw TypeError: .* in BufferPoolManager\.fetchPage\(\)/);
    expect(message).toMatch(/called by the engine's \S*HeapFile/);
    expect((thrown as LearnerPieceError).cause).toBeInstanceOf(TypeError);
  }, 60_000);

  it("after a kernel restart, choose() hands out the remembered pass when the exercise cell has not run; several symbols come as one object", () => {
    rememberPassed("03.1", `// Exercise 03.1\n${solutionSource("03.1")}`, 21, 21, new Date("2026-12-05T07:00:00Z"));
    const Clock = choose<new (capacity: number) => engine.Replacer>("03.1", () => { throw new Error("the cell never ran"); }, engine.ClockReplacer, "clock replacer");
    expect(Clock).not.toBe(engine.ClockReplacer);
    expect(new Clock(4).capacity).toBe(4);
    expect(lines).toEqual(["Using your clock replacer (ClockReplacer, exercise 03.1, passed 21/21 on 2026-12-05)."]);
    rememberPassed("05.2", `// Exercise 05.2\n${solutionSource("05.2")}`, 13, 13);
    const insert = yours("05.2", { insertEntry: engine.insertEntry, storeNode: engine.storeNode }, "insert with splits");
    expect([typeof insert.insertEntry, typeof insert.storeNode, insert.insertEntry === engine.insertEntry]).toEqual(["function", "function", false]);
  }, 60_000);

  it("a saved piece that no longer compiles falls back to the reference and says why", () => {
    rememberPassed("03.1", "// Exercise 03.1\nclass ClockReplacer { constructor(capacity: number) { this.nope = capacity; } }\n", 20, 20);
    expect(yours("03.1", engine.ClockReplacer, "clock replacer")).toBe(engine.ClockReplacer);
    expect(lines[0]).toMatch(/^Using the engine's clock replacer: your exercise 03\.1 passed on \d{4}-\d\d-\d\d, but it no longer compiles against this engine \(type-error, line 2: /);
  }, 60_000);

  it("reference solutions injected by the runner are not remembered; a corrupted file is ignored", () => {
    rememberPassed("03.1", `// Exercise 03.1 (reference solution)\n${solutionSource("03.1")}`, 20, 20);
    expect(savedPiece("03.1")).toBeUndefined();
    rememberPassed("03.1", "// Exercise 03.1\nclass ClockReplacer {}\n", 20, 20);
    expect(savedPiece("03.1")?.passed).toBe(20);
    writeFileSync(path.join(stateDir, "pieces", "03.1.json"), "{ not json");
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(savedPiece("03.1")).toBeUndefined();
  });

  it("learnerEngine() lists every exercise with whose code runs it and its grade", () => {
    rememberPassed("04.1", "// Exercise 04.1\nclass FreeSpaceTree {}\n", 12, 12, new Date("2026-12-05T07:00:00Z"));
    const rows = learnerEngine();
    expect(rows.map((r) => r.exercise)).toEqual(expect.arrayContaining(["02.1", "03.1", "03.3", "04.1", "04.2", "05.1"]));
    expect(rows.find((r) => r.exercise === "04.1")).toMatchObject({ whose: "yours", grade: "12/12 on 2026-12-05", component: "Free-space map" });
    expect(rows.find((r) => r.exercise === "04.2")).toMatchObject({ whose: "reference", grade: "not passed yet" });
  });
});

/** The solution of `id` as a learner's cell that passed (not marked as the reference). */
function passAsLearner(id: string, passed = 20): void {
  rememberPassed(id, `// Exercise ${id}\n${solutionSource(id)}`, passed, passed);
}

/** Every line a notebook run printed that says whose piece it uses. */
function usingLines(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .flatMap((o) => (o.output_type === "stream" ? [(o as { text: string | string[] }).text].flat().join("").split("\n") : []))
    .filter((line) => line.startsWith("Using "));
}

describe("notebook 04 on the learner's engine", () => {
  it("with every exercise it builds on passed, it uses no reference piece for them", async () => {
    for (const id of ["02.1", "03.1", "03.3"]) passAsLearner(id);
    const report = await runNotebook(resolveNotebook("04"), {
      outDir: mkdtempSync(path.join(os.tmpdir(), "nb-learner-")),
      transformCell: solutionInjector(),
      kernel: { env: { ...process.env, WORKBOOK_STATE_DIR: stateDir } },
    });
    expect(report.cells.filter((c) => c.status !== "ok")).toEqual([]);
    const used = usingLines(report.output);
    expect(used.filter((line) => line.includes("engine's")), "pieces the run took from the engine").toEqual([]);
    for (const piece of ["free-space map", "buffer pool", "clock replacer", "slotted page", "table heap"]) {
      expect(used.some((line) => line.startsWith(`Using your ${piece} (`)), `a line saying the ${piece} is yours, in:\n${used.join("\n")}`).toBe(true);
    }
  }, 600_000);

  it("with a learner's pool that breaks inside the engine, the run fails with an error naming the pool", async () => {
    rememberPassed("03.3", BROKEN_POOL, 25, 25);
    const report = await runNotebook(resolveNotebook("04"), {
      outDir: mkdtempSync(path.join(os.tmpdir(), "nb-learner-")),
      kernel: { env: { ...process.env, WORKBOOK_STATE_DIR: stateDir } },
    });
    const failed = report.cells.filter((c) => c.status === "error");
    expect(failed.length, "failed cells").toBe(1);
    expect(failed[0]!.error).toMatch(/your buffer pool \(BufferPoolManager, exercise 03\.3\) threw TypeError: .* called by the engine's \S+/);
  }, 600_000);
});

describe("@workbook/helpers", () => {
  it("loads neither TypeScript nor vitest until grade() is called", () => {
    const loaded = execFileSync(
      process.execPath,
      ["-e", "require('@workbook/helpers'); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\\\/](typescript|@tslab|vitest)[\\\\/]/.test(k))))"],
      { cwd: CHECKOUT, encoding: "utf8" },
    );
    expect(JSON.parse(loaded)).toEqual([]);
  });
});
