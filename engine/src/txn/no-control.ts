/**
 * No concurrency control
 * ======================
 * The baseline every protocol is measured against: transactions share one map and nothing
 * stands between them.
 *
 *   read(t, k)      the latest value of k, whoever wrote it, committed or not (dirty read)
 *   scan(t, p)      the latest rows whose key starts with p, in key order
 *   write(t, k, v)  in place, at once; the first write of k by t saves k's before-image
 *   commit(t)       forgets the before-images
 *   abort(t)        puts t's before-images back, even over a later writer's value
 *
 *   T1 ──w(x,1)──────────────a      x: 0 → 1 → 2 → 0   T2's write is lost when T1's
 *   T2 ───────w(x,2)──c                                 abort restores x (dirty write)
 *
 * Every request answers "done" at once: no transaction ever waits or is aborted by the
 * protocol, so every anomaly (dirty read, lost update, non-repeatable read, write skew)
 * happens exactly as the schedule orders it, and the serializability checker catches the
 * non-serializable histories. This is no isolation level SQL offers: PostgreSQL's READ
 * UNCOMMITTED is read committed (`src/backend/access/heap/heapam_visibility.c` never shows
 * another transaction's uncommitted tuple), and every level there forbids dirty writes.
 *
 * Costs: O(1) per request, O(keys written) per abort. `committed()` is what a new
 * transaction would read: here that includes uncommitted writes.
 */
import { DbError } from "../common/errors.js";
import type { ConcurrencyControl, ScanStep, Step, TxnId, TxnKey, TxnState, TxnValue } from "./concurrency-control.js";

export class NoConcurrencyControl implements ConcurrencyControl {
  readonly name = "no control";
  /** Effects happen when a write is done. */
  readonly writesTakeEffect = "at-write" as const;
  readonly #data = new Map<TxnKey, TxnValue>();
  readonly #states = new Map<TxnId, TxnState>();
  /** Per active transaction: each key it wrote, with the value before its first write. */
  readonly #undo = new Map<TxnId, Map<TxnKey, TxnValue | undefined>>();

  /** Start with `initial` data (committed, as if loaded before any transaction). */
  constructor(initial: Iterable<readonly [TxnKey, TxnValue]> = []) {
    for (const [k, v] of initial) this.#data.set(k, v);
  }

  begin(txn: TxnId): Step {
    if (!Number.isSafeInteger(txn) || txn < 1) throw new DbError("invalid-argument", `a transaction id is an integer ≥ 1, got ${String(txn)}`, { txn });
    if (this.#states.has(txn)) throw new DbError("invalid-state", `T${txn} was already begun`, { txn });
    this.#states.set(txn, "active");
    this.#undo.set(txn, new Map());
    return { kind: "done" };
  }

  read(txn: TxnId, key: TxnKey): Step {
    this.#active(txn, "read");
    return { kind: "done", value: this.#data.get(key) };
  }

  scan(txn: TxnId, prefix: TxnKey): ScanStep {
    this.#active(txn, "scan");
    const rows = [...this.#data].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { kind: "done", rows };
  }

  write(txn: TxnId, key: TxnKey, value: TxnValue | undefined): Step {
    const undo = this.#active(txn, "write");
    if (!undo.has(key)) undo.set(key, this.#data.get(key));
    if (value === undefined) this.#data.delete(key);
    else this.#data.set(key, value);
    return { kind: "done" };
  }

  commit(txn: TxnId): Step {
    this.#active(txn, "commit");
    this.#undo.delete(txn);
    this.#states.set(txn, "committed");
    return { kind: "done" };
  }

  abort(txn: TxnId): void {
    const undo = this.#active(txn, "abort");
    for (const [key, before] of undo) {
      if (before === undefined) this.#data.delete(key);
      else this.#data.set(key, before);
    }
    this.#undo.delete(txn);
    this.#states.set(txn, "aborted");
  }

  state(txn: TxnId): TxnState | undefined {
    return this.#states.get(txn);
  }

  committed(): ReadonlyMap<TxnKey, TxnValue> {
    return new Map(this.#data);
  }

  #active(txn: TxnId, what: string): Map<TxnKey, TxnValue | undefined> {
    const state = this.#states.get(txn);
    if (state !== "active") {
      throw new DbError("invalid-state", `${what} for T${txn}, which is ${state ?? "not begun"}`, { txn, state: state ?? "not begun" });
    }
    return this.#undo.get(txn)!;
  }
}
