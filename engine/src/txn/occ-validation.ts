/**
 * Backward validation (exercise 07.3)
 * ===================================
 * The heart of optimistic concurrency control (optimistic.ts): at commit, a transaction
 * T is checked against every transaction that committed after T began. If one of them
 * wrote a key T read, T may have read the value from before that write, so T cannot be
 * placed after it in a serial order: T fails.
 *
 *   log (commit order):   tn 1 T2 {x}   tn 2 T4 {z}   tn 3 T3 {y, x}
 *   T5: startTn 1, readSet [y, x]
 *         tn 1 ≤ startTn           → committed before T5 began: T5 saw it, skip
 *         tn 2 {z} ∩ {y, x} = ∅    → no conflict
 *         tn 3 {y, x} ∩ {y, x}     → fail: conflictWith T3, tn 3, key y (T5 read y first)
 *
 * The verdict is deterministic: the first conflicting record in commit order, and within
 * it the key T read first. Writes of T do not matter here (write-write overlaps are
 * installed in commit order); reads T made of its own writes are not in its read set.
 *
 * Bad input is refused with `invalid-argument`: a log whose commit numbers do not strictly
 * increase (details: the position), a startTn that is not an integer ≥ 0.
 *
 * Costs: O(Σ |write set| + |read set| per record after startTn), each write set in a Set.
 * Kung and Robinson's serial validation is this test; their parallel validation also checks
 * the write sets of transactions validating at the same time, which a synchronous engine
 * never has.
 */
import { DbError } from "../common/errors.js";
import type { OccCommitRecord, OccTransaction, OccValidation } from "./optimistic.js";

/** Validate `txn` against the commit log (increasing tn): ok, or the first conflict. */
export function validateBackward(txn: OccTransaction, log: readonly OccCommitRecord[]): OccValidation {
  if (!Number.isInteger(txn.startTn) || txn.startTn < 0) {
    throw new DbError("invalid-argument", `startTn must be an integer ≥ 0, got ${String(txn.startTn)}`, { txn: txn.txn, startTn: txn.startTn });
  }
  for (let i = 1; i < log.length; i++) {
    if (!(log[i]!.tn > log[i - 1]!.tn)) {
      throw new DbError("invalid-argument", `the commit log must be in increasing tn: position ${i} has tn ${log[i]!.tn} after ${log[i - 1]!.tn}`, {
        position: i,
      });
    }
  }
  for (const record of log) {
    if (record.tn <= txn.startTn) continue;
    const written = new Set(record.writeSet);
    const key = txn.readSet.find((k) => written.has(k));
    if (key !== undefined) return { ok: false, conflictWith: record.txn, tn: record.tn, key };
  }
  return { ok: true };
}
