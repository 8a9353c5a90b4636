/**
 * Hidden suite of exercise 07.1: `LockTable`, the lock manager's grant, queue and upgrade
 * logic. The matrix cell by cell (25 pairs), FIFO without overtaking, batch grants,
 * upgrades (first among the waiters, the join S ⊔ IX = SIX, a second upgrade refused),
 * releases returning whom they let through, refusals that change nothing, a model-based run
 * of seeded random requests against a small reference model written here, the golden
 * scripts of test-support/contracts/lock-manager/ (checked only, never rewritten), and the
 * table plugged into the engine's two-phase locking.
 */
import { describe, expect, it } from "vitest";
import { TwoPhaseLocking, type LockMode } from "@workbook/engine";
import { LockTable } from "@submission";
import { lockManagerScripts, showQueue } from "../../test-support/contracts/lock-manager.js";
import { checkModel, expectDbError, outcome, same } from "../../test-support/index.js";

const MODES: LockMode[] = ["IS", "IX", "S", "SIX", "X"];
/** The matrix, written out: COMPATIBLE[held] is the string of modes another may be granted. */
const COMPATIBLE: Record<LockMode, LockMode[]> = { IS: ["IS", "IX", "S", "SIX"], IX: ["IS", "IX"], S: ["IS", "S"], SIX: ["IS"], X: [] };
const ok = (held: LockMode, asked: LockMode) => COMPATIBLE[held].includes(asked);
/** Strength order for the model's covers/join: what each mode covers. */
const COVERS: Record<LockMode, LockMode[]> = { IS: ["IS"], IX: ["IS", "IX"], S: ["IS", "S"], SIX: ["IS", "IX", "S", "SIX"], X: MODES };
const join = (a: LockMode, b: LockMode): LockMode => (COVERS[a].includes(b) ? a : COVERS[b].includes(a) ? b : "SIX");

const show = (t: LockTable, r: string) => showQueue(t, r);

describe("07.1 LockTable · grant and queue", () => {
  it("the compatibility matrix, all 25 pairs: T2's request is granted exactly when compatible with T1's mode", () => {
    for (const held of MODES)
      for (const asked of MODES) {
        const t = new LockTable();
        same(t.lock(1, "r", held).kind, "granted", `T1 lock r ${held} on a free resource`);
        const answer = t.lock(2, "r", asked);
        same(answer.kind, ok(held, asked) ? "granted" : "waiting", `T1 holds ${held}, T2 asks ${asked}`);
        if (answer.kind === "waiting") same(answer.holders.join(","), "1", `whom T2 (${asked}) waits for while T1 holds ${held}`);
      }
  });

  it("FIFO without overtaking: a compatible request waits behind an incompatible waiter", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    expect(t.lock(2, "x", "X")).toEqual({ kind: "waiting", holders: [1] });
    expect(t.lock(3, "x", "S"), "T3's S fits T1's S but T2 came first").toEqual({ kind: "waiting", holders: [2] });
    same(show(t, "x"), "x: granted T1 S · waiting T2 X, T3 S", "the queue");
    expect(t.releaseAll(1)).toEqual([2]);
    expect(t.lock(3, "x", "S")).toEqual({ kind: "waiting", holders: [2] });
    expect(t.releaseAll(2)).toEqual([3]);
    expect(t.lock(3, "x", "S")).toEqual({ kind: "granted" });
  });

  it("a release grants the compatible head of the queue together, and stops at the first that does not fit", () => {
    const t = new LockTable();
    t.lock(1, "x", "X");
    for (const [txn, mode] of [[2, "S"], [3, "IS"], [4, "S"], [5, "IX"], [6, "S"]] as const) expect(t.lock(txn, "x", mode).kind).toBe("waiting");
    expect(t.releaseAll(1), "granted by T1's release").toEqual([2, 3, 4]);
    same(show(t, "x"), "x: granted T2 S, T3 IS, T4 S · waiting T5 IX, T6 S", "after T1's release");
    expect(t.pending(6)).toEqual({ resource: "x", mode: "S" });
    expect(t.unlock(6, "x"), "T6 withdraws its waiting request").toEqual([]);
    expect(t.pending(6)).toBeUndefined();
    expect(t.unlock(2, "x")).toEqual([]);
    expect(t.unlock(4, "x"), "T5's IX fits T3's IS").toEqual([5]);
    same(show(t, "x"), "x: granted T3 IS, T5 IX", "at the end");
  });

  it("asking again for a waiting request answers its current state; asking for anything else meanwhile is invalid-state", () => {
    const t = new LockTable();
    t.lock(1, "x", "X");
    t.lock(2, "x", "S");
    expect(t.lock(2, "x", "S")).toEqual({ kind: "waiting", holders: [1] });
    expectDbError(() => t.lock(2, "y", "S"), "invalid-state", "T2 asks for y while waiting on x");
    expectDbError(() => t.lock(2, "x", "X"), "invalid-state", "T2 asks for X on x while waiting for S");
    same(show(t, "x"), "x: granted T1 X · waiting T2 S", "the queue after the refusals");
    expect(t.resources()).toEqual(["x"]);
    t.releaseAll(1);
    expect(t.lock(2, "x", "S")).toEqual({ kind: "granted" });
    expect(t.lock(2, "x", "IS"), "covered by S").toEqual({ kind: "granted" });
    expect(t.held(2, "x")).toBe("S");
  });

  it("a waiting request lists whom it waits for in ascending order, whatever the order they came in", () => {
    const t = new LockTable();
    for (const txn of [8, 3, 6]) t.lock(txn, "x", "S");
    expect(t.lock(9, "x", "X")).toEqual({ kind: "waiting", holders: [3, 6, 8] });
    t.lock(2, "y", "X");
    t.lock(7, "y", "S");
    expect(t.lock(4, "y", "IS"), "T4 waits for the holder T2 and for T7 ahead of it").toEqual({ kind: "waiting", holders: [2, 7] });
  });

  it("resources() lists the resources with requests, sorted, and forgets a resource once its queue is empty", () => {
    const t = new LockTable();
    t.lock(1, "b", "S");
    t.lock(1, "a/2", "X");
    t.lock(2, "a", "IS");
    expect(t.resources()).toEqual(["a", "a/2", "b"]);
    t.releaseAll(1);
    expect(t.resources()).toEqual(["a"]);
    expect(t.queue("b")).toEqual([]);
    t.unlock(2, "a");
    expect(t.resources()).toEqual([]);
  });
});

describe("07.1 LockTable · upgrades", () => {
  it("S → X waits for the other readers, first among the waiters, keeping its S meanwhile", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    t.lock(2, "x", "S");
    t.lock(3, "x", "X");
    expect(t.lock(1, "x", "X")).toEqual({ kind: "waiting", holders: [2] });
    expect(t.queue("x")).toEqual([
      { txn: 1, mode: "S", granted: true },
      { txn: 2, mode: "S", granted: true },
      { txn: 1, mode: "X", granted: false, upgradeFrom: "S" },
      { txn: 3, mode: "X", granted: false },
    ]);
    expect(t.held(1, "x")).toBe("S");
    expect(t.pending(1)).toEqual({ resource: "x", mode: "X" });
    expect(t.lock(3, "x", "X"), "T3 now waits for the upgrade too").toEqual({ kind: "waiting", holders: [1, 2] });
    expect(t.releaseAll(2)).toEqual([1]);
    expect(t.held(1, "x")).toBe("X");
    expect(t.releaseAll(1)).toEqual([3]);
  });

  it("the mode of an upgrade is the join: S then IX is SIX; an upgrade compatible with the others is granted at once", () => {
    const t = new LockTable();
    expect(t.lock(1, "u", "S").kind).toBe("granted");
    expect(t.lock(1, "u", "IX").kind).toBe("granted");
    expect(t.held(1, "u")).toBe("SIX");
    expect(t.lock(2, "u", "IS").kind).toBe("granted");
    expect(t.lock(2, "u", "IX")).toEqual({ kind: "waiting", holders: [1] });
    expect(t.pending(2)).toEqual({ resource: "u", mode: "IX" });
    const v = new LockTable();
    v.lock(4, "v", "IS");
    v.lock(5, "v", "X");
    expect(v.lock(4, "v", "S"), "T5 only waits: T4's upgrade fits").toEqual({ kind: "granted" });
    expect(v.queue("v").map((q) => `${q.txn}${q.mode}${q.granted ? "" : "?"}`).join(" ")).toBe("4S 5X?");
  });

  it("a second upgrade while one waits on the same resource is refused (deadlock) and changes nothing", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    t.lock(2, "x", "S");
    t.lock(1, "x", "X");
    const before = show(t, "x");
    expectDbError(() => t.lock(2, "x", "X"), "deadlock", "T2's upgrade while T1's waits");
    same(show(t, "x"), before, "the queue after the refused upgrade");
    expect(t.pending(2)).toBeUndefined();
    expect(t.releaseAll(2)).toEqual([1]);
  });
});

describe("07.1 LockTable · releases and refusals", () => {
  it("releaseAll gives back every lock on every resource and returns whom it let through, ascending", () => {
    const t = new LockTable();
    t.lock(5, "b", "X");
    t.lock(5, "a", "X");
    t.lock(4, "b", "S");
    t.lock(2, "a", "S");
    t.lock(3, "a", "IS");
    expect(t.releaseAll(5)).toEqual([2, 3, 4]);
    expect(t.releaseAll(5), "nothing left").toEqual([]);
    expect(t.held(5, "a")).toBeUndefined();
  });

  it("releaseAll withdraws a waiting request (an abort while waiting); unlock of a pending upgrade drops the lock too", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    t.lock(2, "x", "S");
    t.lock(3, "x", "X");
    t.lock(2, "x", "X");
    expect(t.unlock(2, "x"), "T2 gives up its S and its upgrade").toEqual([]);
    same(show(t, "x"), "x: granted T1 S · waiting T3 X", "after T2's unlock");
    expect(t.releaseAll(3)).toEqual([]);
    same(show(t, "x"), "x: granted T1 S", "after T3's abort");
  });

  it("refuses bad modes, ids, resources and unlocks of nothing, changing nothing", () => {
    const t = new LockTable();
    t.lock(1, "x", "S");
    expectDbError(() => t.lock(2, "x", "W" as LockMode), "invalid-argument", "mode W");
    expectDbError(() => t.lock(0, "x", "S"), "invalid-argument", "txn 0");
    expectDbError(() => t.lock(1.5, "x", "S"), "invalid-argument", "txn 1.5");
    expectDbError(() => t.lock(2, "", "S"), "invalid-argument", "resource ''");
    expectDbError(() => t.unlock(2, "x"), "invalid-state", "T2 unlocks x, holding nothing");
    expectDbError(() => t.unlock(1, "y"), "invalid-state", "T1 unlocks y, holding nothing there");
    same(show(t, "x"), "x: granted T1 S", "after the refusals");
    expect(t.resources()).toEqual(["x"]);
    same(outcome(() => t.releaseAll(7)), "nothing thrown", "releaseAll of a transaction with nothing");
    expectDbError(() => t.releaseAll(0), "invalid-argument", "releaseAll(0)");
    same(show(t, "x"), "x: granted T1 S", "after releaseAll(0)");
  });
});

type Op = { txn: number; kind: "lock"; resource: string; mode: LockMode } | { txn: number; kind: "unlock"; resource: string } | { txn: number; kind: "release" };

/** The reference model: each resource a list of entries, granted ones first; written plainly, from the rules. */
function model() {
  type Entry = { txn: number; mode: LockMode; granted: boolean; from?: LockMode };
  const queues = new Map<string, Entry[]>();
  const q = (r: string) => queues.get(r) ?? (queues.set(r, []), queues.get(r)!);
  const fits = (entries: Entry[], txn: number, mode: LockMode) => entries.every((e) => !e.granted || e.txn === txn || ok(e.mode, mode));
  const order = (entries: Entry[]) => entries.sort((a, b) => Number(b.granted) - Number(a.granted));
  function wake(r: string, out: Set<number>) {
    const entries = q(r);
    for (let head = entries.find((e) => !e.granted); head && fits(entries, head.txn, head.mode); head = entries.find((e) => !e.granted)) {
      const mine = entries.find((e) => e.granted && e.txn === head!.txn);
      if (mine) {
        mine.mode = head.mode;
        entries.splice(entries.indexOf(head), 1);
      } else head.granted = true;
      out.add(head.txn);
    }
    order(entries);
  }
  return {
    apply(op: Op): string {
      if (op.kind === "lock") {
        for (const [r, entries] of queues) {
          const w = entries.find((e) => e.txn === op.txn && !e.granted);
          if (w) return r === op.resource && (w.from ? join(w.from, op.mode) : op.mode) === w.mode ? "waiting" : "invalid-state";
        }
        const entries = q(op.resource);
        const mine = entries.find((e) => e.txn === op.txn);
        if (mine) {
          if (COVERS[mine.mode].includes(op.mode)) return "granted";
          const target = join(mine.mode, op.mode);
          if (entries.some((e) => e.from)) return "deadlock";
          if (fits(entries, op.txn, target)) return (mine.mode = target), "granted";
          const at = entries.findIndex((e) => !e.granted);
          entries.splice(at < 0 ? entries.length : at, 0, { txn: op.txn, mode: target, granted: false, from: mine.mode });
          return "waiting";
        }
        const free = !entries.some((e) => !e.granted) && fits(entries, op.txn, op.mode);
        entries.push({ txn: op.txn, mode: op.mode, granted: free });
        order(entries);
        return free ? "granted" : "waiting";
      }
      if (op.kind === "unlock" && !q(op.resource).some((e) => e.txn === op.txn)) return "invalid-state";
      const rs = op.kind === "unlock" ? [op.resource] : [...queues.keys()];
      for (const r of rs) queues.set(r, q(r).filter((e) => e.txn !== op.txn));
      const out = new Set<number>();
      for (const r of rs) wake(r, out);
      return `granted [${[...out].sort((a, b) => a - b).join(",")}]`;
    },
    show: (r: string) => q(r).map((e) => `T${e.txn}${e.mode}${e.granted ? "" : e.from ? `?(${e.from})` : "?"}`).join(" "),
  };
}

describe("07.1 LockTable · against a reference model", () => {
  for (const seed of [71, 72, 73, 74]) {
    it(`seeded random locks, upgrades, unlocks and releases of 5 transactions on 3 resources (seed ${seed})`, () => {
      checkModel<Op>({
        seed,
        count: 300,
        generate: (r) => {
          const txn = 1 + r.int(5);
          const resource = r.pick(["a", "b", "a/1"]);
          const roll = r.int(10);
          if (roll < 7) return { txn, kind: "lock", resource, mode: r.pick(MODES) };
          if (roll < 9) return { txn, kind: "unlock", resource };
          return { txn, kind: "release" };
        },
        run: (ops) => {
          const t = new LockTable();
          const m = model();
          for (const op of ops) {
            const want = m.apply(op);
            let got: string;
            try {
              if (op.kind === "lock") got = t.lock(op.txn, op.resource, op.mode).kind;
              else got = `granted [${(op.kind === "unlock" ? t.unlock(op.txn, op.resource) : t.releaseAll(op.txn)).join(",")}]`;
            } catch (e) {
              const k = (e as { kind?: unknown }).kind;
              if (typeof k !== "string" || k === "not-implemented") throw e;
              got = k;
            }
            same(got, want, "the answer");
            for (const r of ["a", "b", "a/1"]) {
              const shown = t.queue(r).map((e) => `T${e.txn}${e.mode}${e.granted ? "" : e.upgradeFrom ? `?(${e.upgradeFrom})` : "?"}`).join(" ");
              same(shown, m.show(r), `the queue of ${r}`);
            }
          }
        },
        show: (op) => (op.kind === "lock" ? `T${op.txn} lock ${op.resource} ${op.mode}` : op.kind === "unlock" ? `T${op.txn} unlock ${op.resource}` : `T${op.txn} release-all`),
      });
    });
  }
});

describe("07.1 LockTable · in two-phase locking", () => {
  it("serializable 2PL on your lock table: the scan's table lock stops the insert (no phantom), and the crossing deadlock is broken", () => {
    const cc = new TwoPhaseLocking({ locks: new LockTable(), initial: [["a/1", 1]] });
    cc.begin(1);
    cc.begin(2);
    const first = cc.scan(1, "a/");
    expect(first.kind === "done" && first.rows.length).toBe(1);
    expect(cc.write(2, "a/2", 2)).toEqual({ kind: "waiting", on: "a", holders: [1] });
    expect(cc.write(1, "b", 1)).toEqual({ kind: "done" });
    cc.commit(1);
    expect(cc.write(2, "a/2", 2)).toEqual({ kind: "done" });
    cc.begin(3);
    expect(cc.write(3, "b", 3)).toEqual({ kind: "done" });
    const s = cc.write(2, "b", 2);
    expect(s).toEqual({ kind: "waiting", on: "b", holders: [3] });
    const d = cc.write(3, "a/2", 3);
    expect(d.kind === "aborted" && d.error.kind, "T3 closes the cycle and is the youngest").toBe("deadlock");
    expect(cc.write(2, "b", 2)).toEqual({ kind: "done" });
  });
});

lockManagerScripts("07.1 LockTable", () => new LockTable(), { canRewrite: false });
