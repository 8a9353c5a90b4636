/**
 * The scheduler (notebook 07): schedule order, blocking and retrying, blocked runs with
 * their waits-for edges, seeded random interleavings with restarts, step by step, the
 * history and its timeline; and the golden scripts of the classic anomalies under no
 * control, OCC and strict 2PL at each isolation level.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import * as engine from "../src/index.js";
import {
  NoConcurrencyControl,
  OptimisticConcurrencyControl,
  Random,
  Scheduler,
  TwoPhaseLocking,
  commit,
  formatTimeline,
  read,
  runRandom,
  runSchedule,
  timelineTable,
  write,
  type ConcurrencyControl,
  type DeadlockPolicy,
  type IsolationLevel,
  type Step,
  type TxnId,
} from "../src/index.js";
import { expectDbError } from "../../test-support/errors.js";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";

const golden = (file: string) => path.join(import.meta.dirname, "golden", "schedules", file);

export function makeProtocol(c: ProtocolChoice): ConcurrencyControl {
  switch (c.name) {
    case "none":
      return new NoConcurrencyControl(c.initial);
    case "occ":
      return new OptimisticConcurrencyControl({ initial: c.initial });
    case "2pl": {
      const isolation = (c.options["isolation"] ?? "serializable").replace(/-/g, " ") as IsolationLevel;
      const d = c.options["deadlock"] ?? "detect";
      const deadlock: DeadlockPolicy = d.startsWith("timeout-") ? { timeout: Number(d.slice("timeout-".length)) } : (d as DeadlockPolicy);
      return new TwoPhaseLocking({ isolation, deadlock, initial: c.initial });
    }
    default:
      throw new Error(`unknown protocol "${c.name}" (none, occ, 2pl)`);
  }
}

describe("07 schedules: golden scripts", () => {
  scheduleGoldenTest("07 no control: the anomalies (no-control.golden)", golden("no-control.golden"), engine, makeProtocol);
  scheduleGoldenTest("07 OCC: the anomalies (optimistic.golden)", golden("optimistic.golden"), engine, makeProtocol);
  scheduleGoldenTest("07 2PL: the anomalies at each isolation level (two-phase-locking.golden)", golden("two-phase-locking.golden"), engine, makeProtocol);
});

/**
 * A small protocol for these tests alone: the first transaction to touch a key owns it
 * until it ends; anyone else waits (no deadlock handling). `kill(t)` aborts t behind its
 * back, as a wound would, with a reason for `abortError`.
 */
class KeyOwners implements ConcurrencyControl {
  readonly name = "key owners";
  readonly data = new Map<string, number | string>();
  readonly owner = new Map<string, TxnId>();
  readonly states = new Map<TxnId, "active" | "waiting" | "committed" | "aborted">();
  readonly undo = new Map<TxnId, [string, number | string | undefined][]>();
  readonly reasons = new Map<TxnId, engine.DbError>();
  asked = 0;
  /** Wound-wait's move: an older requester aborts a younger owner and takes the key. */
  constructor(readonly wound = false) {}
  begin(t: TxnId): Step {
    this.states.set(t, "active");
    this.undo.set(t, []);
    return { kind: "done" };
  }
  #take(t: TxnId, key: string): Step | undefined {
    if (this.states.get(t) !== "active" && this.states.get(t) !== "waiting") throw new engine.DbError("invalid-state", `T${t} is ${this.states.get(t)}`);
    this.asked++;
    const o = this.owner.get(key);
    if (this.wound && o !== undefined && o > t) this.kill(o);
    else if (o !== undefined && o !== t) {
      this.states.set(t, "waiting");
      return { kind: "waiting", on: key, holders: [o] };
    }
    this.owner.set(key, t);
    this.states.set(t, "active");
    return undefined;
  }
  read(t: TxnId, key: string): Step {
    return this.#take(t, key) ?? { kind: "done", value: this.data.get(key) };
  }
  write(t: TxnId, key: string, value: number | string | undefined): Step {
    const w = this.#take(t, key);
    if (w !== undefined) return w;
    this.undo.get(t)!.push([key, this.data.get(key)]);
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, value);
    return { kind: "done" };
  }
  commit(t: TxnId): Step {
    if (this.states.get(t) !== "active") throw new engine.DbError("invalid-state", `T${t} is ${this.states.get(t)}`);
    this.#end(t, "committed");
    return { kind: "done" };
  }
  abort(t: TxnId): void {
    if (this.states.get(t) !== "active" && this.states.get(t) !== "waiting") throw new engine.DbError("invalid-state", `T${t} is ${this.states.get(t)}`);
    for (const [k, v] of this.undo.get(t)!.reverse()) (v === undefined ? this.data.delete(k) : this.data.set(k, v));
    this.#end(t, "aborted");
  }
  kill(t: TxnId): void {
    this.abort(t);
    this.reasons.set(t, new engine.DbError("deadlock", `T${t} was wounded`, { txn: t }));
  }
  abortError(t: TxnId) {
    return this.reasons.get(t);
  }
  #end(t: TxnId, state: "committed" | "aborted") {
    this.states.set(t, state);
    for (const [k, o] of this.owner) if (o === t) this.owner.delete(k);
  }
  state(t: TxnId) {
    return this.states.get(t);
  }
  committed() {
    return new Map(this.data);
  }
}

const rows = (h: engine.History) => formatTimeline(h).slice(1).map((r) => r.replace(/\s+\|/g, " |").replace(/\s+$/, ""));

describe("07 scheduler: a schedule's order", () => {
  test("07 scheduler: a waiting step blocks its transaction; its later steps queue and run when it is granted", () => {
    const h = runSchedule(new KeyOwners(), "T1: w(x, 1); T2: r(x); T2: w(y, 2); T1: w(z, 3); T1: c; T2: c");
    expect(h.events.map((e) => [e.time, e.txn, e.op?.kind, e.outcome, e.retried ?? false])).toEqual([
      [1, 1, "write", "done", false],
      [2, 2, "read", "waiting", false],
      [3, 1, "write", "done", false],
      [4, 1, "commit", "done", false],
      [5, 2, "read", "done", true],
      [6, 2, "write", "done", false],
      [7, 2, "commit", "done", false],
    ]);
    expect(h.events[1]).toMatchObject({ waitsFor: [1], on: "x" });
    expect(h.events[4]).toMatchObject({ value: 1 });
    expect(h.outcome).toBe("finished");
    expect(h.committed).toEqual([1, 2]);
    expect(h.finalState).toEqual(new Map<string, number | string>([["x", 1], ["y", 2], ["z", 3]]));
  });

  test("07 scheduler: when everyone left waits the run ends blocked, with the waits-for edges, never a hang", () => {
    const cc = new KeyOwners();
    const h = runSchedule(cc, "T1: w(x, 1); T2: w(y, 1); T1: w(y, 2); T2: w(x, 2); T1: c; T2: c", { patience: 5 });
    expect(h.outcome).toBe("blocked");
    expect(h.blocked).toEqual([
      { txn: 1, on: "y", holders: [2] },
      { txn: 2, on: "x", holders: [1] },
    ]);
    expect(h.unfinished).toEqual([1, 2]);
    expect(h.committed).toEqual([]);
    // 4 first asks, then at most 2 retries per round: bounded by patience.
    expect(cc.asked).toBeLessThanOrEqual(4 + 2 * 6);
  });

  test("07 scheduler: steps of a transaction that ended are skipped, and shown", () => {
    const cc = new KeyOwners();
    const s = new Scheduler(cc);
    s.submit(1, write("x", 1));
    s.submit(2, write("x", 2)); // waits for T1
    s.submit(2, commit()); // queued behind the wait
    cc.kill(2);
    const events = s.submit(1, commit());
    expect(events.map((e) => [e.txn, e.outcome, e.error?.kind])).toEqual([
      [1, "done", undefined],
      [2, "aborted", "deadlock"],
      [2, "skipped", undefined],
    ]);
    expect(s.history().aborted).toEqual([{ txn: 2, reason: "deadlock", error: cc.reasons.get(2) }]);
  });

  test("07 scheduler: an abort behind a transaction's back with no step left is recorded at the end", () => {
    const cc = new KeyOwners();
    const s = new Scheduler(cc).loadSchedule("T1: w(x, 1); T2: w(y, 1)");
    s.step();
    s.step();
    cc.kill(2);
    const h = s.run();
    expect(h.aborted.map((a) => [a.txn, a.reason])).toEqual([[2, "deadlock"]]);
    expect(h.unfinished).toEqual([1]);
  });

  test("07 scheduler: step() runs one schedule step at a time, then undefined", () => {
    const s = new Scheduler(new NoConcurrencyControl([["x", 0]])).loadSchedule("T1: r(x); T2: w(x, 1); T2: c");
    expect(s.step()?.map((e) => e.txn)).toEqual([1]);
    expect(s.history().events).toHaveLength(1);
    expect(s.step()?.map((e) => e.op?.kind)).toEqual(["write"]);
    expect(s.step()?.map((e) => e.op?.kind)).toEqual(["commit"]);
    expect(s.step()).toBeUndefined();
    expect(s.history().committed).toEqual([2]);
  });

  test("07 scheduler: submit refuses a transaction that begins out of id order; options are checked", () => {
    const s = new Scheduler(new NoConcurrencyControl());
    s.submit(3, read("x"));
    expectDbError(() => s.submit(2, read("x")), "invalid-argument", "order of their ids");
    expectDbError(() => new Scheduler(new NoConcurrencyControl(), { patience: -1 }), "invalid-argument", "patience");
    expectDbError(() => new Scheduler(new NoConcurrencyControl(), { retryAborted: 1.5 }), "invalid-argument", "retryAborted");
    expectDbError(() => new Scheduler(new NoConcurrencyControl()).loadScripts([[]], new Random(1)), "invalid-argument", "at least one step");
    expectDbError(() => new Scheduler(new NoConcurrencyControl()).loadScripts([[commit(), read("x")]], new Random(1)), "invalid-argument", "after its commit");
  });

  test("07 scheduler: the timeline is a table, one column per transaction in begin order", () => {
    const h = runSchedule(new KeyOwners(), "T1: w(x, 1); T2: r(x); T1: c; T2: c");
    const table = timelineTable(h);
    expect(table.columns).toEqual(["time", "T1", "T2"]);
    expect(table.rows).toEqual([
      ["1", "w(x, 1)", ""],
      ["2", "", "r(x) waits for T1"],
      ["3", "c", ""],
      ["4", "", "↳ r(x) → 1"],
      ["5", "", "c"],
    ]);
    expect(rows(h)[0]).toBe("1 | w(x, 1) |");
  });
});

describe("07 scheduler: the history for the checker", () => {
  test("07 scheduler: a victim's abort goes into the operations before the request that made it, though the timeline shows it at the victim's next step", () => {
    const h = runSchedule(new KeyOwners(true), "T1: r(y); T2: w(x, 2); T1: r(x); T2: c; T1: c");
    expect(h.operations).toEqual([
      { kind: "read", txn: 1, key: "y", value: undefined },
      { kind: "write", txn: 2, key: "x", value: 2 },
      { kind: "abort", txn: 2 },
      { kind: "read", txn: 1, key: "x", value: undefined },
      { kind: "commit", txn: 1 },
    ]);
    expect(h.events.map((e) => `T${e.txn} ${e.op?.kind} ${e.outcome}`)).toEqual(["T1 read done", "T2 write done", "T1 read done", "T2 commit aborted", "T1 commit done"]);
    expect(h.aborted).toEqual([{ txn: 2, reason: "deadlock", error: expect.objectContaining({ kind: "deadlock" }) as unknown }]);
  });

  test("07 scheduler: under OCC a write takes effect at its commit, and a read of one's own write is left out", () => {
    const h = runSchedule(new OptimisticConcurrencyControl(), "T1: w(x, 1); T1: r(x); T2: r(y); T1: c; T2: c");
    expect(h.operations).toEqual([
      { kind: "read", txn: 2, key: "y", value: undefined },
      { kind: "write", txn: 1, key: "x", value: 1 },
      { kind: "commit", txn: 1 },
      { kind: "commit", txn: 2 },
    ]);
  });

  test("07 scheduler: under a protocol writing in place a write takes effect when done; aborts are recorded", () => {
    const h = runSchedule(new NoConcurrencyControl(), "T1: w(x, 1); T2: r(x); T1: a; T2: c");
    expect(h.operations).toEqual([
      { kind: "write", txn: 1, key: "x", value: 1 },
      { kind: "read", txn: 2, key: "x", value: 1 },
      { kind: "abort", txn: 1 },
      { kind: "commit", txn: 2 },
    ]);
    expect(h.aborted).toEqual([{ txn: 1, reason: "requested" }]);
  });
});

describe("07 scheduler: seeded random interleavings", () => {
  const scripts = [
    [read("x"), write("x", 1), commit()],
    [read("x"), read("y"), write("y", 2), commit()],
    [write("x", 3), write("y", 3), commit()],
  ];

  test("07 scheduler: the same seed gives the same interleaving; each script's steps run once, in order", () => {
    const a = runRandom(new NoConcurrencyControl(), scripts, new Random(7));
    const b = runRandom(new NoConcurrencyControl(), scripts, new Random(7));
    expect(formatTimeline(a)).toEqual(formatTimeline(b));
    expect(a.events).toHaveLength(10);
    expect(a.committed).toHaveLength(3);
    const orders = new Set<string>();
    for (let seed = 0; seed < 30; seed++) orders.add(formatTimeline(runRandom(new NoConcurrencyControl(), scripts, new Random(seed))).join("\n"));
    expect(orders.size).toBeGreaterThan(10);
  });

  test("07 scheduler: transactions are numbered as they begin", () => {
    const h = runRandom(new NoConcurrencyControl(), scripts, new Random(3));
    const firstSeen = [...new Set(h.events.map((e) => e.txn))];
    expect(firstSeen).toEqual([1, 2, 3]);
  });

  test("07 scheduler: retryAborted restarts a transaction the protocol aborted, with a new id that says whose retry it is", () => {
    let restarted = 0;
    for (let seed = 0; seed < 50; seed++) {
      const h = runRandom(new OptimisticConcurrencyControl({ initial: [["x", 0], ["y", 0]] }), scripts, new Random(seed), { retryAborted: 5 });
      // Every script commits in the end (OCC aborts only at commit, and the last one standing always passes).
      expect(h.committed).toHaveLength(3);
      for (const t of h.transactions) {
        if (t.retryOf === undefined) continue;
        restarted++;
        expect(t.txn).toBeGreaterThan(t.retryOf);
        expect(h.aborted.some((a) => a.reason === "serialization-failure")).toBe(true);
      }
      expect(h.transactions.length).toBe(3 + h.aborted.length);
    }
    expect(restarted).toBeGreaterThan(0);
  });

  test("07 scheduler: without retries an aborted script stays aborted", () => {
    for (let seed = 0; seed < 50; seed++) {
      const h = runRandom(new OptimisticConcurrencyControl(), scripts, new Random(seed));
      expect(h.committed.length + h.aborted.length).toBe(3);
      expect(h.transactions).toHaveLength(3);
    }
  });

  test("07 scheduler: a random run that deadlocks ends blocked", () => {
    const deadlocky = [
      [write("x", 1), write("y", 1), commit()],
      [write("y", 2), write("x", 2), commit()],
    ];
    let blocked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const h = runRandom(new KeyOwners(), deadlocky, new Random(seed));
      if (h.outcome === "blocked") {
        blocked++;
        expect(h.blocked.map((w) => w.holders[0])).toEqual([2, 1]);
      } else expect(h.committed).toHaveLength(2);
    }
    expect(blocked).toBeGreaterThan(0);
  });
});
