/**
 * Hidden suite of exercise 08.3: `vacuumHorizon` (PostgreSQL's OldestXmin) and
 * `satisfiesVacuum` (HeapTupleSatisfiesVacuum). Tested alone (hand-built verdicts for every
 * branch, the horizon's bound exactly, refusals, seeded random cases against a model) and
 * plugged into the engine's MVCC (`new MvccConcurrencyControl({ algorithms:
 * { satisfiesVacuum } })`, whose `vacuum()` asks it of every version): a long reader pins
 * the horizon, space returns to the free-space map, vacuum at random points never changes
 * what any transaction reads, and the table stays flat under updates (bloatSeries).
 *
 * Errors are recognised by `name` and `kind` (test-support), never `instanceof`; a
 * starter's `NotImplemented` always passes through untouched.
 */
import { describe, expect, it } from "vitest";
import * as engine from "@workbook/engine";
import { MvccConcurrencyControl, Random, abort, bloatSeries, commit, read, write, type VacuumVerdict, type VisibilityHeader, type XidStatus } from "@workbook/engine";
import { satisfiesVacuum, vacuumHorizon } from "@submission";
import { describeError, expectDbError, speaksForItself } from "../../test-support/index.js";
import { randomScripts, clogOf, versionHeader } from "../../test-support/transactions.js";

const h = versionHeader;
/** 1, 4, 6, 9 committed; 2 aborted; 3, 7 running. */
const CLOG = clogOf({ 0: "committed", 1: "committed", 2: "aborted", 3: "in-progress", 4: "committed", 6: "committed", 7: "in-progress", 9: "committed" });

function verdict(header: VisibilityHeader, horizon: number, clog = CLOG): string {
  try {
    return String(satisfiesVacuum(header, horizon, clog));
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `threw ${describeError(error)}`;
  }
}

function modelVerdict(v: VisibilityHeader, horizon: number, st: (x: number) => XidStatus): VacuumVerdict {
  switch (st(v.xmin)) {
    case "aborted":
      return "dead";
    case "in-progress":
      return "insert-in-progress";
    default: {
      const d = v.xmax === 0 ? "aborted" : st(v.xmax);
      if (d === "aborted") return "live";
      if (d === "in-progress") return "delete-in-progress";
      return v.xmax < horizon ? "dead" : "recently-dead";
    }
  }
}

function twinRun(seed: number, vacuumOften: number, plugged: boolean): void {
  const random = new Random(seed);
  const initial = [["x", 0], ["y", 0]] as const;
  const level = seed % 2 === 0 ? "repeatable read" : "read committed";
  const plain = new MvccConcurrencyControl({ isolation: level, initial });
  const vac = new MvccConcurrencyControl({ isolation: level, initial, ...(plugged ? { algorithms: { satisfiesVacuum } } : {}) });
  const scripts = randomScripts(random, 6);
  const a = new engine.Scheduler(plain).loadScripts(scripts, new Random(seed * 5));
  const b = new engine.Scheduler(vac).loadScripts(scripts, new Random(seed * 5));
  for (let step = 1; ; step++) {
    const ea = a.step();
    const eb = b.step();
    const show = (es: typeof ea) => JSON.stringify(es?.map((e) => [e.txn, e.op, e.outcome, e.value]));
    if (show(ea) !== show(eb)) expect.fail(`seed ${seed}, step ${step}: expected ${show(ea)}, received ${show(eb)} (vacuum ran in between)`);
    if (ea === undefined) break;
    if (random.bool(vacuumOften)) vac.vacuum();
  }
  vac.vacuum();
  expect([...vac.committed()]).toEqual([...plain.committed()]);
}

describe("08.3 vacuum", () => {
  it("08.3 vacuumHorizon: the smallest running xid or snapshot xmin; the next xid when nobody runs", () => {
    expect(vacuumHorizon([], 12)).toBe(12);
    expect(vacuumHorizon([{ xid: 9, snapshotXmin: 4 }, { xid: 6 }], 12)).toBe(4);
    expect(vacuumHorizon([{ xid: 9, snapshotXmin: 10 }, { xid: 7, snapshotXmin: 9 }], 12)).toBe(7);
    expect(vacuumHorizon([{ xid: 11, snapshotXmin: 12 }], 12)).toBe(11);
  });

  it("08.3 vacuumHorizon refuses bad input with invalid-argument, naming it (message and details); the bounds are exact", () => {
    const cases: [string, () => unknown, Record<string, number>, number][] = [
      ["nextXid 0", () => vacuumHorizon([], 0), { nextXid: 0 }, 0],
      ["nextXid 2.5", () => vacuumHorizon([], 2.5), { nextXid: 2.5 }, 2.5],
      ["a running xid = nextXid", () => vacuumHorizon([{ xid: 12 }], 12), { xid: 12 }, 12],
      ["a running xid 0", () => vacuumHorizon([{ xid: 0 }], 12), { xid: 0 }, 0],
      ["a running xid 1.5", () => vacuumHorizon([{ xid: 1.5 }], 12), { xid: 1.5 }, 1.5],
      ["a snapshot xmin beyond nextXid", () => vacuumHorizon([{ xid: 5, snapshotXmin: 13 }], 12), { xid: 5, snapshotXmin: 13 }, 13],
      ["a snapshot xmin 0", () => vacuumHorizon([{ xid: 5, snapshotXmin: 0 }], 12), { xid: 5, snapshotXmin: 0 }, 0],
      ["a snapshot xmin 3.5", () => vacuumHorizon([{ xid: 5, snapshotXmin: 3.5 }], 12), { xid: 5, snapshotXmin: 3.5 }, 3.5],
    ];
    for (const [what, fn, details, shown] of cases) {
      const error = expectDbError(fn, "invalid-argument", what);
      expect(error.message, `${what}: the message names ${shown}`).toContain(String(shown));
      expect(error.details, `${what}: details`).toMatchObject(details);
    }
    expect(vacuumHorizon([], 1), "nextXid 1").toBe(1);
    expect(vacuumHorizon([{ xid: 1, snapshotXmin: 1 }], 2), "xid 1, snapshot xmin 1").toBe(1);
    expect(vacuumHorizon([{ xid: 1, snapshotXmin: 2 }], 2), "a snapshot xmin = nextXid").toBe(1);
  });

  it("08.3 satisfiesVacuum: every branch of HeapTupleSatisfiesVacuum", () => {
    const rows: [string, VisibilityHeader, string][] = [
      ["creator aborted", h(2), "dead"],
      ["creator aborted, deleter committed", h(2, 1), "dead"],
      ["creator running", h(3), "insert-in-progress"],
      ["creator running, deleting itself", h(3, 3), "insert-in-progress"],
      ["live, never deleted", h(1), "live"],
      ["initial data, never deleted", h(0), "live"],
      ["deleter aborted", h(1, 2), "live"],
      ["deleter running", h(1, 7), "delete-in-progress"],
      ["deleter committed below the horizon", h(1, 4), "dead"],
      ["deleter committed at the horizon", h(1, 6), "recently-dead"],
      ["deleter committed above the horizon", h(0, 9), "recently-dead"],
    ];
    const wrong = rows.filter(([, v, want]) => verdict(v, 6) !== want).map(([what, v, want]) => `${what} ${JSON.stringify(v)}, horizon 6: expected ${want}, received ${verdict(v, 6)}`);
    expect(wrong, wrong.join("\n")).toEqual([]);
  });

  it("08.3 satisfiesVacuum: the horizon is exclusive (xmax < horizon is dead)", () => {
    expect([verdict(h(1, 4), 4), verdict(h(1, 4), 5), verdict(h(1, 4), 100)]).toEqual(["recently-dead", "dead", "dead"]);
  });

  it("08.3 satisfiesVacuum against the model over 20000 seeded random cases", () => {
    const random = new Random(83);
    for (let i = 0; i < 20_000; i++) {
      const status: Record<number, XidStatus> = { 0: "committed" };
      for (let x = 1; x <= 10; x++) status[x] = random.pick(["in-progress", "committed", "committed", "aborted"] as const);
      const v = h(random.int(11), random.bool(0.3) ? 0 : random.intBetween(1, 10));
      const horizon = random.intBetween(1, 11);
      const want = modelVerdict(v, horizon, (x) => status[x]!);
      const got = verdict(v, horizon, clogOf(status));
      if (got !== want) expect.fail(`${JSON.stringify(v)}, horizon ${horizon}, clog ${JSON.stringify(status)}: expected ${want}, received ${got}`);
    }
  });

  it("08.3 in MVCC: a long reader pins the horizon; once it ends, vacuum removes the old versions and the space returns to the free-space map", () => {
    const cc = new MvccConcurrencyControl({ isolation: "repeatable read", initial: [["x", 0], ["y", 0]], algorithms: { satisfiesVacuum } });
    cc.begin(1);
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 0 });
    for (let t = 2; t <= 6; t++) {
      cc.begin(t);
      cc.write(t, "x", t);
      if (t === 4) cc.abort(t);
      else cc.commit(t);
    }
    const pinned = cc.vacuum();
    expect([pinned.horizon, pinned.removed, pinned.verdicts["recently-dead"]]).toEqual([1, 1, 4]);
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 0 });
    cc.commit(1);
    const freed = cc.vacuum();
    expect([freed.horizon, freed.removed]).toEqual([7, 4]);
    expect(freed.freeAfter).toBeGreaterThan(freed.freeBefore);
    expect(cc.versions("x").map((v) => v.value)).toEqual([6]);
    expect([...cc.committed()]).toEqual([["x", 6], ["y", 0]]);
  });

  it("08.3 in MVCC: vacuum at random points never changes what any transaction reads (200 seeded schedules)", () => {
    for (let seed = 1; seed <= 200; seed++) twinRun(seed, 0.4, true);
  });

  it("08.3 in MVCC: updates without vacuum grow the table; with the learner's vacuum every round it stays flat", () => {
    const base = { rows: 50, rounds: 4, updatesPerRound: 100, seed: 8, algorithms: { satisfiesVacuum } };
    const never = bloatSeries({ ...base, vacuumEvery: 0 });
    const every = bloatSeries({ ...base, vacuumEvery: 1 });
    expect(never.map((r) => r.versions)).toEqual([50, 150, 250, 350, 450]);
    expect(every.map((r) => r.versions)).toEqual([50, 50, 50, 50, 50]);
    expect(every.slice(1).map((r) => r.removed)).toEqual([100, 100, 100, 100]);
    const held = bloatSeries({ ...base, vacuumEvery: 1, holdSnapshotFrom: 3 });
    expect(held.map((r) => r.versions)).toEqual([50, 50, 50, 150, 250]);
  });
});

