/**
 * Transaction test helpers (notebooks 07 and 08)
 * ==============================================
 * What the MVCC engine tests and the hidden suites 08.1–08.3 share: seeded random scripts
 * for the scheduler, a commit log given as a table of statuses, and a version header.
 * The values are plain data of the engine's shapes (`TxnOp`, `CommitLogView`,
 * `VisibilityHeader`), built here without importing the engine, so the same helper serves
 * the engine's sources (engine tests) and its built package (hidden suites).
 */

/** The scheduler's operations, as `engine/src/txn/schedule.ts` defines them. */
export type ScriptOp =
  | { readonly kind: "read"; readonly key: string }
  | { readonly kind: "write"; readonly key: string; readonly value: number | undefined }
  | { readonly kind: "commit" }
  | { readonly kind: "abort" };

/** What `randomScripts` needs of a seeded generator (the engine's `Random` and test-support's `rng` both fit). */
export interface ScriptRandom {
  intBetween(lo: number, hi: number): number;
  int(n: number): number;
  bool(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/**
 * `txns` scripts of 1–4 steps over `keys`: each step a read or a write (one write in ten a
 * delete), then commit (nine in ten) or abort.
 */
export function randomScripts(random: ScriptRandom, txns: number, keys: readonly string[] = ["x", "y", "z"]): ScriptOp[][] {
  const scripts: ScriptOp[][] = [];
  for (let t = 0; t < txns; t++) {
    const ops: ScriptOp[] = [];
    for (let i = random.intBetween(1, 4); i > 0; i--) {
      const key = random.pick(keys);
      ops.push(random.bool(0.5) ? { kind: "read", key } : { kind: "write", key, value: random.bool(0.1) ? undefined : random.int(100) });
    }
    ops.push(random.bool(0.9) ? { kind: "commit" } : { kind: "abort" });
    scripts.push(ops);
  }
  return scripts;
}

export type TestXidStatus = "in-progress" | "committed" | "aborted";

/** A commit log that knows exactly the xids of `status`; any other xid is a bug in the test. */
export function clogOf<S extends string = TestXidStatus>(status: Readonly<Record<number, S>>): { status(xid: number): S } {
  return Object.freeze({
    status(xid: number): S {
      const s = status[xid];
      if (s === undefined) throw new Error(`test clog: xid ${xid} unknown`);
      return s;
    },
  });
}

/** A version header created by `xmin` and deleted by `xmax` (0: not deleted), at command 0. */
export function versionHeader(xmin: number, xmax = 0): { readonly xmin: number; readonly xmax: number; readonly cmin: number; readonly cmax: number } {
  return Object.freeze({ xmin, xmax, cmin: 0, cmax: 0 });
}

/**
 * A seeded random moment of an MVCC system with xids 1 … 10: `me` is running, the next xid
 * is `next` (2 … 8), every other xid before it is in the snapshot's in-progress list with
 * probability 0.4, and the commit log gives each xid other than `me` a status: one of
 * in-progress, committed or aborted if it was running when the snapshot was taken (in
 * `xip`, or not yet begun), one of `pastStatuses` otherwise. Xid 0 (bootstrap) is committed.
 */
export function randomMvccMoment(
  random: ScriptRandom,
  pastStatuses: readonly TestXidStatus[],
): { next: number; me: number; snapshot: { xmin: number; xmax: number; xip: number[] }; status: Record<number, TestXidStatus> } {
  const next = random.intBetween(2, 8);
  const me = random.intBetween(1, next - 1);
  const xip = [...Array(next - 1).keys()].map((k) => k + 1).filter((x) => x !== me && random.bool(0.4));
  const snapshot = { xmin: xip[0] ?? next, xmax: next, xip };
  const status: Record<number, TestXidStatus> = { 0: "committed", [me]: "in-progress" };
  for (let x = 1; x <= 10; x++) {
    if (x === me) continue;
    const wasRunning = xip.includes(x) || x >= next;
    status[x] = random.pick(wasRunning ? (["in-progress", "committed", "aborted"] as const) : pastStatuses);
  }
  return { next, me, snapshot, status };
}
