/**
 * Contention: throughput and aborts of the concurrency-control protocols
 * =====================================================================
 * How much each protocol gets done as transactions collide more. The same seeded
 * workload runs under every protocol given (`{ name, make }`: 2PL with each deadlock
 * policy, OCC, MVCC… by default, `transactionProtocols()`), at each skew θ:
 *
 *   key space    `keys` rows "acct/0" … of one table, each drawn zipfian with skew θ
 *                (θ = 0: uniform; @workbook/datasets' `uniformKeys` / `zipfianKeys`,
 *                the hottest rank on a seeded random key)
 *   transaction  `reads` reads and `updates` read-modify-writes (r(k), w(k)), on distinct
 *                keys, in a seeded random order, then commit
 *   run          `concurrency` such transactions interleaved by the scheduler
 *                (engine's `Scheduler`, what `runRandom` does, with its steps counted),
 *                each restarted after a protocol abort, up to `retries` times
 *   repeated     `runs` times per protocol and θ (the same scripts and interleaving seeds
 *                for every protocol), each on a fresh protocol
 *
 *   row per (protocol, θ):  committed / steps       throughput in scheduler steps (machine-free)
 *                           committed / second      throughput in wall time (this machine)
 *                           aborts / attempts       abort rate (every begun attempt counts)
 *                           lostUpdates             must be 0 (see below)
 *
 * A scheduler step is one request of one transaction chosen at random (or its begin),
 * plus the retries of the blocked it triggers: a step is a unit of the run's progress,
 * so committed per step is throughput with the protocol's waiting and wasted work priced
 * in, the same on every machine. Its ceiling is 1 ÷ (requests per transaction + its
 * begin): 0.1 for 4 reads + 2 updates (4 + 4 + commit + begin = 10 steps), reached
 * when nothing waits and nothing aborts. Wall time adds the protocol's own cost (lock
 * table, cycle search, validation, versions on heap pages); a run takes milliseconds, so
 * per second is noisy at the small size (five warm-up runs of every protocol come first).
 *
 * The lost-update check. Scripts are fixed before the run, so a read-modify-write cannot
 * write "what it read + 1"; it writes a value naming itself ("s3.1": script 3, its
 * update 1). Replaying the committed transactions in commit order, each read of a key the
 * transaction writes must return what the previous committed writer of that key wrote
 * (or its own earlier write): then, counted as increments, every key's counter equals the
 * number of committed updates of it. And the protocol's final state must equal the
 * replay's. A violation (a committed update that read a stale value, a committed write
 * the final state lost) counts in `lostUpdates`. Every protocol here must keep it 0;
 * 2PL at read committed would not (its S locks are short).
 *
 * PostgreSQL's pgbench measures the same thing in transactions per second with real
 * sessions (`pgbench -c N`, `--random-seed`; skewed keys with `random_zipfian(lb, ub, s)`,
 * s ≥ 1.001 since PostgreSQL 13, whereas our θ < 1 is YCSB's range); there a
 * serialization failure or deadlock is an error the client retries (`--max-tries`,
 * PostgreSQL 15+) and reports per client.
 */
import { uniformKeys, zipfianKeys } from "@workbook/datasets";
import {
  type ConcurrencyControl,
  MvccConcurrencyControl,
  OptimisticConcurrencyControl,
  Random,
  Scheduler,
  type History,
  type TxnKey,
  type TxnOp,
  type TxnValue,
  TwoPhaseLocking,
  commit,
  read,
  write,
} from "@workbook/engine";
import type { ChartSpec } from "../display/chart.js";
import { benchSize } from "./bench.js";

/** A protocol to measure: `make` returns a fresh one (with no data) for each run. */
export interface TxnProtocol {
  readonly name: string;
  readonly make: () => ConcurrencyControl;
}

/** 2PL (serializable) with detect, wait-die, wound-wait and timeout 5; OCC; MVCC at repeatable read and serializable. */
export function transactionProtocols(): TxnProtocol[] {
  return [
    { name: "2PL detect", make: () => new TwoPhaseLocking({ isolation: "serializable", deadlock: "detect" }) },
    { name: "2PL wait-die", make: () => new TwoPhaseLocking({ isolation: "serializable", deadlock: "wait-die" }) },
    { name: "2PL wound-wait", make: () => new TwoPhaseLocking({ isolation: "serializable", deadlock: "wound-wait" }) },
    { name: "2PL timeout 5", make: () => new TwoPhaseLocking({ isolation: "serializable", deadlock: { timeout: 5 } }) },
    { name: "OCC", make: () => new OptimisticConcurrencyControl() },
    { name: "MVCC repeatable read", make: () => new MvccConcurrencyControl({ isolation: "repeatable read" }) },
    { name: "MVCC serializable", make: () => new MvccConcurrencyControl({ isolation: "serializable" }) },
  ];
}

export interface ContentionOptions {
  /** Zipfian skews; default [0, 0.5, 0.8, 0.99] (0: uniform). */
  readonly thetas?: readonly number[];
  /** Rows in the key space; default 200. */
  readonly keys?: number;
  /** Transactions interleaved in one run; default 8. */
  readonly concurrency?: number;
  /** Runs per protocol and θ; default 10 at the small size, 300 at full (`benchSize()`). */
  readonly runs?: number;
  /** Plain reads per transaction; default 4. */
  readonly reads?: number;
  /** Read-modify-writes per transaction; default 2. */
  readonly updates?: number;
  /** Restarts of an aborted transaction (the scheduler's `retryAborted`); default 20. */
  readonly retries?: number;
  readonly seed?: number;
}

/** One protocol at one skew, summed over its runs. */
export interface ContentionRow {
  readonly protocol: string;
  readonly theta: number;
  readonly keys: number;
  readonly concurrency: number;
  readonly runs: number;
  /** Scripts run (concurrency × runs); each commits once or gives up. */
  readonly transactions: number;
  readonly committed: number;
  /** Attempts begun (first tries and restarts). */
  readonly attempts: number;
  /** Attempts the protocol aborted (deadlock, wait-die, wound, timeout, serialization failure). */
  readonly aborts: number;
  /** aborts ÷ attempts. */
  readonly abortRate: number;
  /** Scripts still uncommitted after their last restart, or left blocked. */
  readonly gaveUp: number;
  /** Scheduler steps over all runs. */
  readonly steps: number;
  readonly committedPerStep: number;
  readonly committedPerSecond: number;
  readonly milliseconds: number;
  /** Committed updates that read a stale value, or committed writes the final state lost: must be 0. */
  readonly lostUpdates: number;
  /** Protocol aborts by reason (error kind), e.g. { deadlock: 3 }. */
  readonly reasons: Readonly<Record<string, number>>;
}

const TABLE = "acct";

function keyName(k: number): TxnKey {
  return `${TABLE}/${k}`;
}

/** The scripts of one run: `concurrency` transactions of reads and read-modify-writes on distinct zipfian keys. */
export function contentionScripts(seed: number, theta: number, options: { keys: number; concurrency: number; reads: number; updates: number }): TxnOp[][] {
  const { keys, concurrency, reads, updates } = options;
  if (reads + updates > keys) throw new RangeError(`a transaction touches ${reads + updates} distinct keys, more than the ${keys} there are`);
  const draw = theta === 0 ? uniformKeys(seed, keys) : zipfianKeys(seed, keys, theta);
  const order = new Random(seed + 1);
  const scripts: TxnOp[][] = [];
  for (let s = 0; s < concurrency; s++) {
    const chosen: number[] = [];
    while (chosen.length < reads + updates) {
      const k = draw();
      if (!chosen.includes(k)) chosen.push(k);
    }
    const units: TxnOp[][] = chosen.map((k, i) => (i < reads ? [read(keyName(k))] : [read(keyName(k)), write(keyName(k), `s${s}.${i - reads}`)]));
    scripts.push([...order.shuffle(units).flat(), commit()]);
  }
  return scripts;
}

/**
 * Committed updates that read a stale value, plus keys whose final value is not the
 * last committed write (header: the lost-update check). 0 for a correct protocol.
 * `initial`: the data the protocol started with (none in `measureContention`).
 */
export function lostUpdates(history: History, initial: Iterable<readonly [TxnKey, TxnValue]> = []): number {
  const current = new Map<TxnKey, TxnValue | undefined>(initial);
  let lost = 0;
  for (const txn of history.committed) {
    const events = history.events.filter((e) => e.txn === txn && e.outcome === "done" && e.op !== undefined);
    const writes = new Set(events.flatMap((e) => (e.op!.kind === "write" ? [e.op!.key] : [])));
    const local = new Map<TxnKey, TxnValue | undefined>();
    for (const e of events) {
      const op = e.op!;
      if (op.kind === "write") local.set(op.key, op.value);
      else if (op.kind === "read" && writes.has(op.key)) {
        const expected = local.has(op.key) ? local.get(op.key) : current.get(op.key);
        if (e.value !== expected) lost++;
      }
    }
    for (const [k, v] of local) current.set(k, v);
  }
  for (const [k, v] of current) if (history.finalState.get(k) !== v) lost++;
  return lost;
}

/** One run: the history and its scheduler steps. */
function runOnce(cc: ConcurrencyControl, scripts: readonly (readonly TxnOp[])[], seed: number, retries: number): { history: History; steps: number } {
  const scheduler = new Scheduler(cc, { retryAborted: retries }).loadScripts(scripts, new Random(seed));
  let steps = 0;
  while (scheduler.step() !== undefined) steps++;
  return { history: scheduler.history(), steps };
}

/** Every protocol at every θ over the same seeded workload: one row per (protocol, θ). */
export function measureContention(protocols: readonly TxnProtocol[] = transactionProtocols(), options: ContentionOptions = {}): ContentionRow[] {
  const small = benchSize() === "small";
  const thetas = options.thetas ?? [0, 0.5, 0.8, 0.99];
  const keys = options.keys ?? 200;
  const concurrency = options.concurrency ?? 8;
  const runs = options.runs ?? (small ? 10 : 300);
  const reads = options.reads ?? 4;
  const updates = options.updates ?? 2;
  const retries = options.retries ?? 20;
  const seed = options.seed ?? 7;
  for (const t of thetas) if (!(t >= 0 && t < 1)) throw new RangeError(`θ is in [0, 1), got ${t}`);
  const rows: ContentionRow[] = [];
  // Warm-up, not counted: the first runs of a protocol pay for V8 compiling its code (and
  // would slow the first θ's wall time only). Every protocol, at the highest skew.
  const hottest = Math.max(...thetas);
  for (let r = 0; r < 5; r++) {
    const scripts = contentionScripts(seed + 99_991 * (r + 1), hottest, { keys, concurrency, reads, updates });
    for (const p of protocols) runOnce(p.make(), scripts, seed + r, retries);
  }
  for (const theta of thetas) {
    const workload = Array.from({ length: runs }, (_, r) => ({
      scripts: contentionScripts(seed * 1_000_003 + r * 7919 + Math.round(theta * 1000), theta, { keys, concurrency, reads, updates }),
      seed: seed * 31 + r,
    }));
    const totals = protocols.map(() => ({ committed: 0, attempts: 0, aborts: 0, steps: 0, lost: 0, gaveUp: 0, ms: 0, reasons: {} as Record<string, number> }));
    // Run by run, every protocol in turn (order reversed every other run), so a slow
    // stretch of the machine falls on all of them alike (bench.ts's interleaved rounds).
    workload.forEach((w, r) => {
      const order = protocols.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        const t = totals[i]!;
        const cc = protocols[i]!.make();
        const start = performance.now();
        const { history, steps } = runOnce(cc, w.scripts, w.seed, retries);
        t.ms += performance.now() - start;
        t.steps += steps;
        t.committed += history.committed.length;
        t.attempts += history.transactions.length;
        for (const a of history.aborted) {
          if (a.reason === "requested") continue;
          t.aborts++;
          t.reasons[a.reason] = (t.reasons[a.reason] ?? 0) + 1;
        }
        t.gaveUp += concurrency - history.committed.length;
        t.lost += lostUpdates(history);
      }
    });
    protocols.forEach((p, i) => {
      const t = totals[i]!;
      rows.push({
        protocol: p.name,
        theta,
        keys,
        concurrency,
        runs,
        transactions: concurrency * runs,
        committed: t.committed,
        attempts: t.attempts,
        aborts: t.aborts,
        abortRate: t.attempts === 0 ? 0 : t.aborts / t.attempts,
        gaveUp: t.gaveUp,
        steps: t.steps,
        committedPerStep: t.steps === 0 ? 0 : t.committed / t.steps,
        committedPerSecond: t.ms === 0 ? 0 : t.committed / (t.ms / 1000),
        milliseconds: t.ms,
        lostUpdates: t.lost,
        reasons: t.reasons,
      });
    });
  }
  return rows;
}

/** Two panels side by side: committed per scheduler step, and abort rate, against θ; one line per protocol (a server's rows, with no steps, in the abort-rate panel only). */
export function contentionChart(rows: readonly ContentionRow[], title = "Throughput and aborts as contention rises"): ChartSpec {
  const r0 = rows[0];
  const workload = r0 === undefined ? "" : `${r0.concurrency} concurrent transactions over ${r0.keys} keys, ${r0.runs} runs per point`;
  const values = rows.map((r) => ({ protocol: r.protocol, theta: String(r.theta), committedPerStep: Number.isFinite(r.committedPerStep) ? r.committedPerStep : null, abortRate: r.abortRate, committedPerSecond: Math.round(r.committedPerSecond), lostUpdates: r.lostUpdates }));
  const x = { field: "theta", type: "ordinal", sort: null, title: "zipfian skew θ (0 = uniform; contention rises →)", axis: { labelAngle: 0 } };
  const color = { field: "protocol", type: "nominal", title: null, legend: { orient: "bottom", columns: 4, labelLimit: 300 } };
  const tooltip = [{ field: "protocol" }, { field: "theta" }, { field: "committedPerStep", format: ".3f" }, { field: "abortRate", format: ".1%" }, { field: "committedPerSecond" }];
  return {
    title: { text: title, subtitle: workload },
    data: { values },
    hconcat: [
      {
        width: 300,
        height: 220,
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "committedPerStep", type: "quantitative", title: "committed transactions per scheduler step", scale: { zero: true } }, color, tooltip },
      },
      {
        width: 300,
        height: 220,
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "abortRate", type: "quantitative", title: "aborted attempts (share of attempts)", axis: { format: "%" }, scale: { zero: true } }, color, tooltip },
      },
    ],
  };
}

export interface PostgresContentionOptions {
  /** Zipfian skews; default [0, 0.5, 0.8, 0.99]. */
  readonly thetas?: readonly number[];
  /** Rows in the table; default 200. */
  readonly keys?: number;
  /** Sessions running at once; default 8. */
  readonly clients?: number;
  /** Transactions each session commits (or gives up on) per θ; default 25 at the small size, 200 at full. */
  readonly transactionsPerClient?: number;
  /** Default "serializable". */
  readonly isolation?: "repeatable read" | "serializable";
  /** Plain reads per transaction; default 4. */
  readonly reads?: number;
  /** Read-modify-writes per transaction; default 2. */
  readonly updates?: number;
  /** Restarts of a transaction after 40001 / 40P01; default 20. */
  readonly retries?: number;
  readonly seed?: number;
}

type PgModule = typeof import("pg");
type PgSession = InstanceType<PgModule["Client"]>;

/**
 * The same workload on a real PostgreSQL server, pgbench-like: `clients` sessions at once
 * (node-postgres, one connection each, all closed in `finally`), a table
 * `workbook_contention(k int primary key, v int)` of `keys` rows at 0 (created at the start,
 * dropped at the end), each transaction the scripts of `contentionScripts` (4 reads and 2
 * read-modify-writes on distinct zipfian keys, in a seeded order) sent as SQL:
 *
 *   r(k)          select v from workbook_contention where k = $1
 *   r(k); w(k)    the select, then update workbook_contention set v = v + 1 where k = $1
 *   begin         begin isolation level repeatable read | serializable
 *
 * A transaction that fails with SQLSTATE 40001 (serialization failure) or 40P01 (deadlock)
 * is rolled back and run again, up to `retries` times (pgbench's --max-tries); any other
 * error stops the measurement. The lost-update check is arithmetic here: the sum of v must
 * equal updates × committed transactions (`lostUpdates` is the difference).
 *
 * One row per θ, shaped as `ContentionRow` (protocol "PostgreSQL (server) <isolation>",
 * concurrency = clients, runs = 1): committed per second is wall time of real sessions on
 * this machine (network round trips on loopback included), so compare its shape with ours,
 * not its level. A server has no scheduler steps: `steps` is 0 and `committedPerStep` NaN
 * (`contentionChart` leaves such rows out of its steps panel and draws their abort rate).
 * Sessions set deadlock_timeout to 20 ms when allowed (superuser), so a deadlock costs
 * milliseconds, not PostgreSQL's default second, and statement_timeout to 10 s.
 */
export async function measurePostgresContention(url: string, options: PostgresContentionOptions = {}): Promise<ContentionRow[]> {
  const small = benchSize() === "small";
  const thetas = options.thetas ?? [0, 0.5, 0.8, 0.99];
  const keys = options.keys ?? 200;
  const clients = options.clients ?? 8;
  const perClient = options.transactionsPerClient ?? (small ? 25 : 200);
  const isolation = options.isolation ?? "serializable";
  const reads = options.reads ?? 4;
  const updates = options.updates ?? 2;
  const retries = options.retries ?? 20;
  const seed = options.seed ?? 7;
  for (const t of thetas) if (!(t >= 0 && t < 1)) throw new RangeError(`θ is in [0, 1), got ${t}`);
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients is a positive integer, got ${clients}`);
  if (!Number.isInteger(perClient) || perClient < 1) throw new RangeError(`transactionsPerClient is a positive integer, got ${perClient}`);
  if (isolation !== "repeatable read" && isolation !== "serializable") throw new RangeError(`isolation is "repeatable read" or "serializable", got ${String(isolation)}`);
  const { Client } = require("pg") as PgModule;
  const admin = new Client({ connectionString: url });
  const sessions: PgSession[] = [];
  const rows: ContentionRow[] = [];
  try {
    await admin.connect();
    for (let c = 0; c < clients; c++) {
      const s = new Client({ connectionString: url });
      sessions.push(s);
      await s.connect();
      await s.query("set statement_timeout = '10s'");
      await s.query("set deadlock_timeout = '20ms'").catch(() => undefined); // not a superuser: keep the server's (1 s)
    }
    for (const theta of thetas) {
      await admin.query("drop table if exists workbook_contention; create table workbook_contention (k int primary key, v int not null)");
      await admin.query("insert into workbook_contention select k, 0 from generate_series(0, $1::int - 1) as k", [keys]);
      const scripts = contentionScripts(seed * 1_000_003 + Math.round(theta * 1000), theta, { keys, concurrency: clients * perClient, reads, updates });
      const t = { committed: 0, attempts: 0, aborts: 0, gaveUp: 0, reasons: {} as Record<string, number> };
      const runScript = async (s: PgSession, script: readonly TxnOp[]): Promise<void> => {
        for (let attempt = 0; attempt <= retries; attempt++) {
          t.attempts++;
          try {
            await s.query(`begin isolation level ${isolation}`);
            for (const op of script) {
              if (op.kind === "read") await s.query("select v from workbook_contention where k = $1", [Number(op.key.slice(TABLE.length + 1))]);
              else if (op.kind === "write") await s.query("update workbook_contention set v = v + 1 where k = $1", [Number(op.key.slice(TABLE.length + 1))]);
            }
            await s.query("commit");
            t.committed++;
            return;
          } catch (error) {
            await s.query("rollback").catch(() => undefined); // the transaction is already failed; a failing rollback changes nothing
            const code = (error as { code?: string }).code;
            if (code !== "40001" && code !== "40P01") throw error;
            const reason = code === "40001" ? "serialization-failure" : "deadlock";
            t.aborts++;
            t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
          }
        }
        t.gaveUp++;
      };
      const start = performance.now();
      await Promise.all(
        sessions.map(async (s, c) => {
          for (let i = 0; i < perClient; i++) await runScript(s, scripts[c * perClient + i]!);
        }),
      );
      const ms = performance.now() - start;
      const sum = Number((await admin.query("select coalesce(sum(v), 0) as sum from workbook_contention")).rows[0].sum);
      rows.push({
        protocol: `PostgreSQL (server) ${isolation}`,
        theta,
        keys,
        concurrency: clients,
        runs: 1,
        transactions: clients * perClient,
        committed: t.committed,
        attempts: t.attempts,
        aborts: t.aborts,
        abortRate: t.attempts === 0 ? 0 : t.aborts / t.attempts,
        gaveUp: t.gaveUp,
        steps: 0,
        committedPerStep: Number.NaN,
        committedPerSecond: ms === 0 ? 0 : t.committed / (ms / 1000),
        milliseconds: ms,
        lostUpdates: Math.abs(sum - updates * t.committed),
        reasons: t.reasons,
      });
    }
  } finally {
    await admin.query("drop table if exists workbook_contention").catch(() => undefined); // best effort: the connection may be what failed
    for (const s of sessions) await s.end().catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
  return rows;
}
