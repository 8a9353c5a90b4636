/**
 * Strict two-phase locking (engine/src/txn/two-phase-locking.ts): the contract's rules,
 * undo on abort, the isolation levels as lock rules (dirty read, non-repeatable read,
 * phantom: which level lets which through), the two phases of the non-strict variant,
 * and seeded random schedules of increments that must lose no update.
 */
import { describe, expect, it } from "vitest";
import {
  Random,
  TwoPhaseLocking,
  checkSerializability,
  commit,
  read,
  runRandom,
  runSchedule,
  scan,
  write,
  type DeadlockPolicy,
  type IsolationLevel,
  type ScanStep,
  type Step,
  type TxnOp,
} from "../src/index.js";
import { checkRun, expectDbError, rng } from "../../test-support/index.js";

const done = (value?: number | string): Step => ({ kind: "done", value });
const kind = (s: Step | ScanStep) => s.kind;
const rows = (s: ScanStep) => (s.kind === "done" ? s.rows.map(([k, v]) => `${k}=${v}`).join(" ") : s.kind);

function two(isolation: IsolationLevel, initial: [string, number][] = [["x", 1]]): TwoPhaseLocking {
  const cc = new TwoPhaseLocking({ isolation, initial });
  cc.begin(1);
  cc.begin(2);
  return cc;
}

describe("07 2PL · the contract", () => {
  it("reads, writes, deletes, commits; committed() shows only committed data, in key order", () => {
    const cc = new TwoPhaseLocking({ initial: [["b", 2], ["a", 1]] });
    expect(cc.name).toBe("2PL (serializable, detect)");
    cc.begin(1);
    expect(cc.read(1, "a")).toEqual(done(1));
    expect(cc.read(1, "zz")).toEqual(done(undefined));
    expect(cc.write(1, "a", "one")).toEqual(done());
    expect(cc.write(1, "b", undefined)).toEqual(done());
    expect(cc.write(1, "c", 3)).toEqual(done());
    expect(cc.read(1, "a")).toEqual(done("one"));
    expect([...cc.committed()]).toEqual([["a", 1], ["b", 2]]);
    expect(cc.commit(1)).toEqual(done());
    expect([...cc.committed()]).toEqual([["a", "one"], ["c", 3]]);
    expect(cc.state(1)).toBe("committed");
    expect(cc.state(9)).toBeUndefined();
  });

  it("abort undoes every write, newest first (a key written twice, a delete, an insert)", () => {
    const cc = new TwoPhaseLocking({ initial: [["x", 1], ["y", 2]] });
    cc.begin(1);
    cc.write(1, "x", 10);
    cc.write(1, "x", 11);
    cc.write(1, "y", undefined);
    cc.write(1, "t/1", 5);
    cc.abort(1);
    expect(cc.state(1)).toBe("aborted");
    cc.begin(2);
    expect([cc.read(2, "x"), cc.read(2, "y"), cc.read(2, "t/1")]).toEqual([done(1), done(2), done(undefined)]);
    expect(cc.locks.resources(), "T2's read locks only").toEqual(["t", "t/1", "x", "y"]);
    expect(cc.locks.held(1, "x")).toBeUndefined();
  });

  it("refusals: begun twice, never begun, after commit or abort, another request while waiting, commit while waiting, bad keys", () => {
    const cc = two("serializable");
    expectDbError(() => cc.begin(1), "invalid-state", "begin(1) twice");
    expectDbError(() => cc.begin(0), "invalid-argument", "begin(0)");
    expectDbError(() => cc.read(7, "x"), "invalid-state", "read by T7, never begun");
    expectDbError(() => cc.read(1, ""), "invalid-argument", "an empty key");
    cc.write(1, "x", 5);
    expect(cc.read(2, "x")).toEqual({ kind: "waiting", on: "x", holders: [1] });
    expect(cc.state(2)).toBe("waiting");
    expectDbError(() => cc.read(2, "y"), "invalid-state", "T2 reads y while waiting for x");
    expectDbError(() => cc.commit(2), "invalid-state", "T2 commits while waiting");
    expect(cc.read(2, "x").kind).toBe("waiting");
    cc.commit(1);
    expectDbError(() => cc.write(1, "x", 6), "invalid-state", "a write after commit");
    expectDbError(() => cc.abort(1), "invalid-state", "abort after commit");
    expect(cc.read(2, "x")).toEqual(done(5));
    expect(cc.state(2)).toBe("active");
    cc.abort(2);
    expectDbError(() => cc.abort(2), "invalid-state", "abort twice");
  });

  it("a transaction aborted by another's request hears it once (its next request), and the caller may still call abort", () => {
    const cc = new TwoPhaseLocking({ deadlock: "wound-wait" });
    cc.begin(1);
    cc.begin(2);
    cc.write(2, "x", 2);
    expect(cc.write(1, "x", 1)).toEqual(done());
    expect(cc.state(2)).toBe("aborted");
    expect(cc.abortError(2)?.message).toBe("wound-wait: older T1 wounds T2 on x");
    expect(cc.abortError(1)).toBeUndefined();
    const told = cc.commit(2);
    expect(told.kind === "aborted" && told.error.kind).toBe("deadlock");
    expectDbError(() => cc.commit(2), "invalid-state", "a second commit");
    cc.begin(3);
    cc.begin(4);
    cc.write(4, "y", 4);
    cc.write(3, "y", 3);
    cc.abort(4);
    expectDbError(() => cc.read(4, "y"), "invalid-state", "after the caller's abort");
  });
});

describe("07 2PL · isolation levels as lock rules", () => {
  it("read uncommitted takes no read locks: a dirty read", () => {
    const cc = two("read uncommitted");
    cc.write(1, "x", 99);
    expect(cc.read(2, "x")).toEqual(done(99));
    cc.abort(1);
    expect(cc.read(2, "x")).toEqual(done(1));
  });

  it("read committed: a read waits for the writer; the S lock goes right after the read (a non-repeatable read)", () => {
    const cc = two("read committed");
    cc.write(1, "x", 2);
    expect(kind(cc.read(2, "x"))).toBe("waiting");
    cc.commit(1);
    expect(cc.read(2, "x")).toEqual(done(2));
    expect(cc.locks.held(2, "x")).toBeUndefined();
    cc.begin(3);
    expect(cc.write(3, "x", 3)).toEqual(done());
    cc.commit(3);
    expect(cc.read(2, "x")).toEqual(done(3));
  });

  it("read committed keeps a lock the transaction had before the read (its own write's X)", () => {
    const cc = two("read committed");
    cc.write(1, "t/1", 1);
    expect(cc.read(1, "t/1")).toEqual(done(1));
    expect(cc.locks.held(1, "t/1")).toBe("X");
    expect(cc.locks.held(1, "t")).toBe("IX");
  });

  it("repeatable read holds S to commit: the writer waits, the second read repeats", () => {
    const cc = two("repeatable read");
    expect(cc.read(1, "x")).toEqual(done(1));
    expect(cc.write(2, "x", 2)).toEqual({ kind: "waiting", on: "x", holders: [1] });
    expect(cc.read(1, "x")).toEqual(done(1));
    cc.commit(1);
    expect(cc.write(2, "x", 2)).toEqual(done());
  });

  it("repeatable read: a scan locks the rows it finds, not the gaps: a phantom", () => {
    const cc = two("repeatable read", [["a/1", 1], ["a/2", 2], ["b/1", 9]]);
    expect(rows(cc.scan(1, "a/"))).toBe("a/1=1 a/2=2");
    expect(cc.write(2, "a/3", 3)).toEqual(done());
    expect(cc.commit(2)).toEqual(done());
    expect(rows(cc.scan(1, "a/"))).toBe("a/1=1 a/2=2 a/3=3");
  });

  it("serializable: a scan takes S on the table, an insert waits (no phantom); a write after the scan upgrades to SIX", () => {
    const cc = two("serializable", [["a/1", 1], ["a/2", 2]]);
    expect(rows(cc.scan(1, "a/"))).toBe("a/1=1 a/2=2");
    expect(cc.locks.held(1, "a")).toBe("S");
    expect(cc.write(2, "a/3", 3)).toEqual({ kind: "waiting", on: "a", holders: [1] });
    expect(rows(cc.scan(1, "a/"))).toBe("a/1=1 a/2=2");
    expect(cc.write(1, "a/1", 10)).toEqual(done());
    expect(cc.locks.held(1, "a")).toBe("SIX");
    cc.commit(1);
    expect(cc.write(2, "a/3", 3)).toEqual(done());
    cc.commit(2);
    expect([...cc.committed()]).toEqual([["a/1", 10], ["a/2", 2], ["a/3", 3]]);
  });

  it("a scan waits for a row an active transaction deleted (it is not gone until that commits)", () => {
    const cc = two("repeatable read", [["a/1", 1], ["a/2", 2]]);
    cc.write(1, "a/2", undefined);
    expect(cc.scan(2, "a/")).toEqual({ kind: "waiting", on: "a/2", holders: [1] });
    cc.abort(1);
    expect(rows(cc.scan(2, "a/"))).toBe("a/1=1 a/2=2");
  });

  it("a scan that waited re-plans its row locks on retry: a row inserted meanwhile is locked too, the waited-for lock keeps its place", () => {
    // The repro: T1: w(a/2, 5); T2: s(a/); T3: w(a/1, 1); T3: c; T1: c; T2: c at repeatable read.
    const cc = two("repeatable read", []);
    cc.begin(3);
    cc.begin(4);
    expect(cc.write(1, "a/2", 5)).toEqual(done());
    expect(cc.scan(2, "a/")).toEqual({ kind: "waiting", on: "a/2", holders: [1] });
    expect(cc.write(4, "a/2", 6)).toEqual({ kind: "waiting", on: "a/2", holders: [1, 2] }); // behind T2
    expect(cc.write(3, "a/1", 1)).toEqual(done());
    expect(cc.commit(3)).toEqual(done());
    // Asked again while a/1 is new and free: still waits on a/2, and asked nothing else.
    expect(cc.scan(2, "a/")).toEqual({ kind: "waiting", on: "a/2", holders: [1] });
    expect(cc.locks.held(2, "a/1")).toBeUndefined();
    expect(cc.locks.queue("a/2").map((r) => `T${r.txn} ${r.mode}${r.granted ? "" : "?"}`)).toEqual(["T1 X", "T2 S?", "T4 X?"]);
    expect(cc.commit(1)).toEqual(done());
    expect(rows(cc.scan(2, "a/"))).toBe("a/1=1 a/2=5");
    expect([cc.locks.held(2, "a"), cc.locks.held(2, "a/1"), cc.locks.held(2, "a/2")]).toEqual(["IS", "S", "S"]);
    expect(kind(cc.write(4, "a/2", 6))).toBe("waiting");
    expect(cc.commit(2)).toEqual(done());
    expect(cc.write(4, "a/2", 6)).toEqual(done());
  });

  it("the repro through the scheduler: the scan that waited returns the inserted row, everyone commits", () => {
    const h = runSchedule(new TwoPhaseLocking({ isolation: "repeatable read" }), "T1: w(a/2, 5); T2: s(a/); T3: w(a/1, 1); T3: c; T1: c; T2: c");
    expect([h.outcome, h.committed, [...h.finalState]]).toEqual(["finished", [3, 1, 2], [["a/1", 1], ["a/2", 5]]]);
    const scanned = h.operations.filter((o) => o.kind === "scan");
    expect(scanned).toHaveLength(1);
    expect(checkSerializability(h.operations).conflictSerializable).toBe(true);
  });

  it("a waiting scan at read committed re-plans too, and gives back every short lock it took", () => {
    const cc = two("read committed", []);
    cc.begin(3);
    cc.write(1, "a/2", 5);
    expect(kind(cc.scan(2, "a/"))).toBe("waiting");
    cc.write(3, "a/1", 1);
    cc.commit(3);
    expect(kind(cc.scan(2, "a/"))).toBe("waiting");
    cc.commit(1);
    expect(rows(cc.scan(2, "a/"))).toBe("a/1=1 a/2=5");
    expect(cc.locks.resources()).toEqual([]);
  });

  it("a scan reads one table: its prefix is table/…", () => {
    const cc = two("serializable");
    expectDbError(() => cc.scan(1, "a"), "invalid-argument", "scan of prefix a");
  });
});

describe("07 2PL · the two phases", () => {
  it("strict 2PL refuses unlock", () => {
    const cc = two("serializable");
    cc.write(1, "x", 2);
    expectDbError(() => cc.unlock(1, "x"), "invalid-state", "unlock under strict 2PL");
  });

  it("non-strict: unlock lets others in early; a lock after the first unlock is refused (invalid-state) and changes nothing", () => {
    const cc = new TwoPhaseLocking({ strict: false, initial: [["x", 1], ["y", 1]] });
    expect(cc.name).toBe("2PL (serializable, detect, non-strict)");
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 2);
    expect(cc.read(1, "y")).toEqual(done(1));
    cc.unlock(1, "x");
    expect(cc.read(2, "x")).toEqual(done(2));
    expect(cc.read(1, "y")).toEqual(done(1));
    expectDbError(() => cc.write(1, "z", 1), "invalid-state", "a new lock in the shrinking phase");
    expect(cc.locks.held(1, "z")).toBeUndefined();
    expectDbError(() => cc.unlock(1, "q"), "invalid-state", "unlock of a lock not held");
    expect(cc.commit(1)).toEqual(done());
  });
});

describe("07 2PL · random schedules", () => {
  /** Transactions that each read a counter and write it + 1; a seeded scheduler interleaves them. */
  function increments(isolation: IsolationLevel, seed: number, txns: number): { committed: number; final: number; aborted: number } {
    const cc = new TwoPhaseLocking({ isolation, initial: [["c/1", 0]] });
    const r = rng(seed);
    const phase = new Map<number, { at: number; seen?: number }>();
    let committed = 0;
    let aborted = 0;
    let next = 1;
    for (let guard = 0; guard < 10_000 && (next <= txns || phase.size > 0); guard++) {
      if (next <= txns && (phase.size === 0 || r.int(3) === 0)) {
        cc.begin(next);
        phase.set(next++, { at: 0 });
        continue;
      }
      const live = [...phase.keys()];
      const t = live[r.int(live.length)]!;
      const p = phase.get(t)!;
      const s = p.at === 0 ? cc.read(t, "c/1") : p.at === 1 ? cc.write(t, "c/1", p.seen! + 1) : cc.commit(t);
      if (s.kind === "aborted") {
        aborted++;
        phase.delete(t);
      } else if (s.kind === "done") {
        if (p.at === 0) p.seen = s.value as number;
        if (p.at === 2) {
          committed++;
          phase.delete(t);
        } else p.at++;
      }
    }
    return { committed, final: cc.committed().get("c/1") as number, aborted };
  }

  it("repeatable read and serializable lose no update: the counter equals the number of commits", () => {
    checkRun(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      (seeds) => {
        for (const seed of seeds)
          for (const level of ["repeatable read", "serializable"] as const) {
            const { committed, final } = increments(level, seed, 8);
            expect(final, `${level}, seed ${seed}`).toBe(committed);
          }
      },
      { show: (s) => `seed ${s}` },
    );
  });

  it("read committed loses updates on some seed (short read locks)", () => {
    const lost = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].some((seed) => {
      const { committed, final } = increments("read committed", seed, 8);
      return final < committed;
    });
    expect(lost).toBe(true);
  });
});

describe("07 2PL · through the scheduler", () => {
  it("the crossing schedule: detect aborts T2, none ends blocked with the cycle's edges", () => {
    const schedule = "T1: r(x); T2: r(y); T1: w(y, 1); T2: w(x, 2); T1: c; T2: c";
    const detect = runSchedule(new TwoPhaseLocking({ initial: [["x", 0], ["y", 0]] }), schedule);
    expect([detect.committed, detect.aborted.map((a) => a.reason), [...detect.finalState]]).toEqual([[1], ["deadlock"], [["x", 0], ["y", 1]]]);
    const none = runSchedule(new TwoPhaseLocking({ deadlock: "none", initial: [["x", 0], ["y", 0]] }), schedule);
    expect(none.outcome).toBe("blocked");
    expect(none.blocked.map((b) => `T${b.txn}→${b.holders.join(",")}`)).toEqual(["T1→2", "T2→1"]);
  });

  it("random scans, inserts and deletes under every level and policy: no scan retry throws, nothing dirty or lost, serializable stays serializable", () => {
    const policies: DeadlockPolicy[] = ["detect", "wait-die", "wound-wait", { timeout: 2 }];
    const levels: IsolationLevel[] = ["read committed", "repeatable read", "serializable"];
    let scansThatWaited = 0;
    checkRun(
      Array.from({ length: 150 }, (_, i) => i + 1),
      (seeds) => {
        for (const seed of seeds)
          for (const isolation of levels)
            for (const policy of policies) {
              const r = new Random(seed);
              const scripts: TxnOp[][] = Array.from({ length: r.intBetween(2, 5) }, (_, t) => {
                const ops: TxnOp[] = Array.from({ length: r.intBetween(1, 4) }, (_, i): TxnOp => {
                  const key = r.pick(["a/1", "a/2", "a/3", "b/1"]);
                  const roll = r.int(10);
                  return roll < 3 ? scan(r.pick(["a/", "b/"])) : roll < 5 ? read(key) : roll < 6 ? write(key, undefined) : write(key, `T${t}.${i}`);
                });
                ops.push(commit());
                return ops;
              });
              const cc = new TwoPhaseLocking({ isolation, deadlock: policy, initial: [["a/1", 1]] });
              const h = runRandom(cc, scripts, new Random(seed * 13), { retryAborted: 2 });
              const where = `${h.protocol}, seed ${seed}`;
              expect(h.outcome, where).toBe("finished");
              const report = checkSerializability(h.operations);
              expect(report.readsFromUncommitted, where).toEqual([]);
              expect(report.lostWrites, where).toEqual([]);
              if (isolation === "serializable") expect(report.conflictSerializable, where).toBe(true);
              scansThatWaited += h.events.filter((e) => e.op?.kind === "scan" && e.outcome === "done" && e.retried === true).length;
            }
      },
      { show: (s) => `seeds ${s.join(", ")}` },
    );
    expect(scansThatWaited).toBeGreaterThan(100);
  });

  it("random interleavings of read-modify-write scripts: every 2PL history at repeatable read or above is conflict-serializable", () => {
    const policies: DeadlockPolicy[] = ["detect", "wait-die", "wound-wait", { timeout: 3 }];
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    checkRun(
      seeds,
      (ss) => {
        for (const seed of ss)
          for (const isolation of ["repeatable read", "serializable"] as const) {
            const policy = policies[seed % policies.length]!;
            const r = new Random(seed);
            const scripts: TxnOp[][] = Array.from({ length: 5 }, () => {
              const ops: TxnOp[] = [];
              for (let i = 0; i < 3; i++) {
                const key = r.pick(["x", "y", "z", "t/1", "t/2"]);
                ops.push(read(key), write(key, r.int(100)));
              }
              ops.push(commit());
              return ops;
            });
            const h = runRandom(new TwoPhaseLocking({ isolation, deadlock: policy, initial: [["x", 0], ["y", 0]] }), scripts, new Random(seed * 7));
            const report = checkSerializability(h.operations);
            expect(report.conflictSerializable, `${h.protocol}, seed ${seed}: ${h.outcome}`).toBe(true);
            expect(h.outcome, `${h.protocol}, seed ${seed}`).toBe("finished");
          }
      },
      { show: (s) => `seed ${s}` },
    );
  });
});
