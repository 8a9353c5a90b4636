/**
 * The anomaly catalogue on a real server
 * ======================================
 * Replays one of the engine's Hermitage schedules (`HERMITAGE_ANOMALIES`,
 * engine/src/txn/hermitage.ts) on the PostgreSQL server at a URL, the way Hermitage and
 * PostgreSQL's isolation tester do by hand: one session per transaction, steps sent in
 * the schedule's order, and a statement that has not answered within `blockAfterMs` taken
 * to be blocked (the next step goes ahead; the blocked one finishes when a later step
 * releases it). The embedded PGlite has one session, so this needs a server.
 *
 *   schedule step ─► that transaction's session (its own promise chain)
 *                     ├─ answered in time ──► event "done" (a read's value) / "aborted"
 *                     └─ still running ─────► counted as blocked; the schedule goes on
 *
 * SQL per step: the first step of a transaction sends `begin isolation level …`;
 * r(k) `select value from hermitage where id = k`; w(k, v) `update` (a key of the initial
 * data) or `insert` (a new key); w(k, -) `delete`; c `commit`; a `rollback`. An error
 * aborts the transaction (SQLSTATE 40001 is a serialization failure, 40P01 a deadlock) and
 * skips its later steps.
 *
 * The result is shaped as much like the engine's `History` as `happened(h)` and
 * `howPrevented(h)` read: events (done reads with their values), committed, aborted.
 * Costs: one table rebuild and one connection per transaction per replay; each blocked
 * step adds `blockAfterMs`.
 */
import { type HermitageAnomaly, type HermitageLevel, type History, type ScheduleStep, parseSchedule } from "@workbook/engine";

export interface ServerReplay {
  /** The run, shaped for `anomaly.happened(h)` and `howPrevented(h)`. */
  readonly history: History;
  /** Steps that had not answered within the wait (blocked on a row lock). */
  readonly blocked: number;
}

type PgClient = InstanceType<(typeof import("pg"))["Client"]>;

/** Replay `anomaly` at `level` on the server at `url` (see the module header). */
export async function replayOnServer(url: string, anomaly: HermitageAnomaly, level: HermitageLevel, blockAfterMs = 150): Promise<ServerReplay> {
  const { Client } = require("pg") as typeof import("pg");
  const steps = parseSchedule(anomaly.schedule);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query("drop table if exists hermitage; create table hermitage (id text primary key, value int)");
    for (const [k, v] of anomaly.initial) await admin.query("insert into hermitage values ($1, $2)", [k, v]);
  } finally {
    await admin.end();
  }
  const existing = new Set(anomaly.initial.map(([k]) => k));
  const sessions = new Map<number, { client: PgClient; chain: Promise<void>; begun: boolean; failed: boolean }>();
  for (const txn of new Set(steps.map((s) => s.txn))) {
    const client = new Client({ connectionString: url });
    await client.connect();
    sessions.set(txn, { client, chain: Promise.resolve(), begun: false, failed: false });
  }
  const events: Record<string, unknown>[] = [];
  const committed: number[] = [];
  const aborted: { txn: number; reason: string; error?: Error }[] = [];
  const runStep = async (step: ScheduleStep) => {
    const s = sessions.get(step.txn)!;
    if (s.failed) return;
    const op = step.op;
    try {
      if (!s.begun) {
        await s.client.query(`begin isolation level ${level}`);
        s.begun = true;
      }
      let value: unknown;
      if (op.kind === "read") value = (await s.client.query("select value from hermitage where id = $1", [op.key])).rows[0]?.value;
      else if (op.kind === "write" && op.value === undefined) await s.client.query("delete from hermitage where id = $1", [op.key]);
      else if (op.kind === "write") await s.client.query(existing.has(op.key) ? "update hermitage set value = $2 where id = $1" : "insert into hermitage values ($1, $2)", [op.key, op.value]);
      else if (op.kind === "commit") {
        await s.client.query("commit");
        committed.push(step.txn);
      } else if (op.kind === "abort") {
        await s.client.query("rollback");
        aborted.push({ txn: step.txn, reason: "requested" });
      } else throw new Error(`replayOnServer: a ${op.kind} step has no SQL here`);
      events.push({ time: events.length + 1, txn: step.txn, op, outcome: "done", value });
    } catch (error) {
      s.failed = true;
      const code = (error as { code?: string }).code;
      const reason = code === "40001" ? "serialization-failure" : code === "40P01" ? "deadlock" : `SQLSTATE ${code ?? "?"}`;
      aborted.push({ txn: step.txn, reason, error: error as Error });
      events.push({ time: events.length + 1, txn: step.txn, op, outcome: "aborted" });
      await s.client.query("rollback").catch(() => undefined); // the session is already failed; a rollback that fails too changes nothing
    }
  };
  let blocked = 0;
  try {
    for (const step of steps) {
      const s = sessions.get(step.txn)!;
      s.chain = s.chain.then(() => runStep(step));
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([s.chain.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), blockAfterMs)))]);
      clearTimeout(timer);
      if (!answered) blocked++;
    }
    await Promise.all([...sessions.values()].map((s) => s.chain));
  } finally {
    for (const s of sessions.values()) await s.client.end();
  }
  const unfinished = [...sessions.keys()].filter((t) => !committed.includes(t) && !aborted.some((a) => a.txn === t));
  const history = { protocol: `PostgreSQL server (${level})`, events, operations: [], outcome: "finished", blocked: [], committed, aborted, unfinished, transactions: [...sessions.keys()].map((txn) => ({ txn })), finalState: new Map() };
  return { history: history as unknown as History, blocked };
}
