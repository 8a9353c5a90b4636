/**
 * Hidden suite of exercise 07.2: `findDeadlock(graph)`, the first cycle of a waits-for
 * graph in id order and its victim (the youngest, the largest id). Hand-built graphs (no
 * cycle, a self-wait refused, 2- and 3-cycles, two cycles, a cycle with tails, unsorted and
 * repeated edges, transactions that only appear as targets), seeded random graphs checked
 * against Kahn's algorithm (written here) and against the rules of a cycle, a long chain
 * (no deep recursion), and graphs read off the engine's lock table.
 */
import { describe, expect, it } from "vitest";
import { LockTable, TwoPhaseLocking, runSchedule, waitsForGraph, type TxnId } from "@workbook/engine";
import { findDeadlock } from "@submission";
import { checkRun, errorOf, expectDbError, rng, same, sameJson } from "../../test-support/index.js";

const g = (edges: Record<number, number[]>) => new Map<TxnId, TxnId[]>(Object.entries(edges).map(([k, v]) => [Number(k), v]));
const text = (graph: Map<TxnId, TxnId[]>) => [...graph].map(([t, us]) => `T${t}→[${us.join(",")}]`).join(" ");

/** Kahn: peel off transactions that wait for nobody left; a cycle remains iff there is one. */
function hasCycle(graph: Map<TxnId, TxnId[]>): boolean {
  const out = new Map<TxnId, Set<TxnId>>();
  for (const [t, us] of graph) {
    if (!out.has(t)) out.set(t, new Set());
    for (const u of us) {
      out.get(t)!.add(u);
      if (!out.has(u)) out.set(u, new Set());
    }
  }
  let peeled = true;
  while (peeled) {
    peeled = false;
    for (const [t, us] of out)
      if (us.size === 0) {
        out.delete(t);
        for (const rest of out.values()) rest.delete(t);
        peeled = true;
      }
  }
  return out.size > 0;
}

describe("07.2 findDeadlock · hand-built graphs", () => {
  it("no cycle: an empty graph, a chain, a diamond", () => {
    expect(findDeadlock(g({}))).toBeUndefined();
    expect(findDeadlock(g({ 1: [2], 2: [3] }))).toBeUndefined();
    expect(findDeadlock(g({ 1: [2, 3], 2: [4], 3: [4], 4: [] }))).toBeUndefined();
  });

  it("a transaction waiting for itself is impossible: refused (invalid-argument), as are ids that are not ids", () => {
    expectDbError(() => findDeadlock(g({ 1: [2], 2: [2] })), "invalid-argument", "T2 waits for T2");
    expectDbError(() => findDeadlock(g({ 1: [0] })), "invalid-argument", "T1 waits for 0");
    expectDbError(() => findDeadlock(new Map([[-3, [1]]])), "invalid-argument", "a transaction -3");
    expectDbError(() => findDeadlock(g({ 2: [1.5] })), "invalid-argument", "T2 waits for 1.5");
    // Say what and where: the message names the transaction at fault.
    expect(errorOf(() => findDeadlock(g({ 1: [2], 2: [2] })))?.message ?? "", "the self-wait's message").toMatch(/2/);
    expect(errorOf(() => findDeadlock(g({ 4: [0] })))?.message ?? "", "the message for T4 → 0").toMatch(/0|4/);
    expect(errorOf(() => findDeadlock(new Map([[-3, [1]]])))?.message ?? "", "the message for the id -3").toMatch(/-3/);
  });

  it("a 2-cycle: T3 → T5 → T3, victim T5 (the youngest)", () => {
    sameJson(findDeadlock(g({ 3: [5], 5: [3] })), { cycle: [3, 5, 3], victim: 5 }, "findDeadlock of T3→[5] T5→[3]");
    sameJson(findDeadlock(g({ 5: [3], 3: [5] })), { cycle: [3, 5, 3], victim: 5 }, "the same graph, entries the other way round");
  });

  it("a 3-cycle is written from where the search meets it, in edge order", () => {
    sameJson(findDeadlock(g({ 1: [4], 4: [2], 2: [1] })), { cycle: [1, 4, 2, 1], victim: 4 }, "T1→[4] T4→[2] T2→[1]");
    sameJson(findDeadlock(g({ 2: [3], 3: [1], 1: [2] })), { cycle: [1, 2, 3, 1], victim: 3 }, "T2→[3] T3→[1] T1→[2]");
  });

  it("a cycle with tails: the transactions only waiting on it are not in it", () => {
    sameJson(findDeadlock(g({ 1: [3], 3: [5], 5: [3], 6: [5], 7: [1] })), { cycle: [3, 5, 3], victim: 5 }, "tails T1, T6, T7 into T3 ⇄ T5");
    sameJson(findDeadlock(g({ 2: [4], 4: [6], 6: [8], 8: [4] })), { cycle: [4, 6, 8, 4], victim: 8 }, "a tail T2 into T4 → T6 → T8");
  });

  it("two cycles: the one met first, starting from the smallest id and taking edges in ascending order", () => {
    sameJson(findDeadlock(g({ 7: [8], 8: [7], 1: [2], 2: [1] })), { cycle: [1, 2, 1], victim: 2 }, "T1 ⇄ T2 and T7 ⇄ T8");
    sameJson(findDeadlock(g({ 1: [5, 2], 2: [3], 3: [2], 5: [6], 6: [5] })), { cycle: [2, 3, 2], victim: 3 }, "T1 waits for T5 and T2: T2 first");
    sameJson(findDeadlock(g({ 4: [9], 9: [4], 2: [7], 7: [8], 8: [7] })), { cycle: [7, 8, 7], victim: 8 }, "from T2 the search meets T7 ⇄ T8 before T4");
    sameJson(findDeadlock(g({ 1: [2], 2: [3, 1], 3: [1] })), { cycle: [1, 2, 1], victim: 2 }, "T2's edges in order: T1 before T3");
  });

  it("repeated edges and transactions that only appear as targets change nothing", () => {
    sameJson(findDeadlock(g({ 1: [9, 2, 2], 2: [1, 1] })), { cycle: [1, 2, 1], victim: 2 }, "T1→[9,2,2] T2→[1,1]");
    expect(findDeadlock(g({ 1: [9], 2: [9], 3: [1, 2] }))).toBeUndefined();
  });

  it("a long cycle of 3000 transactions (no recursion limit), found whole", () => {
    const n = 3000;
    const graph = new Map<TxnId, TxnId[]>();
    for (let t = 1; t <= n; t++) graph.set(t, [t === n ? 1 : t + 1]);
    const found = findDeadlock(graph);
    same(found?.cycle.length, n + 1, "the cycle's length");
    same(found?.victim, n, "the victim");
  });
});

describe("07.2 findDeadlock · each transaction explored once", () => {
  it("a ladder of 90 transactions (T_i waits for T_i+1 and T_i+2: 10¹⁸ paths, no cycle) is searched at once", () => {
    const graph = new Map<TxnId, TxnId[]>();
    for (let t = 1; t <= 90; t++) graph.set(t, [t + 1, t + 2].filter((u) => u <= 90));
    expect(findDeadlock(graph)).toBeUndefined();
    graph.set(90, [1]);
    const found = findDeadlock(graph);
    same(found?.victim, 90, "the victim once T90 waits for T1");
    same(found?.cycle.length, 91, "the first cycle found follows the smallest edges: T1 → T2 → … → T90 → T1");
  });
});

describe("07.2 findDeadlock · random graphs", () => {
  for (const seed of [21, 22, 23]) {
    it(`seeded random graphs of 2…12 transactions (seed ${seed}): a cycle exactly when Kahn finds one, a real cycle, the largest id as victim, whatever the entries' order`, () => {
      const r = rng(seed);
      const graphs = Array.from({ length: 400 }, () => {
        const n = 2 + r.int(11);
        const graph = new Map<TxnId, TxnId[]>();
        for (let t = 1; t <= n; t++) {
          const targets = Array.from({ length: r.int(3) }, () => 1 + r.int(n)).filter((u) => u !== t);
          if (targets.length > 0 || r.bool(0.3)) graph.set(t, targets);
        }
        return new Map(r.shuffle([...graph]));
      });
      checkRun(
        graphs,
        (gs) => {
          for (const graph of gs) {
            const found = findDeadlock(graph);
            same(found === undefined ? "none" : "a cycle", hasCycle(graph) ? "a cycle" : "none", `findDeadlock of ${text(graph)}`);
            if (found === undefined) continue;
            const c = found.cycle;
            same(c[0], c[c.length - 1], `the cycle ${c.join(",")} ends where it starts`);
            same(new Set(c.slice(0, -1)).size, c.length - 1, `the cycle ${c.join(",")} visits each transaction once`);
            for (let i = 0; i + 1 < c.length; i++) same(graph.get(c[i]!)?.includes(c[i + 1]!) ?? false, true, `edge T${c[i]} → T${c[i + 1]} of ${text(graph)}`);
            same(found.victim, Math.max(...c), `the victim of ${c.join(",")}`);
            sameJson(findDeadlock(new Map([...graph].reverse())), found, `${text(graph)} with its entries reversed`);
          }
        },
        { seed, show: text },
      );
    });
  }
});

describe("07.2 findDeadlock · on the lock table's waits-for graph", () => {
  it("the crossing T1: x then y, T2: y then x", () => {
    const t = new LockTable();
    t.lock(1, "x", "X");
    t.lock(2, "y", "X");
    t.lock(1, "y", "S");
    expect(findDeadlock(waitsForGraph(t))).toBeUndefined();
    t.lock(2, "x", "S");
    sameJson(findDeadlock(waitsForGraph(t)), { cycle: [1, 2, 1], victim: 2 }, "after T2 asks for x");
    t.releaseAll(2);
    expect(findDeadlock(waitsForGraph(t)), "after the victim's abort").toBeUndefined();
  });

  it("a reader queued behind a waiting writer closes a three-transaction cycle (T1 → T3 → T2 → T1)", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    t.lock(3, "z", "S");
    t.lock(2, "x", "X");
    t.lock(1, "z", "X");
    expect(findDeadlock(waitsForGraph(t))).toBeUndefined();
    t.lock(3, "x", "IS");
    sameJson(findDeadlock(waitsForGraph(t)), { cycle: [1, 3, 2, 1], victim: 3 }, "T3's IS fits T1's S but waits behind T2's X");
  });

  it("plugged into two-phase locking's detect policy: the crossing schedule aborts the youngest and the other commits", () => {
    const cc = new TwoPhaseLocking({ deadlock: "detect", findDeadlock, initial: [["x", 0], ["y", 0]] });
    const h = runSchedule(cc, "T1: w(x, 1); T2: w(y, 2); T2: w(x, 2); T1: w(y, 1); T1: c; T2: c");
    sameJson(h.committed, [1], "committed");
    sameJson(h.aborted.map((a) => `T${a.txn} ${a.reason}`), ["T2 deadlock"], "aborted");
    sameJson([...h.finalState], [["x", 1], ["y", 1]], "the final state");
  });
});
