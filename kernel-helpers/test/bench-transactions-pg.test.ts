import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentionChart, measurePostgresContention } from "../src/bench/transactions.js";

const url = process.env["DATABASE_URL"];

// Needs a PostgreSQL server (several sessions at once); skipped without DATABASE_URL. Runs in
// a database of its own, created and dropped here, so the server's others are untouched.
describe.skipIf(url === undefined || url === "")("the contention workload on the server at DATABASE_URL", () => {
  const database = `workbook_contention_test_${process.pid}`;
  let testUrl = "";
  const admin = async <T>(f: (c: InstanceType<(typeof import("pg"))["Client"]>) => Promise<T>): Promise<T> => {
    const { Client } = await import("pg");
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  beforeAll(async () => {
    await admin((c) => c.query(`drop database if exists ${database}`).then(() => c.query(`create database ${database}`)));
    const u = new URL(url!);
    u.pathname = `/${database}`;
    testUrl = u.toString();
  });
  afterAll(async () => {
    await admin((c) => c.query(`drop database if exists ${database} with (force)`));
  });

  it("serializable: no lost update (sum of v = 2 × committed), every transaction committed, aborts rise with θ", async () => {
    const rows = await measurePostgresContention(testUrl, { thetas: [0, 0.99], keys: 50, clients: 6, transactionsPerClient: 20, isolation: "serializable", seed: 3 });
    expect(rows.map((r) => r.theta)).toEqual([0, 0.99]);
    for (const r of rows) {
      expect(r.protocol).toBe("PostgreSQL (server) serializable");
      expect(r.lostUpdates, `θ = ${r.theta}: expected 0 lost updates, received ${r.lostUpdates}`).toBe(0);
      expect(r.committed + r.gaveUp).toBe(120);
      expect(r.attempts).toBe(r.committed + r.aborts);
      expect(r.committedPerSecond).toBeGreaterThan(0);
      expect(Number.isNaN(r.committedPerStep)).toBe(true);
    }
    const [uniform, skewed] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(skewed.abortRate, `abort rate at θ 0.99 (${skewed.abortRate}) should exceed θ 0 (${uniform.abortRate})`).toBeGreaterThan(uniform.abortRate);
    const spec = contentionChart(rows) as { data: { values: { committedPerStep: number | null }[] } };
    expect(spec.data.values.every((v) => v.committedPerStep === null)).toBe(true);
  }, 60_000);

  it("repeatable read: no lost update either (first updater wins), and the table is dropped afterwards", async () => {
    const rows = await measurePostgresContention(testUrl, { thetas: [0.9], keys: 30, clients: 4, transactionsPerClient: 15, isolation: "repeatable read", seed: 5 });
    expect(rows[0]!.lostUpdates).toBe(0);
    expect(rows[0]!.aborts).toBeGreaterThan(0);
    const left = await (async () => {
      const { Client } = await import("pg");
      const c = new Client({ connectionString: testUrl });
      await c.connect();
      try {
        return (await c.query("select to_regclass('workbook_contention') as t")).rows[0].t;
      } finally {
        await c.end();
      }
    })();
    expect(left).toBeNull();
  }, 60_000);

  it("refuses bad options before connecting", async () => {
    await expect(measurePostgresContention(testUrl, { thetas: [1] })).rejects.toThrow(/θ is in \[0, 1\)/);
    await expect(measurePostgresContention(testUrl, { clients: 0 })).rejects.toThrow(/clients/);
  });
});
