/**
 * The waits-for graph
 * ===================
 * Who waits for whom, read off the lock table (lock-manager.ts): a waiting request of T
 * gives an edge T → U for every holder U whose mode conflicts with T's request, and for
 * every request U queued ahead of T (FIFO: T cannot be granted before it). A cycle in this
 * graph is a deadlock; find-deadlock.ts finds the first one and its victim.
 *
 *   x: granted T1 X · waiting T2 S, T3 S      T2 → T1;  T3 → T1, T2
 *   y: granted T3 S · waiting T1 X            T1 → T3   (cycle T1 → T3 → T1)
 *
 * Costs: O(Σ q²) over the queues (each waiter looks at its queue). PostgreSQL builds the
 * same edges lazily while it searches (FindLockCycleRecurseMember in deadlock.c): hard
 * edges to conflicting holders, soft edges to conflicting waiters ahead.
 */
import { DbError } from "../common/errors.js";
import type { TxnId } from "./concurrency-control.js";
import type { Deadlock } from "./find-deadlock.js";
import { lockCompatible, type LockManager } from "./lock-manager.js";

/** The waits-for graph of a lock manager: from each waiting request to the holders and waiters it waits for. */
export function waitsForGraph(locks: LockManager): Map<TxnId, TxnId[]> {
  const graph = new Map<TxnId, TxnId[]>();
  for (const resource of locks.resources()) {
    const queue = locks.queue(resource);
    queue.forEach((request, i) => {
      if (request.granted) return;
      const edges = new Set<TxnId>();
      for (let j = 0; j < queue.length; j++) {
        const other = queue[j]!;
        if (other.txn === request.txn) continue;
        if (other.granted ? !lockCompatible(other.mode, request.mode) : j < i) edges.add(other.txn);
      }
      graph.set(request.txn, [...edges].sort((a, b) => a - b));
    });
  }
  return graph;
}

/** "T3 → T5 → T3". */
export function formatCycle(cycle: readonly TxnId[]): string {
  return cycle.map((t) => `T${t}`).join(" → ");
}

/** The error a deadlock's victim is aborted with. */
export function deadlockError(deadlock: Deadlock): DbError {
  return new DbError("deadlock", `deadlock: ${formatCycle(deadlock.cycle)}; T${deadlock.victim}, the youngest, is aborted`, {
    cycle: [...deadlock.cycle],
    victim: deadlock.victim,
  });
}
