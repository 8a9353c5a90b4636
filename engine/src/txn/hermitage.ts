/**
 * The anomaly catalogue (Hermitage)
 * =================================
 * Martin Kleppmann's Hermitage (github.com/ept/hermitage, 2014–) tests what each database's
 * isolation levels really prevent, one hand-interleaved schedule per anomaly of Adya's
 * catalogue, run in two or three psql sessions. This module writes those schedules in the
 * schedule language (schedule.ts), says for each how to tell from a run that the anomaly
 * happened (its tell-tale read was returned and the transactions involved committed), and
 * keeps PostgreSQL's documented outcomes as data.
 *
 *   anomaly → schedule ──runSchedule(cc)──► history ──happened(h)──► allowed | prevented
 *                                                      (how: waited, serialization failure,
 *                                                       deadlock, a snapshot read the past)
 *
 * Keys: Hermitage's table `test(id, value)` with rows (1, 10) and (2, 20) is x = 10, y = 20.
 * Simplification: PMP and G2 use predicates (`where value % 3 = 0`); here the predicate is
 * a point read of a key that does not exist yet (z, w), since our MVCC object has no scan:
 * the same phantom, through one key.
 *
 * The read-only anomaly (Fekete, O'Neil & O'Neil 2004) is not in Hermitage; its
 * PostgreSQL outcome is documented by PostgreSQL's own isolation tests
 * (src/test/isolation/specs/read-only-anomaly*.spec) and README-SSI.
 *
 * Costs: one small schedule per anomaly and level.
 */
import type { IsolationLevel } from "./concurrency-control.js";
import type { History } from "./scheduler.js";

export type HermitageLevel = Exclude<IsolationLevel, "read uncommitted">;

/** PostgreSQL's outcome: "prevented" (✓ in Hermitage) or "allowed" (— in Hermitage). */
export type HermitageOutcome = "prevented" | "allowed";

export interface HermitageAnomaly {
  /** Hermitage's name: "G0", "G1a", …, "P4", "G-single", "G2-item", "G2", or "read-only". */
  readonly id: string;
  readonly name: string;
  /** What would go wrong, in one line. */
  readonly what: string;
  readonly initial: readonly (readonly [string, number])[];
  readonly schedule: string;
  /** True when the run shows the anomaly: its tell-tale reads happened and the transactions committed. */
  readonly happened: (h: History) => boolean;
  /** PostgreSQL's documented outcome per level. */
  readonly postgres: Readonly<Record<HermitageLevel, HermitageOutcome>>;
  /** Where PostgreSQL's outcome is documented. */
  readonly source: string;
}

/** The values transaction `txn` read from `key`, in order (reads that returned). */
export function readsOf(h: History, txn: number, key: string): (number | string | undefined)[] {
  return h.events.filter((e) => e.txn === txn && e.outcome === "done" && e.op?.kind === "read" && e.op.key === key).map((e) => e.value);
}

const committed = (h: History, ...txns: number[]) => txns.every((t) => h.committed.includes(t));
const HERMITAGE = "Hermitage, postgres.md (PostgreSQL 9.3–; README table)";
const XY: readonly (readonly [string, number])[] = [["x", 10], ["y", 20]];
const all = (o: HermitageOutcome): Record<HermitageLevel, HermitageOutcome> => ({ "read committed": o, "repeatable read": o, serializable: o });

export const HERMITAGE_ANOMALIES: readonly HermitageAnomaly[] = [
  {
    id: "G0",
    name: "write cycles (dirty write)",
    what: "two writers interleave on x and y: the end state mixes them",
    initial: XY,
    schedule: "T1: w(x, 11); T2: w(x, 12); T1: w(y, 21); T1: c; T2: w(y, 22); T2: c; T3: r(x); T3: r(y); T3: c",
    happened: (h) => {
      const x = readsOf(h, 3, "x")[0], y = readsOf(h, 3, "y")[0];
      return (x === 12 && y === 21) || (x === 11 && y === 22);
    },
    postgres: all("prevented"),
    source: HERMITAGE,
  },
  {
    id: "G1a",
    name: "aborted reads (dirty read)",
    what: "T2 reads a value T1 wrote and then rolled back",
    initial: XY,
    schedule: "T1: w(x, 101); T2: r(x); T1: a; T2: r(x); T2: c",
    happened: (h) => readsOf(h, 2, "x").includes(101) && committed(h, 2),
    postgres: all("prevented"),
    source: HERMITAGE,
  },
  {
    id: "G1b",
    name: "intermediate reads",
    what: "T2 reads a value T1 overwrote before it committed",
    initial: XY,
    schedule: "T1: w(x, 101); T2: r(x); T1: w(x, 11); T1: c; T2: r(x); T2: c",
    happened: (h) => readsOf(h, 2, "x").includes(101) && committed(h, 2),
    postgres: all("prevented"),
    source: HERMITAGE,
  },
  {
    id: "G1c",
    name: "circular information flow",
    what: "each transaction reads the other's uncommitted write",
    initial: XY,
    schedule: "T1: w(x, 11); T2: w(y, 22); T1: r(y); T2: r(x); T1: c; T2: c",
    happened: (h) => readsOf(h, 1, "y").includes(22) && readsOf(h, 2, "x").includes(11) && committed(h, 1, 2),
    postgres: all("prevented"),
    source: HERMITAGE,
  },
  {
    id: "OTV",
    name: "observed transaction vanishes",
    what: "T3 sees T2's y, then T1's x that T2 had overwritten",
    initial: XY,
    schedule: "T1: w(x, 11); T1: w(y, 19); T2: w(x, 12); T1: c; T3: r(x); T2: w(y, 18); T3: r(y); T2: c; T3: r(y); T3: r(x); T3: c",
    happened: (h) => {
      const seq = h.events.filter((e) => e.txn === 3 && e.outcome === "done" && e.op?.kind === "read").map((e) => `${e.op!.kind === "read" ? e.op!.key : ""}=${String(e.value)}`);
      const sawT2 = seq.indexOf("y=18");
      return sawT2 >= 0 && seq.slice(sawT2 + 1).includes("x=11");
    },
    postgres: all("prevented"),
    source: HERMITAGE,
  },
  {
    id: "PMP",
    name: "predicate-many-preceders (phantom)",
    what: "T1 looks for z twice and finds it the second time",
    initial: XY,
    schedule: "T1: r(z); T2: w(z, 30); T2: c; T1: r(z); T1: c",
    happened: (h) => {
      const r = readsOf(h, 1, "z");
      return r.length === 2 && r[0] === undefined && r[1] === 30 && committed(h, 1);
    },
    postgres: { "read committed": "allowed", "repeatable read": "prevented", serializable: "prevented" },
    source: HERMITAGE,
  },
  {
    id: "P4",
    name: "lost update",
    what: "both read x = 10 and write x = 11: one increment is lost",
    initial: XY,
    schedule: "T1: r(x); T2: r(x); T1: w(x, 11); T2: w(x, 11); T1: c; T2: c",
    happened: (h) => readsOf(h, 1, "x")[0] === 10 && readsOf(h, 2, "x")[0] === 10 && committed(h, 1, 2),
    postgres: { "read committed": "allowed", "repeatable read": "prevented", serializable: "prevented" },
    source: HERMITAGE,
  },
  {
    id: "G-single",
    name: "single anti-dependency cycle (read skew)",
    what: "T1 sees x before and y after T2's transfer (x + y ≠ 30)",
    initial: XY,
    schedule: "T1: r(x); T2: r(x); T2: r(y); T2: w(x, 12); T2: w(y, 18); T2: c; T1: r(y); T1: c",
    happened: (h) => readsOf(h, 1, "x")[0] === 10 && readsOf(h, 1, "y")[0] === 18 && committed(h, 1),
    postgres: { "read committed": "allowed", "repeatable read": "prevented", serializable: "prevented" },
    source: HERMITAGE,
  },
  {
    id: "G2-item",
    name: "item anti-dependency cycles (write skew)",
    what: "each reads x and y, each changes a different one: both commit",
    initial: XY,
    schedule: "T1: r(x); T1: r(y); T2: r(x); T2: r(y); T1: w(x, 11); T2: w(y, 21); T1: c; T2: c",
    happened: (h) => committed(h, 1, 2),
    postgres: { "read committed": "allowed", "repeatable read": "allowed", serializable: "prevented" },
    source: HERMITAGE,
  },
  {
    id: "G2",
    name: "anti-dependency cycles (phantom write skew)",
    what: "each finds neither z nor w and inserts one of them: both commit",
    initial: XY,
    schedule: "T1: r(z); T1: r(w); T2: r(z); T2: r(w); T1: w(z, 30); T2: w(w, 42); T1: c; T2: c",
    happened: (h) => committed(h, 1, 2),
    postgres: { "read committed": "allowed", "repeatable read": "allowed", serializable: "prevented" },
    source: HERMITAGE,
  },
  {
    id: "read-only",
    name: "read-only transaction anomaly",
    what: "read-only T3 sees T2's deposit (y) but not T1's withdrawal (x), which was charged a fee as if before it",
    initial: [["x", 0], ["y", 0]],
    schedule: "T1: r(x); T1: r(y); T2: r(y); T2: w(y, 20); T2: c; T3: r(x); T3: r(y); T3: c; T1: w(x, -11); T1: c",
    happened: (h) => readsOf(h, 3, "y")[0] === 20 && readsOf(h, 3, "x")[0] === 0 && committed(h, 1, 2, 3),
    postgres: { "read committed": "allowed", "repeatable read": "allowed", serializable: "prevented" },
    source: "PostgreSQL src/test/isolation/specs/read-only-anomaly-2.spec, -3.spec; README-SSI",
  },
];

/** How a run that did not show the anomaly prevented it, from its history. */
export function howPrevented(h: History): string {
  const reasons = h.aborted.filter((a) => a.reason !== "requested").map((a) => `${a.reason} (T${a.txn})`);
  const waited = h.events.some((e) => e.outcome === "waiting");
  if (reasons.length > 0) return reasons.join(", ");
  if (h.outcome === "blocked") return "blocked";
  return waited ? "waited" : "snapshot";
}
