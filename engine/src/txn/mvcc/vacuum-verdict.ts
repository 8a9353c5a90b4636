/**
 * Vacuum's verdict on one version (exercise 08.3)
 * ===============================================
 * Vacuum may remove a version no snapshot, present or future, can see. The horizon is the
 * oldest xid any running transaction might still consider running: the smallest of every
 * running transaction's xid and its snapshot's xmin (PostgreSQL's OldestXmin,
 * ComputeXidHorizons in `src/backend/storage/ipc/procarray.c`); with nobody running, the
 * next xid. The verdict is PostgreSQL's HeapTupleSatisfiesVacuum
 * (`heapam_visibility.c`), without hint bits, multixacts or freezing:
 *
 *   creator aborted                         → dead              (nobody ever sees it)
 *   creator running                         → insert-in-progress
 *   not deleted, or its deleter aborted     → live
 *   deleter running                         → delete-in-progress
 *   deleter committed, xmax < horizon       → dead              (every snapshot sees the delete)
 *   deleter committed, xmax ≥ horizon       → recently-dead     (an old snapshot may still see it)
 *
 * Only "dead" versions are removed. Pure; costs O(1) per version, O(running) for the
 * horizon. Refusals (`invalid-argument`): a nextXid below 1, a running xid outside
 * [1, nextXid), a snapshot xmin outside [1, nextXid].
 */
import { DbError } from "../../common/errors.js";
import type { VacuumVerdict } from "./mvcc-algorithms.js";
import { INVALID_XID, type CommitLogView, type VisibilityHeader, type Xid } from "./version.js";


/** The oldest xid a running transaction may consider running: min over running xids and their snapshots' xmin; `nextXid` when none. */
export function vacuumHorizon(running: readonly { readonly xid: Xid; readonly snapshotXmin?: Xid | undefined }[], nextXid: Xid): Xid {
  if (!Number.isInteger(nextXid) || nextXid < 1) throw new DbError("invalid-argument", `nextXid must be an integer ≥ 1, got ${String(nextXid)}`, { nextXid });
  for (const r of running) {
    if (!Number.isInteger(r.xid) || r.xid < 1 || r.xid >= nextXid) throw new DbError("invalid-argument", `running xid ${String(r.xid)} is not in [1, nextXid ${nextXid})`, { xid: r.xid });
    if (r.snapshotXmin !== undefined && (!Number.isInteger(r.snapshotXmin) || r.snapshotXmin < 1 || r.snapshotXmin > nextXid)) {
      throw new DbError("invalid-argument", `snapshot xmin ${String(r.snapshotXmin)} of xid ${r.xid} is not in [1, nextXid ${nextXid}]`, { xid: r.xid, snapshotXmin: r.snapshotXmin });
    }
  }
  let horizon = nextXid;
  for (const r of running) {
    horizon = Math.min(horizon, r.xid);
    if (r.snapshotXmin !== undefined) horizon = Math.min(horizon, r.snapshotXmin);
  }
  return horizon;
}

/** What vacuum may do with a version, given the horizon (PostgreSQL's OldestXmin). */
export function satisfiesVacuum(header: VisibilityHeader, horizon: Xid, clog: CommitLogView): VacuumVerdict {
  const creator = clog.status(header.xmin);
  if (creator === "aborted") return "dead";
  if (creator === "in-progress") return "insert-in-progress";
  if (header.xmax === INVALID_XID) return "live";
  const deleter = clog.status(header.xmax);
  if (deleter === "aborted") return "live";
  if (deleter === "in-progress") return "delete-in-progress";
  return header.xmax < horizon ? "dead" : "recently-dead";
}
