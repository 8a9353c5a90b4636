/**
 * Hidden suite of exercise 08.2: `takeSnapshot` (PostgreSQL's GetSnapshotData) and
 * `decideUpdate` (heap_update's first-updater-wins rule). Tested alone (hand-built cases for
 * every row of the decision table at every isolation level, refusals, seeded random cases
 * against a model written here) and plugged into the engine's MVCC
 * (`new MvccConcurrencyControl({ algorithms: { takeSnapshot, decideUpdate } })`): waiting
 * through the scheduler, the exact serialization failure, the anomaly golden script, and
 * seeded random schedules whose timelines match the engine's and whose committed histories
 * under serializable are all conflict-serializable.
 *
 * Errors are recognised by `name` and `kind` (test-support), never `instanceof`; a
 * starter's `NotImplemented` always passes through untouched.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as engine from "@workbook/engine";
import {
  MvccConcurrencyControl,
  Random,
  checkSerializability,
  commit,
  read,
  write,
  type IsolationLevel,
  type Snapshot,
  type UpdateDecision,
  type VisibilityHeader,
  type XidStatus,
} from "@workbook/engine";
import { decideUpdate, takeSnapshot } from "@submission";
import { describeError, expectDbError, speaksForItself } from "../../test-support/index.js";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";
import { randomMvccMoment, randomScripts, clogOf, versionHeader } from "../../test-support/transactions.js";

const LEVELS: readonly IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];
const SNAPSHOT_LEVELS = new Set<IsolationLevel>(["repeatable read", "serializable"]);
const mine = { takeSnapshot, decideUpdate };

const h = versionHeader;

function show(fn: () => UpdateDecision | Snapshot): string {
  try {
    return JSON.stringify(fn());
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `threw ${describeError(error)}`;
  }
}

/** Me = 5; 1 committed before my snapshot, 2 aborted, 3 running, 4 committed after my snapshot (it was in xip), 6 begun after, committed. */
const ME = 5;
const CLOG = clogOf({ 0: "committed", 1: "committed", 2: "aborted", 3: "in-progress", 4: "committed", 5: "in-progress", 6: "committed" });
const SNAP: Snapshot = Object.freeze({ xmin: 3, xmax: 6, xip: Object.freeze([3, 4]) });

function decisions(rows: readonly (readonly [string, VisibilityHeader | undefined, Partial<Record<IsolationLevel, UpdateDecision>> & { all?: UpdateDecision }])[]): void {
  const wrong: string[] = [];
  for (const [what, header, want] of rows) {
    for (const level of LEVELS) {
      const expected = want[level] ?? want.all ?? (SNAPSHOT_LEVELS.has(level) ? want["repeatable read"] : want["read committed"]);
      const got = show(() => decideUpdate(header, SNAP, CLOG, ME, level));
      if (got !== JSON.stringify(expected)) wrong.push(`${what} at ${level}: expected ${JSON.stringify(expected)}, received ${got}`);
    }
  }
  expect(wrong, wrong.join("\n")).toEqual([]);
}

function modelSnapshot(me: number, running: readonly number[], next: number): Snapshot {
  const xip = running.filter((x) => x !== me).sort((a, b) => a - b);
  return { xmin: xip.length > 0 ? Math.min(...xip) : next, xmax: next, xip };
}

/** The model: who holds the row, then whether my snapshot saw that change. */
function modelDecision(v: VisibilityHeader | undefined, s: Snapshot, st: (x: number) => XidStatus, me: number, level: IsolationLevel): UpdateDecision {
  const sawCommit = (x: number) => x < s.xmax && !s.xip.includes(x);
  const strict = SNAPSHOT_LEVELS.has(level);
  if (v === undefined) return { kind: "insert" };
  if (v.xmin === me) return { kind: v.xmax === me ? "insert" : "update" };
  if (st(v.xmin) === "in-progress") return { kind: "wait", xid: v.xmin };
  if (strict && !sawCommit(v.xmin)) return { kind: "conflict", xid: v.xmin };
  const deleter = v.xmax === 0 ? "none" : v.xmax === me ? "me" : st(v.xmax);
  switch (deleter) {
    case "none":
    case "aborted":
      return { kind: "update" };
    case "me":
      return { kind: "insert" };
    case "in-progress":
      return { kind: "wait", xid: v.xmax };
    default:
      return strict && !sawCommit(v.xmax) ? { kind: "conflict", xid: v.xmax } : { kind: "insert" };
  }
}

describe("08.2 snapshots and the update path", () => {
  it("08.2 takeSnapshot: xmax the next xid, xip the others running (ascending), xmin the smallest or xmax", () => {
    expect(show(() => takeSnapshot(5, [6, 3, 5], 8))).toBe(JSON.stringify({ xmin: 3, xmax: 8, xip: [3, 6] }));
    expect(show(() => takeSnapshot(4, [4], 5))).toBe(JSON.stringify({ xmin: 5, xmax: 5, xip: [] }));
    expect(show(() => takeSnapshot(1, [9, 1, 2, 7], 12))).toBe(JSON.stringify({ xmin: 2, xmax: 12, xip: [2, 7, 9] }));
    const running = Object.freeze([3, 1]);
    takeSnapshot(1, running, 4);
    expect(running).toEqual([3, 1]);
  });

  it("08.2 takeSnapshot refuses bad input with invalid-argument, naming the xid (message and details)", () => {
    const cases: [string, () => unknown, number][] = [
      ["a running xid = nextXid", () => takeSnapshot(4, [4, 8], 8), 8],
      ["a running xid 0", () => takeSnapshot(4, [4, 0], 8), 0],
      ["a running xid 2.5", () => takeSnapshot(4, [4, 2.5], 8), 2.5],
      ["a duplicate", () => takeSnapshot(4, [4, 3, 3], 8), 3],
      ["me not running", () => takeSnapshot(4, [3], 8), 4],
    ];
    for (const [what, fn, xid] of cases) {
      const error = expectDbError(fn, "invalid-argument", what);
      expect(error.message, `${what}: the message names xid ${xid}`).toContain(String(xid));
      expect(error.details, `${what}: details`).toMatchObject({ xid });
    }
    expect(show(() => takeSnapshot(1, [1], 2)), "xid 1 with nextXid 2 is fine").toBe(JSON.stringify({ xmin: 2, xmax: 2, xip: [] }));
  });

  it("08.2 takeSnapshot against the model over 3000 seeded random process arrays", () => {
    const random = new Random(82);
    for (let i = 0; i < 3000; i++) {
      const next = random.intBetween(2, 40);
      const running = random.shuffle([...Array(next - 1).keys()].map((k) => k + 1).filter(() => random.bool(0.3)));
      if (running.length === 0) running.push(random.intBetween(1, next - 1));
      const me = random.pick(running);
      const got = show(() => takeSnapshot(me, running, next));
      const want = JSON.stringify(modelSnapshot(me, running, next));
      if (got !== want) expect.fail(`takeSnapshot(${me}, [${running.join(", ")}], ${next}): expected ${want}, received ${got}`);
    }
  });

  it("08.2 decideUpdate: no version, or my own versions", () => {
    decisions([
      ["no version at all", undefined, { all: { kind: "insert" } }],
      ["a version I created", h(ME), { all: { kind: "update" } }],
      ["a version I created and deleted", h(ME, ME), { all: { kind: "insert" } }],
    ]);
  });

  it("08.2 decideUpdate: a row another running transaction holds makes me wait, at every level", () => {
    decisions([
      ["created by 3, running", h(3), { all: { kind: "wait", xid: 3 } }],
      ["created by 1, deleted or replaced by 3, running", h(1, 3), { all: { kind: "wait", xid: 3 } }],
    ]);
  });

  it("08.2 decideUpdate: a change my snapshot did not see is a conflict at repeatable read and serializable only", () => {
    decisions([
      ["created by 4, committed after my snapshot", h(4), { "read committed": { kind: "update" }, "repeatable read": { kind: "conflict", xid: 4 } }],
      ["created by 6, begun after my snapshot", h(6), { "read committed": { kind: "update" }, "repeatable read": { kind: "conflict", xid: 6 } }],
      ["deleted by 4, committed after my snapshot", h(1, 4), { "read committed": { kind: "insert" }, "repeatable read": { kind: "conflict", xid: 4 } }],
      ["created by 4 after my snapshot, deleted by 6", h(4, 6), { "read committed": { kind: "insert" }, "repeatable read": { kind: "conflict", xid: 4 } }],
    ]);
  });

  it("08.2 decideUpdate: committed, seen changes: update a live version, insert over a deleted one; an aborted deleter does not count", () => {
    decisions([
      ["created by 1, live", h(1), { all: { kind: "update" } }],
      ["initial data (xid 0), live", h(0), { all: { kind: "update" } }],
      ["created by 0, deleted by 1 (seen)", h(0, 1), { all: { kind: "insert" } }],
      ["created by 1, deleted by 2 (aborted)", h(1, 2), { all: { kind: "update" } }],
      ["created by 1, deleted by me", h(1, ME), { all: { kind: "insert" } }],
    ]);
    const error = expectDbError(() => decideUpdate(h(2), SNAP, CLOG, ME, "read committed"), "invalid-argument", "a newest version whose creator aborted");
    expect(error.message, "the message names the creator").toContain("2");
    expect(error.details, "details").toMatchObject({ xmin: 2 });
  });

  it("08.2 decideUpdate against the model over 20000 seeded random cases", () => {
    const random = new Random(28);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000 && wrong.length < 5; i++) {
      const { me, snapshot, status } = randomMvccMoment(random, ["committed", "aborted"]);
      const nonAborted = [0, ...Object.keys(status).map(Number).filter((x) => status[x] !== "aborted")];
      const header = random.bool(0.1) ? undefined : h(random.pick(nonAborted), random.bool(0.4) ? 0 : random.intBetween(1, 10));
      const level = random.pick(LEVELS);
      const want = JSON.stringify(modelDecision(header, snapshot, (x) => status[x]!, me, level));
      const got = show(() => decideUpdate(header, snapshot, clogOf(status), me, level));
      if (got !== want) wrong.push(`${JSON.stringify(header)} at ${level}, snapshot ${JSON.stringify(snapshot)}, clog ${JSON.stringify(status)}, me ${me}: expected ${want}, received ${got}`);
    }
    expect(wrong, wrong.join("\n")).toEqual([]);
  });

  it("08.2 in MVCC: a writer waits for the holder through the scheduler, then updates (read committed) or fails with the exact error (repeatable read)", () => {
    for (const level of ["read committed", "repeatable read"] as const) {
      const cc = new MvccConcurrencyControl({ isolation: level, initial: [["x", 10]], algorithms: mine });
      const s = new engine.Scheduler(cc);
      s.submit(1, write("x", 11));
      const waits = s.submit(2, write("x", 12));
      expect(waits.map((e) => [e.outcome, e.waitsFor, e.on])).toEqual([["waiting", [1], "x"]]);
      const after = s.submit(1, commit());
      const retried = after.find((e) => e.txn === 2)!;
      if (level === "read committed") {
        expect(retried.outcome).toBe("done");
        s.submit(2, commit());
        expect(cc.committed().get("x")).toBe(12);
      } else {
        expect(retried.outcome).toBe("aborted");
        expect(retried.error?.kind).toBe("serialization-failure");
        expect(retried.error?.message).toMatch(/^could not serialize access due to concurrent update/);
        expect(retried.error?.details).toEqual({ txn: 2, conflictWith: 1, key: "x" });
        expect(cc.committed().get("x")).toBe(11);
      }
    }
  });

  const kit = { ...engine, runSchedule: (cc: MvccConcurrencyControl, s: string) => ({ ...engine.runSchedule(cc, s), operations: cc.multiversionHistory() }) };
  scheduleGoldenTest(
    "08.2 in MVCC: the anomaly script at each isolation level (08-anomalies.golden)",
    path.join(import.meta.dirname, "08-anomalies.golden"),
    kit,
    (c: ProtocolChoice) => new MvccConcurrencyControl({ isolation: (c.options["isolation"] ?? "read-committed").replace("-", " ") as IsolationLevel, initial: c.initial, algorithms: mine }),
    { canRewrite: false },
  );

  it("08.2 in MVCC: 900 seeded random schedules match the engine's timelines; under serializable every committed history is conflict-serializable", () => {
    const levels: IsolationLevel[] = ["read committed", "repeatable read", "serializable"];
    for (let seed = 1; seed <= 900; seed++) {
      const level = levels[seed % 3]!;
      const scripts = randomScripts(new Random(seed), 2 + (seed % 4));
      const initial = [["x", 0], ["y", 0], ["z", 0]] as const;
      const cc = new MvccConcurrencyControl({ isolation: level, initial, algorithms: mine });
      const got = engine.runRandom(cc, scripts, new Random(seed * 17));
      const want = engine.runRandom(new MvccConcurrencyControl({ isolation: level, initial }), scripts, new Random(seed * 17));
      const a = engine.formatTimeline(got).concat(engine.formatOutcome(got)).join("\n");
      const b = engine.formatTimeline(want).concat(engine.formatOutcome(want)).join("\n");
      if (a !== b) expect.fail(`seed ${seed} at ${level}: expected\n${b}\nreceived\n${a}`);
      if (level === "serializable") {
        const report = checkSerializability(cc.multiversionHistory());
        if (!report.conflictSerializable) expect.fail(`seed ${seed}: a committed history is not serializable:\n${a}`);
      }
    }
  });
});

