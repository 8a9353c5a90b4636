/**
 * Optimistic concurrency control
 * ==============================
 * Kung and Robinson (1981): let transactions run without asking anyone, and check at
 * commit whether what they read is still true. Three phases:
 *
 *   read phase        reads go to the committed data (or the transaction's own writes);
 *                     writes go to a private workspace; the keys read are the read set
 *   validation        at commit: did a transaction that committed after this one began
 *                     write a key this one read? then this one read a stale value:
 *                     abort it with serialization-failure (who, which key)
 *   write phase       apply the workspace, take the next commit number (tn)
 *
 *   tn:        1            2              3
 *   T1 begin(start=0) ──r(x)──r(y)─────────────────────── commit: validate against tn > 0
 *   T2            begin(0) ──w(x)── commit (tn 1, writes {x})     T2 wrote x, T1 read x
 *   T3                          begin(1) ──r(x)── commit          → T1 aborts; T3 started
 *                                                                   after tn 1: no check
 *
 * Validation and the write phase run as one indivisible step (the engine is synchronous),
 * so commit numbers are the serial order: every committed history is conflict-
 * serializable in tn order. Backward validation compares the read set only: write-write
 * overlaps are harmless, since writes are installed in tn order. Nothing ever waits, so
 * there are no deadlocks; the price is work thrown away at commit, which grows with
 * contention (the notebook's benchmark measures it against locking).
 *
 * The validation is a plug-in (`OccAlgorithms.validate`, exercise 07.3's solution in
 * occ-validation.ts), chosen with `resolvePlugins`:
 *
 *   new OptimisticConcurrencyControl({ algorithms: { validate: mine } })
 *
 * Keys only: the read set holds keys, so a row another transaction inserts under a prefix
 * this one scanned (a phantom) would go unseen. This OCC therefore offers no `scan`; the
 * scheduler refuses scan steps for it. (Predicate validation, or PostgreSQL's SIRead locks
 * on index ranges, would close that gap.)
 *
 * Costs: reads and writes O(1); commit O(Σ write sets of the transactions it is checked
 * against), and the commit log keeps only records some active transaction may still need.
 * PostgreSQL is not optimistic in this sense, but its SERIALIZABLE level (SSI,
 * `src/backend/storage/lmgr/predicate.c`) also lets transactions run and aborts at commit
 * when the read-write dependencies it tracked could form a cycle (SQLSTATE 40001).
 */
import { DbError } from "../common/errors.js";
import { resolvePlugins } from "../common/plugins.js";
import type { ConcurrencyControl, Step, TxnId, TxnKey, TxnState, TxnValue } from "./concurrency-control.js";
import { validateBackward } from "./occ-validation.js";

/** A transaction at commit, as validation sees it. */
export interface OccTransaction {
  readonly txn: TxnId;
  /** The commit number when it began: it must be checked against every record with tn > startTn. */
  readonly startTn: number;
  /** The keys it read from the committed data, each once, in the order first read (reads of its own writes are not here). */
  readonly readSet: readonly TxnKey[];
  /** The keys it wrote, each once, in the order first written. */
  readonly writeSet: readonly TxnKey[];
}

/** A committed transaction in the commit log. */
export interface OccCommitRecord {
  readonly txn: TxnId;
  /** Its commit number: 1, 2, 3… in commit order. */
  readonly tn: number;
  readonly writeSet: readonly TxnKey[];
}

/** Validation's verdict: go ahead, or the first conflict (who committed the write, which key). */
export type OccValidation =
  | { readonly ok: true }
  | { readonly ok: false; readonly conflictWith: TxnId; readonly tn: number; readonly key: TxnKey };

export interface OccAlgorithms {
  /**
   * Backward validation of `txn` against `log`, the commit records in increasing tn (it may
   * hold records older than txn.startTn: skip them). Fails at the record with the smallest
   * tn > startTn whose write set meets the read set, naming the first key of the read set
   * (read order) it wrote. Refuses a log not in strictly increasing tn or a startTn that is
   * not an integer ≥ 0 with `invalid-argument`.
   */
  validate(txn: OccTransaction, log: readonly OccCommitRecord[]): OccValidation;
}

export const ENGINE_OCC_ALGORITHMS: OccAlgorithms = Object.freeze({ validate: validateBackward });

export interface OptimisticOptions {
  /** Data committed before any transaction. */
  readonly initial?: Iterable<readonly [TxnKey, TxnValue]>;
  /** Replacements for the engine's validation. */
  readonly algorithms?: Partial<OccAlgorithms>;
}

interface OccTxn {
  state: TxnState;
  readonly startTn: number;
  readonly readSet: TxnKey[];
  readonly reads: Set<TxnKey>;
  /** Private writes, in order first written; `undefined` deletes. */
  readonly workspace: Map<TxnKey, TxnValue | undefined>;
}

export class OptimisticConcurrencyControl implements ConcurrencyControl {
  readonly name = "OCC";
  readonly writesTakeEffect = "at-commit" as const;
  readonly algorithms: OccAlgorithms;
  readonly #data = new Map<TxnKey, TxnValue>();
  readonly #txns = new Map<TxnId, OccTxn>();
  readonly #activeIds = new Set<TxnId>();
  #log: OccCommitRecord[] = [];
  #tn = 0;
  /** How many commits failed validation (for benchmarks). */
  validationFailures = 0;

  constructor(options: OptimisticOptions = {}) {
    this.algorithms = resolvePlugins(ENGINE_OCC_ALGORITHMS, options.algorithms, "OCC algorithm");
    for (const [k, v] of options.initial ?? []) this.#data.set(k, v);
  }

  /** The last commit number handed out (0 before any commit). */
  get lastTn(): number {
    return this.#tn;
  }

  begin(txn: TxnId): Step {
    if (!Number.isSafeInteger(txn) || txn < 1) throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
    if (this.#txns.has(txn)) throw new DbError("invalid-state", `T${txn} was already begun`, { txn });
    this.#txns.set(txn, { state: "active", startTn: this.#tn, readSet: [], reads: new Set(), workspace: new Map() });
    this.#activeIds.add(txn);
    return { kind: "done" };
  }

  read(txn: TxnId, key: TxnKey): Step {
    const t = this.#active(txn, "read");
    if (t.workspace.has(key)) return { kind: "done", value: t.workspace.get(key) };
    if (!t.reads.has(key)) {
      t.reads.add(key);
      t.readSet.push(key);
    }
    return { kind: "done", value: this.#data.get(key) };
  }

  write(txn: TxnId, key: TxnKey, value: TxnValue | undefined): Step {
    this.#active(txn, "write").workspace.set(key, value);
    return { kind: "done" };
  }

  commit(txn: TxnId): Step {
    const t = this.#active(txn, "commit");
    const view: OccTransaction = { txn, startTn: t.startTn, readSet: [...t.readSet], writeSet: [...t.workspace.keys()] };
    const verdict = this.algorithms.validate(view, [...this.#log]);
    if (!verdict.ok) {
      this.validationFailures++;
      t.state = "aborted";
      t.workspace.clear();
      this.#activeIds.delete(txn);
      this.#trim();
      const error = new DbError(
        "serialization-failure",
        `T${txn} read ${verdict.key}, which T${verdict.conflictWith} wrote and committed (tn ${verdict.tn}) after T${txn} began (tn ${t.startTn})`,
        { txn, conflictWith: verdict.conflictWith, key: verdict.key, tn: verdict.tn },
      );
      return { kind: "aborted", error };
    }
    if (t.workspace.size > 0) {
      this.#tn++;
      for (const [k, v] of t.workspace) {
        if (v === undefined) this.#data.delete(k);
        else this.#data.set(k, v);
      }
      this.#log.push({ txn, tn: this.#tn, writeSet: view.writeSet });
    }
    t.state = "committed";
    this.#activeIds.delete(txn);
    this.#trim();
    return { kind: "done" };
  }

  abort(txn: TxnId): void {
    const t = this.#active(txn, "abort");
    t.state = "aborted";
    t.workspace.clear();
    this.#activeIds.delete(txn);
    this.#trim();
  }

  state(txn: TxnId): TxnState | undefined {
    return this.#txns.get(txn)?.state;
  }

  committed(): ReadonlyMap<TxnKey, TxnValue> {
    return new Map(this.#data);
  }

  /** The commit records still kept (those some active transaction may be checked against). */
  log(): readonly OccCommitRecord[] {
    return [...this.#log];
  }

  /** Drop commit records no active transaction can conflict with (tn ≤ every active startTn). */
  #trim(): void {
    let oldest = this.#tn;
    for (const id of this.#activeIds) oldest = Math.min(oldest, this.#txns.get(id)!.startTn);
    const keep = this.#log.findIndex((r) => r.tn > oldest);
    this.#log = keep < 0 ? [] : this.#log.slice(keep);
  }

  #active(txn: TxnId, what: string): OccTxn {
    const t = this.#txns.get(txn);
    if (t?.state !== "active") {
      throw new DbError("invalid-state", `${what} for T${txn}, which is ${t?.state ?? "not begun"}`, { txn, state: t?.state ?? "not begun" });
    }
    return t;
  }
}
