/**
 * MVCC: PostgreSQL's model on the engine's heap
 * =============================================
 * Every write makes a new version; readers never wait for writers, writers never wait
 * for readers. Rows live as version chains in a `TableHeap` (the engine's `HeapFile`
 * unless given), each version a tuple whose first 24 bytes are its header (version.ts);
 * an in-memory Map sends a key to the oldest version of its chain (notebook 11's B+tree
 * would do this), and `ctid` links each version to the next newer one, as PostgreSQL's
 * HOT chains do (PostgreSQL's index usually points at every version; we follow ctid).
 *
 *   index x ─► (0,1) xmin 1 xmax 3 ─ctid─► (0,4) xmin 3 xmax 0 ─ctid─► itself
 *
 * A re-insert after a delete is appended to the same chain (PostgreSQL makes a new tuple
 * with its own index entry). An update over a version whose xmax aborted overwrites that
 * xmax and ctid, so the aborted version drops out of the chain; only a heap scan (vacuum)
 * still finds it.
 *
 * Requests:
 *   begin       xid = the TxnId; repeatable read and serializable take their snapshot now
 *               (the scheduler begins a transaction at its first statement, as PostgreSQL
 *               takes it at the first statement)
 *   read        read committed: a new snapshot per statement; the one version of the
 *               chain `satisfiesMvcc` accepts, or undefined
 *   write       `decideUpdate` on the newest version: update (set its xmax, cmax, ctid and
 *               append the new version), insert (append), wait for the transaction that
 *               holds the row (Step "waiting"), or conflict (abort: serialization failure).
 *               A delete sets xmax only. Each write is a command: curcid + 1 after it
 *   commit      clog: committed. abort: clog: aborted; the versions stay for vacuum
 *
 *   isolation           snapshot            a row another writer holds
 *   read committed      per statement       wait; then write its newest version
 *   repeatable read     per transaction     wait; then, if it committed, serialization failure
 *   serializable (SSI)  per transaction     as repeatable read, plus rw-antidependencies:
 *
 * SSI (Cahill; Ports & Grittner, PostgreSQL's `src/backend/storage/lmgr/predicate.c` and
 * its README-SSI): a serializable read leaves a SIREAD mark on the key; R →rw W when R
 * read a key and a concurrent W wrote it (R did not see W's write). A cycle of the
 * serialization graph under snapshot isolation always holds a dangerous structure
 *   T_in →rw pivot →rw T_out  with T_out the first of them to commit,
 * so we look for one whenever an edge appears and at every commit. Found: abort the
 * requester if it is the pivot or T_in and has not committed, otherwise doom the pivot
 * (or T_in), which fails at its next request; at T_out's commit, doom the pivot.
 * Read-only rule: if T_in committed without writing, the structure counts only when T_out
 * committed before T_in's snapshot. Simplifications: SIREAD marks are per key (no pages,
 * no relation-level promotion, no predicate locks for scans: there is no `scan`), kept
 * until the object is dropped; no summarization of old transactions; a T_in still running
 * with no writes yet is not given the read-only rule (PostgreSQL gives it only to
 * transactions declared READ ONLY, so no more false positives than PostgreSQL has).
 *
 * Deadlocks: a write that would wait for a transaction that (through its own wait)
 * waits for the writer aborts the writer with `deadlock` (PostgreSQL's deadlock detector,
 * run by the waiter after deadlock_timeout).
 *
 * History: the scheduler places a read where it ran, but a snapshot read reads the past.
 * `multiversionHistory()` gives the committed transactions' operations as a one-version
 * history the serializability checker understands: each read where its snapshot was
 * taken (between two commits), each write at its transaction's commit; reads of a
 * transaction's own writes left out; an aborted transaction is just its abort. Its
 * conflict graph is the multiversion serialization graph (version order = commit order,
 * which first-updater-wins guarantees).
 *
 * Vacuum (`vacuum()`): the horizon is the oldest running xid or snapshot xmin; a heap
 * scan asks `satisfiesVacuum` of every version; dead ones are deleted from the heap (the
 * page's space goes back into its free-space map), chains are relinked around them and
 * the index moved to the first survivor (PostgreSQL's heap_page_prune, and lazy vacuum's
 * index clean-up).
 *
 * Costs: a read walks the key's chain (O(versions), every version a heap get); a write
 * one chain walk, one heap insert, one in-place header update. Errors: `invalid-state` for
 * a transaction that does not exist, was begun twice or is over (nothing changes).
 */
import { DbError } from "../../common/errors.js";
import type { Rid } from "../../common/ids.js";
import { resolvePlugins } from "../../common/plugins.js";
import { BufferPoolManager } from "../../storage/buffer-pool-manager.js";
import { HeapFile } from "../../storage/heap-file.js";
import { LruReplacer } from "../../storage/lru-replacer.js";
import { MemoryDiskManager } from "../../storage/memory-disk-manager.js";
import type { TableHeap } from "../../storage/table-heap.js";
import type { ConcurrencyControl, IsolationLevel, Step, TxnId, TxnKey, TxnState, TxnValue } from "../concurrency-control.js";
import type { HistoryOp } from "../serializability.js";
import { decideUpdate, takeSnapshot } from "./snapshot-update.js";
import type { MvccAlgorithms, VacuumVerdict } from "./mvcc-algorithms.js";
import { satisfiesVacuum, vacuumHorizon } from "./vacuum-verdict.js";
import {
  BOOTSTRAP_XID,
  CommitLog,
  INVALID_XID,
  type Snapshot,
  type VersionHeader,
  type Xid,
  decodeHeader,
  decodeRow,
  encodeVersion,
  writeHeader,
  xidInSnapshot,
} from "./version.js";
import { satisfiesMvcc } from "./visibility.js";


export const ENGINE_MVCC_ALGORITHMS: MvccAlgorithms = Object.freeze({ satisfiesMvcc, takeSnapshot, decideUpdate, satisfiesVacuum });

export interface MvccOptions {
  /** Default "read committed", PostgreSQL's default. */
  readonly isolation?: IsolationLevel;
  /** Rows committed before the first transaction (written by BOOTSTRAP_XID). */
  readonly initial?: Iterable<readonly [TxnKey, TxnValue]>;
  /** The heap the versions live in (default: a HeapFile over 64 frames of 4 KiB pages in memory). */
  readonly heap?: TableHeap;
  readonly algorithms?: Partial<MvccAlgorithms>;
}

/** One version as a notebook table shows it. */
export interface VersionRow extends VersionHeader {
  readonly rid: Rid;
  readonly key: TxnKey;
  readonly value: TxnValue;
}

export interface VacuumReport {
  readonly horizon: Xid;
  /** Versions the heap scan looked at. */
  readonly scanned: number;
  readonly removed: number;
  readonly verdicts: Readonly<Record<VacuumVerdict, number>>;
  /** Chains whose links or index entry changed. */
  readonly chainsRepaired: number;
  /** Keys whose every version was removed (their index entry is gone). */
  readonly keysRemoved: number;
  /** Free bytes the free-space map records over the heap's pages, before and after. */
  readonly freeBefore: number;
  readonly freeAfter: number;
}

interface Txn {
  readonly xid: Xid;
  state: TxnState;
  snapshot?: Snapshot;
  /** Commits before the snapshot (for the history and SSI's read-only rule). */
  snapshotSeq: number;
  cid: number;
  commitSeq?: number;
  error?: DbError;
  waitsFor?: Xid;
  doomed?: DbError;
  /** Reads: the commit count of the snapshot they read with, and whether the key was the transaction's own write. */
  readonly reads: { key: TxnKey; value: TxnValue | undefined; seq: number; own: boolean }[];
  readonly writes: { key: TxnKey; value: TxnValue | undefined }[];
  readonly written: Set<TxnKey>;
  /** SSI: R →rw this (inConflicts) and this →rw W (outConflicts). */
  readonly inRw: Set<Xid>;
  readonly outRw: Set<Xid>;
}

function newHeap(): TableHeap {
  const disk = new MemoryDiskManager({ pageSize: 4096 });
  return new HeapFile(new BufferPoolManager({ frames: 64, disk, replacer: new LruReplacer(64) }));
}

const sameRid = (a: Rid, b: Rid) => a.pageId === b.pageId && a.slot === b.slot;

export class MvccConcurrencyControl implements ConcurrencyControl {
  readonly name: string;
  readonly isolation: IsolationLevel;
  readonly heap: TableHeap;
  readonly clog = new CommitLog();
  readonly algorithms: MvccAlgorithms;
  readonly writesTakeEffect = "at-commit" as const;
  /** key → rid of the oldest version of its chain. */
  readonly #index = new Map<TxnKey, Rid>();
  readonly #txns = new Map<Xid, Txn>();
  readonly #running = new Set<Xid>();
  /** SSI: key → transactions that read it at serializable. */
  readonly #siread = new Map<TxnKey, Set<Xid>>();
  #nextXid = 1;
  #commitSeq = 0;
  #aborts: Xid[] = [];

  constructor(options: MvccOptions = {}) {
    this.isolation = options.isolation ?? "read committed";
    const levels: IsolationLevel[] = ["read uncommitted", "read committed", "repeatable read", "serializable"];
    if (!levels.includes(this.isolation)) throw new DbError("invalid-argument", `unknown isolation level "${String(this.isolation)}"`, {});
    this.algorithms = resolvePlugins(ENGINE_MVCC_ALGORITHMS, options.algorithms, "MVCC algorithm");
    this.heap = options.heap ?? newHeap();
    this.name = `MVCC (${this.isolation === "serializable" ? "serializable, SSI" : this.isolation === "repeatable read" ? "repeatable read, snapshot isolation" : this.isolation === "read uncommitted" ? "read uncommitted = read committed" : this.isolation})`;
    for (const [key, value] of options.initial ?? []) {
      if (this.#index.has(key)) throw new DbError("invalid-argument", `initial data names key "${key}" twice`, { key });
      this.#append(key, value, BOOTSTRAP_XID, 0, undefined);
    }
  }

  // ── the contract ────────────────────────────────────────────────────────────────────

  begin(txn: TxnId): Step {
    if (!Number.isSafeInteger(txn) || txn < this.#nextXid) {
      throw new DbError("invalid-state", `T${txn} cannot begin: ids increase in begin order (next is ${this.#nextXid} or more)`, { txn });
    }
    this.clog.begin(txn);
    this.#nextXid = txn + 1;
    this.#running.add(txn);
    const t: Txn = { xid: txn, state: "active", snapshotSeq: this.#commitSeq, cid: 0, reads: [], writes: [], written: new Set(), inRw: new Set(), outRw: new Set() };
    this.#txns.set(txn, t);
    if (this.#snapshotLevel) t.snapshot = this.#snapshotFor(txn);
    return { kind: "done" };
  }

  read(txn: TxnId, key: TxnKey): Step {
    const t = this.#active(txn, "read");
    if (t.doomed !== undefined) return this.#fail(t, t.doomed);
    const snapshot = this.#statementSnapshot(t);
    const value = this.#visible(key, snapshot, t.xid, t.cid)?.value;
    t.reads.push({ key, value, seq: this.#snapshotLevel ? t.snapshotSeq : this.#commitSeq, own: t.written.has(key) });
    if (this.isolation === "serializable" && !t.written.has(key)) {
      const marks = this.#siread.get(key) ?? new Set<Xid>();
      marks.add(t.xid);
      this.#siread.set(key, marks);
      // Conflict out: writers of this key my snapshot does not see.
      for (const w of this.#writersOf(key)) if (w !== t.xid && this.#concurrentWriter(w, snapshot)) this.#addRw(t.xid, w, t.xid);
      if (this.#isAborted(t)) return { kind: "aborted", error: t.error! };
    }
    return { kind: "done", value };
  }

  write(txn: TxnId, key: TxnKey, value: TxnValue | undefined): Step {
    const t = this.#active(txn, "write");
    if (t.doomed !== undefined) return this.#fail(t, t.doomed);
    const snapshot = t.snapshot ?? this.#snapshotFor(t.xid);
    const chain = this.#chain(key);
    const newest = this.#newest(chain);
    const decision = this.algorithms.decideUpdate(newest?.header, snapshot, this.clog, t.xid, this.isolation);
    switch (decision.kind) {
      case "wait": {
        const cycle = this.#waitCycle(t.xid, decision.xid);
        if (cycle !== undefined) {
          return this.#fail(t, new DbError("deadlock", `deadlock detected: ${cycle.map((x) => `T${x}`).join(" waits for ")}; T${t.xid} aborted`, { txn: t.xid, cycle, key }));
        }
        t.state = "waiting";
        t.waitsFor = decision.xid;
        return { kind: "waiting", on: key, holders: [decision.xid] };
      }
      case "conflict":
        return this.#fail(
          t,
          new DbError("serialization-failure", `could not serialize access due to concurrent update: T${decision.xid} changed "${key}" after T${t.xid}'s snapshot`, {
            txn: t.xid,
            conflictWith: decision.xid,
            key,
          }),
        );
      case "update":
      case "insert": {
        t.state = "active";
        delete t.waitsFor;
        const cid = t.cid;
        const tail = chain[chain.length - 1];
        if (decision.kind === "update") {
          const old = newest!;
          let ctid = old.rid;
          if (value !== undefined) ctid = this.#append(key, value, t.xid, cid, undefined);
          this.#setHeader(old.rid, { ...old.header, xmax: t.xid, cmax: cid, ctid });
        } else if (value !== undefined) {
          this.#append(key, value, t.xid, cid, tail);
        }
        t.cid++;
        t.writes.push({ key, value });
        t.written.add(key);
        if (this.isolation === "serializable") {
          // Conflict in: concurrent readers of this key did not see this write.
          for (const r of this.#siread.get(key) ?? []) if (r !== t.xid && this.#concurrentReader(r, t)) this.#addRw(r, t.xid, t.xid);
          if (this.#isAborted(t)) return { kind: "aborted", error: t.error! };
        }
        return { kind: "done" };
      }
    }
  }

  commit(txn: TxnId): Step {
    const t = this.#active(txn, "commit");
    if (t.doomed !== undefined) return this.#fail(t, t.doomed);
    if (this.isolation === "serializable") {
      // As T_out: a pivot reading from me that has an in-edge, and neither committed yet.
      for (let victim = this.#structureAtCommit(t); victim !== undefined; victim = this.#structureAtCommit(t)) victim.t.doomed = victim.error;
    }
    this.clog.end(t.xid, "committed");
    this.#running.delete(t.xid);
    t.state = "committed";
    t.commitSeq = ++this.#commitSeq;
    return { kind: "done" };
  }

  abort(txn: TxnId): void {
    const t = this.#active(txn, "abort");
    this.#end(t);
  }

  state(txn: TxnId): TxnState | undefined {
    return this.#txns.get(txn)?.state;
  }

  abortError(txn: TxnId): DbError | undefined {
    return this.#txns.get(txn)?.error;
  }

  committed(): ReadonlyMap<TxnKey, TxnValue> {
    const xip = [...this.#running].sort((a, b) => a - b);
    const snapshot: Snapshot = { xmin: xip[0] ?? this.#nextXid, xmax: this.#nextXid, xip };
    const out = new Map<TxnKey, TxnValue>();
    for (const key of [...this.#index.keys()].sort()) {
      const v = this.#visible(key, snapshot, this.#nextXid, 0); // an xid no version carries
      if (v !== undefined) out.set(key, v.value);
    }
    return out;
  }

  // ── for notebooks and tests ─────────────────────────────────────────────────────────

  /** The snapshot `txn` reads with now (a new one per statement at read committed). */
  snapshotOf(txn: TxnId): Snapshot | undefined {
    const t = this.#txns.get(txn);
    if (t === undefined || (t.state !== "active" && t.state !== "waiting")) return undefined;
    return t.snapshot ?? this.#snapshotFor(t.xid);
  }

  /** The versions of `key`, oldest first, along its chain. */
  versions(key: TxnKey): VersionRow[] {
    return this.#chain(key).map((v) => ({ rid: v.rid, ...v.header, key, value: v.value }));
  }

  /** Every version in the heap, in page and slot order (orphaned aborted ones too). */
  heapVersions(): VersionRow[] {
    const rows: VersionRow[] = [];
    for (const { rid, tuple } of this.heap.scan()) rows.push({ rid, ...decodeHeader(tuple), ...decodeRow(tuple) });
    return rows;
  }

  /** The keys the index knows, sorted. */
  keys(): TxnKey[] {
    return [...this.#index.keys()].sort();
  }

  /** SSI's rw-antidependency edges so far, [reader, writer], sorted. */
  rwEdges(): [Xid, Xid][] {
    const edges: [Xid, Xid][] = [];
    for (const t of this.#txns.values()) for (const w of t.outRw) edges.push([t.xid, w]);
    return edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  /** The vacuum horizon now: the oldest running xid or snapshot xmin, else the next xid. */
  horizon(): Xid {
    const running = [...this.#running].map((x) => ({ xid: x, snapshotXmin: this.#txns.get(x)!.snapshot?.xmin }));
    return vacuumHorizon(running, this.#nextXid);
  }

  /** See the module header: one-version history of what committed, for the serializability checker. */
  multiversionHistory(): HistoryOp[] {
    // Slots: reads at snapshot seq s go after commit s; commit k's writes and commit op in slot k.
    const commits = [...this.#txns.values()].filter((t) => t.state === "committed").sort((a, b) => a.commitSeq! - b.commitSeq!);
    const readsAt = new Map<number, { order: number; op: HistoryOp }[]>();
    let order = 0;
    for (const t of [...this.#txns.values()].filter((x) => x.state === "committed")) {
      for (const r of t.reads) {
        if (r.own) continue;
        const list = readsAt.get(r.seq) ?? [];
        list.push({ order: order++, op: { kind: "read", txn: t.xid, key: r.key, value: r.value } });
        readsAt.set(r.seq, list);
      }
    }
    const out: HistoryOp[] = [];
    const flushReads = (seq: number) => out.push(...(readsAt.get(seq) ?? []).sort((a, b) => a.order - b.order).map((x) => x.op));
    flushReads(0);
    for (const t of commits) {
      for (const w of t.writes) out.push({ kind: "write", txn: t.xid, key: w.key, value: w.value });
      out.push({ kind: "commit", txn: t.xid });
      flushReads(t.commitSeq!);
    }
    for (const x of this.#aborts) out.push({ kind: "abort", txn: x });
    return out;
  }

  /** Heap pages, versions stored, and versions a reader walks to read every key once. */
  stats(): { readonly pages: number; readonly versions: number; readonly keys: number; readonly chainVersions: number; readonly freeBytes: number } {
    let versions = 0;
    for (const _ of this.heap.scan()) versions++;
    let chainVersions = 0;
    for (const key of this.#index.keys()) chainVersions += this.#chain(key).length;
    return { pages: this.heap.pageIds.length, versions, keys: this.#index.size, chainVersions, freeBytes: this.#freeBytes() };
  }

  /** Remove the versions no snapshot can see (see the module header). */
  vacuum(): VacuumReport {
    const horizon = this.horizon();
    const freeBefore = this.#freeBytes();
    const verdicts: Record<VacuumVerdict, number> = { live: 0, dead: 0, "recently-dead": 0, "insert-in-progress": 0, "delete-in-progress": 0 };
    const dead: Rid[] = [];
    let scanned = 0;
    for (const { rid, tuple } of this.heap.scan()) {
      scanned++;
      const verdict = this.algorithms.satisfiesVacuum(decodeHeader(tuple), horizon, this.clog);
      verdicts[verdict]++;
      if (verdict === "dead") dead.push(rid);
    }
    const isDead = new Set(dead.map((r) => `${r.pageId}:${r.slot}`));
    let chainsRepaired = 0;
    let keysRemoved = 0;
    for (const key of [...this.#index.keys()]) {
      const chain = this.#chain(key);
      const keep = chain.filter((v) => !isDead.has(`${v.rid.pageId}:${v.rid.slot}`));
      if (keep.length === chain.length) continue;
      chainsRepaired++;
      if (keep.length === 0) {
        this.#index.delete(key);
        keysRemoved++;
        continue;
      }
      this.#index.set(key, keep[0]!.rid);
      keep.forEach((v, i) => {
        const next = keep[i + 1]?.rid ?? v.rid;
        if (!sameRid(v.header.ctid, next)) this.#setHeader(v.rid, { ...v.header, ctid: next });
      });
    }
    for (const rid of dead) this.heap.delete(rid);
    return { horizon, scanned, removed: dead.length, verdicts, chainsRepaired, keysRemoved, freeBefore, freeAfter: this.#freeBytes() };
  }

  // ── inside ──────────────────────────────────────────────────────────────────────────

  get #snapshotLevel(): boolean {
    return this.isolation === "repeatable read" || this.isolation === "serializable";
  }

  #active(txn: TxnId, what: string): Txn {
    const t = this.#txns.get(txn);
    if (t === undefined) throw new DbError("invalid-state", `${what}: T${txn} was never begun`, { txn });
    if (t.state !== "active" && t.state !== "waiting") throw new DbError("invalid-state", `${what}: T${txn} is ${t.state}`, { txn, state: t.state });
    return t;
  }

  #snapshotFor(xid: Xid): Snapshot {
    return this.algorithms.takeSnapshot(xid, [...this.#running], this.#nextXid);
  }

  #statementSnapshot(t: Txn): Snapshot {
    if (t.snapshot !== undefined) return t.snapshot;
    return this.#snapshotFor(t.xid);
  }

  #fail(t: Txn, error: DbError): Step {
    t.error = error;
    this.#end(t);
    return { kind: "aborted", error };
  }

  #end(t: Txn): void {
    this.clog.end(t.xid, "aborted");
    this.#running.delete(t.xid);
    t.state = "aborted";
    delete t.waitsFor;
    this.#aborts.push(t.xid);
  }

  #freeBytes(): number {
    let free = 0;
    for (const p of this.heap.pageIds) free += this.heap.freeSpaceMap.get(p) ?? 0;
    return free;
  }

  #readVersion(rid: Rid): { rid: Rid; header: VersionHeader; value: TxnValue } {
    const bytes = this.heap.get(rid);
    if (bytes === undefined) throw new DbError("corrupt", `no version at (${rid.pageId}, ${rid.slot})`, { rid });
    return { rid, header: decodeHeader(bytes), value: decodeRow(bytes).value };
  }

  #setHeader(rid: Rid, header: VersionHeader): void {
    const bytes = this.heap.get(rid)!;
    writeHeader(bytes, header);
    const moved = this.heap.update(rid, bytes);
    if (moved === undefined || !sameRid(moved, rid)) throw new DbError("corrupt", `a same-size header update moved (${rid.pageId}, ${rid.slot})`, { rid });
  }

  /** Store a new version; link it from `after` (the chain's tail) or make it the chain's head. */
  #append(key: TxnKey, value: TxnValue, xmin: Xid, cmin: number, after: { rid: Rid; header: VersionHeader } | undefined): Rid {
    const placeholder = { pageId: 0, slot: 0 } as Rid;
    const header: VersionHeader = { xmin, xmax: INVALID_XID, cmin, cmax: 0, ctid: placeholder, infomask: 0 };
    const rid = this.heap.insert(encodeVersion(header, key, value));
    this.#setHeader(rid, { ...header, ctid: rid });
    if (after !== undefined) this.#setHeader(after.rid, { ...after.header, ctid: rid });
    else if (!this.#index.has(key)) this.#index.set(key, rid);
    return rid;
  }

  /** The chain of `key`, oldest first. */
  #chain(key: TxnKey): { rid: Rid; header: VersionHeader; value: TxnValue }[] {
    const chain = [];
    let rid = this.#index.get(key);
    while (rid !== undefined) {
      const v = this.#readVersion(rid);
      chain.push(v);
      rid = sameRid(v.header.ctid, rid) ? undefined : v.header.ctid;
    }
    return chain;
  }

  /** The newest version whose creator did not abort. */
  #newest(chain: readonly { rid: Rid; header: VersionHeader; value: TxnValue }[]) {
    for (let i = chain.length - 1; i >= 0; i--) if (this.clog.status(chain[i]!.header.xmin) !== "aborted") return chain[i];
    return undefined;
  }

  #visible(key: TxnKey, snapshot: Snapshot, xid: Xid, cid: number): { value: TxnValue } | undefined {
    let found: { value: TxnValue } | undefined;
    for (const v of this.#chain(key)) {
      if (this.algorithms.satisfiesMvcc(v.header, snapshot, this.clog, xid, cid)) {
        if (found !== undefined) throw new DbError("corrupt", `two versions of "${key}" are visible to one snapshot`, { key });
        found = { value: v.value };
      }
    }
    return found;
  }

  #writersOf(key: TxnKey): Set<Xid> {
    const ws = new Set<Xid>();
    for (const v of this.#chain(key)) {
      if (v.header.xmin !== BOOTSTRAP_XID) ws.add(v.header.xmin);
      if (v.header.xmax !== INVALID_XID) ws.add(v.header.xmax);
    }
    return ws;
  }

  /** A writer the reader's snapshot does not see, that did not abort. */
  #concurrentWriter(w: Xid, snapshot: Snapshot): boolean {
    return this.clog.status(w) !== "aborted" && xidInSnapshot(w, snapshot);
  }

  /** A reader that had not committed when the writer's snapshot was taken, and did not abort. */
  #concurrentReader(r: Xid, writer: Txn): boolean {
    const rt = this.#txns.get(r)!;
    if (rt.state === "aborted") return false;
    if (rt.state !== "committed") return true;
    return rt.commitSeq! > writer.snapshotSeq;
  }

  #waitCycle(me: Xid, holder: Xid): Xid[] | undefined {
    const path = [me];
    for (let x: Xid | undefined = holder; x !== undefined; x = this.#txns.get(x)?.waitsFor) {
      if (x === me) return [...path, me];
      if (path.includes(x)) return undefined;
      path.push(x);
    }
    return undefined;
  }

  // ── SSI ─────────────────────────────────────────────────────────────────────────────

  #isAborted(t: Txn): boolean {
    return t.state === "aborted";
  }

  #addRw(reader: Xid, writer: Xid, requester: Xid): void {
    const r = this.#txns.get(reader)!;
    const w = this.#txns.get(writer)!;
    if (r.state === "aborted" || w.state === "aborted" || r.outRw.has(writer)) return;
    r.outRw.add(writer);
    w.inRw.add(reader);
    // Structures through the new edge: (reader → writer → out) and (in → reader → writer).
    for (const out of [...w.outRw]) this.#checkStructure(reader, writer, out, requester);
    for (const tin of [...r.inRw]) this.#checkStructure(tin, reader, writer, requester);
  }

  #seq(t: Txn): number {
    return t.state === "committed" ? t.commitSeq! : Number.POSITIVE_INFINITY;
  }

  #dangerous(tin: Txn, pivot: Txn, tout: Txn): boolean {
    // A doomed transaction will abort: a structure through it is already broken.
    if ([tin, pivot, tout].some((x) => x.state === "aborted" || x.doomed !== undefined)) return false;
    if (tout.state !== "committed") return false;
    if (!(this.#seq(tout) < this.#seq(pivot))) return false;
    if (tin !== tout && !(this.#seq(tout) < this.#seq(tin))) return false;
    // Read-only rule: T_in committed without writing; T_out must have committed before its snapshot.
    if (tin !== tout && tin.state === "committed" && tin.writes.length === 0 && tout.commitSeq! > tin.snapshotSeq) return false;
    return true;
  }

  /** The requester (the transaction asking now) is aborted at once when it is the pivot or T_in; otherwise the pivot (or T_in) is doomed. */
  #checkStructure(tinX: Xid, pivotX: Xid, toutX: Xid, requesterX: Xid): void {
    const tin = this.#txns.get(tinX)!;
    const pivot = this.#txns.get(pivotX)!;
    const tout = this.#txns.get(toutX)!;
    if (!this.#dangerous(tin, pivot, tout)) return;
    const error = new DbError(
      "serialization-failure",
      `could not serialize access due to read/write dependencies among transactions: T${tinX} →rw T${pivotX} →rw T${toutX}, T${toutX} committed first`,
      { txn: pivotX, pivot: pivotX, in: tinX, out: toutX },
    );
    const candidates = [pivot, tin].filter((x) => x.state === "active" || x.state === "waiting");
    const requester = candidates.find((x) => x.xid === requesterX);
    const victim = requester ?? candidates[0];
    if (victim === undefined) return;
    const own = new DbError(error.kind, error.message, { ...error.details, txn: victim.xid });
    if (victim === requester) this.#fail(victim, own);
    else victim.doomed = own;
  }

  #structureAtCommit(t: Txn): { t: Txn; error: DbError } | undefined {
    // Pretend t committed now, then look for structures with t as T_out.
    const saved = { state: t.state, seq: t.commitSeq };
    t.state = "committed";
    t.commitSeq = this.#commitSeq + 1;
    try {
      for (const pivotX of t.inRw) {
        const pivot = this.#txns.get(pivotX)!;
        for (const tinX of pivot.inRw) {
          const tin = this.#txns.get(tinX)!;
          if (!this.#dangerous(tin, pivot, t)) continue;
          const victim = [pivot, tin].find((x) => x.state === "active" || x.state === "waiting");
          if (victim === undefined) continue;
          return {
            t: victim,
            error: new DbError(
              "serialization-failure",
              `could not serialize access due to read/write dependencies among transactions: T${tinX} →rw T${pivotX} →rw T${t.xid}, T${t.xid} committed first`,
              { txn: victim.xid, pivot: pivotX, in: tinX, out: t.xid },
            ),
          };
        }
      }
      return undefined;
    } finally {
      t.state = saved.state;
      if (saved.seq === undefined) delete t.commitSeq;
    }
  }
}
