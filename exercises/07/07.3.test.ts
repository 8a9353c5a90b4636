/**
 * Hidden suite of exercise 07.3: `validateBackward`, optimistic concurrency control's
 * backward validation. Tested alone (hand-built transactions and commit logs, seeded
 * random ones against a model, refusals) and plugged into the engine's OCC
 * (`new OptimisticConcurrencyControl({ algorithms: { validate } })`): a golden script of
 * the anomalies, OCC's outcomes over seeded random schedules against a model of OCC, and
 * every committed history of thousands of seeded random runs conflict-serializable
 * (the engine's checker).
 *
 * Errors are recognised by `name` and `kind` (test-support), never `instanceof`; a
 * starter's `NotImplemented` always passes through untouched.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as engine from "@workbook/engine";
import {
  OptimisticConcurrencyControl,
  Random,
  checkSerializability,
  describeSerializability,
  runRandom,
  type OccCommitRecord,
  type OccTransaction,
  type OccValidation,
  type Step,
  type TxnOp,
} from "@workbook/engine";
import { validateBackward } from "@submission";
import { checkModel, describeError, errorOf, expectDbError, speaksForItself, type Rng } from "../../test-support/index.js";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";

const mine = { validate: validateBackward };
const occ = (initial: Iterable<readonly [string, number | string]> = []) => new OptimisticConcurrencyControl({ initial, algorithms: mine });
const rec = (txn: number, tn: number, ...writeSet: string[]): OccCommitRecord => Object.freeze({ txn, tn, writeSet: Object.freeze(writeSet) });
const view = (startTn: number, readSet: string[], writeSet: string[] = []): OccTransaction =>
  Object.freeze({ txn: 9, startTn, readSet: Object.freeze(readSet), writeSet: Object.freeze(writeSet) });

/** A verdict as a short string: "ok", "T3 tn 3 on y", or what was thrown. */
function verdict(fn: () => OccValidation): string {
  let v: OccValidation;
  try {
    v = fn();
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `threw ${describeError(error)}`;
  }
  if (v === null || typeof v !== "object") return `not a verdict: ${String(v)}`;
  return v.ok ? "ok" : `T${v.conflictWith} tn ${v.tn} on ${v.key}`;
}

/** The model: the first record after startTn writing a key read, and the first such key in read order. */
function modelVerdict(t: OccTransaction, log: readonly OccCommitRecord[]): string {
  for (const r of log) {
    if (r.tn <= t.startTn) continue;
    const key = t.readSet.find((k) => r.writeSet.includes(k));
    if (key !== undefined) return `T${r.txn} tn ${r.tn} on ${key}`;
  }
  return "ok";
}

describe("07.3 backward validation, alone", () => {
  it("07.3 validate: nothing committed since the transaction began passes", () => {
    const got = [verdict(() => validateBackward(view(0, ["x"]), [])), verdict(() => validateBackward(view(2, ["x", "y"]), [rec(1, 1, "x"), rec(2, 2, "y")]))];
    expect(got, "empty log; every record at or before startTn").toEqual(["ok", "ok"]);
  });

  it("07.3 validate: a record committed after the start that wrote a key read fails, naming the transaction, its tn and the key", () => {
    const v = validateBackward(view(0, ["x"]), [rec(4, 1, "x")]);
    expect(v, "T4 (tn 1) wrote x, which T9 (startTn 0) read").toEqual({ ok: false, conflictWith: 4, tn: 1, key: "x" });
  });

  it("07.3 validate: a record with tn equal to startTn committed before the start: it is not checked", () => {
    expect(verdict(() => validateBackward(view(3, ["x"]), [rec(1, 2, "x"), rec(2, 3, "x")])), "records tn 2 and 3, startTn 3").toBe("ok");
    expect(verdict(() => validateBackward(view(2, ["x"]), [rec(1, 2, "x"), rec(2, 3, "x")])), "records tn 2 and 3, startTn 2").toBe("T2 tn 3 on x");
  });

  it("07.3 validate: the earliest conflicting record in commit order is named, and within it the key read first", () => {
    const log = [rec(2, 1, "q"), rec(5, 2, "c", "b"), rec(6, 3, "a")];
    expect(verdict(() => validateBackward(view(0, ["a", "b", "c"]), log)), "read a, b, c; tn 2 wrote c and b; tn 3 wrote a").toBe("T5 tn 2 on b");
  });

  it("07.3 validate: the transaction's own writes are not validated (write-write conflicts pass)", () => {
    expect(verdict(() => validateBackward(view(0, ["y"], ["x"]), [rec(2, 1, "x")])), "wrote x, read y; tn 1 wrote x").toBe("ok");
    expect(verdict(() => validateBackward(view(0, [], ["x", "y"]), [rec(2, 1, "x", "y")])), "a write-only transaction").toBe("ok");
  });

  it("07.3 validate: a log whose commit numbers do not strictly increase is refused with invalid-argument and the position", () => {
    expectDbError(() => validateBackward(view(0, ["x"]), [rec(1, 2), rec(2, 2)]), "invalid-argument", "tn 2 after tn 2");
    const e = errorOf(() => validateBackward(view(5, ["x"]), [rec(1, 1), rec(2, 3), rec(3, 2)]));
    expect(e?.details?.["position"], "details.position of tn 2 after tn 3 (0-based)").toBe(2);
  });

  it("07.3 validate: a startTn that is not an integer ≥ 0 is refused with invalid-argument", () => {
    expectDbError(() => validateBackward(view(-1, ["x"]), []), "invalid-argument", "startTn -1");
    expectDbError(() => validateBackward(view(1.5, ["x"]), []), "invalid-argument", "startTn 1.5");
    expectDbError(() => validateBackward(view(Number.NaN, ["x"]), []), "invalid-argument", "startTn NaN");
  });

  it("07.3 validate: 400 seeded random transactions and logs agree with the model (inputs frozen: nothing is changed)", () => {
    type Case = { readonly t: OccTransaction; readonly log: readonly OccCommitRecord[] };
    const keys = ["a", "b", "c", "d", "e", "f"];
    const pickSet = (r: Rng, n: number) => [...new Set(Array.from({ length: n }, () => keys[r.int(keys.length)]!))];
    checkModel<Case>({
      seed: 73,
      count: 400,
      generate: (r) => {
        let tn = r.int(3);
        const log = Array.from({ length: r.int(6) }, () => rec(r.intBetween(1, 20), (tn += 1 + r.int(2)), ...pickSet(r, r.int(4))));
        return { t: view(r.int(tn + 2), pickSet(r, r.int(5)), pickSet(r, r.int(3))), log: Object.freeze(log) };
      },
      run: (cases) => {
        for (const c of cases) {
          const got = verdict(() => validateBackward(c.t, c.log));
          const want = modelVerdict(c.t, c.log);
          if (got !== want) throw new Error(`validate(startTn ${c.t.startTn}, read [${c.t.readSet.join(" ")}]): expected ${want}, received ${got}`);
        }
      },
      show: (c) => `startTn ${c.t.startTn} read [${c.t.readSet.join(" ")}] log [${c.log.map((r) => `T${r.txn}@${r.tn}{${r.writeSet.join(" ")}}`).join(" ")}]`,
    });
  });
});

/** One request of a random schedule: plain data, meaningful in any subsequence. */
type Req = { readonly txn: number; readonly kind: "r" | "w" | "c" | "a"; readonly key: string; readonly value: number };
const showReq = (q: Req) => `T${q.txn}: ${q.kind === "r" ? `r(${q.key})` : q.kind === "w" ? `w(${q.key}, ${q.value})` : q.kind}`;

const shown = (value: number | undefined) => (value === undefined ? "done" : `done ${value}`);

/** OCC as the textbook says, for the model: committed data, per transaction startTn / reads / workspace, and the commit log. */
class OccModel {
  readonly data = new Map<string, number>();
  tn = 0;
  readonly log: { txn: number; tn: number; writes: Set<string> }[] = [];
  readonly txns = new Map<number, { start: number; reads: string[]; ws: Map<string, number>; done: boolean }>();
  request(q: Req, id: number): string {
    let t = this.txns.get(id);
    if (t === undefined) this.txns.set(id, (t = { start: this.tn, reads: [], ws: new Map(), done: false }));
    switch (q.kind) {
      case "r":
        if (t.ws.has(q.key)) return shown(t.ws.get(q.key));
        if (!t.reads.includes(q.key)) t.reads.push(q.key);
        return shown(this.data.get(q.key));
      case "w":
        t.ws.set(q.key, q.value);
        return "done";
      case "a":
        t.done = true;
        return "done";
      case "c": {
        t.done = true;
        for (const r of this.log) {
          if (r.tn <= t.start) continue;
          const key = t.reads.find((k) => r.writes.has(k));
          if (key !== undefined) return `aborted serialization-failure T${r.txn} ${key}`;
        }
        if (t.ws.size > 0) {
          this.tn++;
          for (const [k, v] of t.ws) this.data.set(k, v);
          this.log.push({ txn: id, tn: this.tn, writes: new Set(t.ws.keys()) });
        }
        return "done";
      }
    }
  }
}

function answer(step: Step): string {
  switch (step.kind) {
    case "done":
      return step.value === undefined ? "done" : `done ${step.value}`;
    case "waiting":
      return `waiting on ${step.on}`;
    case "aborted":
      return `aborted ${step.error.kind} T${String(step.error.details["conflictWith"])} ${String(step.error.details["key"])}`;
  }
}

describe("07.3 backward validation in the engine's OCC", () => {
  const choose = (c: ProtocolChoice) => {
    if (c.name !== "occ") throw new Error(`this script runs OCC only, not ${c.name}`);
    return occ(c.initial);
  };
  scheduleGoldenTest("07.3 OCC with your validation: the anomalies, golden script 07.3-occ.golden", path.join(import.meta.dirname, "07.3-occ.golden"), engine, choose, {
    canRewrite: false,
  });

  it("07.3 OCC with your validation: 300 requests of seeded random schedules answer as a model of OCC does", () => {
    checkModel<Req>({
      seed: 7,
      count: 300,
      generate: (r) => {
        const kind = (["r", "r", "r", "w", "w", "w", "c", "c", "a"] as const)[r.int(9)]!;
        return { txn: r.intBetween(1, 6), kind, key: ["x", "y", "z"][r.int(3)]!, value: r.int(100) };
      },
      run: (reqs) => {
        // A label's transaction restarts after it ends, numbered in begin order as the contract wants.
        const cc = occ();
        const model = new OccModel();
        const idOf = new Map<number, number>();
        let next = 1;
        reqs.forEach((q, i) => {
          let id = idOf.get(q.txn);
          if (id === undefined) {
            id = next++;
            idOf.set(q.txn, id);
            cc.begin(id);
          }
          const got = q.kind === "r" ? answer(cc.read(id, q.key)) : q.kind === "w" ? answer(cc.write(id, q.key, q.value)) : q.kind === "c" ? answer(cc.commit(id)) : (cc.abort(id), "done");
          const want = model.request(q, id);
          if (got !== want) throw new Error(`request ${i + 1} (${showReq(q)} as T${id}): expected ${want}, received ${got}`);
          if (q.kind === "c" || q.kind === "a") idOf.delete(q.txn);
        });
        const final = JSON.stringify([...cc.committed()].sort());
        const want = JSON.stringify([...model.data].sort());
        if (final !== want) throw new Error(`committed data at the end: expected ${want}, received ${final}`);
      },
      show: showReq,
    });
  });

  it("07.3 OCC with your validation: 2000 seeded random runs, every committed history conflict-serializable, and validation fails in some", () => {
    const rng = new Random(2026);
    const keys = ["x", "y", "z"];
    let failures = 0;
    let committed = 0;
    const RUNS = 2000;
    for (let i = 0; i < RUNS; i++) {
      const scripts: TxnOp[][] = Array.from({ length: rng.intBetween(2, 4) }, (_, t) => [
        ...Array.from({ length: rng.intBetween(1, 4) }, (_, s): TxnOp => (rng.bool() ? { kind: "read", key: rng.pick(keys) } : { kind: "write", key: rng.pick(keys), value: `T${t}.${s}` })),
        { kind: "commit" } as TxnOp,
      ]);
      const h = runRandom(occ(), scripts, rng.fork());
      const report = checkSerializability(h.operations);
      if (!report.conflictSerializable) expect.fail(`run ${i} (seed 2026): ${describeSerializability(report, h.operations)[0]}`);
      failures += h.aborted.length;
      committed += h.committed.length;
    }
    expect(failures, "transactions that failed validation").toBeGreaterThan(RUNS / 10);
    expect(committed, "transactions that committed").toBeGreaterThan(RUNS * 2);
  });

  it("07.3 OCC with your validation: a lost update is caught at T2's commit, with T1 and x in the error", () => {
    const h = engine.runSchedule(occ([["x", 10]]), "T1: r(x); T2: r(x); T1: w(x, 11); T1: c; T2: w(x, 11); T2: c");
    expect(h.committed, "committed").toEqual([1]);
    expect(h.aborted.map((a) => [a.txn, a.reason, a.error?.details["conflictWith"], a.error?.details["key"]]), "aborted").toEqual([[2, "serialization-failure", 1, "x"]]);
    expect(h.finalState.get("x"), "x at the end").toBe(11);
  });
});
