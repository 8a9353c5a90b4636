/**
 * MVCC versions, the commit log and snapshots (the contract)
 * ==========================================================
 * Notebook 08 keeps every row as a chain of versions, PostgreSQL's way. A version is a
 * tuple on the engine's heap whose first 24 bytes are a header, then the row:
 *
 *   offset  0  xmin     u32   the transaction that created the version
 *           4  xmax     u32   the one that deleted or replaced it (0: nobody yet)
 *           8  cmin     u32   the command of xmin that created it
 *          12  cmax     u32   the command of xmax that deleted it
 *          16  ctid     u32 page + u16 slot: the newer version (itself when newest)
 *          22  infomask u16   hint bits: always 0 here (the clog is asked every time)
 *          24  row      JSON [key, value]
 *
 * The commit log (PostgreSQL's clog, `src/backend/access/transam/clog.c`) answers one
 * question per transaction id: in progress, committed or aborted. A snapshot
 * (`GetSnapshotData`, `src/backend/storage/ipc/procarray.c`) freezes "who had committed":
 *
 *   xmin  every xid < xmin had finished           xmax  every xid ≥ xmax had not begun
 *   xip   the xids in [xmin, xmax) still running when the snapshot was taken
 *
 *   xid:   … 3   4   5   6   7   8 …      snapshot {xmin 4, xmax 8, xip [4, 6]}
 *              done│run done run done│not begun     "in the snapshot" (invisible): 4, 6, ≥ 8
 *
 * Transaction ids are the contract's TxnIds (begin order, from 1); PostgreSQL assigns an
 * xid at a transaction's first write and wraps them around 2³² (freezing old ones): we do
 * neither. The initial data is written by `BOOTSTRAP_XID` 0, committed before everyone
 * (PostgreSQL's frozen tuples play that part); in xmax, 0 means "invalid: not deleted".
 * PostgreSQL packs cmin and cmax into one field (the combo cid): we keep both.
 */
import { DbError } from "../../common/errors.js";
import type { Rid } from "../../common/ids.js";
import type { TxnId, TxnKey, TxnValue } from "../concurrency-control.js";

/** A transaction id as PostgreSQL calls it. */
export type Xid = TxnId;
/** xmax of a version nobody deleted (PostgreSQL's InvalidTransactionId). */
export const INVALID_XID = 0;
/** xmin of the initial data: committed before every transaction. */
export const BOOTSTRAP_XID = 0;

export type XidStatus = "in-progress" | "committed" | "aborted";

/** What the visibility and vacuum tests ask the commit log. */
export interface CommitLogView {
  status(xid: Xid): XidStatus;
}

/** The part of a version header the visibility test reads. */
export interface VisibilityHeader {
  readonly xmin: Xid;
  readonly xmax: Xid;
  readonly cmin: number;
  readonly cmax: number;
}

/** A version's whole header, as stored in its first 24 bytes. */
export interface VersionHeader extends VisibilityHeader {
  /** The newer version, or the version's own rid when it is the newest. */
  readonly ctid: Rid;
  readonly infomask: number;
}

/** PostgreSQL's SnapshotData, the MVCC part. */
export interface Snapshot {
  readonly xmin: Xid;
  readonly xmax: Xid;
  /** Running xids in [xmin, xmax), ascending; the snapshot's owner is not among them. */
  readonly xip: readonly Xid[];
}

/** The commit log: one status per xid (PostgreSQL keeps 2 bits per xid in pg_xact pages). */
export class CommitLog implements CommitLogView {
  readonly #status = new Map<Xid, XidStatus>([[BOOTSTRAP_XID, "committed"]]);

  /** Status of `xid`; `invalid-argument` for an xid that never began. */
  status(xid: Xid): XidStatus {
    const s = this.#status.get(xid);
    if (s === undefined) throw new DbError("invalid-argument", `xid ${xid} is not in the commit log`, { xid });
    return s;
  }

  has(xid: Xid): boolean {
    return this.#status.has(xid);
  }

  begin(xid: Xid): void {
    if (this.#status.has(xid)) throw new DbError("invalid-state", `xid ${xid} already began`, { xid });
    this.#status.set(xid, "in-progress");
  }

  /** Record the end of `xid` (it must be in progress). */
  end(xid: Xid, status: "committed" | "aborted"): void {
    if (this.#status.get(xid) !== "in-progress") throw new DbError("invalid-state", `xid ${xid} is not in progress`, { xid });
    this.#status.set(xid, status);
  }

  /** Every xid with its status, ascending (for a table in the notebook). */
  entries(): [Xid, XidStatus][] {
    return [...this.#status].sort((a, b) => a[0] - b[0]);
  }
}

/** PostgreSQL's XidInMVCCSnapshot: true when `xid` had not committed for `snapshot` (running, or not yet begun). */
export function xidInSnapshot(xid: Xid, snapshot: Snapshot): boolean {
  if (xid < snapshot.xmin) return false;
  if (xid >= snapshot.xmax) return true;
  return snapshot.xip.includes(xid);
}

export const VERSION_HEADER_SIZE = 24;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A version's bytes: the header, then the row as JSON [key, value]. */
export function encodeVersion(header: VersionHeader, key: TxnKey, value: TxnValue): Uint8Array {
  const row = encoder.encode(JSON.stringify([key, value]));
  const bytes = new Uint8Array(VERSION_HEADER_SIZE + row.length);
  writeHeader(bytes, header);
  bytes.set(row, VERSION_HEADER_SIZE);
  return bytes;
}

/** Overwrite the header of `bytes` in place. */
export function writeHeader(bytes: Uint8Array, h: VersionHeader): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  v.setUint32(0, h.xmin, true);
  v.setUint32(4, h.xmax, true);
  v.setUint32(8, h.cmin, true);
  v.setUint32(12, h.cmax, true);
  v.setUint32(16, h.ctid.pageId, true);
  v.setUint16(20, h.ctid.slot, true);
  v.setUint16(22, h.infomask, true);
}

export function decodeHeader(bytes: Uint8Array): VersionHeader {
  if (bytes.length < VERSION_HEADER_SIZE) throw new DbError("corrupt", `a version needs ${VERSION_HEADER_SIZE} header bytes, got ${bytes.length}`, {});
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    xmin: v.getUint32(0, true),
    xmax: v.getUint32(4, true),
    cmin: v.getUint32(8, true),
    cmax: v.getUint32(12, true),
    ctid: { pageId: v.getUint32(16, true), slot: v.getUint16(20, true) } as Rid,
    infomask: v.getUint16(22, true),
  };
}

export function decodeRow(bytes: Uint8Array): { readonly key: TxnKey; readonly value: TxnValue } {
  const [key, value] = JSON.parse(decoder.decode(bytes.subarray(VERSION_HEADER_SIZE))) as [TxnKey, TxnValue];
  return { key, value };
}
