/**
 * Hidden suite of exercise 08.1: `satisfiesMvcc`, PostgreSQL's HeapTupleSatisfiesMVCC.
 * Tested alone (a table of hand-built cases, one per branch of PostgreSQL's function and
 * the edges between them; purity), against an independent reference written here over
 * thousands of seeded random headers, snapshots and commit logs, and plugged into the
 * engine's MVCC (`new MvccConcurrencyControl({ algorithms: { satisfiesMvcc } })`): the
 * anomaly golden script at every level, and seeded random schedules read exactly what the
 * engine's own visibility reads.
 *
 * Errors are recognised by `name` and `kind` (test-support), never `instanceof`; a
 * starter's `NotImplemented` always passes through untouched.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as engine from "@workbook/engine";
import { MvccConcurrencyControl, Random, commit, read, type CommitLogView, type IsolationLevel, type Snapshot, type VisibilityHeader, type XidStatus } from "@workbook/engine";
import { satisfiesMvcc } from "@submission";
import { describeError, speaksForItself } from "../../test-support/index.js";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";
import { randomMvccMoment, randomScripts } from "../../test-support/transactions.js";

const ME = 5;
/** The commit log of the hand-built cases: 1 committed, 2 aborted, 3 running, 4 committed after the snapshot, 6 committed, begun after the snapshot, 7 running. */
const STATUS: Record<number, XidStatus> = { 0: "committed", 1: "committed", 2: "aborted", 3: "in-progress", 4: "committed", 5: "in-progress", 6: "committed", 7: "in-progress" };
const clogOf = (status: Record<number, XidStatus>): CommitLogView =>
  Object.freeze({
    status(xid: number): XidStatus {
      const s = status[xid];
      if (s === undefined) throw new Error(`test clog: xid ${xid} unknown`);
      return s;
    },
  });
const CLOG = clogOf(STATUS);
/** Taken by 5 while 3 and 4 ran, before 6 began. */
const SNAP: Snapshot = Object.freeze({ xmin: 3, xmax: 6, xip: Object.freeze([3, 4]) });
const h = (xmin: number, xmax = 0, cmin = 0, cmax = 0): VisibilityHeader => Object.freeze({ xmin, xmax, cmin, cmax });

function verdict(header: VisibilityHeader, cid: number, snapshot = SNAP, clog = CLOG, me = ME): string {
  try {
    const v = satisfiesMvcc(header, snapshot, clog, me, cid);
    return typeof v === "boolean" ? String(v) : `not a boolean: ${String(v)}`;
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return `threw ${describeError(error)}`;
  }
}

type Case = readonly [string, VisibilityHeader, number, boolean];
function table(cases: readonly Case[]): void {
  const wrong = cases.filter(([, header, cid, want]) => verdict(header, cid) !== String(want)).map(([what, header, cid, want]) => `${what} (header ${JSON.stringify(header)}, curcid ${cid}): expected ${want}, received ${verdict(header, cid)}`);
  expect(wrong, wrong.join("\n")).toEqual([]);
}

/** The reference: visible = created for me and not deleted for me. Written apart from PostgreSQL's branch order. */
function reference(header: VisibilityHeader, s: Snapshot, status: (x: number) => XidStatus, me: number, cid: number): boolean {
  const committedForMe = (x: number) => x !== me && x < s.xmax && !s.xip.includes(x) && status(x) === "committed";
  const created = header.xmin === me ? header.cmin < cid : committedForMe(header.xmin);
  if (!created) return false;
  if (header.xmax === 0) return true;
  if (header.xmin === me && header.xmax !== me) return true; // a deleter that was not me cannot have touched my uncommitted row: it aborted
  const deleted = header.xmax === me ? header.cmax < cid : committedForMe(header.xmax);
  return !deleted;
}

describe("08.1 the visibility function", () => {
  it("08.1 own insertions: visible from the next command on, never to an earlier one", () => {
    table([
      ["inserted by me at command 0, read at command 1", h(ME, 0, 0), 1, true],
      ["inserted by me at command 2, read at command 2 (the same statement)", h(ME, 0, 2), 2, false],
      ["inserted by me at command 3, read at command 1 (a later command)", h(ME, 0, 3), 1, false],
      ["inserted by me at command 0, read at command 9", h(ME, 0, 0), 9, true],
    ]);
  });

  it("08.1 own insertions I deleted: visible until the deleting command's next one; a deleter other than me aborted", () => {
    table([
      ["inserted at 0, deleted by me at 1, read at 1", h(ME, ME, 0, 1), 1, true],
      ["inserted at 0, deleted by me at 1, read at 2", h(ME, ME, 0, 1), 2, false],
      ["inserted at 0, deleted by me at 1, read at 5", h(ME, ME, 0, 1), 5, false],
      ["inserted at 1, deleted at 2, read at 1 (insert not yet seen)", h(ME, ME, 1, 2), 1, false],
      ["inserted by me, xmax of an aborted xid", h(ME, 2, 0, 0), 1, true],
      ["inserted by me, xmax of another running xid", h(ME, 3, 0, 0), 1, true],
    ]);
  });

  it("08.1 creators the snapshot cannot see: running, running then and committed since, begun after, aborted", () => {
    table([
      ["created by 3, running", h(3), 0, false],
      ["created by 4, in xip, committed since", h(4), 0, false],
      ["created by 6 ≥ xmax, committed since", h(6), 0, false],
      ["created by 7 ≥ xmax, running", h(7), 0, false],
      ["created by 2, aborted", h(2), 0, false],
    ]);
  });

  it("08.1 creators committed before the snapshot: visible unless a committed, visible delete", () => {
    table([
      ["created by 1, never deleted", h(1), 0, true],
      ["initial data (xid 0), never deleted", h(0), 0, true],
      ["created by 1, deleted by 1 itself", h(1, 1), 0, false],
      ["created by 0, deleted by 1 (committed before the snapshot)", h(0, 1), 0, false],
    ]);
  });

  it("08.1 deleters the snapshot cannot see, or that aborted: the version stays visible", () => {
    table([
      ["deleted by 3, running", h(1, 3), 0, true],
      ["deleted by 4, committed after the snapshot", h(1, 4), 0, true],
      ["deleted by 6, begun and committed after the snapshot", h(1, 6), 0, true],
      ["deleted by 7, begun after and running", h(1, 7), 0, true],
      ["deleted by 2, aborted", h(1, 2), 0, true],
    ]);
  });

  it("08.1 versions I deleted (created by others): visible to the deleting command, not after", () => {
    table([
      ["created by 1, deleted by me at command 0, read at 0", h(1, ME, 0, 0), 0, true],
      ["created by 1, deleted by me at command 0, read at 1", h(1, ME, 0, 0), 1, false],
      ["created by 1, deleted by me at command 3, read at 2", h(1, ME, 0, 3), 2, true],
      ["created by 4 (not visible), deleted by me", h(4, ME, 0, 0), 1, false],
    ]);
  });

  it("08.1 the snapshot's bounds: xmin and xmax are exact", () => {
    const status: Record<number, XidStatus> = { 0: "committed", 9: "committed", 10: "committed", 11: "committed", 12: "committed", 13: "in-progress" };
    const snap: Snapshot = Object.freeze({ xmin: 10, xmax: 12, xip: Object.freeze([10]) });
    const v = (xmin: number, xmax = 0) => verdict(h(xmin, xmax), 0, snap, clogOf(status), 13);
    expect([v(9), v(10), v(11), v(12)], "created by 9 (< xmin), 10 (= xmin, in xip), 11 (committed, not in xip), 12 (= xmax)").toEqual(["true", "false", "true", "false"]);
    expect([v(9, 10), v(9, 11), v(9, 12)], "deleted by 10 (in xip), 11, 12 (= xmax)").toEqual(["true", "false", "true"]);
  });

  it("08.1 pure: the header, snapshot and clog are not changed (they are frozen here)", () => {
    const header = h(1, 4, 0, 0);
    expect(verdict(header, 0)).toBe("true");
    expect(header).toEqual({ xmin: 1, xmax: 4, cmin: 0, cmax: 0 });
    expect(SNAP).toEqual({ xmin: 3, xmax: 6, xip: [3, 4] });
  });

  it("08.1 against an independent reference over 20000 seeded random cases", () => {
    const random = new Random(81);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000 && wrong.length < 5; i++) {
      // Two in three xids that finished before the snapshot committed.
      const { me, snapshot, status } = randomMvccMoment(random, ["committed", "committed", "aborted"]);
      const xmin = random.bool(0.3) ? me : random.int(11);
      const xmax = random.bool(0.4) ? 0 : random.bool(0.3) ? me : random.intBetween(1, 10);
      const header = h(xmin, xmax, random.int(4), random.int(4));
      const cid = random.int(4);
      const want = reference(header, snapshot, (x) => status[x]!, me, cid);
      const got = verdict(header, cid, snapshot, clogOf(status), me);
      if (got !== String(want)) wrong.push(`header ${JSON.stringify(header)}, snapshot ${JSON.stringify(snapshot)}, clog ${JSON.stringify(status)}, me ${me}, curcid ${cid}: expected ${want}, received ${got}`);
    }
    expect(wrong, wrong.join("\n")).toEqual([]);
  });

  const kit = { ...engine, runSchedule: (cc: MvccConcurrencyControl, s: string) => ({ ...engine.runSchedule(cc, s), operations: cc.multiversionHistory() }) };
  scheduleGoldenTest(
    "08.1 in MVCC: the anomaly script at each isolation level (08-anomalies.golden)",
    path.join(import.meta.dirname, "08-anomalies.golden"),
    kit,
    (c: ProtocolChoice) => new MvccConcurrencyControl({ isolation: (c.options["isolation"] ?? "read-committed").replace("-", " ") as IsolationLevel, initial: c.initial, algorithms: { satisfiesMvcc } }),
    { canRewrite: false },
  );

  it("08.1 in MVCC: 600 seeded random schedules read what the engine's visibility reads, at each level", () => {
    const levels: IsolationLevel[] = ["read committed", "repeatable read", "serializable"];
    for (let seed = 1; seed <= 600; seed++) {
      const level = levels[seed % 3]!;
      const scripts = randomScripts(new Random(seed), 2 + (seed % 4));
      const initial = [["x", 0], ["y", 0], ["z", 0]] as const;
      const mine = engine.runRandom(new MvccConcurrencyControl({ isolation: level, initial, algorithms: { satisfiesMvcc } }), scripts, new Random(seed * 31));
      const theirs = engine.runRandom(new MvccConcurrencyControl({ isolation: level, initial }), scripts, new Random(seed * 31));
      const a = engine.formatTimeline(mine).join("\n");
      const b = engine.formatTimeline(theirs).join("\n");
      if (a !== b) expect.fail(`seed ${seed} at ${level}: expected the timeline\n${b}\nreceived\n${a}`);
      expect([...mine.finalState]).toEqual([...theirs.finalState]);
    }
  });
});

