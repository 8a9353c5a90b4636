/**
 * The scheduler: one driver for every protocol
 * ============================================
 * Runs transactions against any `ConcurrencyControl` and records what happened. Three ways
 * to choose what runs next:
 *
 *   runSchedule(cc, "T1: r(x); T2: w(x); T2: c; T1: c")   the exact order a schedule gives
 *   runRandom(cc, scripts, new Random(seed))              a seeded interleaving of scripts
 *   new Scheduler(cc) … .submit(2, read("x")) / .step()   one step at a time from a cell
 *
 * A request answered "waiting" leaves its transaction blocked: its later steps queue up
 * behind the one that waits, and the scheduler goes on with other transactions. After
 * every step that did not wait (it may have released a lock), each blocked transaction
 * asks again, oldest wait first; one whose request is now done runs its queued steps at
 * once. When nothing can run and someone still waits, the blocked transactions ask again
 * up to `patience` rounds (a timeout policy counts those answers), then the run ends as
 * "blocked", with the waits-for edges: a deadlock under a protocol that does not break
 * it is reported, never a hang.
 *
 *   step ──done────► record; retry the blocked ─┐
 *        ├─waiting─► blocked (later steps queue) │ a retry done → run its queue
 *        └─aborted─► record the reason; skip its later steps (or restart it, retryAborted)
 *
 * The history: every request with its answer (`events`, the rows of the timeline), the
 * operations in the order they took effect (`operations`, for the serializability
 * checker: under a protocol whose `writesTakeEffect` is "at-commit" a write is placed at
 * its commit, and a read of the transaction's own write is left out; an abort the protocol
 * made behind a transaction's back — a deadlock victim, a wounded holder — is placed before
 * the request that made it, though the timeline shows it at the victim's next step),
 * commits, aborts with reasons, and the final committed state.
 *
 * Transaction ids are begin order (the contract's rule): a schedule names them so
 * (schedule.ts checks), a random run numbers transactions as they begin, and a restarted
 * transaction gets a new, larger id (`retryOf` says whose retry it is).
 *
 * Costs: a step costs the protocol's request plus one retry per blocked transaction.
 * PostgreSQL has no scheduler: backends are processes and a waiting one sleeps on a
 * semaphore (ProcSleep in `src/backend/storage/lmgr/proc.c`) until the holder's release
 * wakes it; the isolation tester (`src/test/isolation/isolationtester.c`) drives sessions
 * in a given permutation and notices a blocked step as we do, by asking whether it waits.
 */
import { DbError } from "../common/errors.js";
import type { Random } from "../common/random.js";
import type { ConcurrencyControl, ScanStep, Step, TxnId, TxnKey, TxnValue } from "./concurrency-control.js";
import { formatOp, formatValue, parseSchedule, type ScheduleStep, type TxnOp } from "./schedule.js";
import type { HistoryOp } from "./serializability.js";

/** One request and its answer: a row of the timeline. */
export interface SchedulerEvent {
  /** 1, 2, 3…: the row. */
  readonly time: number;
  readonly txn: TxnId;
  /** The request; undefined for begin. */
  readonly op?: TxnOp;
  /**
   * done, waiting (blocked; `waitsFor`, `on`), aborted (by the protocol: `error`; a
   * transaction's own abort is an `a` op answered done), or skipped (a step of a
   * transaction that had already ended).
   */
  readonly outcome: "done" | "waiting" | "aborted" | "skipped";
  /** For a read: the value it returned. */
  readonly value?: TxnValue | undefined;
  /** For a scan: the rows it returned. */
  readonly rows?: readonly (readonly [TxnKey, TxnValue])[];
  readonly waitsFor?: readonly TxnId[];
  readonly on?: string;
  readonly error?: DbError;
  /** The answer to a request asked again after waiting. */
  readonly retried?: boolean;
}

/** Who waits for whom when a run ends blocked. */
export interface WaitEdge {
  readonly txn: TxnId;
  readonly on: string;
  readonly holders: readonly TxnId[];
}

export interface TxnAbort {
  readonly txn: TxnId;
  /** "requested" for a transaction's own `a`, else the error kind (deadlock, serialization-failure…). */
  readonly reason: string;
  readonly error?: DbError;
}

export interface History {
  /** The protocol's name. */
  readonly protocol: string;
  readonly events: readonly SchedulerEvent[];
  /** Reads, writes, commits and aborts in the order they took effect. */
  readonly operations: readonly HistoryOp[];
  /** "finished": nothing left to run (or, asked mid-run, not blocked yet); "blocked": everyone left waits. */
  readonly outcome: "finished" | "blocked";
  /** The waits-for edges when blocked. */
  readonly blocked: readonly WaitEdge[];
  /** Committed transactions in commit order. */
  readonly committed: readonly TxnId[];
  readonly aborted: readonly TxnAbort[];
  /** Transactions begun that neither committed nor aborted. */
  readonly unfinished: readonly TxnId[];
  /** Every transaction id in begin order, with the id it restarts, if any. */
  readonly transactions: readonly { readonly txn: TxnId; readonly retryOf?: TxnId }[];
  /** The protocol's committed data at the end. */
  readonly finalState: ReadonlyMap<TxnKey, TxnValue>;
}

export interface SchedulerOptions {
  /** Rounds of asking again when everything left waits, before the run ends "blocked" (default 20). */
  readonly patience?: number;
  /** Random runs: restart a transaction the protocol aborted, up to this many times each (default 0). */
  readonly retryAborted?: number;
}

type Status = "new" | "active" | "waiting" | "committed" | "aborted";

interface Run {
  readonly id: TxnId;
  status: Status;
  /** Steps submitted but not yet run (a schedule's, or a script's remaining ones). */
  readonly queue: TxnOp[];
  /** The request that answered "waiting" (undefined op: begin). */
  pending?: { readonly op: TxnOp | undefined };
  waitEdge?: WaitEdge;
  waitSince: number;
  /** Keys written, for "at-commit" protocols: a read of one reads the transaction's own write. */
  readonly written: Set<TxnKey>;
  /** Writes not yet in effect ("at-commit"). */
  readonly deferred: HistoryOp[];
  readonly script?: readonly TxnOp[];
  readonly retryOf?: TxnId;
  readonly attempt: number;
  /** The protocol aborted it behind its back and its abort is already in the operations. */
  abortPlaced?: boolean;
}

export class Scheduler {
  readonly cc: ConcurrencyControl;
  readonly #patience: number;
  readonly #retryAborted: number;
  readonly #atCommit: boolean;
  readonly #runs = new Map<TxnId, Run>();
  readonly #events: SchedulerEvent[] = [];
  readonly #operations: HistoryOp[] = [];
  readonly #committed: TxnId[] = [];
  readonly #aborted: TxnAbort[] = [];
  /** Loaded work for step(): a schedule's remaining steps, or scripts to interleave. */
  #schedule: ScheduleStep[] = [];
  /** Scripts not begun yet (a restart names the transaction it restarts). */
  readonly #scripts: { readonly script: readonly TxnOp[]; readonly retryOf?: TxnId; readonly attempt: number }[] = [];
  #random: Random | undefined;
  #nextId = 1;
  #blocked: WaitEdge[] | undefined;

  constructor(cc: ConcurrencyControl, options: SchedulerOptions = {}) {
    const patience = options.patience ?? 20;
    const retry = options.retryAborted ?? 0;
    if (!Number.isInteger(patience) || patience < 0) throw new DbError("invalid-argument", `patience must be an integer ≥ 0, got ${String(patience)}`, { patience });
    if (!Number.isInteger(retry) || retry < 0) throw new DbError("invalid-argument", `retryAborted must be an integer ≥ 0, got ${String(retry)}`, { retryAborted: retry });
    this.cc = cc;
    this.#patience = patience;
    this.#retryAborted = retry;
    this.#atCommit = cc.writesTakeEffect === "at-commit";
  }

  /** Load a schedule for `step()`/`run()` (text or parsed steps), after anything loaded before. */
  loadSchedule(schedule: string | readonly ScheduleStep[]): this {
    const steps = typeof schedule === "string" ? parseSchedule(schedule) : [...schedule];
    for (const s of steps) this.#checkOp(s.op);
    this.#schedule.push(...steps);
    return this;
  }

  /** Load scripts to interleave by `random` for `step()`/`run()`; each becomes a transaction when it begins. */
  loadScripts(scripts: readonly (readonly TxnOp[])[], random: Random): this {
    for (const s of scripts) {
      if (s.length === 0) throw new DbError("invalid-argument", "a transaction script needs at least one step", {});
      const end = s.findIndex((op) => op.kind === "commit" || op.kind === "abort");
      if (end >= 0 && end !== s.length - 1) throw new DbError("invalid-argument", `a script has steps after its ${s[end]!.kind} (step ${end + 1} of ${s.length})`, {});
      for (const op of s) this.#checkOp(op);
    }
    this.#scripts.push(...scripts.map((s) => ({ script: [...s], attempt: 0 })));
    this.#random = random;
    return this;
  }

  /**
   * Submit one step of `txn` now, as a cell does: it begins `txn` if new (ids must increase
   * in begin order), runs the step unless `txn` waits (then it queues), and retries the
   * blocked. Returns the events it produced.
   */
  submit(txn: TxnId, op: TxnOp): SchedulerEvent[] {
    const from = this.#events.length;
    this.#checkOp(op);
    let run = this.#runs.get(txn);
    if (run === undefined) {
      if (!Number.isSafeInteger(txn) || txn < this.#nextId) {
        throw new DbError("invalid-argument", `T${txn} cannot begin now: transactions begin in the order of their ids (next is T${this.#nextId} or later)`, { txn });
      }
      run = this.#newRun(txn, undefined, undefined, 0);
    }
    if (run.status === "committed" || run.status === "aborted") {
      this.#record({ txn, op, outcome: "skipped" });
    } else {
      run.queue.push(op);
      if (run.status !== "waiting") this.#drain(run);
      this.#settleAfter(from);
    }
    return this.#events.slice(from);
  }

  /**
   * Run the next step of the loaded work: the schedule's next step, or a random runnable
   * script's. Returns the events it produced, or undefined when nothing is left (then
   * `history()` tells whether the run finished or is blocked).
   */
  step(): SchedulerEvent[] | undefined {
    const next = this.#schedule.shift();
    if (next !== undefined) return this.submit(next.txn, next.op);
    if (this.#random !== undefined) {
      const runnable: (Run | number)[] = [...this.#runs.values()].filter((r) => r.script !== undefined && r.status === "active" && r.queue.length > 0);
      // A script not begun yet is a candidate too: it begins when chosen.
      for (let i = 0; i < this.#scripts.length; i++) runnable.push(i);
      if (runnable.length > 0) {
        const from = this.#events.length;
        const choice = this.#random.pick(runnable);
        if (typeof choice === "number") {
          const { script, retryOf, attempt } = this.#scripts.splice(choice, 1)[0]!;
          const run = this.#newRun(this.#nextId, script, retryOf, attempt);
          this.#runOne(run, undefined);
        } else this.#runOne(choice, choice.queue.shift()!);
        this.#settleAfter(from);
        return this.#events.slice(from);
      }
    }
    return this.#finish() ? [] : undefined;
  }

  /** Run everything loaded to the end (finished or blocked) and return the history. */
  run(): History {
    while (this.step() !== undefined);
    return this.history();
  }

  /** The history so far. */
  history(): History {
    const unfinished = [...this.#runs.values()].filter((r) => r.status === "active" || r.status === "waiting" || r.status === "new").map((r) => r.id);
    return {
      protocol: this.cc.name,
      events: [...this.#events],
      operations: [...this.#operations],
      outcome: this.#blocked === undefined ? "finished" : "blocked",
      blocked: this.#blocked ?? [],
      committed: [...this.#committed],
      aborted: [...this.#aborted],
      unfinished,
      transactions: [...this.#runs.values()].map((r) => (r.retryOf === undefined ? { txn: r.id } : { txn: r.id, retryOf: r.retryOf })),
      finalState: this.cc.committed(),
    };
  }

  #newRun(id: TxnId, script: readonly TxnOp[] | undefined, retryOf: TxnId | undefined, attempt: number): Run {
    const run: Run = {
      id,
      status: "new",
      queue: script === undefined ? [] : [...script],
      waitSince: 0,
      written: new Set(),
      deferred: [],
      attempt,
      ...(script === undefined ? {} : { script }),
      ...(retryOf === undefined ? {} : { retryOf }),
    };
    this.#runs.set(id, run);
    this.#nextId = id + 1;
    return run;
  }

  /** Run queued steps of `run` until it waits, ends or has none left (a script run: one step). */
  #drain(run: Run): void {
    if (run.status === "new") this.#runOne(run, undefined);
    while (run.status === "active" && run.queue.length > 0) this.#runOne(run, run.queue.shift()!);
    if (run.status === "aborted" || run.status === "committed") {
      for (const op of run.queue.splice(0)) this.#record({ txn: run.id, op, outcome: "skipped" });
    }
  }

  /** Ask the protocol once: `op` undefined is begin. */
  #runOne(run: Run, op: TxnOp | undefined, retried = false): void {
    if (op === undefined && run.status === "new" && !retried) {
      // begin, then (for a script) the first step is chosen later; for a submit, #drain goes on.
      run.status = "active";
    }
    // A transaction the protocol aborted behind its back (a deadlock victim, a wound-wait
    // victim) learns it at its next request: the protocol answers "aborted", or refuses
    // with invalid-state, and then abortError (if it has one) says why.
    const abortedBehind = run.status !== "new" && this.cc.state(run.id) === "aborted";
    let step: Step | ScanStep;
    try {
      step = this.#ask(run.id, op);
    } catch (error) {
      if (!abortedBehind || !(error instanceof DbError) || error.kind !== "invalid-state") throw error;
      step = { kind: "aborted", error: this.cc.abortError?.(run.id) ?? error };
    }
    // Victims this request made (a deadlock victim, a wounded holder) were aborted before it
    // was granted: their undo goes into the operations before its effect.
    this.#placeAbortsBehind(run);
    const base = { txn: run.id, ...(op === undefined ? {} : { op }), ...(retried ? { retried: true } : {}) };
    switch (step.kind) {
      case "waiting":
        run.status = "waiting";
        run.pending = { op };
        run.waitEdge = { txn: run.id, on: step.on, holders: [...step.holders] };
        if (!retried) {
          run.waitSince = this.#events.length;
          this.#record({ ...base, outcome: "waiting", waitsFor: [...step.holders], on: step.on });
        }
        return;
      case "aborted":
        this.#record({ ...base, outcome: "aborted", error: step.error });
        this.#ended(run, "aborted", step.error);
        return;
      case "done": {
        run.status = "active";
        delete run.pending;
        delete run.waitEdge;
        if (op === undefined) {
          // begin is not a row of the timeline.
          return;
        }
        if (op.kind === "read") this.#record({ ...base, outcome: "done", value: "value" in step ? step.value : undefined });
        else if (op.kind === "scan") this.#record({ ...base, outcome: "done", rows: "rows" in step ? step.rows : [] });
        else this.#record({ ...base, outcome: "done" });
        this.#effect(run, op, step);
        return;
      }
    }
  }

  /** Refuse, before anything runs, a step the protocol cannot take. */
  #checkOp(op: TxnOp): void {
    if (op.kind === "scan" && this.cc.scan === undefined) {
      throw new DbError("invalid-argument", `${this.cc.name} offers no scan: s(${op.prefix}) cannot run`, { protocol: this.cc.name });
    }
  }

  #ask(txn: TxnId, op: TxnOp | undefined): Step | ScanStep {
    if (op === undefined) return this.cc.begin(txn);
    switch (op.kind) {
      case "read":
        return this.cc.read(txn, op.key);
      case "scan":
        return this.cc.scan!(txn, op.prefix);
      case "write":
        return this.cc.write(txn, op.key, op.value);
      case "commit":
        return this.cc.commit(txn);
      case "abort":
        this.cc.abort(txn);
        return { kind: "done" };
    }
  }

  /** Put a done request into the operations, where it took effect. */
  #effect(run: Run, op: TxnOp, step: Step | ScanStep): void {
    const value = step.kind === "done" && "value" in step ? step.value : undefined;
    switch (op.kind) {
      case "scan": {
        const keys = step.kind === "done" && "rows" in step ? step.rows.map(([k]) => k) : [];
        this.#operations.push({ kind: "scan", txn: run.id, prefix: op.prefix, keys });
        return;
      }
      case "read":
        if (!(this.#atCommit && run.written.has(op.key))) this.#operations.push({ kind: "read", txn: run.id, key: op.key, value });
        return;
      case "write":
        if (this.#atCommit) {
          run.written.add(op.key);
          run.deferred.push({ kind: "write", txn: run.id, key: op.key, value: op.value });
        } else this.#operations.push({ kind: "write", txn: run.id, key: op.key, value: op.value });
        return;
      case "commit":
        this.#operations.push(...run.deferred.splice(0), { kind: "commit", txn: run.id });
        run.status = "committed";
        this.#committed.push(run.id);
        return;
      case "abort":
        this.#ended(run, "requested");
        return;
    }
  }

  #ended(run: Run, why: "requested" | "aborted", error?: DbError): void {
    run.status = "aborted";
    delete run.pending;
    delete run.waitEdge;
    run.deferred.length = 0;
    if (run.abortPlaced !== true) this.#operations.push({ kind: "abort", txn: run.id });
    this.#aborted.push({ txn: run.id, reason: why === "requested" ? "requested" : (error?.kind ?? "aborted"), ...(error === undefined ? {} : { error }) });
    // A restart begins (with a new id) when the random order picks it.
    if (why === "aborted" && run.script !== undefined && run.attempt < this.#retryAborted) {
      this.#scripts.push({ script: run.script, retryOf: run.retryOf ?? run.id, attempt: run.attempt + 1 });
    }
  }

  /** Retry the blocked if a step since event `from` did something other than wait (it may have released a lock). */
  #settleAfter(from: number): void {
    const abortedBehind = this.#placeAbortsBehind();
    if (abortedBehind || this.#events.slice(from).some((e) => e.outcome !== "waiting")) this.#settle();
  }

  /**
   * Put into the operations, where they happened, the aborts the protocol made behind a
   * transaction's back (a deadlock victim, a wounded holder): its undo took effect now, even
   * if the transaction learns it (and the timeline shows it) only at its next request.
   */
  #placeAbortsBehind(except?: Run): boolean {
    let found = false;
    for (const run of this.#runs.values()) {
      if (run === except) continue;
      if ((run.status !== "active" && run.status !== "waiting") || run.abortPlaced === true) continue;
      if (this.cc.state(run.id) !== "aborted") continue;
      run.abortPlaced = true;
      run.deferred.length = 0;
      this.#operations.push({ kind: "abort", txn: run.id });
      found = true;
    }
    return found;
  }

  /** After a step that did not wait: let the blocked ask again until nothing changes. */
  #settle(): void {
    for (let progress = true; progress; ) {
      progress = false;
      const waiting = [...this.#runs.values()].filter((r) => r.status === "waiting").sort((a, b) => a.waitSince - b.waitSince);
      for (const run of waiting) {
        if (run.status !== "waiting") continue;
        this.#runOne(run, run.pending?.op, true);
        this.#placeAbortsBehind();
        if (run.status !== "waiting") {
          progress = true;
          if (run.script === undefined) this.#drain(run);
          else if (run.status === "aborted") run.queue.length = 0;
        }
      }
    }
  }

  /** Nothing left to run: ask the blocked again up to `patience` rounds; true if that changed anything. */
  #finish(): boolean {
    for (let round = 0; round < this.#patience; round++) {
      const waiting = [...this.#runs.values()].filter((r) => r.status === "waiting");
      if (waiting.length === 0) break;
      const before = this.#events.length;
      this.#settle();
      if (this.#events.length > before) return true;
    }
    const waiting = [...this.#runs.values()].filter((r) => r.status === "waiting");
    this.#blocked = waiting.length === 0 ? undefined : waiting.map((r) => r.waitEdge!);
    // Aborted behind their backs with no request left to learn it: record it now.
    let changed = false;
    for (const run of this.#runs.values()) {
      if (run.status !== "active" || this.cc.state(run.id) !== "aborted") continue;
      const error = this.cc.abortError?.(run.id) ?? new DbError("invalid-state", `T${run.id} was aborted by the protocol`, { txn: run.id });
      this.#record({ txn: run.id, outcome: "aborted", error });
      this.#ended(run, "aborted", error);
      changed = true;
    }
    if (changed || this.#scripts.length > 0) {
      this.#blocked = undefined;
      return true;
    }
    return false;
  }

  #record(event: Omit<SchedulerEvent, "time">): void {
    this.#events.push({ time: this.#events.length + 1, ...event });
  }
}

/** Run a schedule against `cc`: the history. */
export function runSchedule(cc: ConcurrencyControl, schedule: string | readonly ScheduleStep[], options: SchedulerOptions = {}): History {
  return new Scheduler(cc, options).loadSchedule(schedule).run();
}

/** Interleave `scripts` by `random` against `cc`: the history. */
export function runRandom(cc: ConcurrencyControl, scripts: readonly (readonly TxnOp[])[], random: Random, options: SchedulerOptions = {}): History {
  return new Scheduler(cc, options).loadScripts(scripts, random).run();
}

/** The text of one event in its transaction's column: "r(x) → 5", "w(x, 1) waits for T1", "aborted (deadlock)". */
export function describeEvent(e: SchedulerEvent): string {
  const op = e.op === undefined ? "begin" : formatOp(e.op);
  const prefix = e.retried === true ? "↳ " : "";
  switch (e.outcome) {
    case "done":
      if (e.op?.kind === "read") return `${prefix}${op} → ${formatValue(e.value)}`;
      if (e.op?.kind === "scan") return `${prefix}${op} → [${(e.rows ?? []).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ")}]`;
      return prefix + op;
    case "waiting":
      return `${op} waits for ${(e.waitsFor ?? []).map((t) => `T${t}`).join(", ")}`;
    case "aborted":
      return `${prefix}${e.op === undefined ? "" : `${op}: `}aborted (${e.error?.kind ?? "?"})`;
    case "skipped":
      return `${op} skipped`;
  }
}

/** The timeline as a table: a time column and one column per transaction (begin order). */
export function timelineTable(history: History): { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] } {
  const txns = history.transactions.map((t) => t.txn).filter((t) => history.events.some((e) => e.txn === t));
  const columns = ["time", ...txns.map((t) => `T${t}`)];
  const rows = history.events.map((e) => [String(e.time), ...txns.map((t) => (t === e.txn ? describeEvent(e) : ""))]);
  return { columns, rows };
}

/** The timeline as aligned text rows: `time | T1 | T2`. */
export function formatTimeline(history: History): string[] {
  const { columns, rows } = timelineTable(history);
  const widths = columns.map((c, i) => Math.max([...c].length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join(" | ").trimEnd();
  return [line(columns), ...rows.map(line)];
}

/** The outcome in a few lines: committed, aborted with reasons, unfinished or blocked, the final state. */
export function formatOutcome(history: History): string[] {
  const names = (ts: readonly TxnId[]) => (ts.length === 0 ? "none" : ts.map((t) => `T${t}`).join(" "));
  const lines = [`committed: ${names(history.committed)}`];
  for (const a of history.aborted) lines.push(`aborted: T${a.txn} (${a.reason === "requested" ? "its own abort" : (a.error?.message ?? a.reason).startsWith(a.reason) ? a.error?.message : `${a.reason}: ${a.error?.message ?? ""}`})`);
  if (history.outcome === "blocked") {
    lines.push(`blocked: ${history.blocked.map((w) => `T${w.txn} waits for ${names(w.holders)} on ${w.on}`).join("; ")}`);
  } else if (history.unfinished.length > 0) lines.push(`unfinished: ${names(history.unfinished)}`);
  const state = [...history.finalState].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  lines.push(`final: ${state.length === 0 ? "(empty)" : state.map(([k, v]) => `${k}=${formatValue(v)}`).join(" ")}`);
  return lines;
}
