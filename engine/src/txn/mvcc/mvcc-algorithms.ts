/**
 * The MVCC algorithms: the contract of exercises 08.1, 08.2 and 08.3
 * ===================================================================
 * The MVCC protocol (mvcc.ts) keeps versions on the heap and the commit log, and asks four
 * pure functions every question that decides what a transaction sees and may do. They are
 * the learner's to write; `new MvccConcurrencyControl({ algorithms })` plugs them in, and
 * what is left out stays the engine's.
 *
 *   satisfiesMvcc(header, snapshot, clog, myXid, myCid)   may this snapshot see this version?
 *                                                         (PostgreSQL: HeapTupleSatisfiesMVCC)
 *   takeSnapshot(me, running, nextXid)                    { xmin, xmax, xip }
 *                                                         (PostgreSQL: GetSnapshotData)
 *   decideUpdate(newest, snapshot, clog, me, level)       insert | update | wait | conflict
 *                                                         (heap_update, first updater wins)
 *   satisfiesVacuum(header, horizon, clog)                live | dead | recently-dead |
 *                                                         insert- / delete-in-progress
 *                                                         (HeapTupleSatisfiesVacuum)
 *
 * Each module's header (visibility.ts, snapshot-update.ts, vacuum-verdict.ts) states the
 * cases exactly. All four are pure: they read their arguments and the commit log and change
 * nothing. Bad input (an xid out of range, a snapshot whose xmin is above its xmax) is
 * refused with `DbError("invalid-argument")`.
 */
import type { IsolationLevel } from "../concurrency-control.js";
import type { CommitLogView, Snapshot, VisibilityHeader, Xid } from "./version.js";

/** What `decideUpdate` tells a writer: write a new chain, write over the newest version, wait for `xid`, or fail against it. */
export type UpdateDecision =
  | { readonly kind: "insert" }
  | { readonly kind: "update" }
  | { readonly kind: "wait"; readonly xid: Xid }
  | { readonly kind: "conflict"; readonly xid: Xid };

/** Vacuum's verdict on one version; only "dead" versions are removed. */
export type VacuumVerdict = "live" | "dead" | "recently-dead" | "insert-in-progress" | "delete-in-progress";

export interface MvccAlgorithms {
  /** Whether a transaction (`myXid`, at command `myCid`) with `snapshot` sees the version with `header` (exercise 08.1). */
  readonly satisfiesMvcc: (header: VisibilityHeader, snapshot: Snapshot, clog: CommitLogView, myXid: Xid, myCid: number) => boolean;
  /** The snapshot of `me` while `running` (me included) are in progress and `nextXid` is the next xid (exercise 08.2). */
  readonly takeSnapshot: (me: Xid, running: readonly Xid[], nextXid: Xid) => Snapshot;
  /** May `me` write a row whose newest live version is `newest` (undefined: none)? (exercise 08.2) */
  readonly decideUpdate: (newest: VisibilityHeader | undefined, snapshot: Snapshot, clog: CommitLogView, me: Xid, level: IsolationLevel) => UpdateDecision;
  /** Vacuum's verdict on the version with `header`, given the oldest xid any snapshot may still consider running (exercise 08.3). */
  readonly satisfiesVacuum: (header: VisibilityHeader, horizon: Xid, clog: CommitLogView) => VacuumVerdict;
}
