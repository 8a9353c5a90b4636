/**
 * The Replacer contract, as tests
 * ===============================
 * What every replacer promises (engine/src/storage/replacer.ts), whatever its policy:
 *
 *   untracked ──recordAccess──▶ tracked, pinned ◀──setEvictable(f, false)──┐
 *        ▲                          │ setEvictable(f, true)                 │
 *        │                          ▼                                       │
 *        └──── evict() / remove ── tracked, evictable ─────────────────────┘
 *
 * `size()` counts the evictable frames; `evict()` only ever returns one of them (which one
 * is the policy's business, tested elsewhere); `remove` refuses a pinned frame; frame ids
 * outside 0 … capacity − 1 are `out-of-range`, capacities below 1 `invalid-argument`.
 *
 * One body, two callers: the engine's tests run it against every engine replacer, the
 * hidden suites of 03.1 and 03.2 against the learner's. `make(capacity)` builds a fresh
 * replacer; each test calls it first, so a starter fails every test on its NotImplemented.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectDbError, outcome } from "../errors.js";
import { goldenTest, type GoldenCommand, type GoldenHandler, type GoldenTestOptions } from "../golden.js";
import { rng } from "../random.js";

/**
 * The engine's `Replacer`, structurally (frame ids as plain numbers): an engine test's
 * replacer (engine source) and a learner's (engine build) have different `FrameId` brands.
 */
export interface Replacer {
  readonly capacity: number;
  recordAccess(frame: number): void;
  setEvictable(frame: number, evictable: boolean): void;
  evict(): number | undefined;
  remove(frame: number): void;
  size(): number;
}

const f = (n: number) => n;

function drain(r: Replacer): number[] {
  const out: number[] = [];
  for (let v = r.evict(); v !== undefined && out.length <= r.capacity; v = r.evict()) out.push(v);
  return out;
}

/** The contract's tests, in a `describe(name)`: "03.1 clock replacer: a pinned frame is never evicted". */
export function replacerContract(name: string, make: (capacity: number) => Replacer): void {
  describe(name, () => {
    it("starts empty: size() is 0, evict() is undefined, capacity is what it was made with", () => {
      const r = make(4);
      expect(r.size(), "size() of a new replacer").toBe(0);
      expect(r.evict(), "evict() on a new replacer").toBeUndefined();
      expect(r.capacity, "capacity of a replacer made for 4 frames").toBe(4);
    });

    it("tracks an accessed frame as pinned until setEvictable(frame, true)", () => {
      const r = make(3);
      r.recordAccess(f(1));
      expect(r.size(), "size() after recordAccess(1) only").toBe(0);
      expect(r.evict(), "evict() with the only frame pinned").toBeUndefined();
      r.setEvictable(f(1), true);
      expect(r.size(), "size() after setEvictable(1, true)").toBe(1);
      expect(r.evict(), "evict() with frame 1 evictable").toBe(1);
    });

    it("a pinned frame is never evicted; evict() is undefined once only pinned frames are left", () => {
      for (let seed = 1; seed <= 60; seed++) {
        const g = rng(seed);
        const capacity = 2 + g.int(6);
        const r = make(capacity);
        for (let i = 0; i < 3 * capacity; i++) r.recordAccess(f(g.int(capacity)));
        for (let i = 0; i < capacity; i++) r.recordAccess(f(i));
        const pinned = new Set<number>();
        for (let i = 0; i < capacity; i++) {
          if (g.bool(0.4)) pinned.add(i);
          else r.setEvictable(f(i), true);
        }
        expect(r.size(), `seed ${seed}: size() with ${capacity - pinned.size} of ${capacity} frames evictable`).toBe(capacity - pinned.size);
        const evicted = drain(r);
        expect(evicted.filter((v) => pinned.has(v)), `seed ${seed}: pinned frames evicted`).toEqual([]);
        expect(evicted.sort((a, b) => a - b), `seed ${seed}: every evictable frame evicted once`).toEqual(
          Array.from({ length: capacity }, (_, i) => i).filter((i) => !pinned.has(i)),
        );
        expect(r.evict(), `seed ${seed}: evict() once only pinned frames are left`).toBeUndefined();
        expect(r.size(), `seed ${seed}: size() once only pinned frames are left`).toBe(0);
      }
    });

    it("counts evictable frames in size(); setEvictable is idempotent and ignores untracked frames", () => {
      const r = make(4);
      r.setEvictable(f(3), true);
      expect(r.size(), "setEvictable on an untracked frame").toBe(0);
      r.recordAccess(f(3));
      expect(r.size(), "an untracked frame, once accessed, is pinned: setEvictable before its access did not count").toBe(0);
      r.recordAccess(f(0));
      r.recordAccess(f(1));
      r.setEvictable(f(0), true);
      r.setEvictable(f(0), true);
      expect(r.size(), "setEvictable(0, true) twice").toBe(1);
      r.setEvictable(f(1), false);
      expect(r.size(), "setEvictable(1, false) on a pinned frame").toBe(1);
      r.setEvictable(f(1), true);
      expect(r.size(), "both evictable").toBe(2);
      r.setEvictable(f(0), false);
      r.setEvictable(f(0), false);
      expect(r.size(), "frame 0 pinned again").toBe(1);
      r.recordAccess(f(1));
      expect(r.size(), "an access leaves an evictable frame evictable").toBe(1);
    });

    it("an evicted frame is forgotten: it comes back untracked, and pinned at its next access", () => {
      const r = make(2);
      r.recordAccess(f(0));
      r.setEvictable(f(0), true);
      expect(r.evict(), "the only evictable frame").toBe(0);
      r.setEvictable(f(0), true);
      expect(r.size(), "setEvictable on the evicted (untracked) frame").toBe(0);
      r.recordAccess(f(0));
      expect(r.size(), "the evicted frame after its next access").toBe(0);
      expect(outcome(() => r.remove(f(0))), "remove of the re-accessed, pinned frame").toBe("DbError invalid-state");
    });

    it("remove() forgets an evictable frame, refuses a pinned one (invalid-state) changing nothing, ignores an untracked one", () => {
      const r = make(3);
      for (const i of [0, 1, 2]) r.recordAccess(f(i));
      for (const i of [0, 1, 2]) r.setEvictable(f(i), true);
      r.remove(f(0));
      expect(r.size(), "size() after remove(0)").toBe(2);
      expect(outcome(() => r.remove(f(0))), "remove(0) again").toBe("nothing thrown");
      expect(r.size(), "size() after removing an untracked frame").toBe(2);
      r.setEvictable(f(1), false);
      expectDbError(() => r.remove(f(1)), "invalid-state", "remove(1) while pinned");
      expect(r.size(), "size() after the refused remove").toBe(1);
      expect(drain(r), "what is left to evict").toEqual([2]);
      r.setEvictable(f(1), true);
      expect(drain(r), "frame 1, once unpinned, was still tracked").toEqual([1]);
    });

    it("refuses frame ids outside 0…capacity−1 (out-of-range) changing nothing, and capacities below 1 (invalid-argument)", () => {
      const r = make(3);
      for (const bad of [3, -1, 1.5]) {
        expect(outcome(() => r.recordAccess(f(bad))), `recordAccess(${bad}) on 3 frames`).toBe("DbError out-of-range");
        expect(outcome(() => r.setEvictable(f(bad), true)), `setEvictable(${bad}) on 3 frames`).toBe("DbError out-of-range");
        expect(outcome(() => r.remove(f(bad))), `remove(${bad}) on 3 frames`).toBe("DbError out-of-range");
      }
      expect(r.size(), "size() after the refused calls").toBe(0);
      expect(r.evict(), "evict() after the refused calls").toBeUndefined();
      for (const bad of [0, -2, 2.5]) expect(outcome(() => make(bad)), `a replacer for ${bad} frames`).toBe("DbError invalid-argument");
      expect(make(1).capacity, "capacity of a replacer for 1 frame").toBe(1);
    });
  });
}

// ── golden scripts ─────────────────────────────────────────────────────────────────────

/**
 * Commands for a replacer script:
 *   new 4            a fresh replacer for 4 frames (every script starts with one)
 *   access 0 1 1     recordAccess, frame by frame
 *   unpin 0 2        setEvictable(frame, true);  pin 0 2: setEvictable(frame, false)
 *   evict            prints the victim, or "none"
 *   remove 3         remove(3)
 *   size             prints size()
 * plus the policy's own probes (`probes`), each printing one line.
 */
export function replacerScript<R extends Replacer>(make: (capacity: number) => R, probes: Record<string, (r: R) => string> = {}): GoldenHandler {
  let r: R | undefined;
  const frames = (c: GoldenCommand) => c.args.map(Number);
  return (c) => {
    if (c.name === "new") {
      r = make(Number(c.args[0]));
      return undefined;
    }
    if (r === undefined) throw new Error(`line ${c.lineNumber}: "${c.name}" before "new <capacity>"`);
    switch (c.name) {
      case "access":
        for (const f of frames(c)) r.recordAccess(f);
        return undefined;
      case "unpin":
      case "pin":
        for (const f of frames(c)) r.setEvictable(f, c.name === "unpin");
        return undefined;
      case "evict":
        return String(r.evict() ?? "none");
      case "remove":
        for (const f of frames(c)) r.remove(f);
        return undefined;
      case "size":
        return String(r.size());
    }
    const probe = probes[c.name];
    if (probe === undefined) throw new Error(`line ${c.lineNumber}: unknown command "${c.name}"`);
    return probe(r);
  };
}

/** What the clock shows besides the Replacer contract: its hand and each frame's usage count. */
export interface ClockLike extends Replacer {
  readonly hand: number;
  usageCount(frame: number): number | undefined;
}

/** The clock replacer's golden script (clock-replacer.golden, next to this file). */
export const CLOCK_REPLACER_SCRIPT = path.join(__dirname, "clock-replacer.golden");

/** A test that runs clock-replacer.golden against `make`; `clock` prints "hand 2, usage [1 - 0 3]". */
export function clockReplacerScript(title: string, make: (capacity: number) => ClockLike, options: GoldenTestOptions = {}): void {
  const clock = (r: ClockLike) => {
    const usage = Array.from({ length: r.capacity }, (_, i) => r.usageCount(i) ?? "-");
    return `hand ${r.hand}, usage [${usage.join(" ")}]`;
  };
  goldenTest(title, CLOCK_REPLACER_SCRIPT, () => replacerScript(make, { clock }), options);
}
