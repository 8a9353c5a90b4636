/**
 * MVCC (notebook 08): version headers on the heap, the visibility rule, snapshots, first
 * updater wins, SSI, vacuum. Through the scheduler: the anomaly golden script, thousands of
 * seeded random schedules under serializable all conflict-serializable (the engine's
 * checker over `multiversionHistory()`, whose reads are also replayed against the serial
 * order), write skew found under snapshot isolation, lost updates never at repeatable read.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import * as engine from "@workbook/engine";
import {
  BOOTSTRAP_XID,
  CommitLog,
  DbError,
  MvccConcurrencyControl,
  Random,
  VERSION_HEADER_SIZE,
  bloatSeries,
  checkSerializability,
  commit,
  decideUpdate,
  decodeHeader,
  decodeRow,
  encodeVersion,
  read,
  runRandom,
  runSchedule,
  satisfiesMvcc,
  satisfiesVacuum,
  takeSnapshot,
  vacuumHorizon,
  write,
  type HistoryOp,
  type IsolationLevel,
  type Rid,
  type TxnValue,
  abort,
} from "@workbook/engine";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";
import { randomScripts } from "../../test-support/transactions.js";

const levelOf = (o: string | undefined): IsolationLevel => (o ?? "read-committed").replace("-", " ") as IsolationLevel;
export const mvccKit = {
  ...engine,
  runSchedule: (cc: MvccConcurrencyControl, s: string) => ({ ...engine.runSchedule(cc, s), operations: cc.multiversionHistory() }),
};
const makeMvcc = (c: ProtocolChoice) => {
  if (c.name !== "mvcc") throw new Error(`unknown protocol ${c.name}`);
  return new MvccConcurrencyControl({ isolation: levelOf(c.options["isolation"]), initial: c.initial });
};


/** Replay the committed transactions serially in `order`: every read must return what it returned. */
export function replayMatches(history: readonly HistoryOp[], order: readonly number[], initial: ReadonlyMap<string, TxnValue>): string | undefined {
  const state = new Map(initial);
  for (const txn of order) {
    const mine = new Map<string, TxnValue | undefined>();
    for (const op of history) {
      if (op.txn !== txn) continue;
      if (op.kind === "read") {
        const got = state.get(op.key);
        if (got !== op.value) return `T${txn} read ${op.key} = ${String(op.value)}, the serial order gives ${String(got)}`;
      } else if (op.kind === "write") mine.set(op.key, op.value);
    }
    for (const [k, v] of mine) {
      if (v === undefined) state.delete(k);
      else state.set(k, v);
    }
  }
  return undefined;
}

describe("MVCC", () => {
  scheduleGoldenTest("08 MVCC: the anomalies at each level (golden/mvcc/anomalies.golden)", path.join(import.meta.dirname, "golden", "mvcc", "anomalies.golden"), mvccKit, makeMvcc);

  test("08 versions: a 24-byte header before the row, read back exactly", () => {
    const ctid = { pageId: 7, slot: 3 } as Rid;
    const bytes = encodeVersion({ xmin: 5, xmax: 9, cmin: 2, cmax: 4, ctid, infomask: 0 }, "k", "v é");
    expect(decodeHeader(bytes)).toEqual({ xmin: 5, xmax: 9, cmin: 2, cmax: 4, ctid, infomask: 0 });
    expect(decodeRow(bytes)).toEqual({ key: "k", value: "v é" });
    expect(bytes.length).toBe(VERSION_HEADER_SIZE + new TextEncoder().encode('["k","v é"]').length);
  });

  test("08 clog: begin, commit, abort; bootstrap committed; refusals", () => {
    const clog = new CommitLog();
    expect(clog.status(BOOTSTRAP_XID)).toBe("committed");
    clog.begin(1);
    clog.begin(2);
    clog.end(1, "committed");
    clog.end(2, "aborted");
    expect(clog.entries()).toEqual([[0, "committed"], [1, "committed"], [2, "aborted"]]);
    expect(() => clog.status(3)).toThrow(DbError);
    expect(() => clog.end(1, "aborted")).toThrow(/not in progress/);
    expect(() => clog.begin(2)).toThrow(/already began/);
  });

  test("08 snapshots: xmin, xmax, xip without the owner; refusals", () => {
    expect(takeSnapshot(5, [6, 3, 5], 8)).toEqual({ xmin: 3, xmax: 8, xip: [3, 6] });
    expect(takeSnapshot(4, [4], 5)).toEqual({ xmin: 5, xmax: 5, xip: [] });
    expect(() => takeSnapshot(4, [4, 9], 8)).toThrow(/not in \[1, nextXid 8\)/);
    expect(() => takeSnapshot(4, [4, 4], 8)).toThrow(/twice/);
    expect(() => takeSnapshot(4, [3], 8)).toThrow(/not running/);
  });

  test("08 visibility: own changes by command id, snapshot, clog", () => {
    const clog = new CommitLog();
    for (const x of [1, 2, 3, 4]) clog.begin(x);
    clog.end(1, "committed");
    clog.end(2, "aborted");
    const snap = takeSnapshot(4, [3, 4], 5); // 3 running
    const h = (xmin: number, xmax = 0, cmin = 0, cmax = 0) => ({ xmin, xmax, cmin, cmax });
    expect(satisfiesMvcc(h(1), snap, clog, 4, 0)).toBe(true);
    expect(satisfiesMvcc(h(2), snap, clog, 4, 0)).toBe(false);
    expect(satisfiesMvcc(h(3), snap, clog, 4, 0)).toBe(false);
    expect(satisfiesMvcc(h(4, 0, 0), snap, clog, 4, 0)).toBe(false);
    expect(satisfiesMvcc(h(4, 0, 0), snap, clog, 4, 1)).toBe(true);
    expect(satisfiesMvcc(h(4, 4, 0, 1), snap, clog, 4, 1)).toBe(true);
    expect(satisfiesMvcc(h(4, 4, 0, 1), snap, clog, 4, 2)).toBe(false);
    expect(satisfiesMvcc(h(1, 3), snap, clog, 4, 0)).toBe(true);
    expect(satisfiesMvcc(h(1, 2), snap, clog, 4, 0)).toBe(true);
    expect(satisfiesMvcc(h(BOOTSTRAP_XID, 1), snap, clog, 4, 0)).toBe(false);
  });

  test("08 decideUpdate: insert, update, wait, conflict, by level", () => {
    const clog = new CommitLog();
    for (const x of [1, 2, 3, 4, 5]) clog.begin(x);
    clog.end(1, "committed");
    clog.end(2, "aborted");
    const snap = takeSnapshot(4, [3, 4, 5], 6);
    clog.end(3, "committed"); // after 4's snapshot
    const h = (xmin: number, xmax = 0) => ({ xmin, xmax, cmin: 0, cmax: 0 });
    expect(decideUpdate(undefined, snap, clog, 4, "repeatable read")).toEqual({ kind: "insert" });
    expect(decideUpdate(h(1), snap, clog, 4, "repeatable read")).toEqual({ kind: "update" });
    expect(decideUpdate(h(1, 2), snap, clog, 4, "repeatable read")).toEqual({ kind: "update" });
    expect(decideUpdate(h(5), snap, clog, 4, "read committed")).toEqual({ kind: "wait", xid: 5 });
    expect(decideUpdate(h(1, 5), snap, clog, 4, "serializable")).toEqual({ kind: "wait", xid: 5 });
    expect(decideUpdate(h(3), snap, clog, 4, "repeatable read")).toEqual({ kind: "conflict", xid: 3 });
    expect(decideUpdate(h(3), snap, clog, 4, "read committed")).toEqual({ kind: "update" });
    expect(decideUpdate(h(1, 3), snap, clog, 4, "serializable")).toEqual({ kind: "conflict", xid: 3 });
    expect(decideUpdate(h(1, 3), snap, clog, 4, "read committed")).toEqual({ kind: "insert" });
    expect(decideUpdate(h(4), snap, clog, 4, "repeatable read")).toEqual({ kind: "update" });
    expect(decideUpdate(h(4, 4), snap, clog, 4, "repeatable read")).toEqual({ kind: "insert" });
    expect(() => decideUpdate(h(2), snap, clog, 4, "repeatable read")).toThrow(/aborted/);
  });

  test("08 the heap: an update sets the old version's xmax and ctid; the chain links old to new", () => {
    const cc = new MvccConcurrencyControl({ isolation: "repeatable read", initial: [["x", 1]] });
    cc.begin(1);
    expect(cc.write(1, "x", 2)).toEqual({ kind: "done" });
    const [v0, v1] = cc.versions("x");
    expect(v0).toMatchObject({ xmin: 0, xmax: 1, cmax: 0, value: 1, ctid: v1!.rid });
    expect(v1).toMatchObject({ xmin: 1, xmax: 0, cmin: 0, value: 2, ctid: v1!.rid });
    expect(cc.heapVersions()).toHaveLength(2);
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 2 });
    cc.abort(1);
    expect(cc.committed()).toEqual(new Map([["x", 1]]));
    expect(cc.heapVersions()).toHaveLength(2); // left for vacuum
    cc.begin(2);
    cc.write(2, "x", 3);
    cc.commit(2);
    // T1's aborted version is orphaned: the chain skips it, the heap still holds it.
    expect(cc.versions("x").map((v) => v.value)).toEqual([1, 3]);
    expect(cc.heapVersions().map((v) => v.value)).toEqual([1, 2, 3]);
  });

  test("08 read committed re-reads the newest version after a wait (EvalPlanQual); repeatable read fails with the details", () => {
    for (const level of ["read committed", "repeatable read"] as const) {
      const cc = new MvccConcurrencyControl({ isolation: level, initial: [["x", 10]] });
      cc.begin(1);
      cc.begin(2);
      cc.write(1, "x", 11);
      expect(cc.write(2, "x", 12)).toEqual({ kind: "waiting", on: "x", holders: [1] });
      expect(cc.state(2)).toBe("waiting");
      expect(cc.write(2, "x", 12)).toEqual({ kind: "waiting", on: "x", holders: [1] });
      cc.commit(1);
      const step = cc.write(2, "x", 12);
      if (level === "read committed") {
        expect(step).toEqual({ kind: "done" });
        cc.commit(2);
        expect(cc.committed().get("x")).toBe(12);
      } else {
        expect(step.kind).toBe("aborted");
        const error = (step as { error: DbError }).error;
        expect(error.kind).toBe("serialization-failure");
        expect(error.message).toMatch(/^could not serialize access due to concurrent update/);
        expect(error.details).toEqual({ txn: 2, conflictWith: 1, key: "x" });
        expect(cc.state(2)).toBe("aborted");
        expect(cc.abortError(2)).toBe(error);
        expect(() => cc.read(2, "x")).toThrow(/T2 is aborted/);
      }
    }
  });

  test("08 deadlock: the writer that would close a wait cycle is aborted", () => {
    const cc = new MvccConcurrencyControl({ initial: [["x", 0], ["y", 0]] });
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    cc.write(2, "y", 2);
    expect(cc.write(1, "y", 1).kind).toBe("waiting");
    const step = cc.write(2, "x", 2);
    expect(step.kind).toBe("aborted");
    expect((step as { error: DbError }).error.details).toMatchObject({ cycle: [2, 1, 2] });
    expect(cc.write(1, "y", 1)).toEqual({ kind: "done" });
  });

  test("08 refusals: unknown transactions, twice begun, after the end, bad ids, unknown plug-ins", () => {
    const cc = new MvccConcurrencyControl();
    expect(() => cc.read(1, "x")).toThrow(/never begun/);
    cc.begin(2);
    expect(() => cc.begin(2)).toThrow(DbError);
    expect(() => cc.begin(1)).toThrow(/ids increase/);
    cc.commit(2);
    expect(() => cc.write(2, "x", 1)).toThrow(/committed/);
    expect(() => new MvccConcurrencyControl({ algorithms: { nope: () => true } as never })).toThrow(/unknown MVCC algorithm/);
    expect(() => new MvccConcurrencyControl({ isolation: "snapshot" as never })).toThrow(/unknown isolation/);
    expect(() => new MvccConcurrencyControl({ initial: [["x", 1], ["x", 2]] })).toThrow(/twice/);
  });

  test("08 SSI: T_out commits first while the pivot and T_in run: the pivot is doomed and fails at its next request", () => {
    const cc = new MvccConcurrencyControl({ isolation: "serializable", initial: [["a", 0], ["b", 0]] });
    const h = runSchedule(cc, "T1: r(a); T2: r(b); T3: w(b, 1); T2: w(a, 1); T3: c; T2: c; T1: c");
    expect(cc.rwEdges()).toEqual([[1, 2], [2, 3]]);
    expect(h.committed).toEqual([3, 1]);
    expect(h.aborted.map((a) => [a.txn, a.reason, a.error?.details])).toEqual([[2, "serialization-failure", { txn: 2, pivot: 2, in: 1, out: 3 }]]);
    expect(cc.snapshotOf(1)).toBeUndefined();
    expect(cc.clog.entries()).toEqual([[0, "committed"], [1, "committed"], [2, "aborted"], [3, "committed"]]);
  });

  test("08 serializable (SSI): 3000 seeded random schedules, every committed history conflict-serializable, reads match the serial order", () => {
    let runs = 0;
    let aborts = 0;
    let committedTxns = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const random = new Random(seed);
      const initial = new Map<string, TxnValue>([["x", 0], ["y", 0], ["z", 0]]);
      const cc = new MvccConcurrencyControl({ isolation: "serializable", initial });
      const h = runRandom(cc, randomScripts(random, random.intBetween(2, 5)), random);
      const mv = cc.multiversionHistory();
      const report = checkSerializability(mv);
      if (!report.conflictSerializable) throw new Error(`seed ${seed}: not serializable: ${engine.describeSerializability(report, mv).join("; ")}\n${engine.formatTimeline(h).join("\n")}`);
      const bad = replayMatches(mv, report.serialOrder!, initial);
      if (bad !== undefined) throw new Error(`seed ${seed}: ${bad}`);
      expect(h.outcome).toBe("finished");
      runs++;
      aborts += h.aborted.filter((a) => a.reason === "serialization-failure").length;
      committedTxns += h.committed.length;
    }
    expect(runs).toBe(3000);
    expect(aborts).toBeGreaterThan(0);
    expect(committedTxns).toBeGreaterThan(3000);
  });

  test("08 snapshot isolation: random schedules never lose an update, but some are not serializable (write skew)", () => {
    let nonSerializable = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const random = new Random(seed);
      const initial = new Map<string, TxnValue>([["x", 0], ["y", 0], ["z", 0]]);
      const cc = new MvccConcurrencyControl({ isolation: "repeatable read", initial });
      runRandom(cc, randomScripts(random, random.intBetween(2, 5)), random);
      const mv = cc.multiversionHistory();
      const report = checkSerializability(mv);
      if (!report.conflictSerializable) {
        nonSerializable++;
        // Never a w-w edge against commit order: two committed writers of one key were not concurrent.
        expect(report.cycleEdges!.some((e) => e.kind === "r-w")).toBe(true);
      } else expect(replayMatches(mv, report.serialOrder!, initial)).toBeUndefined();
    }
    expect(nonSerializable).toBeGreaterThan(0);
  });

  test("08 vacuum: the horizon, dead and recently-dead versions, chains repaired, space back in the free-space map", () => {
    const cc = new MvccConcurrencyControl({ isolation: "repeatable read", initial: [["x", 0], ["y", 0]] });
    cc.begin(1); // a long reader: its snapshot pins the horizon
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 0 });
    for (let t = 2; t <= 6; t++) {
      cc.begin(t);
      cc.write(t, "x", t);
      if (t === 4) cc.abort(t);
      else cc.commit(t);
    }
    expect(cc.horizon()).toBe(1);
    const first = cc.vacuum();
    expect(first.horizon).toBe(1);
    expect(first.verdicts).toMatchObject({ dead: 1, "recently-dead": 4, live: 2 }); // T4's aborted version is dead
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 0 });
    cc.commit(1);
    expect(cc.horizon()).toBe(7);
    const second = cc.vacuum();
    expect(second.removed).toBe(4);
    expect(second.freeAfter).toBeGreaterThan(second.freeBefore);
    expect(cc.versions("x").map((v) => [v.value, v.xmin, v.xmax])).toEqual([[6, 6, 0]]);
    expect(cc.heapVersions()).toHaveLength(2);
    expect(cc.committed()).toEqual(new Map([["x", 6], ["y", 0]]));
    // A deleted key disappears from the index once no snapshot sees it.
    cc.begin(7);
    cc.write(7, "y", undefined);
    cc.commit(7);
    expect(cc.vacuum().keysRemoved).toBe(1);
    expect(cc.keys()).toEqual(["x"]);
  });

  test("08 vacuum at random points never changes what anyone reads", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = new Random(seed);
      const a = new MvccConcurrencyControl({ isolation: "repeatable read", initial: [["x", 0], ["y", 0]] });
      const b = new MvccConcurrencyControl({ isolation: "repeatable read", initial: [["x", 0], ["y", 0]] });
      const scripts = randomScripts(random, 6, ["x", "y"]);
      const order = new Random(seed * 7);
      const sa = new engine.Scheduler(a).loadScripts(scripts, order);
      const sb = new engine.Scheduler(b).loadScripts(scripts, new Random(seed * 7));
      for (;;) {
        const ea = sa.step();
        const eb = sb.step();
        expect(ea?.map((e) => [e.txn, e.outcome, e.value])).toEqual(eb?.map((e) => [e.txn, e.outcome, e.value]));
        if (ea === undefined) break;
        if (random.bool(0.3)) b.vacuum();
      }
      b.vacuum();
      expect(b.committed()).toEqual(a.committed());
      expect(b.heapVersions().length).toBeLessThanOrEqual(a.heapVersions().length);
    }
  });

  test("08 bloat: without vacuum the heap grows by every update; with it, it stays flat; a held snapshot pins it", () => {
    const base = { rows: 100, rounds: 4, updatesPerRound: 200, seed: 3 };
    const never = bloatSeries({ ...base, vacuumEvery: 0 });
    const every = bloatSeries({ ...base, vacuumEvery: 1 });
    const held = bloatSeries({ ...base, vacuumEvery: 1, holdSnapshotFrom: 2 });
    expect(never.map((r) => r.versions)).toEqual([100, 300, 500, 700, 900]);
    expect(every.slice(1).every((r) => r.versions === 100 && r.removed === 200)).toBe(true);
    expect(never.at(-1)!.pages).toBeGreaterThan(every.at(-1)!.pages * 2);
    expect(held.at(-1)!.versions).toBe(100 + 3 * 200);
    expect(vacuumHorizon([{ xid: 9, snapshotXmin: 4 }, { xid: 6 }], 12)).toBe(4);
    expect(vacuumHorizon([], 12)).toBe(12);
    const clog = new CommitLog();
    clog.begin(1);
    expect(satisfiesVacuum({ xmin: 1, xmax: 0, cmin: 0, cmax: 0 }, 5, clog)).toBe("insert-in-progress");
  });

  test("08 runSchedule history: writes take effect at commit, the protocol's name says the level", () => {
    const cc = new MvccConcurrencyControl({ isolation: "serializable", initial: [["x", 0]] });
    expect(cc.name).toBe("MVCC (serializable, SSI)");
    const h = runSchedule(cc, "T1: w(x, 1); T2: r(x); T1: c; T2: c");
    expect(h.operations.map((o) => o.kind)).toEqual(["read", "write", "commit", "commit"]);
    expect(cc.multiversionHistory()).toEqual([
      { kind: "read", txn: 2, key: "x", value: 0 },
      { kind: "write", txn: 1, key: "x", value: 1 },
      { kind: "commit", txn: 1 },
      { kind: "commit", txn: 2 },
    ]);
  });
});
