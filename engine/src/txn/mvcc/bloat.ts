/**
 * Bloat: what happens without vacuum
 * ==================================
 * A table of `rows` keys is updated round after round (each round, `updatesPerRound`
 * single-row update transactions on seeded random keys). Every update leaves the old
 * version behind; only vacuum removes it, and only once no snapshot can see it. A
 * long-running reader (`holdSnapshotFrom`) pins the horizon, as an idle-in-transaction
 * session does in PostgreSQL, so vacuum can remove nothing newer than it.
 *
 *   round │ pages  versions  walked per full read   (vacuum every k rounds: flat;
 *   ──────┼─────────────────────────────────          never: grows by updates/round)
 *
 * "walked" counts the versions a reader visits to read every key once (each read walks
 * its key's chain): the deterministic stand-in for scan time the notebook also times.
 * Costs: O(rounds × (updates + table)) heap operations.
 */
import { DbError } from "../../common/errors.js";
import { Random } from "../../common/random.js";
import type { TxnId } from "../concurrency-control.js";
import { MvccConcurrencyControl, type MvccOptions } from "./mvcc.js";

export interface BloatOptions {
  readonly rows: number;
  readonly rounds: number;
  readonly updatesPerRound: number;
  /** Vacuum after every `vacuumEvery` rounds; 0 never. */
  readonly vacuumEvery: number;
  /** Begin a reader (repeatable read) before this round and keep it open to the end; undefined: none. */
  readonly holdSnapshotFrom?: number;
  readonly seed: number;
  readonly heap?: MvccOptions["heap"];
  /** Plug-ins for the MVCC object (a learner's satisfiesVacuum, …). */
  readonly algorithms?: MvccOptions["algorithms"];
}

export interface BloatRow {
  readonly round: number;
  readonly pages: number;
  readonly versions: number;
  readonly walked: number;
  /** Versions vacuum removed at the end of this round (0 when it did not run). */
  readonly removed: number;
}

/** The table's size round by round (round 0: after loading). */
export function bloatSeries(options: BloatOptions): BloatRow[] {
  const { rows, rounds, updatesPerRound, vacuumEvery, seed } = options;
  for (const [name, v] of Object.entries({ rows, rounds, updatesPerRound, vacuumEvery })) {
    if (!Number.isInteger(v) || v < (name === "rows" ? 1 : 0)) throw new DbError("invalid-argument", `${name} must be an integer ≥ ${name === "rows" ? 1 : 0}, got ${String(v)}`, { [name]: v });
  }
  const keys = Array.from({ length: rows }, (_, i) => `k${String(i).padStart(6, "0")}`);
  const cc = new MvccConcurrencyControl({ isolation: "repeatable read", initial: keys.map((k, i) => [k, i] as const), ...(options.heap === undefined ? {} : { heap: options.heap }), ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }) });
  const random = new Random(seed);
  let next: TxnId = 1;
  const out: BloatRow[] = [];
  const measure = (round: number, removed: number) => {
    const s = cc.stats();
    out.push({ round, pages: s.pages, versions: s.versions, walked: s.chainVersions, removed });
  };
  measure(0, 0);
  for (let round = 1; round <= rounds; round++) {
    if (options.holdSnapshotFrom === round) cc.begin(next++);
    for (let u = 0; u < updatesPerRound; u++) {
      const t = next++;
      cc.begin(t);
      const key = random.pick(keys);
      const step = cc.write(t, key, random.int(1_000_000));
      if (step.kind !== "done") throw new DbError("invalid-state", `bloat: a lone update did not finish (${step.kind})`, {});
      cc.commit(t);
    }
    const removed = vacuumEvery > 0 && round % vacuumEvery === 0 ? cc.vacuum().removed : 0;
    measure(round, removed);
  }
  return out;
}
