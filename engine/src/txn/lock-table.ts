/**
 * The lock table (exercise 07.1)
 * ==============================
 * The engine's `LockManager` (contract, matrix and pictures in lock-manager.ts): one FIFO
 * queue per resource, the granted requests first, then the waiting ones in grant order.
 *
 *   lock(t, r, m)
 *     t waits for something already ──same request──► its current state
 *                                   └─another one──► invalid-state
 *     t holds h on r, h covers m ──► granted (nothing changes)
 *     t holds h, h does not cover m: upgrade to h ⊔ m
 *         another upgrade waits on r ──► deadlock (refused; BusTub's UPGRADE_CONFLICT)
 *         h ⊔ m compatible with the other holders ──► granted (the mode changes in place)
 *         otherwise ──► waiting, at the head of the waiters, still holding h
 *     t holds nothing on r
 *         nobody waits and m is compatible with every holder ──► granted
 *         otherwise ──► waiting, at the tail
 *
 *   unlock / releaseAll ──► remove the requests, then on each resource touched grant the
 *   waiters from the head while each is compatible with every holder, stop at the first
 *   that is not (no overtaking): compatible requests are granted together, in order.
 *
 * Invariants: the granted requests of a queue are pairwise compatible; a transaction has
 * at most one request per queue and at most one waiting request in all; at most one
 * waiting upgrade per queue, and it is the first waiter; the first waiter is never
 * compatible with all the holders (else it would have been granted).
 *
 * Costs: a request or release on a resource with q requests is O(q); releaseAll is
 * O(Σ q) over the transaction's resources. PostgreSQL finds a lock by hashing its tag
 * into a shared hash table of LOCKs, each with a bitmask of granted modes (grantMask) and
 * a count per mode, so a conflict check is one mask test (LockCheckConflicts) instead of
 * a walk; its wakeup (ProcLockWakeup) also grants in queue order, and lets a waiter skip
 * ahead only of waiters it does not conflict with.
 */
import { DbError } from "../common/errors.js";
import type { TxnId } from "./concurrency-control.js";
import {
  checkLockMode,
  checkLockTarget,
  lockCompatible,
  lockCovers,
  lockModeJoin,
  type LockAnswer,
  type LockManager,
  type LockMode,
  type LockRequestView,
  type LockResource,
} from "./lock-manager.js";

interface Request {
  readonly txn: TxnId;
  mode: LockMode;
  upgradeFrom?: LockMode;
}

interface Queue {
  /** In grant order. */
  readonly granted: Request[];
  /** In the order they will be granted: a pending upgrade first. */
  readonly waiting: Request[];
}

export class LockTable implements LockManager {
  readonly #queues = new Map<LockResource, Queue>();
  /** Every resource a transaction has a request on (granted or waiting). */
  readonly #resourcesOf = new Map<TxnId, Set<LockResource>>();
  /** The one resource a transaction waits on. */
  readonly #waitsOn = new Map<TxnId, LockResource>();

  lock(txn: TxnId, resource: LockResource, mode: LockMode): LockAnswer {
    checkLockTarget(txn, resource);
    checkLockMode(mode);
    const waitsOn = this.#waitsOn.get(txn);
    if (waitsOn !== undefined) {
      const queue = this.#queues.get(waitsOn)!;
      const request = queue.waiting.find((w) => w.txn === txn)!;
      const asked = request.upgradeFrom === undefined ? mode : lockModeJoin(request.upgradeFrom, mode);
      if (waitsOn !== resource || asked !== request.mode) {
        throw new DbError(
          "invalid-state",
          `T${txn} waits for ${request.mode} on ${waitsOn}: it can only ask for that again, not ${mode} on ${resource}`,
          { txn, resource, mode, waitsOn, waitsFor: request.mode },
        );
      }
      return { kind: "waiting", holders: holdersOf(queue, request) };
    }
    let queue = this.#queues.get(resource);
    const mine = queue?.granted.find((g) => g.txn === txn);
    if (queue !== undefined && mine !== undefined) {
      if (lockCovers(mine.mode, mode)) return { kind: "granted" };
      const target = lockModeJoin(mine.mode, mode);
      const other = queue.waiting.find((w) => w.upgradeFrom !== undefined);
      if (other !== undefined) {
        throw new DbError(
          "deadlock",
          `T${txn} asks to upgrade ${mine.mode} → ${target} on ${resource} while T${other.txn}'s upgrade ${other.upgradeFrom} → ${other.mode} waits there: two upgrades wait for each other`,
          { txn, resource, mode: target, upgrading: other.txn, cycle: [txn, other.txn, txn] },
        );
      }
      if (queue.granted.every((g) => g.txn === txn || lockCompatible(g.mode, target))) {
        mine.mode = target;
        return { kind: "granted" };
      }
      const request: Request = { txn, mode: target, upgradeFrom: mine.mode };
      queue.waiting.unshift(request);
      this.#waitsOn.set(txn, resource);
      return { kind: "waiting", holders: holdersOf(queue, request) };
    }
    if (queue === undefined) {
      queue = { granted: [], waiting: [] };
      this.#queues.set(resource, queue);
    }
    let mineAll = this.#resourcesOf.get(txn);
    if (mineAll === undefined) this.#resourcesOf.set(txn, (mineAll = new Set()));
    mineAll.add(resource);
    const request: Request = { txn, mode };
    if (queue.waiting.length === 0 && queue.granted.every((g) => lockCompatible(g.mode, mode))) {
      queue.granted.push(request);
      return { kind: "granted" };
    }
    queue.waiting.push(request);
    this.#waitsOn.set(txn, resource);
    return { kind: "waiting", holders: holdersOf(queue, request) };
  }

  unlock(txn: TxnId, resource: LockResource): TxnId[] {
    checkLockTarget(txn, resource);
    if (this.#resourcesOf.get(txn)?.has(resource) !== true) {
      throw new DbError("invalid-state", `T${txn} holds no lock on ${resource} and waits for none there`, { txn, resource });
    }
    this.#remove(txn, resource);
    return [...this.#grantWaiters(resource)].sort((a, b) => a - b);
  }

  releaseAll(txn: TxnId): TxnId[] {
    if (!Number.isInteger(txn) || txn < 1) {
      throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
    }
    const resources = [...(this.#resourcesOf.get(txn) ?? [])];
    for (const resource of resources) this.#remove(txn, resource);
    const granted = new Set<TxnId>();
    for (const resource of resources) for (const t of this.#grantWaiters(resource)) granted.add(t);
    return [...granted].sort((a, b) => a - b);
  }

  held(txn: TxnId, resource: LockResource): LockMode | undefined {
    return this.#queues.get(resource)?.granted.find((g) => g.txn === txn)?.mode;
  }

  pending(txn: TxnId): { readonly resource: LockResource; readonly mode: LockMode } | undefined {
    const resource = this.#waitsOn.get(txn);
    if (resource === undefined) return undefined;
    const request = this.#queues.get(resource)!.waiting.find((w) => w.txn === txn)!;
    return { resource, mode: request.mode };
  }

  queue(resource: LockResource): readonly LockRequestView[] {
    const queue = this.#queues.get(resource);
    if (queue === undefined) return [];
    return [
      ...queue.granted.map((g) => ({ txn: g.txn, mode: g.mode, granted: true })),
      ...queue.waiting.map((w) => ({ txn: w.txn, mode: w.mode, granted: false, ...(w.upgradeFrom === undefined ? {} : { upgradeFrom: w.upgradeFrom }) })),
    ];
  }

  resources(): LockResource[] {
    return [...this.#queues.keys()].sort();
  }

  /** Drop `txn`'s requests on `resource` (its granted lock and its waiting request). */
  #remove(txn: TxnId, resource: LockResource): void {
    const queue = this.#queues.get(resource)!;
    const g = queue.granted.findIndex((r) => r.txn === txn);
    if (g >= 0) queue.granted.splice(g, 1);
    const w = queue.waiting.findIndex((r) => r.txn === txn);
    if (w >= 0) {
      queue.waiting.splice(w, 1);
      this.#waitsOn.delete(txn);
    }
    const mine = this.#resourcesOf.get(txn)!;
    mine.delete(resource);
    if (mine.size === 0) this.#resourcesOf.delete(txn);
  }

  /** Grant the waiters of `resource` from the head while they fit; the transactions granted. */
  #grantWaiters(resource: LockResource): TxnId[] {
    const queue = this.#queues.get(resource);
    if (queue === undefined) return [];
    const granted: TxnId[] = [];
    for (;;) {
      const head = queue.waiting[0];
      if (head === undefined || !queue.granted.every((g) => g.txn === head.txn || lockCompatible(g.mode, head.mode))) break;
      queue.waiting.shift();
      this.#waitsOn.delete(head.txn);
      const mine = queue.granted.find((g) => g.txn === head.txn);
      if (mine !== undefined) mine.mode = head.mode;
      else queue.granted.push({ txn: head.txn, mode: head.mode });
      granted.push(head.txn);
    }
    if (queue.granted.length === 0 && queue.waiting.length === 0) this.#queues.delete(resource);
    return granted;
  }
}

/** Whom a waiting request waits for: the holders it conflicts with, and every waiter ahead of it. */
function holdersOf(queue: Queue, request: Request): TxnId[] {
  const holders = new Set<TxnId>();
  for (const g of queue.granted) if (g.txn !== request.txn && !lockCompatible(g.mode, request.mode)) holders.add(g.txn);
  for (const w of queue.waiting) {
    if (w === request) break;
    holders.add(w.txn);
  }
  return [...holders].sort((a, b) => a - b);
}
