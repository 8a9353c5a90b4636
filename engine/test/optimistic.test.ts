/**
 * Optimistic concurrency control and no control (notebook 07): the contract's requests and
 * refusals, what reads see, backward validation (the plug-in, exercise 07.3's solution)
 * case by case, the commit log, and OCC never waiting over seeded random runs.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import * as engine from "../src/index.js";
import { scheduleGoldenTest } from "../../test-support/contracts/schedules.js";
import {
  ENGINE_OCC_ALGORITHMS,
  NoConcurrencyControl,
  OptimisticConcurrencyControl,
  Random,
  commit,
  read,
  runRandom,
  runSchedule,
  validateBackward,
  write,
  type ConcurrencyControl,
  type OccCommitRecord,
  type TxnOp,
} from "../src/index.js";
import { errorOf, expectDbError } from "../../test-support/errors.js";

const rec = (txn: number, tn: number, ...writeSet: string[]): OccCommitRecord => ({ txn, tn, writeSet });
const txn = (startTn: number, readSet: string[], writeSet: string[] = []) => ({ txn: 9, startTn, readSet, writeSet });

describe("07.3 backward validation (validateBackward)", () => {
  test("07.3 validate: nothing committed since the start: ok", () => {
    expect(validateBackward(txn(0, ["x"]), [])).toEqual({ ok: true });
    expect(validateBackward(txn(2, ["x"]), [rec(1, 1, "x"), rec(2, 2, "x")])).toEqual({ ok: true });
  });

  test("07.3 validate: a record committed after the start that wrote a key read fails, naming who, which tn, which key", () => {
    expect(validateBackward(txn(1, ["y", "x"]), [rec(2, 1, "x"), rec(4, 2, "z"), rec(3, 3, "x", "y")])).toEqual({ ok: false, conflictWith: 3, tn: 3, key: "y" });
  });

  test("07.3 validate: the earliest conflicting record wins; within it the key read first", () => {
    expect(validateBackward(txn(0, ["a", "b", "c"]), [rec(5, 1, "c", "b"), rec(6, 2, "a")])).toEqual({ ok: false, conflictWith: 5, tn: 1, key: "b" });
  });

  test("07.3 validate: writes of the validating transaction do not matter (write-write is fine)", () => {
    expect(validateBackward(txn(0, ["y"], ["x"]), [rec(2, 1, "x")])).toEqual({ ok: true });
  });

  test("07.3 validate: refuses a log out of order and a bad startTn", () => {
    expectDbError(() => validateBackward(txn(0, ["x"]), [rec(1, 2, "x"), rec(2, 2, "y")]), "invalid-argument", "increasing tn");
    expect(errorOf(() => validateBackward(txn(0, ["x"]), [rec(1, 1), rec(2, 3), rec(3, 2)]))).toMatchObject({ details: { position: 2 } });
    expectDbError(() => validateBackward(txn(-1, ["x"]), []), "invalid-argument", "startTn");
    expectDbError(() => validateBackward(txn(0.5, ["x"]), []), "invalid-argument", "startTn");
  });
});

/** The contract's refusals, the same for every protocol here. */
function refusals(name: string, make: () => ConcurrencyControl) {
  test(`07 ${name}: requests for a transaction never begun, ended, or begun twice are refused with invalid-state`, () => {
    const cc = make();
    expectDbError(() => cc.read(1, "x"), "invalid-state", "not begun");
    cc.begin(1);
    expectDbError(() => cc.begin(1), "invalid-state", "already begun");
    cc.write(1, "x", 1);
    expect(cc.commit(1)).toEqual({ kind: "done" });
    expect(cc.state(1)).toBe("committed");
    expectDbError(() => cc.write(1, "x", 2), "invalid-state", "committed");
    expectDbError(() => cc.commit(1), "invalid-state", "committed");
    expectDbError(() => cc.abort(1), "invalid-state", "committed");
    cc.begin(2);
    cc.abort(2);
    expect(cc.state(2)).toBe("aborted");
    expectDbError(() => cc.read(2, "x"), "invalid-state", "aborted");
    expect(cc.state(3)).toBeUndefined();
    expectDbError(() => cc.begin(0), "invalid-argument", "integer");
    expect(cc.committed()).toEqual(new Map([["x", 1]]));
  });
}

describe("07 OCC: the protocol", () => {
  refusals("OCC", () => new OptimisticConcurrencyControl());

  // The script exercise 07.3's hidden suite runs with the learner's validation; rewritten here, against the engine's.
  scheduleGoldenTest("07.3 OCC: the anomalies with backward validation (exercises/07/07.3-occ.golden)", path.join(import.meta.dirname, "..", "..", "exercises", "07", "07.3-occ.golden"), engine, (c) =>
    new OptimisticConcurrencyControl({ initial: c.initial }),
  );

  test("07 OCC: writes are private until commit; a transaction reads its own writes; undefined deletes", () => {
    const cc = new OptimisticConcurrencyControl({ initial: [["x", 0], ["y", 0]] });
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    cc.write(1, "y", undefined);
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 1 });
    expect(cc.read(1, "y")).toEqual({ kind: "done", value: undefined });
    expect(cc.read(2, "x")).toEqual({ kind: "done", value: 0 });
    expect(cc.committed()).toEqual(new Map([["x", 0], ["y", 0]]));
    expect(cc.commit(1)).toEqual({ kind: "done" });
    expect(cc.committed()).toEqual(new Map([["x", 1]]));
    expect(cc.lastTn).toBe(1);
  });

  test("07 OCC: a failed validation aborts with serialization-failure naming the other transaction and the key, and undoes nothing committed", () => {
    const cc = new OptimisticConcurrencyControl({ initial: [["x", 10]] });
    cc.begin(1);
    cc.begin(2);
    cc.read(1, "x");
    cc.read(2, "x");
    cc.write(1, "x", 11);
    cc.commit(1);
    cc.write(2, "x", 12);
    const step = cc.commit(2);
    expect(step.kind).toBe("aborted");
    if (step.kind !== "aborted") return;
    expect(step.error.kind).toBe("serialization-failure");
    expect(step.error.details).toEqual({ txn: 2, conflictWith: 1, key: "x", tn: 1 });
    expect(cc.state(2)).toBe("aborted");
    expect(cc.committed()).toEqual(new Map([["x", 11]]));
    expect(cc.validationFailures).toBe(1);
    expectDbError(() => cc.commit(2), "invalid-state", "aborted");
  });

  test("07 OCC: read-only and write-only transactions take no commit number; the log keeps only what an active transaction may need", () => {
    const cc = new OptimisticConcurrencyControl();
    cc.begin(1);
    cc.read(1, "x");
    cc.commit(1);
    expect(cc.lastTn).toBe(0);
    cc.begin(2);
    cc.begin(3);
    cc.write(3, "x", 1);
    cc.commit(3);
    expect(cc.log()).toEqual([{ txn: 3, tn: 1, writeSet: ["x"] }]);
    cc.abort(2);
    expect(cc.log()).toEqual([]);
    cc.begin(4);
    cc.write(4, "y", 1);
    cc.commit(4);
    expect(cc.log()).toEqual([]);
  });

  test("07 OCC: the validation is a plug-in; the engine's is validateBackward; unknown names are refused", () => {
    expect(new OptimisticConcurrencyControl().algorithms).toBe(ENGINE_OCC_ALGORITHMS);
    expect(ENGINE_OCC_ALGORITHMS.validate).toBe(validateBackward);
    const calls: unknown[] = [];
    const cc = new OptimisticConcurrencyControl({
      algorithms: {
        validate: (t, log) => {
          calls.push([t, log]);
          return { ok: true };
        },
      },
    });
    const h = runSchedule(cc, "T1: r(x); T2: r(x); T1: w(x, 1); T1: c; T2: w(x, 2); T2: c");
    expect(h.committed).toEqual([1, 2]); // the lost update, let through
    expect(calls[1]).toEqual([{ txn: 2, startTn: 0, readSet: ["x"], writeSet: ["x"] }, [{ txn: 1, tn: 1, writeSet: ["x"] }]]);
    expectDbError(() => new OptimisticConcurrencyControl({ algorithms: { validat: validateBackward } as never }), "invalid-argument", "unknown OCC algorithm");
  });

  test("07 OCC: never waits, over 500 seeded random runs of contended scripts", () => {
    const rng = new Random(5);
    for (let i = 0; i < 500; i++) {
      const scripts: TxnOp[][] = Array.from({ length: 4 }, (_, t) => [read(rng.pick(["x", "y"])), write(rng.pick(["x", "y"]), t), read(rng.pick(["x", "y"])), commit()]);
      const h = runRandom(new OptimisticConcurrencyControl(), scripts, rng.fork());
      expect(h.events.every((e) => e.outcome !== "waiting")).toBe(true);
      expect(h.committed.length + h.aborted.length).toBe(4);
      expect(h.committed.length).toBeGreaterThan(0);
    }
  });
});

describe("07 no control", () => {
  refusals("no control", () => new NoConcurrencyControl());

  test("07 no control: reads see uncommitted writes; abort puts the before-images back, even over a later writer", () => {
    const cc = new NoConcurrencyControl([["x", 0]]);
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    cc.write(1, "x", 2);
    cc.write(1, "y", 5);
    expect(cc.read(2, "x")).toEqual({ kind: "done", value: 2 });
    cc.write(2, "x", 3);
    cc.abort(1);
    expect(cc.committed()).toEqual(new Map([["x", 0]]));
    cc.commit(2);
    expect(cc.committed()).toEqual(new Map([["x", 0]]));
  });

  test("07 no control: every request is done at once", () => {
    const h = runSchedule(new NoConcurrencyControl(), "T1: w(x); T2: w(x); T2: r(y); T1: w(y); T1: c; T2: c");
    expect(h.events.map((e) => e.outcome)).toEqual(["done", "done", "done", "done", "done", "done"]);
  });
});
