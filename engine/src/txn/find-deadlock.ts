/**
 * Deadlock detection: the first cycle of a waits-for graph (exercise 07.2)
 * =======================================================================
 * An edge T → U means "T waits for U" (waits-for.ts builds the graph from the lock table).
 * A deadlock is a cycle: nobody on it can move until someone on it gives up. Breaking it
 * takes one abort, of the victim: the youngest transaction on the cycle (the largest id),
 * which has done the least work.
 *
 *   T1 ──► T3 ──► T5            T3 waits for T5, T5 for T3: the cycle T3 → T5 → T3,
 *          ▲      │             T1 only waits on it (a tail): the victim is T5.
 *          └──────┘
 *
 * The search is a depth-first search, deterministic: it starts from every transaction in
 * ascending id order (skipping those already explored), follows edges in ascending order,
 * and the first edge back to a transaction on the current path closes the cycle reported.
 * The cycle is written from the transaction the edge points to, in edge order, and ends
 * where it starts: [3, 5, 3], shown "T3 → T5 → T3".
 *
 *   white (unseen) ──visit──► grey (on the path) ──all edges done──► black (no cycle through it)
 *   an edge to grey: a cycle; to black: nothing new; to white: visit it
 *
 * The path is an explicit stack (no recursion: a chain of thousands of waiters is fine).
 * A transaction never waits for itself: a self-edge is refused (`invalid-argument`).
 *
 * Costs: O(V + E) per search (each transaction is explored once), plus sorting the edges.
 * PostgreSQL (src/backend/storage/lmgr/deadlock.c) runs the search only after a backend
 * has waited deadlock_timeout (1 s) and only from that backend (DeadLockCheck →
 * FindLockCycle), distinguishes hard edges (a conflicting holder) from soft ones (a
 * conflicting waiter ahead), and tries to break a cycle of soft edges by reordering the
 * queue before it aborts anyone; the victim is the backend that ran the check, not the
 * youngest.
 */
import { DbError } from "../common/errors.js";
import type { TxnId } from "./concurrency-control.js";

/** T → the transactions T waits for. A transaction with no entry waits for nobody. */
export type WaitsForGraph = ReadonlyMap<TxnId, readonly TxnId[]>;

export interface Deadlock {
  /** The cycle, first transaction repeated at the end: [3, 5, 3]. */
  readonly cycle: readonly TxnId[];
  /** The transaction to abort: the largest id on the cycle. */
  readonly victim: TxnId;
}

/** The first cycle of `graph` in id order and its victim, or undefined when there is none. */
export function findDeadlock(graph: WaitsForGraph): Deadlock | undefined {
  const edges = new Map<TxnId, TxnId[]>();
  for (const [txn, targets] of graph) {
    if (!Number.isInteger(txn) || txn < 1) {
      throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
    }
    for (const target of targets) {
      if (!Number.isInteger(target) || target < 1) {
        throw new DbError("invalid-argument", `T${txn} waits for ${String(target)}, which is not a transaction id`, { txn, target });
      }
      if (target === txn) throw new DbError("invalid-argument", `T${txn} waits for itself: a transaction never waits for its own lock`, { txn });
    }
    edges.set(txn, [...new Set(targets)].sort((a, b) => a - b));
  }
  const BLACK = 2;
  const GREY = 1;
  const color = new Map<TxnId, number>();
  for (const start of [...edges.keys()].sort((a, b) => a - b)) {
    if (color.has(start)) continue;
    // Iterative DFS: the path, and for each node on it the index of the next edge to try.
    const path: TxnId[] = [start];
    const next: number[] = [0];
    color.set(start, GREY);
    while (path.length > 0) {
      const node = path[path.length - 1]!;
      const out = edges.get(node) ?? [];
      const i = next[next.length - 1]!;
      if (i >= out.length) {
        color.set(node, BLACK);
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const target = out[i]!;
      const c = color.get(target);
      if (c === GREY) {
        const cycle = path.slice(path.indexOf(target));
        return { cycle: [...cycle, target], victim: Math.max(...cycle) };
      }
      if (c === undefined) {
        color.set(target, GREY);
        path.push(target);
        next.push(0);
      }
    }
  }
  return undefined;
}
