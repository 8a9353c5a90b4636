/**
 * The visibility function (exercise 08.1)
 * =======================================
 * Which version of a row does a statement see? Exactly the ones `satisfiesMvcc` says yes
 * to: created by a transaction that had committed for the snapshot (or by this transaction,
 * in an earlier command) and not deleted by one (nor by this transaction in an earlier
 * command). PostgreSQL's HeapTupleSatisfiesMVCC (`src/backend/access/heap/heapam_visibility.c`),
 * branch for branch, without hint bits, frozen xids or subtransactions:
 *
 *   xmin is me?   cmin ≥ curcid → no (inserted by a later command: Halloween)
 *                 xmax invalid → yes;  xmax not me → yes (a deleter that aborted)
 *                 cmax ≥ curcid → yes (deleted by a later command);  else no
 *   xmin in the snapshot (running or not begun then) → no
 *   xmin not committed (aborted, or still running) → no
 *   ─ the creator is visible ─
 *   xmax invalid → yes
 *   xmax is me?   cmax ≥ curcid → yes; else no
 *   xmax in the snapshot → yes (deleted after the snapshot)
 *   xmax not committed (aborted) → yes;   xmax committed → no
 *
 * A command id counts a transaction's statements: a version created or deleted at
 * command c is seen as such from command c + 1 on (CommandCounterIncrement).
 *
 * Pure: no input is changed (PostgreSQL sets hint bits here; we do not). Inputs come from
 * the engine and are well formed; the commit log's own refusal (an xid it never saw)
 * passes through. Costs: O(1) plus the snapshot's xip search (O(log n) on the sorted list
 * in PostgreSQL; a linear `includes` here).
 */
import { INVALID_XID, type CommitLogView, type Snapshot, type VisibilityHeader, type Xid, xidInSnapshot } from "./version.js";

/** True when the version is visible to command `myCid` of transaction `myXid` reading with `snapshot`. */
export function satisfiesMvcc(header: VisibilityHeader, snapshot: Snapshot, clog: CommitLogView, myXid: Xid, myCid: number): boolean {
  if (header.xmin === myXid) {
    if (header.cmin >= myCid) return false;
    if (header.xmax === INVALID_XID) return true;
    if (header.xmax !== myXid) return true;
    return header.cmax >= myCid;
  }
  if (xidInSnapshot(header.xmin, snapshot)) return false;
  if (clog.status(header.xmin) !== "committed") return false;
  if (header.xmax === INVALID_XID) return true;
  if (header.xmax === myXid) return header.cmax >= myCid;
  if (xidInSnapshot(header.xmax, snapshot)) return true;
  return clog.status(header.xmax) !== "committed";
}
