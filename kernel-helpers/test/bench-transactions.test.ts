/**
 * The contention measurement (notebook 07, `npm run bench -- transactions`): the same seed
 * gives the same rows (wall time aside), OCC aborts more as the skew rises, no protocol
 * loses a committed update (and the check does catch one, under 2PL at read committed),
 * and the suite's rows and chart are well formed. Timing is not checked.
 */
import { describe, expect, test } from "vitest";
import { NoConcurrencyControl, OptimisticConcurrencyControl, TwoPhaseLocking, runSchedule } from "@workbook/engine";
import { chart } from "../src/display/chart.js";
import { contentionChart, contentionScripts, lostUpdates, measureContention, transactionProtocols, type ContentionRow } from "../src/bench/transactions.js";
import { transactionsSuite } from "../src/bench/suites/transactions.js";

const machineFree = (rows: readonly ContentionRow[]) => rows.map(({ committedPerSecond: _s, milliseconds: _m, ...rest }) => rest);

describe("contention measurement", () => {
  test("scripts: concurrency transactions of reads and read-modify-writes on distinct keys, the same for a seed", () => {
    const scripts = contentionScripts(5, 0.99, { keys: 200, concurrency: 8, reads: 4, updates: 2 });
    expect(scripts).toHaveLength(8);
    for (const s of scripts) {
      expect(s.map((op) => op.kind).sort().join(" ")).toBe(`commit ${"read ".repeat(6)}write write`);
      expect(s.at(-1)!.kind).toBe("commit");
      const keys = new Set(s.flatMap((op) => (op.kind === "read" ? [op.key] : [])));
      expect(keys.size).toBe(6);
      // Every write follows a read of its key.
      s.forEach((op, i) => {
        if (op.kind === "write") expect(s[i - 1]).toEqual({ kind: "read", key: op.key });
      });
    }
    expect(contentionScripts(5, 0.99, { keys: 200, concurrency: 8, reads: 4, updates: 2 })).toEqual(scripts);
    expect(() => contentionScripts(5, 0, { keys: 5, concurrency: 1, reads: 4, updates: 2 })).toThrow(/6 distinct keys, more than the 5/);
  });

  test("the same seed gives the same rows (wall time aside); protocols are parameters", () => {
    const protocols = [transactionProtocols()[0]!, { name: "OCC", make: () => new OptimisticConcurrencyControl() }];
    const a = measureContention(protocols, { thetas: [0, 0.99], runs: 4, seed: 3 });
    const b = measureContention(protocols, { thetas: [0, 0.99], runs: 4, seed: 3 });
    expect(machineFree(a)).toEqual(machineFree(b));
    expect(a.map((r) => `${r.protocol} ${r.theta}`)).toEqual(["2PL detect 0", "OCC 0", "2PL detect 0.99", "OCC 0.99"]);
    const other = measureContention(protocols, { thetas: [0, 0.99], runs: 4, seed: 4 });
    expect(machineFree(other)).not.toEqual(machineFree(a));
  });

  test("OCC's abort rate rises with the skew", () => {
    const rows = measureContention([{ name: "OCC", make: () => new OptimisticConcurrencyControl() }], { runs: 10 });
    const rates = rows.map((r) => r.abortRate);
    expect(rows.map((r) => r.theta)).toEqual([0, 0.5, 0.8, 0.99]);
    for (let i = 1; i < rates.length; i++) expect(rates[i], `θ ${rows[i]!.theta} vs ${rows[i - 1]!.theta}: ${rates.join(", ")}`).toBeGreaterThanOrEqual(rates[i - 1]!);
    expect(rates.at(-1)!).toBeGreaterThan(2 * rates[0]!);
  });

  test("no protocol loses a committed update; every script commits; throughput per step stays under its ceiling", () => {
    const rows = measureContention(transactionProtocols(), { thetas: [0, 0.99], runs: 4 });
    expect(rows).toHaveLength(2 * 7);
    for (const r of rows) {
      const where = `${r.protocol} at θ ${r.theta}`;
      expect(r.lostUpdates, where).toBe(0);
      expect(r.committed + r.gaveUp, where).toBe(r.transactions);
      expect(r.gaveUp, where).toBe(0);
      expect(r.attempts, where).toBe(r.committed + r.aborts);
      expect(r.committedPerStep, where).toBeLessThanOrEqual(0.1);
      expect(r.committedPerStep, where).toBeGreaterThan(0);
    }
  });

  test("the lost-update check catches one: a hand schedule, and 2PL at read committed under skew", () => {
    const lost = runSchedule(new NoConcurrencyControl([["x", 0]]), "T1: r(x); T2: r(x); T1: w(x, 1); T1: c; T2: w(x, 2); T2: c");
    expect(lostUpdates(lost, [["x", 0]])).toBe(1);
    const fine = runSchedule(new NoConcurrencyControl([["x", 0]]), "T1: r(x); T1: w(x, 1); T1: c; T2: r(x); T2: w(x, 2); T2: c");
    expect(lostUpdates(fine, [["x", 0]])).toBe(0);
    const [rc] = measureContention([{ name: "2PL read committed", make: () => new TwoPhaseLocking({ isolation: "read committed" }) }], { thetas: [0.99], runs: 10 });
    expect(rc!.lostUpdates).toBeGreaterThan(0);
  });

  test("the suite at the small size: a row per protocol and θ, a two-panel chart that draws", async () => {
    const result = await transactionsSuite();
    expect(result.rows).toHaveLength(4 * 7);
    expect(result.rows.every((r) => r["lostUpdates"] === 0)).toBe(true);
    expect(result.chart.data?.values?.length).toBe(28);
    const drawn = await chart(contentionChart(measureContention(transactionProtocols().slice(0, 2), { thetas: [0, 0.5], runs: 2 })));
    expect(drawn.svg).toContain("<svg");
  }, 120_000);
});
