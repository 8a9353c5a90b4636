/**
 * The lock table (engine/src/txn/lock-table.ts): the golden scripts of
 * test-support/contracts/lock-manager/, the matrix and the mode lattice, and a model-based
 * run of random requests against a small reference model written here.
 */
import { describe, expect, it } from "vitest";
import { LOCK_MODES, LockTable, intentionFor, lockCompatible, lockCovers, lockModeJoin, parentOf, type LockMode } from "../src/index.js";
import { lockManagerScripts } from "../../test-support/contracts/lock-manager.js";
import { checkModel, expectDbError, rng } from "../../test-support/index.js";

lockManagerScripts("07 lock table", () => new LockTable());

describe("07 lock modes", () => {
  it("the matrix is symmetric, X conflicts with everything, IS with X only", () => {
    for (const a of LOCK_MODES) for (const b of LOCK_MODES) expect(lockCompatible(a, b), `${a}/${b}`).toBe(lockCompatible(b, a));
    for (const m of LOCK_MODES) expect(lockCompatible("X", m)).toBe(false);
    for (const m of LOCK_MODES) expect(lockCompatible("IS", m)).toBe(m !== "X");
    const pairs = LOCK_MODES.flatMap((a) => LOCK_MODES.filter((b) => lockCompatible(a, b)).map((b) => a + "+" + b));
    expect(pairs).toEqual(["IS+IS", "IS+IX", "IS+S", "IS+SIX", "IX+IS", "IX+IX", "S+IS", "S+S", "SIX+IS"]);
  });

  it("a stronger mode conflicts with at least what a weaker one conflicts with; the join covers both", () => {
    for (const a of LOCK_MODES)
      for (const b of LOCK_MODES) {
        const j = lockModeJoin(a, b);
        expect(lockCovers(j, a) && lockCovers(j, b), `${a} ⊔ ${b} = ${j}`).toBe(true);
        if (lockCovers(a, b)) for (const c of LOCK_MODES) if (lockCompatible(a, c)) expect(lockCompatible(b, c), `${a} ⊒ ${b}, vs ${c}`).toBe(true);
      }
    expect(lockModeJoin("S", "IX")).toBe("SIX");
    expect(parentOf("accounts/7")).toBe("accounts");
    expect(parentOf("accounts")).toBeUndefined();
    expect(intentionFor("S")).toBe("IS");
    expect(intentionFor("X")).toBe("IX");
  });
});

type Op = { txn: number; kind: "lock"; resource: string; mode: LockMode } | { txn: number; kind: "unlock"; resource: string } | { txn: number; kind: "release" };

/** The reference: per resource a list of {txn, mode, granted, from}; the same rules, written as plainly as possible. */
class Model {
  queues = new Map<string, { txn: number; mode: LockMode; granted: boolean; from?: LockMode }[]>();
  q(r: string) {
    let q = this.queues.get(r);
    if (!q) this.queues.set(r, (q = []));
    return q;
  }
  waitsSomewhere(txn: number) {
    for (const [r, q] of this.queues) for (const e of q) if (e.txn === txn && !e.granted) return r;
    return undefined;
  }
  fits(q: { txn: number; mode: LockMode; granted: boolean }[], txn: number, mode: LockMode) {
    return q.filter((e) => e.granted && e.txn !== txn).every((e) => lockCompatible(e.mode, mode));
  }
  wake(r: string, out: Set<number>) {
    const q = this.q(r);
    for (;;) {
      const head = q.find((e) => !e.granted);
      if (!head || !this.fits(q, head.txn, head.mode)) break;
      const mine = q.find((e) => e.granted && e.txn === head.txn);
      if (mine) {
        mine.mode = head.mode;
        q.splice(q.indexOf(head), 1);
      } else head.granted = true;
      out.add(head.txn);
    }
    // granted first, then waiting: keep granted entries at the front in grant order
    q.sort((a, b) => Number(b.granted) - Number(a.granted));
  }
  apply(op: Op): string {
    if (op.kind === "lock") {
      const w = this.waitsSomewhere(op.txn);
      const q = this.q(op.resource);
      if (w !== undefined) {
        const e = this.q(w).find((x) => x.txn === op.txn && !x.granted)!;
        const asked = e.from ? lockModeJoin(e.from, op.mode) : op.mode;
        if (w !== op.resource || asked !== e.mode) return "invalid-state";
        return "waiting";
      }
      const mine = q.find((e) => e.txn === op.txn && e.granted);
      if (mine) {
        if (lockCovers(mine.mode, op.mode)) return "granted";
        const target = lockModeJoin(mine.mode, op.mode);
        if (q.some((e) => !e.granted && e.from)) return "deadlock";
        if (this.fits(q, op.txn, target)) {
          mine.mode = target;
          return "granted";
        }
        const firstWaiter = q.findIndex((e) => !e.granted);
        q.splice(firstWaiter < 0 ? q.length : firstWaiter, 0, { txn: op.txn, mode: target, granted: false, from: mine.mode });
        return "waiting";
      }
      if (!q.some((e) => !e.granted) && this.fits(q, op.txn, op.mode)) {
        q.push({ txn: op.txn, mode: op.mode, granted: true });
        q.sort((a, b) => Number(b.granted) - Number(a.granted));
        return "granted";
      }
      q.push({ txn: op.txn, mode: op.mode, granted: false });
      return "waiting";
    }
    const out = new Set<number>();
    const rs = op.kind === "unlock" ? [op.resource] : [...this.queues.keys()];
    if (op.kind === "unlock" && !this.q(op.resource).some((e) => e.txn === op.txn)) return "invalid-state";
    for (const r of rs) this.queues.set(r, this.q(r).filter((e) => e.txn !== op.txn));
    for (const r of rs) this.wake(r, out);
    return `granted ${[...out].sort((a, b) => a - b).join(",")}`;
  }
  show(r: string) {
    return this.q(r)
      .map((e) => `${e.txn}${e.mode}${e.granted ? "" : "?"}${e.from ?? ""}`)
      .join(" ");
  }
}

describe("07 lock table against a reference model", () => {
  it("random requests, releases and upgrades on three resources answer as the model does", () => {
    for (const seed of [7, 8, 9, 10, 11]) {
      checkModel<Op>({
        seed,
        count: 400,
        generate: (r) => {
          const txn = 1 + r.int(5);
          const resource = r.pick(["a", "b", "t/1"]);
          const roll = r.int(10);
          if (roll < 7) return { txn, kind: "lock", resource, mode: r.pick(LOCK_MODES) };
          if (roll < 9) return { txn, kind: "unlock", resource };
          return { txn, kind: "release" };
        },
        run: (ops) => {
          const table = new LockTable();
          const model = new Model();
          for (const op of ops) {
            const want = model.apply(op);
            let got: string;
            try {
              if (op.kind === "lock") got = table.lock(op.txn, op.resource, op.mode).kind;
              else got = `granted ${(op.kind === "unlock" ? table.unlock(op.txn, op.resource) : table.releaseAll(op.txn)).join(",")}`;
            } catch (e) {
              got = (e as { kind?: string }).kind ?? String(e);
            }
            if (got !== want) throw new Error(`T${op.txn} ${op.kind}: expected ${want}, received ${got}`);
            for (const r of ["a", "b", "t/1"]) {
              const shown = table
                .queue(r)
                .map((e) => `${e.txn}${e.mode}${e.granted ? "" : "?"}${e.upgradeFrom ?? ""}`)
                .join(" ");
              if (shown !== model.show(r)) throw new Error(`queue of ${r}: expected ${model.show(r)}, received ${shown}`);
            }
          }
        },
        show: (op) => (op.kind === "lock" ? `T${op.txn} lock ${op.resource} ${op.mode}` : op.kind === "unlock" ? `T${op.txn} unlock ${op.resource}` : `T${op.txn} release-all`),
      });
    }
  });

  it("refusals change nothing", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    expectDbError(() => t.lock(1, "x", "Q" as LockMode), "invalid-argument", "a bad mode");
    expectDbError(() => t.lock(0, "x", "S"), "invalid-argument", "txn 0");
    expectDbError(() => t.lock(2, "", "S"), "invalid-argument", "an empty resource");
    expectDbError(() => t.unlock(2, "x"), "invalid-state", "unlock of nothing");
    expect(t.queue("x")).toEqual([{ txn: 1, mode: "S", granted: true }]);
    expect(t.resources()).toEqual(["x"]);
  });

  it("many readers then a writer: the writer waits for all of them, listed ascending", () => {
    const t = new LockTable();
    const r = rng(3);
    const readers = r.shuffle([1, 2, 3, 4, 5, 6]);
    for (const txn of readers) expect(t.lock(txn, "x", "S").kind).toBe("granted");
    expect(t.lock(9, "x", "X")).toEqual({ kind: "waiting", holders: [1, 2, 3, 4, 5, 6] });
    for (const txn of readers.slice(0, 5)) expect(t.releaseAll(txn)).toEqual([]);
    expect(t.releaseAll(readers[5]!)).toEqual([9]);
  });
});
