/**
 * Concurrency control: the contract every protocol keeps
 * ======================================================
 * Notebooks 07 and 08 compare ways of running transactions side by side: no control at
 * all, strict two-phase locking at each isolation level (with a deadlock policy),
 * optimistic concurrency control, and MVCC. Each is a `ConcurrencyControl`: the same five
 * requests, the same answers, so one scheduler (scheduler.ts) drives every protocol, the
 * anomaly playground, the hidden suites, the golden scripts and the benchmarks.
 *
 * The engine is synchronous and deterministic. A request never blocks and never returns
 * a promise: it answers at once with a `Step`.
 *
 *   begin(t)                       → Step             t exists from now on
 *   read(t, key)                   → Step (value)     the value t sees, or undefined
 *   write(t, key, value | undefined) → Step           undefined deletes the key
 *   commit(t)                      → Step             t's writes become durable and visible
 *   abort(t)                       → void             t's writes are undone; never waits
 *
 *   Step = { kind: "done", value? }                   the request took effect
 *        | { kind: "waiting", on, holders }           it did not; ask again later
 *        | { kind: "aborted", error }                 the protocol aborted t (deadlock
 *                                                     victim, failed validation,
 *                                                     serialization failure…)
 *
 * A transaction whose request answered "waiting" asks again with the same request (the
 * scheduler retries it after any other transaction's step); nothing else of that
 * transaction runs meanwhile. The protocol remembers the pending request (a lock in a
 * queue keeps its place): asking again is how the caller learns whether it was granted.
 * "Blocked" means "still waiting when the scheduler has nothing else to run", never
 * "still waiting after a sleep". After "aborted" the transaction is over: the protocol
 * has undone its writes and released what it held, and every later request for it is
 * refused with `invalid-state`.
 *
 * States of one transaction:
 *
 *   begin ──► active ──read/write: done──► active
 *               │  └─read/write/commit: waiting─► waiting ──asked again: done──► active
 *               │                                    │
 *               ├─commit: done──► committed          └─asked again: aborted──► aborted
 *               └─abort, or a request answered "aborted"──────────────────────► aborted
 *
 * Keys are strings ("x", "accounts/7"); values are numbers or strings. The protocols keep
 * their data in memory: what they decide, not how rows are stored, is the topic of
 * notebook 07 (notebook 08's MVCC keeps versions on the engine's heap).
 *
 * Errors. A request for a transaction that does not exist, is not active, or was begun
 * twice is refused with `DbError("invalid-state")` and changes nothing. A protocol's own
 * abort carries a `DbError` whose kind says why: `deadlock` (details: the cycle),
 * `serialization-failure` (details: the conflicting transaction and key), `lock-timeout`.
 */
import type { DbError } from "../common/errors.js";

/** A transaction's number: begin order, from 1; a younger transaction has a larger id. */
export type TxnId = number;

/** A key of the shared data the transactions read and write. */
export type TxnKey = string;

/** A stored value; `undefined` in a write is a delete, in a read "no such key". */
export type TxnValue = number | string;

/** The answer to one request. */
export type Step =
  | { readonly kind: "done"; readonly value?: TxnValue | undefined }
  | {
      readonly kind: "waiting";
      /** What the transaction waits for: a lock's resource, a key. */
      readonly on: string;
      /** The transactions it waits for (the edges of the waits-for graph). */
      readonly holders: readonly TxnId[];
    }
  | { readonly kind: "aborted"; readonly error: DbError };

/**
 * The answer to a scan (an optional request, `ConcurrencyControl.scan`): a Step whose
 * "done" carries the rows whose key starts with the prefix, in key order.
 */
export type ScanStep =
  | { readonly kind: "done"; readonly rows: readonly (readonly [TxnKey, TxnValue])[] }
  | Exclude<Step, { readonly kind: "done" }>;

export type TxnState = "active" | "waiting" | "committed" | "aborted";

/** The isolation levels, as SQL names them. */
export type IsolationLevel = "read uncommitted" | "read committed" | "repeatable read" | "serializable";

export interface ConcurrencyControl {
  /** A short name for tables and charts: "2PL (serializable, wait-die)", "OCC", … */
  readonly name: string;
  /** Start transaction `txn` (ids are given by the caller, increasing). */
  begin(txn: TxnId): Step;
  read(txn: TxnId, key: TxnKey): Step;
  /** Write `value` to `key`; `undefined` deletes it. */
  write(txn: TxnId, key: TxnKey, value: TxnValue | undefined): Step;
  commit(txn: TxnId): Step;
  /**
   * Optional: read every key starting with `prefix` ("accounts/"), in key order: a
   * predicate read, where phantoms live (a key inserted by another transaction between two
   * scans). Waits, aborts and refusals as for `read`.
   */
  scan?(txn: TxnId, prefix: TxnKey): ScanStep;
  /** Undo `txn`'s writes and release what it holds. Never waits. */
  abort(txn: TxnId): void;
  /** The state of `txn`, or undefined if it was never begun. */
  state(txn: TxnId): TxnState | undefined;
  /** The committed data, key by key: what a new transaction would read. */
  committed(): ReadonlyMap<TxnKey, TxnValue>;
  /**
   * When a write becomes what other transactions read (optional, default "at-write"):
   * "at-write" for protocols that write in place (no control, locking), "at-commit" for
   * those that keep writes private until commit (OCC). The scheduler's history places
   * each write where it took effect, so the serializability checker sees the real order.
   */
  readonly writesTakeEffect?: "at-write" | "at-commit";
  /**
   * Optional: why the protocol aborted `txn` (a wound-wait victim, a deadlock victim chosen
   * while another transaction asked), or undefined. A scheduler that finds a transaction
   * aborted that was not answered "aborted" shows this error as the reason.
   */
  abortError?(txn: TxnId): DbError | undefined;
}
