/**
 * Serializability checker
 * =======================
 * An independent judge of what a protocol let happen. It takes a history: the reads,
 * writes, commits and aborts in the order they took effect (the scheduler records it;
 * under OCC a write takes effect at commit), and answers two questions about the
 * transactions that committed.
 *
 * Conflict serializability. Two operations conflict when they come from different
 * committed transactions, touch the same key, and at least one writes. Each conflict is
 * an edge from the earlier transaction to the later (r-w, w-r, w-w). The history is
 * conflict-serializable exactly when this graph has no cycle; then any topological order
 * is an equivalent serial order (we give the one that takes the smallest id first).
 *
 *   T1: r(x)      T2: w(x)      T2: c      T1: w(x)     T1: c
 *   r-w on x: T1 → T2            w-w on x: T2 → T1       cycle T1 → T2 → T1: lost update
 *
 * For each key we keep the last writer and the readers since it, so an edge is drawn to
 * the latest conflicting operation only; the earlier ones are reachable through it, so
 * the graph has a cycle exactly when the full one does. O(operations + edges). A scan of
 * a prefix reads the predicate "key starts with prefix": it conflicts with every write of
 * a matching key, an insert included (that conflict is the phantom), so a write also draws
 * an r-w edge from every earlier scan whose prefix it matches.
 *
 * View serializability (small histories, ≤ 7 committed transactions by default): a serial
 * order of the committed transactions is view-equivalent when every read reads from the
 * same write (or the initial value) and every key's final write is the same. We replay
 * the history to learn who each read read from, undoing an aborted transaction's writes
 * as no-control and locking do, then try serial orders (the conflict order first, then
 * all n! in lexicographic order). Blind writes make some histories view- but not
 * conflict-serializable: T1: r(x); T2: w(x); T1: w(x); T3: w(x) with all committed.
 * A committed read of an aborted transaction's write (a dirty read that stuck) matches no
 * serial order: the conflict graph, over committed transactions only, cannot see it, so
 * it is reported on its own (`readsFromUncommitted`), as is a committed write an abort's
 * undo wiped out (`lostWrites`). Transactions that did not finish count as aborted.
 *
 * PostgreSQL proves nothing after the fact: SSI (`src/backend/storage/lmgr/predicate.c`)
 * tracks rw-antidependencies while transactions run and aborts one when two consecutive
 * ones meet at a transaction (a "dangerous structure"), a conservative test for a cycle.
 */
import { DbError } from "../common/errors.js";
import type { TxnId, TxnKey, TxnValue } from "./concurrency-control.js";

/** One operation of a history, in the order it took effect. */
export type HistoryOp =
  | { readonly kind: "read"; readonly txn: TxnId; readonly key: TxnKey; readonly value?: TxnValue | undefined }
  | { readonly kind: "write"; readonly txn: TxnId; readonly key: TxnKey; readonly value?: TxnValue | undefined }
  /** A predicate read: every key starting with `prefix` (it conflicts with a write of any such key, present or not). */
  | { readonly kind: "scan"; readonly txn: TxnId; readonly prefix: TxnKey; readonly keys?: readonly TxnKey[] }
  | { readonly kind: "commit"; readonly txn: TxnId }
  | { readonly kind: "abort"; readonly txn: TxnId };

export type ConflictKind = "r-w" | "w-r" | "w-w";

/** An edge of the conflict graph, with the first pair of operations that drew it. */
export interface ConflictEdge {
  readonly from: TxnId;
  readonly to: TxnId;
  readonly key: TxnKey;
  readonly kind: ConflictKind;
  /** Positions in the history of the earlier and the later operation. */
  readonly at: readonly [number, number];
}

/** Who a read read from: a transaction, or 0 for the value before the history. */
export interface ReadsFrom {
  readonly reader: TxnId;
  readonly key: TxnKey;
  readonly writer: TxnId;
  /** Position of the read in the history. */
  readonly at: number;
}

export interface SerializabilityReport {
  /** Committed transactions, in commit order. */
  readonly committed: readonly TxnId[];
  readonly aborted: readonly TxnId[];
  /** Edges between committed transactions, one per ordered pair, in the order found. */
  readonly edges: readonly ConflictEdge[];
  readonly conflictSerializable: boolean;
  /** A cycle of the conflict graph, first transaction repeated at the end: [1, 2, 1]. */
  readonly cycle?: readonly TxnId[];
  /** The edges along `cycle`. */
  readonly cycleEdges?: readonly ConflictEdge[];
  /** An equivalent serial order when conflict-serializable (smallest ready id first). */
  readonly serialOrder?: readonly TxnId[];
  /** The view check: undefined when skipped (too many committed transactions). */
  readonly viewSerializable?: boolean;
  /** A view-equivalent serial order, when one exists. */
  readonly viewOrder?: readonly TxnId[];
  /** Reads of committed transactions that read a write that never committed (its writer aborted or did not finish). */
  readonly readsFromUncommitted: readonly (ReadsFrom & { readonly writerOutcome: "aborted" | "unfinished" })[];
  /** Keys a committed transaction wrote whose final value is not a committed write (an abort's undo restored an older value over it). */
  readonly lostWrites: readonly { readonly key: TxnKey; readonly finalWriter: TxnId }[];
}

export interface CheckOptions {
  /** Try serial orders only up to this many committed transactions (default 7: 5040 orders). */
  readonly maxViewTxns?: number;
}

/** Check a history. Throws `invalid-argument` for an operation of a transaction after its commit or abort. */
export function checkSerializability(history: readonly HistoryOp[], options: CheckOptions = {}): SerializabilityReport {
  const maxView = options.maxViewTxns ?? 7;
  const ended = new Map<TxnId, "commit" | "abort">();
  const committed: TxnId[] = [];
  const aborted: TxnId[] = [];
  history.forEach((op, i) => {
    const end = ended.get(op.txn);
    if (end !== undefined) {
      throw new DbError("invalid-argument", `history position ${i}: T${op.txn} has a ${op.kind} after its ${end}`, { position: i, txn: op.txn });
    }
    if (op.kind === "commit" || op.kind === "abort") {
      ended.set(op.txn, op.kind);
      (op.kind === "commit" ? committed : aborted).push(op.txn);
    }
  });
  const isCommitted = new Set(committed);

  // The conflict graph, over committed transactions.
  const edges: ConflictEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (from: TxnId, to: TxnId, key: TxnKey, kind: ConflictKind, at: readonly [number, number]) => {
    if (from === to || seen.has(`${from}>${to}`)) return;
    seen.add(`${from}>${to}`);
    edges.push({ from, to, key, kind, at });
  };
  const lastWrite = new Map<TxnKey, { txn: TxnId; at: number }>();
  const readersSince = new Map<TxnKey, Map<TxnId, number>>();
  const scans: { txn: TxnId; prefix: TxnKey; at: number }[] = [];
  history.forEach((op, i) => {
    if (op.kind === "commit" || op.kind === "abort" || !isCommitted.has(op.txn)) return;
    if (op.kind === "scan") {
      for (const [key, w] of lastWrite) if (key.startsWith(op.prefix)) addEdge(w.txn, op.txn, key, "w-r", [w.at, i]);
      scans.push({ txn: op.txn, prefix: op.prefix, at: i });
      return;
    }
    const w = lastWrite.get(op.key);
    if (op.kind === "read") {
      if (w !== undefined) addEdge(w.txn, op.txn, op.key, "w-r", [w.at, i]);
      const readers = readersSince.get(op.key) ?? new Map<TxnId, number>();
      if (!readers.has(op.txn)) readers.set(op.txn, i);
      readersSince.set(op.key, readers);
    } else {
      if (w !== undefined) addEdge(w.txn, op.txn, op.key, "w-w", [w.at, i]);
      for (const [reader, at] of readersSince.get(op.key) ?? []) addEdge(reader, op.txn, op.key, "r-w", [at, i]);
      for (const s of scans) if (op.key.startsWith(s.prefix)) addEdge(s.txn, op.txn, op.key, "r-w", [s.at, i]);
      lastWrite.set(op.key, { txn: op.txn, at: i });
      readersSince.delete(op.key);
    }
  });

  const cycle = findCycle(committed, edges);
  const serialOrder = cycle === undefined ? topologicalOrder(committed, edges) : undefined;

  // Reads-from, replaying writes and the undo of aborts.
  const replay = replayHistory(history);
  const readsFromUncommitted = replay.reads
    .filter((r) => isCommitted.has(r.reader) && r.writer !== 0 && !isCommitted.has(r.writer))
    .map((r) => ({ ...r, writerOutcome: ended.get(r.writer) === "abort" ? ("aborted" as const) : ("unfinished" as const) }));
  const writtenByCommitted = new Set(history.flatMap((op) => (op.kind === "write" && isCommitted.has(op.txn) ? [op.key] : [])));
  const lostWrites = [...writtenByCommitted]
    .filter((key) => !isCommitted.has(replay.finalWriters.get(key) ?? 0))
    .map((key) => ({ key, finalWriter: replay.finalWriters.get(key) ?? 0 }));

  let viewSerializable: boolean | undefined;
  let viewOrder: TxnId[] | undefined;
  if (committed.length <= maxView) {
    const committedOps = history.filter((op) => isCommitted.has(op.txn) && (op.kind === "read" || op.kind === "write" || op.kind === "scan"));
    const target = {
      reads: replay.signatures.filter((r) => isCommitted.has(r.reader)).map((r) => r.sig),
      final: replay.finalWriters,
    };
    const matches = (order: readonly TxnId[]) => viewEquivalent(order, committedOps, target);
    if (serialOrder !== undefined && matches(serialOrder)) viewOrder = [...serialOrder];
    else viewOrder = firstPermutation([...committed].sort((a, b) => a - b), matches);
    viewSerializable = viewOrder !== undefined;
  }

  return {
    committed,
    aborted,
    edges,
    conflictSerializable: cycle === undefined,
    ...(cycle === undefined ? {} : { cycle, cycleEdges: cycle.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)!) }),
    ...(serialOrder === undefined ? {} : { serialOrder }),
    ...(viewSerializable === undefined ? {} : { viewSerializable }),
    ...(viewOrder === undefined ? {} : { viewOrder }),
    readsFromUncommitted,
    lostWrites,
  };
}

/** The report in a few lines: verdicts, the cycle with its conflicts, the orders. */
export function describeSerializability(report: SerializabilityReport, history?: readonly HistoryOp[]): string[] {
  const lines: string[] = [];
  const order = (o: readonly TxnId[]) => (o.length === 0 ? "the empty order (nothing committed)" : o.map((t) => `T${t}`).join(" "));
  if (report.conflictSerializable) {
    lines.push(`conflict-serializable: yes, as ${order(report.serialOrder ?? [])}`);
  } else {
    const conflicts = (report.cycleEdges ?? []).map((e) => `T${e.from} → T${e.to} ${e.kind} on ${e.key}${history === undefined ? "" : ` (${opText(history[e.at[0]])} before ${opText(history[e.at[1]])})`}`);
    lines.push(`conflict-serializable: no, cycle ${(report.cycle ?? []).map((t) => `T${t}`).join(" → ")}: ${conflicts.join("; ")}`);
  }
  if (report.viewSerializable === undefined) lines.push(`view-serializable: not checked (${report.committed.length} committed transactions)`);
  else if (report.viewSerializable) lines.push(`view-serializable: yes, as ${order(report.viewOrder ?? [])}${report.conflictSerializable ? "" : " (serializable but not conflict-serializable)"}`);
  else lines.push("view-serializable: no");
  for (const r of report.readsFromUncommitted) lines.push(`T${r.reader} read ${r.key} from T${r.writer}, which ${r.writerOutcome === "aborted" ? "aborted" : "did not finish"}`);
  for (const w of report.lostWrites) {
    lines.push(`${w.key} ends with ${w.finalWriter === 0 ? "its value before the history" : `the write of T${w.finalWriter}, which did not commit`}: a committed write of it was undone`);
  }
  return lines;
}

function opText(op: HistoryOp | undefined): string {
  if (op === undefined) return "?";
  switch (op.kind) {
    case "read":
      return `T${op.txn}: r(${op.key})`;
    case "write":
      return `T${op.txn}: w(${op.key})`;
    case "scan":
      return `T${op.txn}: s(${op.prefix})`;
    case "commit":
      return `T${op.txn}: c`;
    case "abort":
      return `T${op.txn}: a`;
  }
}

/** A cycle as [t1, t2, …, t1], searching from the smallest ids first; undefined if acyclic. */
function findCycle(nodes: readonly TxnId[], edges: readonly ConflictEdge[]): TxnId[] | undefined {
  const out = new Map<TxnId, TxnId[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  for (const list of out.values()) list.sort((a, b) => a - b);
  const color = new Map<TxnId, 1 | 2>();
  const path: TxnId[] = [];
  const visit = (n: TxnId): TxnId[] | undefined => {
    color.set(n, 1);
    path.push(n);
    for (const m of out.get(n) ?? []) {
      const c = color.get(m);
      if (c === 1) return [...path.slice(path.indexOf(m)), m];
      if (c === undefined) {
        const found = visit(m);
        if (found !== undefined) return found;
      }
    }
    path.pop();
    color.set(n, 2);
    return undefined;
  };
  for (const n of [...nodes].sort((a, b) => a - b)) {
    if (color.has(n)) continue;
    const found = visit(n);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Kahn's algorithm, the smallest ready id first. */
function topologicalOrder(nodes: readonly TxnId[], edges: readonly ConflictEdge[]): TxnId[] {
  const indegree = new Map<TxnId, number>(nodes.map((n) => [n, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const order: TxnId[] = [];
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const n = ready.shift()!;
    order.push(n);
    for (const e of edges) {
      if (e.from !== n) continue;
      const d = indegree.get(e.to)! - 1;
      indegree.set(e.to, d);
      if (d === 0) ready.push(e.to);
    }
  }
  return order;
}

/** What a scan read: the writer of every written key under its prefix, as one string. */
function scanSignature(current: ReadonlyMap<TxnKey, TxnId>, prefix: TxnKey): string {
  return [...current]
    .filter(([k, w]) => w !== 0 && k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, w]) => `${k}:${w}`)
    .join(" ");
}

/**
 * Reads-from of every read (a scan: of every written key under its prefix), a signature of
 * each read and scan for the view check, and the final writer of every key, replaying undo
 * on abort.
 */
function replayHistory(history: readonly HistoryOp[]): { reads: ReadsFrom[]; signatures: { reader: TxnId; sig: string }[]; finalWriters: Map<TxnKey, TxnId> } {
  const current = new Map<TxnKey, TxnId>();
  const undo = new Map<TxnId, Map<TxnKey, TxnId>>();
  const reads: ReadsFrom[] = [];
  const signatures: { reader: TxnId; sig: string }[] = [];
  history.forEach((op, at) => {
    switch (op.kind) {
      case "read":
        reads.push({ reader: op.txn, key: op.key, writer: current.get(op.key) ?? 0, at });
        signatures.push({ reader: op.txn, sig: String(current.get(op.key) ?? 0) });
        break;
      case "scan":
        for (const [key, writer] of current) if (writer !== 0 && key.startsWith(op.prefix)) reads.push({ reader: op.txn, key, writer, at });
        signatures.push({ reader: op.txn, sig: scanSignature(current, op.prefix) });
        break;
      case "write": {
        const mine = undo.get(op.txn) ?? new Map<TxnKey, TxnId>();
        if (!mine.has(op.key)) mine.set(op.key, current.get(op.key) ?? 0);
        undo.set(op.txn, mine);
        current.set(op.key, op.txn);
        break;
      }
      case "abort":
        for (const [key, before] of undo.get(op.txn) ?? []) current.set(key, before);
        undo.delete(op.txn);
        break;
      case "commit":
        undo.delete(op.txn);
        break;
    }
  });
  // Transactions that did not finish count as aborted: undo them, the latest begun first.
  for (const txn of [...undo.keys()].sort((a, b) => b - a)) for (const [key, before] of undo.get(txn)!) current.set(key, before);
  return { reads, signatures, finalWriters: current };
}

/** Does running the committed operations serially in `order` read from the same writes and leave the same final writers? */
function viewEquivalent(order: readonly TxnId[], ops: readonly HistoryOp[], target: { reads: readonly string[]; final: ReadonlyMap<TxnKey, TxnId> }): boolean {
  // Each read's position among the committed reads and scans, so a serial run can be compared read by read.
  const readIndex = new Map<HistoryOp, number>();
  let r = 0;
  for (const op of ops) if (op.kind === "read" || op.kind === "scan") readIndex.set(op, r++);
  const byTxn = new Map<TxnId, HistoryOp[]>();
  for (const op of ops) byTxn.set(op.txn, [...(byTxn.get(op.txn) ?? []), op]);
  const current = new Map<TxnKey, TxnId>();
  for (const t of order) {
    for (const op of byTxn.get(t) ?? []) {
      if (op.kind === "read") {
        if (String(current.get(op.key) ?? 0) !== target.reads[readIndex.get(op)!]) return false;
      } else if (op.kind === "scan") {
        if (scanSignature(current, op.prefix) !== target.reads[readIndex.get(op)!]) return false;
      } else if (op.kind === "write") current.set(op.key, t);
    }
  }
  for (const key of new Set([...current.keys(), ...target.final.keys()])) {
    if ((current.get(key) ?? 0) !== (target.final.get(key) ?? 0)) return false;
  }
  return true;
}

/** The first permutation of `items` (lexicographic) that `accept` takes, or undefined. */
function firstPermutation(items: TxnId[], accept: (order: readonly TxnId[]) => boolean): TxnId[] | undefined {
  const n = items.length;
  const a = [...items];
  for (;;) {
    if (accept(a)) return [...a];
    // Next lexicographic permutation.
    let i = n - 2;
    while (i >= 0 && a[i]! >= a[i + 1]!) i--;
    if (i < 0) return undefined;
    let j = n - 1;
    while (a[j]! <= a[i]!) j--;
    [a[i], a[j]] = [a[j]!, a[i]!];
    a.splice(i + 1, n - i - 1, ...a.slice(i + 1).reverse());
  }
}
