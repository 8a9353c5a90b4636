/**
 * Strict two-phase locking
 * ========================
 * A `ConcurrencyControl` (concurrency-control.ts) over an in-memory key-value map: every
 * write takes an X lock held to commit or abort, every read an S lock whose life the
 * isolation level decides, and a transaction that must wait answers "waiting" (the lock
 * keeps its place in the queue, lock-table.ts). Writes go to the map in place, each with
 * its before-image in the transaction's undo list; abort puts the before-images back,
 * newest first.
 *
 * Locks. A key "accounts/7" is a row of the table "accounts" (the part before the first
 * "/"); a key with no "/" ("x") is a resource of its own, with no table above it.
 *
 *   request          lock taken (table, then row)                        held until
 *   write k          IX accounts, X accounts/7                           commit/abort (all levels: no dirty writes)
 *   read k           read uncommitted: none
 *                    read committed:   IS accounts, S accounts/7          right after the read
 *                    repeatable read:  IS accounts, S accounts/7          commit/abort
 *                    serializable:     as repeatable read
 *   scan "acc…/p"    read uncommitted: none
 *                    read committed:   IS table, S on each row found      right after the scan
 *                    repeatable read:  IS table, S on each row found      commit/abort (a new row is a phantom)
 *                    serializable:     S on the table                     commit/abort (no insert can slip in)
 *
 * A row lock is skipped when the table's lock already covers it (S or SIX on the table
 * covers S on its rows, X covers all). A write after a serializable scan upgrades the
 * table to SIX.
 *
 * A request that waits is asked again (the same request) until it is done. Each time, its
 * locks are planned anew from the keys there are now, and the lock it waits for is asked
 * first: it keeps its place in that queue, and nothing else is asked while it waits (a
 * lock manager queues one request per transaction). Once it is granted, the rest of the
 * new plan follows in order, each lock already held skipped. So a repeatable-read scan
 * that waited on "a/2" while "a/1" was inserted and committed locks "a/1" too when it goes
 * on, and returns both rows. A lock taken for a key that is gone meanwhile stays held:
 * harmless, and never given back early, so the two phases hold. PostgreSQL does less: a
 * SELECT … FOR SHARE (or an UPDATE) that waited for a row lock, at read committed,
 * re-checks only that row's newest version against the WHERE clause (EvalPlanQual,
 * src/backend/executor/README) and finds no rows inserted meanwhile; at repeatable read it
 * fails with a serialization error instead.
 *
 *   retry ──► plan from the current keys ──► the waited-for lock first ──waiting──► "waiting"
 *                                                     └─granted──► the others in order ──► done
 *
 * Two phases. A transaction acquires locks (growing), then releases them (shrinking), and
 * may not acquire after its first release: that is what makes the order of conflicting
 * lock grants a serial order. Strict 2PL (the default) releases only at commit or abort,
 * so nobody reads or overwrites uncommitted data (no cascading aborts). With
 * `strict: false`, `unlock(txn, resource)` releases one lock early; a lock request after it
 * is refused with `invalid-state`. The short S locks of read committed are outside the
 * rule, as in every real system: that is why read committed is not serializable.
 *
 *   begin ──► growing ──unlock (non-strict only)──► shrinking ──lock──► invalid-state
 *               └──────── commit / abort: release all ────────┘
 *
 * When a request waits, the deadlock policy decides (deadlock-policy.ts): wait, abort the
 * requester ("aborted"), or abort others (a detected cycle's victim, wounded holders) and
 * try again. A transaction aborted by another's request learns it at its next request,
 * which answers "aborted" with the error; later requests are refused (`invalid-state`).
 *
 * Costs: a request costs its lock requests (two or fewer, a scan one per row below
 * serializable; a scan's retry re-plans: one pass over the keys under its prefix), plus
 * the policy's check (detection: O(V + E) of the waits-for graph).
 * PostgreSQL does not lock rows for reads at all (MVCC, notebook 08); it takes row locks
 * for writes and SELECT … FOR SHARE/UPDATE (stored in the tuple header, not the lock table),
 * table locks in the lock manager (lock.c), and predicate "SIRead" locks for serializable
 * (predicate.c), which never block: they only detect dangerous structures.
 */
import { DbError } from "../common/errors.js";
import type { ConcurrencyControl, IsolationLevel, ScanStep, Step, TxnId, TxnKey, TxnState, TxnValue } from "./concurrency-control.js";
import { checkDeadlockPolicy, deadlockPolicyName, decideWait, type DeadlockPolicy } from "./deadlock-policy.js";
import { lockCovers, parentOf, type LockManager, type LockMode, type LockResource } from "./lock-manager.js";
import { LockTable } from "./lock-table.js";
import type { Deadlock, WaitsForGraph } from "./find-deadlock.js";
import { waitsForGraph } from "./waits-for.js";

export interface TwoPhaseLockingOptions {
  /** Default "serializable". */
  readonly isolation?: IsolationLevel;
  /** What a waiting request does; default "detect". */
  readonly deadlock?: DeadlockPolicy;
  /** Release only at commit/abort (default true); false allows `unlock` and enforces the two phases. */
  readonly strict?: boolean;
  /** The lock manager to use (a learner's, exercise 07.1); default a new `LockTable`. */
  readonly locks?: LockManager;
  /** The cycle search of the `detect` policy (a learner's, exercise 07.2); default the engine's `findDeadlock`. */
  readonly findDeadlock?: (graph: WaitsForGraph) => Deadlock | undefined;
  /** The data before the first transaction. */
  readonly initial?: Iterable<readonly [TxnKey, TxnValue]>;
}

type Request =
  | { readonly op: "read"; readonly key: TxnKey }
  | { readonly op: "write"; readonly key: TxnKey; readonly value: TxnValue | undefined }
  | { readonly op: "scan"; readonly prefix: TxnKey };

interface Txn {
  state: TxnState;
  /** [key, value before the write], oldest first. */
  readonly undo: [TxnKey, TxnValue | undefined][];
  /** The waiting request, how many times it answered "waiting", the resources it found unlocked. */
  pending?: { readonly signature: string; retries: number; readonly fresh: Set<LockResource> };
  /** Set when another transaction's request aborted this one; told at its next request. */
  notice?: DbError;
  /** Why the protocol aborted it (kept after it was told). */
  reason?: DbError;
  /** Non-strict only: true after the first unlock. */
  shrinking: boolean;
}

const ISOLATION_LEVELS: readonly IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];

export class TwoPhaseLocking implements ConcurrencyControl {
  readonly name: string;
  /** Writes go to the shared map in place, under their X lock. */
  readonly writesTakeEffect = "at-write" as const;
  readonly isolation: IsolationLevel;
  readonly policy: DeadlockPolicy;
  readonly strict: boolean;
  /** The lock manager: to show its queues. */
  readonly locks: LockManager;
  readonly #findDeadlock: ((graph: WaitsForGraph) => Deadlock | undefined) | undefined;
  readonly #data = new Map<TxnKey, TxnValue>();
  readonly #txns = new Map<TxnId, Txn>();

  constructor(options: TwoPhaseLockingOptions = {}) {
    this.isolation = options.isolation ?? "serializable";
    if (!ISOLATION_LEVELS.includes(this.isolation)) {
      throw new DbError("invalid-argument", `an isolation level is one of ${ISOLATION_LEVELS.join(", ")}, got ${JSON.stringify(this.isolation)}`, {
        isolation: this.isolation,
      });
    }
    this.policy = options.deadlock ?? "detect";
    checkDeadlockPolicy(this.policy);
    this.strict = options.strict ?? true;
    this.locks = options.locks ?? new LockTable();
    this.#findDeadlock = options.findDeadlock;
    for (const [key, value] of options.initial ?? []) this.#data.set(key, value);
    this.name = `2PL (${this.isolation}, ${deadlockPolicyName(this.policy)}${this.strict ? "" : ", non-strict"})`;
  }

  begin(txn: TxnId): Step {
    if (!Number.isInteger(txn) || txn < 1) {
      throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
    }
    if (this.#txns.has(txn)) throw new DbError("invalid-state", `T${txn} was already begun`, { txn });
    this.#txns.set(txn, { state: "active", undo: [], shrinking: false });
    return { kind: "done" };
  }

  read(txn: TxnId, key: TxnKey): Step {
    const step = this.#run(txn, { op: "read", key });
    return step.kind === "done" ? { kind: "done", value: step.rows[0]?.[1] } : step;
  }

  write(txn: TxnId, key: TxnKey, value: TxnValue | undefined): Step {
    const step = this.#run(txn, { op: "write", key, value });
    return step.kind === "done" ? { kind: "done" } : step;
  }

  scan(txn: TxnId, prefix: TxnKey): ScanStep {
    if (typeof prefix !== "string" || prefix.indexOf("/") <= 0) {
      throw new DbError("invalid-argument", `a scan reads one table: its prefix is "table/…", got ${JSON.stringify(prefix)}`, { prefix });
    }
    return this.#run(txn, { op: "scan", prefix });
  }

  commit(txn: TxnId): Step {
    const t = this.#active(txn);
    if (t.notice !== undefined) return this.#tell(t);
    if (t.pending !== undefined) {
      throw new DbError("invalid-state", `T${txn} waits for a lock: it asks again for that request before it commits`, { txn });
    }
    this.locks.releaseAll(txn);
    t.undo.length = 0;
    t.state = "committed";
    return { kind: "done" };
  }

  abort(txn: TxnId): void {
    const t = this.#txns.get(txn);
    if (t?.notice !== undefined) {
      delete t.notice; // already aborted by another's request: the caller's abort is how it hears
      return;
    }
    this.#active(txn);
    this.#abort(txn);
  }

  /**
   * Non-strict 2PL only: release `txn`'s lock on `resource` ("accounts/7", "accounts")
   * before commit. From then on the transaction is shrinking: a request that needs a new
   * lock is refused with `invalid-state`.
   */
  unlock(txn: TxnId, resource: LockResource): void {
    const t = this.#active(txn);
    if (this.strict) {
      throw new DbError("invalid-state", `strict 2PL releases locks only at commit or abort (T${txn} asked to unlock ${resource})`, { txn, resource });
    }
    if (t.pending !== undefined) throw new DbError("invalid-state", `T${txn} waits for a lock: it cannot unlock meanwhile`, { txn, resource });
    this.locks.unlock(txn, resource);
    t.shrinking = true;
  }

  state(txn: TxnId): TxnState | undefined {
    return this.#txns.get(txn)?.state;
  }

  /** Why the protocol aborted `txn` (deadlock victim, wounded, timed out…); undefined if it did not. */
  abortError(txn: TxnId): DbError | undefined {
    return this.#txns.get(txn)?.reason;
  }

  committed(): ReadonlyMap<TxnKey, TxnValue> {
    const data = new Map(this.#data);
    for (const t of this.#txns.values()) {
      if (t.state !== "active" && t.state !== "waiting") continue;
      for (let i = t.undo.length - 1; i >= 0; i--) {
        const [key, before] = t.undo[i]!;
        if (before === undefined) data.delete(key);
        else data.set(key, before);
      }
    }
    return new Map([...data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** A transaction that may make requests, else `invalid-state`. */
  #active(txn: TxnId): Txn {
    const t = this.#txns.get(txn);
    if (t === undefined) throw new DbError("invalid-state", `T${txn} was never begun`, { txn });
    if (t.notice !== undefined) return t;
    if (t.state !== "active" && t.state !== "waiting") throw new DbError("invalid-state", `T${txn} is ${t.state}: it makes no more requests`, { txn, state: t.state });
    return t;
  }

  /** The one "aborted" answer a transaction aborted by someone else gets. */
  #tell(t: Txn): { kind: "aborted"; error: DbError } {
    const error = t.notice!;
    delete t.notice;
    return { kind: "aborted", error };
  }

  #abort(txn: TxnId): void {
    const t = this.#txns.get(txn)!;
    for (let i = t.undo.length - 1; i >= 0; i--) {
      const [key, before] = t.undo[i]!;
      if (before === undefined) this.#data.delete(key);
      else this.#data.set(key, before);
    }
    t.undo.length = 0;
    delete t.pending;
    this.locks.releaseAll(txn);
    t.state = "aborted";
  }

  /** The locks a request needs now, in order: each table before its rows. */
  #plan(request: Request): [LockResource, LockMode][] {
    const level = this.isolation;
    if (request.op === "write") return withTable(request.key, "X");
    if (level === "read uncommitted") return [];
    if (request.op === "read") return withTable(request.key, "S");
    const table = request.prefix.slice(0, request.prefix.indexOf("/"));
    if (level === "serializable") return [[table, "S"]];
    const plan: [LockResource, LockMode][] = [[table, "IS"]];
    for (const key of this.#keysWithPrefix(request.prefix)) plan.push([key, "S"]);
    return plan;
  }

  /** Keys starting with `prefix`: the stored ones and those an active transaction deleted (so the scan waits for it). */
  #keysWithPrefix(prefix: string): string[] {
    const keys = new Set<string>();
    for (const key of this.#data.keys()) if (key.startsWith(prefix)) keys.add(key);
    for (const t of this.#txns.values()) for (const [key] of t.undo) if (key.startsWith(prefix)) keys.add(key);
    return [...keys].sort();
  }

  #covered(txn: TxnId, resource: LockResource, mode: LockMode): boolean {
    const held = this.locks.held(txn, resource);
    if (held !== undefined && lockCovers(held, mode)) return true;
    const parent = parentOf(resource);
    const above = parent === undefined ? undefined : this.locks.held(txn, parent);
    return above !== undefined && (above === "X" || ((above === "S" || above === "SIX") && (mode === "S" || mode === "IS")));
  }

  #run(txn: TxnId, request: Request): ScanStep {
    const key = request.op === "scan" ? request.prefix : request.key;
    if (typeof key !== "string" || key === "" || key.startsWith("/")) {
      throw new DbError("invalid-argument", `a key is a non-empty string such as "x" or "accounts/7", got ${JSON.stringify(key)}`, { key });
    }
    if (request.op === "write" && request.value !== undefined && typeof request.value !== "number" && typeof request.value !== "string") {
      throw new DbError("invalid-argument", `a value is a number or a string, got ${typeof request.value}`, { key });
    }
    const t = this.#active(txn);
    if (t.notice !== undefined) return this.#tell(t);
    const signature = JSON.stringify(request);
    if (t.pending !== undefined && t.pending.signature !== signature) {
      throw new DbError("invalid-state", `T${txn} waits: it must ask again for ${t.pending.signature}, not ${signature}`, { txn });
    }
    const plan = this.#plan(request).filter(([resource, mode]) => !this.#covered(txn, resource, mode));
    const waitingFor = this.locks.pending(txn);
    if (waitingFor !== undefined) {
      // A retry re-plans from the current keys; the lock it waits for is asked first, so it keeps its place in the queue.
      const at = plan.findIndex(([resource]) => resource === waitingFor.resource);
      const first: [LockResource, LockMode] = at >= 0 ? plan.splice(at, 1)[0]! : [waitingFor.resource, waitingFor.mode];
      plan.unshift(first);
    }
    if (plan.length > 0 && t.shrinking) {
      throw new DbError("invalid-state", `two-phase locking: T${txn} released a lock already, it may not take ${plan[0]![1]} on ${plan[0]![0]} now`, {
        txn,
        resource: plan[0]![0],
        mode: plan[0]![1],
      });
    }
    const pending = t.pending ?? { signature, retries: 0, fresh: new Set<LockResource>() };
    for (const [resource, mode] of plan) {
      if (this.locks.held(txn, resource) === undefined && this.locks.pending(txn) === undefined) pending.fresh.add(resource);
      for (;;) {
        let answer;
        try {
          answer = this.locks.lock(txn, resource, mode);
        } catch (error) {
          if (error instanceof DbError && error.kind === "deadlock") {
            this.#abort(txn);
            t.reason = error;
            return { kind: "aborted", error };
          }
          throw error;
        }
        if (answer.kind === "granted") break;
        const decision = decideWait(this.policy, {
          txn,
          resource,
          holders: answer.holders,
          retries: pending.retries,
          graph: () => waitsForGraph(this.locks),
          ...(this.#findDeadlock === undefined ? {} : { findDeadlock: this.#findDeadlock }),
        });
        if (decision.action === "wait") {
          pending.retries++;
          t.pending = pending;
          t.state = "waiting";
          return { kind: "waiting", on: resource, holders: answer.holders };
        }
        if (decision.action === "abort-requester") {
          this.#abort(txn);
          t.reason = decision.error;
          return { kind: "aborted", error: decision.error };
        }
        for (const victim of decision.victims) {
          const v = this.#txns.get(victim);
          if (v === undefined || (v.state !== "active" && v.state !== "waiting")) continue;
          this.#abort(victim);
          v.notice = decision.error;
          v.reason = decision.error;
        }
      }
    }
    delete t.pending;
    t.state = "active";
    const rows = this.#perform(t, request);
    if (this.isolation === "read committed" && request.op !== "write") {
      // Short read locks: give back what this read took (rows first, then the table).
      for (const resource of [...pending.fresh].sort((a, b) => b.length - a.length)) {
        if (this.locks.held(txn, resource) !== undefined) this.locks.unlock(txn, resource);
      }
    }
    return { kind: "done", rows };
  }

  #perform(t: Txn, request: Request): [TxnKey, TxnValue][] {
    if (request.op === "write") {
      t.undo.push([request.key, this.#data.get(request.key)]);
      if (request.value === undefined) this.#data.delete(request.key);
      else this.#data.set(request.key, request.value);
      return [];
    }
    if (request.op === "read") {
      const value = this.#data.get(request.key);
      return value === undefined ? [] : [[request.key, value]];
    }
    const rows: [TxnKey, TxnValue][] = [];
    for (const key of this.#keysWithPrefix(request.prefix)) {
      const value = this.#data.get(key);
      if (value !== undefined) rows.push([key, value]);
    }
    return rows;
  }
}

/** The table's intention lock (if the key has a table), then the key's lock. */
function withTable(key: TxnKey, mode: "S" | "X"): [LockResource, LockMode][] {
  const table = parentOf(key);
  const plan: [LockResource, LockMode][] = table === undefined ? [] : [[table, mode === "S" ? "IS" : "IX"]];
  plan.push([key, mode]);
  return plan;
}
