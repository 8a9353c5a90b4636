/**
 * Snapshots and the update path (exercise 08.2)
 * =============================================
 * Two decisions of the MVCC protocol (mvcc.ts), each a pure function.
 *
 * takeSnapshot(me, running, nextXid): PostgreSQL's GetSnapshotData
 * (`src/backend/storage/ipc/procarray.c`): xmax = the next xid to be assigned, xip = the
 * running xids other than me (ascending), xmin = the smallest of them, or xmax when none.
 *
 *   running [3, 5, 6], me 5, nextXid 8  →  { xmin 3, xmax 8, xip [3, 6] }
 *
 * decideUpdate(newest, snapshot, clog, me, level): may `me` write a row whose newest
 * version (the newest one whose creator did not abort; undefined when there is none) is
 * `newest`? PostgreSQL's heap_update / heap_delete with HeapTupleSatisfiesUpdate, first
 * updater wins:
 *
 *   no newest version                          → insert (a new chain, or a re-insert)
 *   newest created by me:  deleted by me       → insert;  else → update
 *   creator still running                       → wait for it
 *   creator committed, not in my snapshot (repeatable read, serializable)
 *                                               → conflict with the creator
 *   not deleted, or its deleter aborted        → update
 *   deleted by me                               → insert
 *   deleter still running                       → wait for it
 *   deleter committed: in my snapshot (repeatable read, serializable) → conflict with it
 *                      else                     → insert (the row was gone)
 *
 * At read committed no snapshot is consulted: after a wait the row's newest version is
 * written (PostgreSQL's EvalPlanQual re-checks the newest version). At repeatable read and
 * serializable a version my snapshot cannot see means someone updated the row after I
 * began: "could not serialize access due to concurrent update". Read uncommitted behaves
 * as read committed, as in PostgreSQL.
 *
 *   decision:  insert | update | wait(xid) | conflict(xid)
 *
 * Refusals (`invalid-argument`, nothing returned): a running xid ≥ nextXid or < 1, a
 * duplicate, `me` not running; a newest version whose creator aborted. Costs: O(n log n)
 * for the snapshot (sorting), O(1) for the decision.
 */
import { DbError } from "../../common/errors.js";
import type { IsolationLevel } from "../concurrency-control.js";
import type { UpdateDecision } from "./mvcc-algorithms.js";
import { INVALID_XID, type CommitLogView, type Snapshot, type VisibilityHeader, type Xid, xidInSnapshot } from "./version.js";


/** A snapshot for `me`, taken while `running` (including me) are in progress and `nextXid` is the next xid. */
export function takeSnapshot(me: Xid, running: readonly Xid[], nextXid: Xid): Snapshot {
  const seen = new Set<Xid>();
  for (const xid of running) {
    if (!Number.isInteger(xid) || xid < 1 || xid >= nextXid) {
      throw new DbError("invalid-argument", `running xid ${String(xid)} is not in [1, nextXid ${nextXid})`, { xid, nextXid });
    }
    if (seen.has(xid)) throw new DbError("invalid-argument", `running xid ${xid} is listed twice`, { xid });
    seen.add(xid);
  }
  if (!seen.has(me)) throw new DbError("invalid-argument", `xid ${me} takes a snapshot but is not running`, { xid: me });
  const xip = running.filter((x) => x !== me).sort((a, b) => a - b);
  return { xmin: xip[0] ?? nextXid, xmax: nextXid, xip };
}

/** First updater wins: what `me` may do to a row whose newest non-aborted version is `newest`. */
export function decideUpdate(newest: VisibilityHeader | undefined, snapshot: Snapshot, clog: CommitLogView, me: Xid, level: IsolationLevel): UpdateDecision {
  if (newest === undefined) return { kind: "insert" };
  if (newest.xmin === me) return newest.xmax === me ? { kind: "insert" } : { kind: "update" };
  const snapshotLevel = level === "repeatable read" || level === "serializable";
  const creator = clog.status(newest.xmin);
  if (creator === "aborted") throw new DbError("invalid-argument", `the newest version's creator xid ${newest.xmin} aborted: pass the newest version whose creator did not`, { xmin: newest.xmin });
  if (creator === "in-progress") return { kind: "wait", xid: newest.xmin };
  if (snapshotLevel && xidInSnapshot(newest.xmin, snapshot)) return { kind: "conflict", xid: newest.xmin };
  if (newest.xmax === INVALID_XID) return { kind: "update" };
  if (newest.xmax === me) return { kind: "insert" };
  const deleter = clog.status(newest.xmax);
  if (deleter === "aborted") return { kind: "update" };
  if (deleter === "in-progress") return { kind: "wait", xid: newest.xmax };
  if (snapshotLevel && xidInSnapshot(newest.xmax, snapshot)) return { kind: "conflict", xid: newest.xmax };
  return { kind: "insert" };
}
