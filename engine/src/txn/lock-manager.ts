/**
 * The lock manager: the contract
 * ==============================
 * Two-phase locking (two-phase-locking.ts) asks a `LockManager` for locks on resources and
 * gives them back at commit or abort. The lock manager decides who holds what and who waits;
 * it never blocks: a request answers at once, `granted` or `waiting` (exercise 07.1 writes
 * one, lock-table.ts).
 *
 * Resources are strings, hierarchical by one "/": a table "accounts", a row "accounts/7"
 * (the table is the part before the first "/", `parentOf`). The lock manager itself treats
 * every resource as independent; the caller takes the table's intention lock (IS, IX)
 * before the row's lock (S, X), as PostgreSQL takes RowExclusiveLock on a table before it
 * locks a tuple. `intentionFor(mode)` says which.
 *
 * Modes (Gray's multiple granularity locking; PostgreSQL's table lock modes conflict the
 * same way: AccessShare or RowShare ≈ IS, RowExclusive ≈ IX, Share ≈ S,
 * ShareRowExclusive ≈ SIX, AccessExclusive ≈ X):
 *
 *   IS   intention shared: I will read some rows below
 *   IX   intention exclusive: I will write some rows below
 *   S    shared: I read all of it
 *   SIX  S + IX: I read all of it and write some rows below
 *   X    exclusive: I write all of it
 *
 * Compatibility (held ↓, requested →), the one table everything else follows:
 *
 *          IS   IX   S    SIX  X
 *   IS     ✓    ✓    ✓    ✓    ✗
 *   IX     ✓    ✓    ✗    ✗    ✗
 *   S      ✓    ✗    ✓    ✗    ✗
 *   SIX    ✓    ✗    ✗    ✗    ✗
 *   X      ✗    ✗    ✗    ✗    ✗
 *
 * Strength (a mode covers those below it; `lockModeJoin` is the least mode covering two):
 *
 *            X
 *            │
 *           SIX
 *          ╱   ╲
 *         S     IX         S ⊔ IX = SIX
 *          ╲   ╱
 *           IS
 *
 * A transaction holds at most one mode per resource. Asking for a mode it already covers
 * is granted at once and changes nothing; asking for a mode it does not cover is an
 * upgrade to the join (IS→S/IX/SIX/X, S→SIX/X, IX→SIX/X, SIX→X). A lock is never
 * downgraded.
 *
 * The queue of one resource (FIFO, Gray's "no overtaking"):
 *
 *   granted: T1 S, T2 S │ waiting: T3 X, T4 S
 *                       └ T4 waits though S is compatible with the holders: T3 came first
 *
 *   request ──compatible with every holder, nobody waiting──► granted
 *          └─otherwise──► waiting at the tail ──(releases ahead)──► granted
 *   upgrade ──compatible with the other holders──► granted
 *          └─otherwise──► waiting at the head of the waiters (one upgrade per resource)
 *
 * A waiting request waits for (the waits-for edges, `LockAnswer.holders`): the holders
 * whose mode conflicts with it, and every request waiting ahead of it (it cannot be
 * granted before them). A transaction has at most one waiting request: nothing else of it
 * runs meanwhile (concurrency-control.ts).
 *
 * PostgreSQL: src/backend/storage/lmgr/lock.c (LockAcquire, the conflict table
 * LockConflicts, GrantLock, ProcLockWakeup), proc.c (ProcSleep puts a request ahead of
 * waiters it would conflict with if it already holds a conflicting lock), README of lmgr.
 * PostgreSQL keeps a set of modes per transaction and lock (a bitmask), not one joined mode.
 */
import { DbError } from "../common/errors.js";
import type { TxnId } from "./concurrency-control.js";

/** A lock mode, weakest first. */
export type LockMode = "IS" | "IX" | "S" | "SIX" | "X";

export const LOCK_MODES: readonly LockMode[] = ["IS", "IX", "S", "SIX", "X"];

/** A lockable thing: "accounts" (a table) or "accounts/7" (a row of it). */
export type LockResource = string;

/** The answer to a lock request. */
export type LockAnswer =
  | { readonly kind: "granted" }
  /** Not granted yet: ask again with the same request to learn when it is. */
  | { readonly kind: "waiting"; readonly holders: readonly TxnId[] };

/** One request in a resource's queue, as `queue()` shows it. */
export interface LockRequestView {
  readonly txn: TxnId;
  /** The mode asked for (for a pending upgrade, the mode it upgrades to). */
  readonly mode: LockMode;
  readonly granted: boolean;
  /** For a pending upgrade: the mode still held meanwhile. */
  readonly upgradeFrom?: LockMode;
}

export interface LockManager {
  /**
   * Ask for `mode` on `resource`. Granted at once, or queued (waiting). Asking again for a
   * pending request answers its current state. Refused (DbError, nothing changes):
   * `invalid-argument` for a bad mode, resource or id; `invalid-state` when `txn` already
   * waits for another request; `deadlock` when another transaction's upgrade already waits
   * on this resource and this request is an upgrade too.
   */
  lock(txn: TxnId, resource: LockResource, mode: LockMode): LockAnswer;
  /**
   * Give back `txn`'s lock on `resource` (or withdraw its waiting request there; a pending
   * upgrade goes with the lock). Returns the transactions newly granted, ascending.
   * `invalid-state` if `txn` has nothing there.
   */
  unlock(txn: TxnId, resource: LockResource): TxnId[];
  /**
   * Give back all of `txn`'s locks and withdraw its waiting request: commit and abort.
   * Newly granted transactions, ascending (none for a transaction that holds nothing).
   * `invalid-argument` for an id that is not one.
   */
  releaseAll(txn: TxnId): TxnId[];
  /** The mode `txn` holds on `resource` (granted), if any. */
  held(txn: TxnId, resource: LockResource): LockMode | undefined;
  /** `txn`'s waiting request, if any. */
  pending(txn: TxnId): { readonly resource: LockResource; readonly mode: LockMode } | undefined;
  /** The requests on `resource`: the granted ones, then the waiting ones in the order they will be granted. */
  queue(resource: LockResource): readonly LockRequestView[];
  /** The resources with at least one request, sorted. */
  resources(): LockResource[];
}

// Rows in the order of LOCK_MODES: COMPATIBLE[held][requested].
const COMPATIBLE: Readonly<Record<LockMode, Readonly<Record<LockMode, boolean>>>> = {
  IS: { IS: true, IX: true, S: true, SIX: true, X: false },
  IX: { IS: true, IX: true, S: false, SIX: false, X: false },
  S: { IS: true, IX: false, S: true, SIX: false, X: false },
  SIX: { IS: true, IX: false, S: false, SIX: false, X: false },
  X: { IS: false, IX: false, S: false, SIX: false, X: false },
};

/** Whether one transaction may hold `a` while another holds `b` on the same resource (symmetric). */
export function lockCompatible(a: LockMode, b: LockMode): boolean {
  return COMPATIBLE[a][b];
}

// What each mode covers (itself included).
const COVERS: Readonly<Record<LockMode, readonly LockMode[]>> = {
  IS: ["IS"],
  IX: ["IS", "IX"],
  S: ["IS", "S"],
  SIX: ["IS", "IX", "S", "SIX"],
  X: ["IS", "IX", "S", "SIX", "X"],
};

/** Whether holding `held` gives every right `wanted` gives. */
export function lockCovers(held: LockMode, wanted: LockMode): boolean {
  return COVERS[held].includes(wanted);
}

/** The weakest mode covering both: the mode of an upgrade from `held` when `wanted` is asked. */
export function lockModeJoin(held: LockMode, wanted: LockMode): LockMode {
  if (lockCovers(held, wanted)) return held;
  if (lockCovers(wanted, held)) return wanted;
  return "SIX"; // S ⊔ IX, the only incomparable pair
}

export function isLockMode(value: unknown): value is LockMode {
  return typeof value === "string" && (LOCK_MODES as readonly string[]).includes(value);
}

/** The table a row resource belongs to ("accounts/7" → "accounts"); undefined for a table. */
export function parentOf(resource: LockResource): LockResource | undefined {
  const slash = resource.indexOf("/");
  return slash > 0 ? resource.slice(0, slash) : undefined;
}

/** The mode to hold on the table before taking `mode` on one of its rows: IS for S, IX for X, SIX… */
export function intentionFor(mode: LockMode): LockMode {
  return mode === "IS" || mode === "S" ? "IS" : "IX";
}

/** Refuse a transaction id or resource that is not one: called first by every `LockManager` entry point. */
export function checkLockTarget(txn: TxnId, resource: LockResource): void {
  if (!Number.isInteger(txn) || txn < 1) {
    throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
  }
  if (typeof resource !== "string" || resource === "" || resource.startsWith("/")) {
    throw new DbError("invalid-argument", `a lock resource is "table" or "table/row", got ${JSON.stringify(resource)}`, { resource });
  }
}

/** Refuse a mode that is not one of the five. */
export function checkLockMode(mode: LockMode): void {
  if (!isLockMode(mode)) {
    throw new DbError("invalid-argument", `a lock mode is one of ${LOCK_MODES.join(", ")}, got ${JSON.stringify(mode)}`, { mode });
  }
}
