/** Tests of test-support itself: the model checker, the error probes, the PRNG, the recording disk. */
import { describe, expect, test } from "vitest";
import { MemoryDiskManager } from "../../src/storage/memory-disk-manager.js";
import type { PageId } from "../../src/common/ids.js";
import { checkModel, checkRun, shrink } from "../../../test-support/model-check.js";
import { describeError, errorOf, expectDbError, outcome } from "../../../test-support/errors.js";
import { Rng } from "../../../test-support/random.js";
import { RecordingDisk } from "../../../test-support/recording-disk.js";

type Op = { op: "push"; value: number } | { op: "pop" };

/** A "stack" that forgets pushes after the third one: the bug needs 4 pushes and a pop. */
function forgetfulStack(ops: readonly Op[]): void {
  const buggy: number[] = [];
  const model: number[] = [];
  let pushes = 0;
  for (const op of ops) {
    if (op.op === "push") {
      if (++pushes <= 3) buggy.push(op.value);
      model.push(op.value);
    } else {
      const [got, want] = [buggy.pop(), model.pop()];
      if (got !== want) throw new Error(`pop: expected ${want}, received ${got}`);
    }
  }
}

const show = (op: Op) => (op.op === "push" ? `push ${op.value}` : "pop");

function reportOf(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

describe("test support: model checking", () => {
  test("a failing run is shrunk to a short sequence, reported on one line: the difference first, then the ops", () => {
    const report = reportOf(() => checkModel<Op>({ seed: 5, count: 500, generate: (rng, i) => (rng.bool(0.6) ? { op: "push", value: i } : { op: "pop" }), run: forgetfulStack, show }));
    expect(report).toMatch(/^pop: expected \d+, received \d+ — after 5 ops \(shrunk from 500, seed 5\): push \d+; push \d+; push \d+; push \d+; pop$/);
  });

  test("shrinking is budgeted by runs, so the same seed gives the same counterexample every time", () => {
    const run = () => reportOf(() => checkModel<Op>({ seed: 11, count: 3000, generate: (rng, i) => (rng.bool(0.7) ? { op: "push", value: i } : { op: "pop" }), run: forgetfulStack, show, maxRuns: 40 }));
    const first = run();
    expect(first).toContain("shrunk from 3000");
    expect(run()).toBe(first);
  });

  test("shrink never calls the predicate more than its budget", () => {
    let calls = 0;
    const small = shrink(Array.from({ length: 1000 }, (_, i) => i), (ops) => ++calls > 0 && ops.filter((n) => n % 2 === 1).length >= 100, 25);
    expect(calls).toBe(25);
    expect(small.filter((n) => n % 2 === 1).length).toBeGreaterThanOrEqual(100);
  });

  test("a starter's NotImplemented and the time limit pass through unshrunk", () => {
    const notImplemented = Object.assign(new Error("write me"), { name: "NotImplemented" });
    expect(() => checkRun([1, 2, 3], () => { throw notImplemented; })).toThrow(notImplemented);
    let runs = 0;
    const limit = Object.assign(new Error("too long"), { name: "TimeLimitExceeded" });
    // Fails at first, then the time limit strikes while shrinking.
    expect(() => checkRun([1, 2, 3, 4], () => { if (++runs > 2) throw limit; throw new Error("differs"); })).toThrow(limit);
  });

  test("a passing run reports nothing", () => {
    expect(() => checkModel({ seed: 1, count: 10, generate: (rng) => rng.int(3), run: () => undefined })).not.toThrow();
  });
});

describe("test support: error probes", () => {
  const dbError = (kind: string) => Object.assign(new Error(`a ${kind} error`), { name: "DbError", kind });

  test("expectDbError returns the error of the kind asked for, recognised by name and kind", () => {
    const error = dbError("out-of-range");
    expect(expectDbError(() => { throw error; }, "out-of-range")).toBe(error);
  });

  test("expectDbError says what it expected, then what it received", () => {
    expect(reportOf(() => expectDbError(() => 1, "io", "read page 3"))).toBe('read page 3: expected DbError "io", received nothing thrown');
    expect(reportOf(() => expectDbError(() => { throw dbError("corrupt"); }, "io"))).toBe('expected DbError "io", received DbError (corrupt): a corrupt error');
    expect(reportOf(() => expectDbError(() => { throw new RangeError("no"); }, "io"))).toBe('expected DbError "io", received RangeError: no');
  });

  test("outcome and errorOf pass NotImplemented through and describe everything else", () => {
    const notImplemented = Object.assign(new Error("write me"), { name: "NotImplemented" });
    expect(() => outcome(() => { throw notImplemented; })).toThrow(notImplemented);
    expect(() => errorOf(() => { throw notImplemented; })).toThrow(notImplemented);
    expect(outcome(() => { throw dbError("io"); })).toBe("DbError io");
    expect(outcome(() => 0)).toBe("nothing thrown");
    expect(describeError("x")).toBe("a thrown string x");
  });
});

describe("test support: seeded randomness", () => {
  test("the same seed gives the same stream; int and intBetween stay in range", () => {
    const [a, b] = [new Rng(3), new Rng(3)];
    const draws = Array.from({ length: 50 }, () => a.int(10));
    expect(Array.from({ length: 50 }, () => b.int(10))).toEqual(draws);
    expect(new Set(draws).size).toBe(10);
    const r = new Rng(4);
    for (let i = 0; i < 200; i++) expect(r.intBetween(-2, 2)).toBeGreaterThanOrEqual(-2);
    expect(new Rng(9).fork().next()).not.toBe(new Rng(9).next());
  });
});

describe("test support: recording disk", () => {
  test("logs every call in order, keeps written pages, and fails the next call when told", () => {
    const disk = new RecordingDisk(new MemoryDiskManager({ pageSize: 256 }), 2);
    expect(disk.log).toEqual([]);
    expect(disk.peek(1)[0]).toBe(2);
    disk.readPage(0 as PageId, new Uint8Array(256));
    disk.writePage(1 as PageId, new Uint8Array(256).fill(9));
    expect(disk.log).toEqual(["read 0", "write 1:9"]);
    expect(disk.ops("write")).toEqual(["write 1"]);
    expect(disk.writes[0]!.bytes[255]).toBe(9);
    disk.failNextWrite = new Error("disk on fire");
    expect(() => disk.writePage(0 as PageId, new Uint8Array(256))).toThrow("disk on fire");
    expect(disk.peek(0)[0]).toBe(1);
    disk.writePage(0 as PageId, new Uint8Array(256));
    expect(disk.ops()).toEqual(["read 0", "write 1", "write 0"]);
  });
});
