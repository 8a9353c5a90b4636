/**
 * Deadlocks: the search of waits-for.ts on hand-built and random graphs (checked against
 * Kahn's algorithm, written here), the graph a lock table gives, and the four policies of
 * deadlock-policy.ts seen through two-phase locking.
 */
import { describe, expect, it } from "vitest";
import { LockTable, TwoPhaseLocking, deadlockError, findDeadlock, formatCycle, waitsForGraph, type DeadlockPolicy, type Step } from "../src/index.js";
import { checkRun, expectDbError, rng } from "../../test-support/index.js";

const g = (edges: Record<number, number[]>) => new Map(Object.entries(edges).map(([k, v]) => [Number(k), v]));

/** Kahn: a graph has a cycle iff repeatedly removing nodes with no outgoing edge leaves some. */
function hasCycle(graph: Map<number, number[]>): boolean {
  const nodes = new Set<number>([...graph.keys(), ...[...graph.values()].flat()]);
  const out = new Map([...nodes].map((n) => [n, new Set(graph.get(n) ?? [])]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [n, targets] of out)
      if (targets.size === 0) {
        out.delete(n);
        for (const t of out.values()) t.delete(n);
        changed = true;
      }
  }
  return out.size > 0;
}

describe("07 findDeadlock", () => {
  it("no cycle, a 2-cycle, a 3-cycle, a cycle with tails", () => {
    expect(findDeadlock(g({}))).toBeUndefined();
    expect(findDeadlock(g({ 1: [2], 2: [3], 4: [2, 3] }))).toBeUndefined();
    expect(findDeadlock(g({ 3: [5], 5: [3] }))).toEqual({ cycle: [3, 5, 3], victim: 5 });
    expect(findDeadlock(g({ 1: [4], 4: [2], 2: [1] }))).toEqual({ cycle: [1, 4, 2, 1], victim: 4 });
    expect(findDeadlock(g({ 1: [3], 3: [5], 5: [3], 6: [5] }))).toEqual({ cycle: [3, 5, 3], victim: 5 });
  });

  it("two cycles: the one met first from the smallest id, edges in ascending order", () => {
    expect(findDeadlock(g({ 1: [2], 2: [1], 3: [4], 4: [3] }))).toEqual({ cycle: [1, 2, 1], victim: 2 });
    expect(findDeadlock(g({ 1: [3, 2], 2: [1], 3: [4], 4: [3] }))).toEqual({ cycle: [1, 2, 1], victim: 2 });
    expect(findDeadlock(g({ 2: [9], 9: [2], 1: [7], 7: [8], 8: [7] }))).toEqual({ cycle: [7, 8, 7], victim: 8 });
  });

  it("refuses a self-wait and ids that are not ids", () => {
    expectDbError(() => findDeadlock(g({ 1: [1] })), "invalid-argument", "T1 waits for T1");
    expectDbError(() => findDeadlock(g({ 1: [0] })), "invalid-argument", "T1 waits for 0");
  });

  it("the error names the cycle and the victim", () => {
    const e = deadlockError({ cycle: [3, 5, 3], victim: 5 });
    expect(e.kind).toBe("deadlock");
    expect(e.message).toContain("T3 → T5 → T3");
    expect(e.details).toEqual({ cycle: [3, 5, 3], victim: 5 });
    expect(formatCycle([1, 2, 1])).toBe("T1 → T2 → T1");
  });

  it("random graphs: a cycle is found exactly when Kahn finds one, and it is a real cycle whose victim is its largest id", () => {
    const r = rng(17);
    const graphs = Array.from({ length: 500 }, () => {
      const n = 2 + r.int(8);
      const graph = new Map<number, number[]>();
      for (let t = 1; t <= n; t++) {
        const targets = [...new Set(Array.from({ length: r.int(3) }, () => 1 + r.int(n)))].filter((u) => u !== t);
        if (targets.length > 0 || r.bool()) graph.set(t, targets);
      }
      return graph;
    });
    checkRun(
      graphs,
      (gs) => {
        for (const graph of gs) {
          const found = findDeadlock(graph);
          expect(found !== undefined, `cycle in ${JSON.stringify([...graph])}`).toBe(hasCycle(graph));
          if (found === undefined) continue;
          const c = found.cycle;
          expect(c[0]).toBe(c.at(-1));
          expect(new Set(c.slice(0, -1)).size).toBe(c.length - 1);
          for (let i = 0; i + 1 < c.length; i++) expect(graph.get(c[i]!)?.includes(c[i + 1]!), `edge T${c[i]} → T${c[i + 1]}`).toBe(true);
          expect(found.victim).toBe(Math.max(...c));
          expect(findDeadlock(new Map([...graph].reverse())), "the order of the map's entries does not matter").toEqual(found);
        }
      },
      { seed: 17, show: (graph) => JSON.stringify([...graph]) },
    );
  });
});

describe("07 waitsForGraph", () => {
  it("edges to conflicting holders and to every waiter ahead", () => {
    const t = new LockTable();
    t.lock(3, "y", "S");
    t.lock(1, "x", "X");
    t.lock(2, "x", "S");
    t.lock(3, "x", "S");
    expect([...waitsForGraph(t)]).toEqual([
      [2, [1]],
      [3, [1, 2]],
    ]);
    t.lock(1, "y", "X");
    expect(findDeadlock(waitsForGraph(t))).toEqual({ cycle: [1, 3, 1], victim: 3 });
  });
});

/** Run steps `[txn, op, key?, value?]` on a protocol; print each answer. */
function play(cc: TwoPhaseLocking, steps: [number, string, string?, number?][]): string[] {
  return steps.map(([txn, op, key, value]) => {
    let s: Step;
    if (op === "begin") s = cc.begin(txn);
    else if (op === "r") s = cc.read(txn, key!);
    else if (op === "w") s = cc.write(txn, key!, value);
    else s = cc.commit(txn);
    return `T${txn} ${op}${key ? ` ${key}` : ""}: ${s.kind === "done" ? `done${s.value === undefined ? "" : ` ${s.value}`}` : s.kind === "waiting" ? `waiting for ${s.holders.map((h) => `T${h}`).join(",")}` : `aborted (${s.error.kind}) ${s.error.message}`}`;
  });
}

/** The classic: T1 locks x, T2 locks y, then each asks for the other's. */
function crossing(policy: DeadlockPolicy): string[] {
  const cc = new TwoPhaseLocking({ deadlock: policy, initial: [["x", 1], ["y", 2]] });
  return play(cc, [
    [1, "begin"],
    [2, "begin"],
    [1, "w", "x", 10],
    [2, "w", "y", 20],
    [1, "w", "y", 11],
    [2, "w", "x", 21],
    [1, "w", "y", 11],
    [1, "c"],
  ]);
}

describe("07 deadlock policies (through 2PL)", () => {
  it("detect: the second request closes the cycle; the youngest (T2, the requester) is aborted and T1 goes on", () => {
    expect(crossing("detect")).toEqual([
      "T1 begin: done",
      "T2 begin: done",
      "T1 w x: done",
      "T2 w y: done",
      "T1 w y: waiting for T2",
      "T2 w x: aborted (deadlock) deadlock: T1 → T2 → T1; T2, the youngest, is aborted",
      "T1 w y: done",
      "T1 c: done",
    ]);
  });

  it("detect: when the older transaction closes the cycle, the younger waiter is aborted and learns it at its next request", () => {
    const cc = new TwoPhaseLocking({ deadlock: "detect" });
    expect(
      play(cc, [
        [1, "begin"],
        [2, "begin"],
        [1, "w", "x", 1],
        [2, "w", "y", 2],
        [2, "w", "x", 2],
        [1, "w", "y", 1],
        [2, "w", "x", 2],
        [1, "c"],
      ]),
    ).toEqual([
      "T1 begin: done",
      "T2 begin: done",
      "T1 w x: done",
      "T2 w y: done",
      "T2 w x: waiting for T1",
      "T1 w y: done",
      "T2 w x: aborted (deadlock) deadlock: T1 → T2 → T1; T2, the youngest, is aborted",
      "T1 c: done",
    ]);
    expect(cc.state(2)).toBe("aborted");
    expectDbError(() => cc.read(2, "x"), "invalid-state", "a request after the aborted answer");
    expect([...cc.committed()]).toEqual([["x", 1], ["y", 1]]);
  });

  it("wait-die: the younger requester dies at once; the older one waits", () => {
    const lines = crossing("wait-die");
    expect(lines[4]).toBe("T1 w y: waiting for T2");
    expect(lines[5]).toMatch(/^T2 w x: aborted \(deadlock\) wait-die/);
    expect(lines.slice(6)).toEqual(["T1 w y: done", "T1 c: done"]);
  });

  it("wound-wait: the older requester wounds the younger holder and goes on; the younger waits for older holders", () => {
    const cc = new TwoPhaseLocking({ deadlock: "wound-wait" });
    expect(
      play(cc, [
        [1, "begin"],
        [2, "begin"],
        [2, "w", "y", 2],
        [1, "w", "x", 1],
        [2, "w", "x", 2],
        [1, "w", "y", 1],
        [2, "w", "x", 2],
        [1, "c"],
      ]),
    ).toEqual([
      "T1 begin: done",
      "T2 begin: done",
      "T2 w y: done",
      "T1 w x: done",
      "T2 w x: waiting for T1",
      "T1 w y: done",
      "T2 w x: aborted (deadlock) wound-wait: older T1 wounds T2 on y",
      "T1 c: done",
    ]);
  });

  it("timeout N: a request may answer waiting N times; the next ask aborts it with lock-timeout; 0 is NOWAIT", () => {
    const cc = new TwoPhaseLocking({ deadlock: { timeout: 2 } });
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    expect(cc.read(2, "x").kind).toBe("waiting");
    expect(cc.read(2, "x").kind).toBe("waiting");
    const s = cc.read(2, "x");
    expect(s.kind === "aborted" && s.error.kind).toBe("lock-timeout");
    const nowait = new TwoPhaseLocking({ deadlock: { timeout: 0 } });
    nowait.begin(1);
    nowait.begin(2);
    nowait.write(1, "x", 1);
    const n = nowait.read(2, "x");
    expect(n.kind === "aborted" && n.error.kind).toBe("lock-timeout");
    expect(nowait.name).toBe("2PL (serializable, timeout 0)");
  });

  it("none: the crossing waits forever (both waiting; the scheduler sees no progress)", () => {
    const cc = new TwoPhaseLocking({ deadlock: "none" });
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    cc.write(2, "y", 1);
    expect(cc.write(1, "y", 1).kind).toBe("waiting");
    expect(cc.write(2, "x", 1).kind).toBe("waiting");
    for (let i = 0; i < 5; i++) expect([cc.write(1, "y", 1).kind, cc.write(2, "x", 1).kind]).toEqual(["waiting", "waiting"]);
    expect(findDeadlock(waitsForGraph(cc.locks))?.cycle).toEqual([1, 2, 1]);
  });

  it("two upgrades on one key: the second is refused by the lock table and its transaction aborted (deadlock)", () => {
    const cc = new TwoPhaseLocking({ deadlock: "none", initial: [["x", 0]] });
    cc.begin(1);
    cc.begin(2);
    expect(cc.read(1, "x")).toEqual({ kind: "done", value: 0 });
    expect(cc.read(2, "x")).toEqual({ kind: "done", value: 0 });
    expect(cc.write(1, "x", 1)).toEqual({ kind: "waiting", on: "x", holders: [2] });
    const s = cc.write(2, "x", 2);
    expect(s.kind === "aborted" && s.error.kind).toBe("deadlock");
    expect(cc.write(1, "x", 1)).toEqual({ kind: "done" });
  });

  it("detect uses the cycle search it is given (a learner's findDeadlock)", () => {
    const calls: number[] = [];
    const cc = new TwoPhaseLocking({
      findDeadlock: (graph) => {
        calls.push(graph.size);
        return findDeadlock(graph);
      },
    });
    cc.begin(1);
    cc.begin(2);
    cc.write(1, "x", 1);
    cc.write(2, "y", 1);
    expect(cc.write(1, "y", 1).kind).toBe("waiting");
    expect(cc.write(2, "x", 1).kind).toBe("aborted");
    expect(calls).toEqual([1, 2]);
  });

  it("refuses a policy that is not one", () => {
    expectDbError(() => new TwoPhaseLocking({ deadlock: "panic" as DeadlockPolicy }), "invalid-argument", "policy panic");
    expectDbError(() => new TwoPhaseLocking({ deadlock: { timeout: -1 } }), "invalid-argument", "timeout -1");
  });
});
