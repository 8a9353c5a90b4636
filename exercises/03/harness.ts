/**
 * Shared by the hidden suites of notebook 03 (not a suite itself: the grader runs only
 * `*.test.ts`): the replacer operations and the brute-force replacer models the learner's
 * replacers are checked against, alone and inside the engine's buffer pool. Randomness,
 * shrinking and error probes are test-support's.
 */
import { BufferPoolManager, MemoryDiskManager, type FrameId, type PageId, type Replacer } from "@workbook/engine";
import { outcome, rng, show } from "../../test-support/index.js";

// ── replacer operations ────────────────────────────────────────────────────────────────

export type ReplacerOp =
  | { readonly kind: "access"; readonly frame: number }
  | { readonly kind: "evictable"; readonly frame: number; readonly value: boolean }
  | { readonly kind: "evict" }
  | { readonly kind: "remove"; readonly frame: number };

export function showOp(op: ReplacerOp): string {
  switch (op.kind) {
    case "access":
      return `access ${op.frame}`;
    case "evictable":
      return `${op.value ? "evictable" : "pinned"} ${op.frame}`;
    case "evict":
      return "evict";
    case "remove":
      return `remove ${op.frame}`;
  }
}

/** Random operations on frames 0 … capacity − 1: mostly accesses and unpins, some evictions. */
export function randomOps(seed: number, capacity: number, length: number): ReplacerOp[] {
  const r = rng(seed);
  const ops: ReplacerOp[] = [];
  for (let i = 0; i < length; i++) {
    const x = r.int(100);
    const frame = r.int(capacity);
    if (x < 40) ops.push({ kind: "access", frame });
    else if (x < 72) ops.push({ kind: "evictable", frame, value: r.bool(0.75) });
    else if (x < 94) ops.push({ kind: "evict" });
    else ops.push({ kind: "remove", frame });
  }
  return ops;
}

/** The public surface both a submission and a model answer to. */
export type Probe<R> = (r: R, capacity: number) => unknown;

export interface Mismatch {
  readonly step?: number;
  readonly what: string;
  readonly got: unknown;
  readonly want: unknown;
}

/** Throw a mismatch as "what: expected W, received G" (for checkRun), or do nothing. */
export function throwMismatch(m: Mismatch | undefined): void {
  if (m !== undefined) throw new Error(`${m.what}: expected ${show(m.want)}, received ${show(m.got)}`);
}

/**
 * Apply `ops` to a fresh submission and a fresh model side by side; the first operation
 * after which they disagree (return value, thrown error, `size()`, or `probe`), or undefined.
 */
export function compare<R extends Replacer>(
  makeSubmission: () => R,
  makeModel: () => R,
  capacity: number,
  ops: readonly ReplacerOp[],
  probe: Probe<R>,
  probeName = "state",
): Mismatch | undefined {
  const sub = makeSubmission();
  const model = makeModel();
  for (let step = 0; step < ops.length; step++) {
    const op = ops[step]!;
    const f = op.kind === "evict" ? 0 : (op.frame as FrameId);
    let got: unknown;
    let want: unknown;
    switch (op.kind) {
      case "access":
        got = outcome(() => sub.recordAccess(f as FrameId));
        want = outcome(() => model.recordAccess(f as FrameId));
        break;
      case "evictable":
        got = outcome(() => sub.setEvictable(f as FrameId, op.value));
        want = outcome(() => model.setEvictable(f as FrameId, op.value));
        break;
      case "evict":
        got = sub.evict();
        want = model.evict();
        break;
      case "remove":
        got = outcome(() => sub.remove(f as FrameId));
        want = outcome(() => model.remove(f as FrameId));
        break;
    }
    const call = op.kind === "evict" ? "evict()" : showOp(op);
    if (!Object.is(got, want)) return { step, what: call, got, want };
    const [gotSize, wantSize] = [sub.size(), model.size()];
    if (gotSize !== wantSize) return { step, what: `size() after ${call}`, got: gotSize, want: wantSize };
    const [gotProbe, wantProbe] = [probe(sub, capacity), probe(model, capacity)];
    if (JSON.stringify(gotProbe) !== JSON.stringify(wantProbe)) {
      return { step, what: `${probeName} after ${call}`, got: gotProbe, want: wantProbe };
    }
  }
  return undefined;
}

// ── brute-force models ─────────────────────────────────────────────────────────────────

function outOfRange(frame: number, capacity: number): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= capacity) {
    throw Object.assign(new Error(`frame ${frame} out of range`), { name: "DbError", kind: "out-of-range" });
  }
}

function pinned(frame: number): Error {
  return Object.assign(new Error(`frame ${frame} is pinned`), { name: "DbError", kind: "invalid-state" });
}

/** The clock sweep, written as plainly as possible: one record per frame, a hand, a loop. */
export class ClockModel implements Replacer {
  readonly frames: { tracked: boolean; evictable: boolean; usage: number }[];
  hand = 0;
  constructor(readonly capacity: number) {
    this.frames = Array.from({ length: capacity }, () => ({ tracked: false, evictable: false, usage: 0 }));
  }
  usageCount(frame: FrameId): number | undefined {
    outOfRange(frame, this.capacity);
    const f = this.frames[frame]!;
    return f.tracked ? f.usage : undefined;
  }
  recordAccess(frame: FrameId): void {
    outOfRange(frame, this.capacity);
    const f = this.frames[frame]!;
    if (!f.tracked) Object.assign(f, { tracked: true, evictable: false, usage: 0 });
    f.usage = Math.min(5, f.usage + 1);
  }
  setEvictable(frame: FrameId, evictable: boolean): void {
    outOfRange(frame, this.capacity);
    const f = this.frames[frame]!;
    if (f.tracked) f.evictable = evictable;
  }
  evict(): FrameId | undefined {
    if (this.size() === 0) return undefined;
    for (;;) {
      const frame = this.hand;
      const f = this.frames[frame]!;
      this.hand = (this.hand + 1) % this.capacity;
      if (!f.tracked || !f.evictable) continue;
      if (f.usage > 0) {
        f.usage--;
        continue;
      }
      Object.assign(f, { tracked: false, evictable: false, usage: 0 });
      return frame as FrameId;
    }
  }
  remove(frame: FrameId): void {
    outOfRange(frame, this.capacity);
    const f = this.frames[frame]!;
    if (!f.tracked) return;
    if (!f.evictable) throw pinned(frame);
    Object.assign(f, { tracked: false, evictable: false, usage: 0 });
  }
  size(): number {
    return this.frames.filter((f) => f.tracked && f.evictable).length;
  }
}

/**
 * LRU-K by brute force: every access time of every tracked frame is kept, and evict()
 * computes each backward K-distance from scratch.
 */
export class LruKModel implements Replacer {
  now = 0;
  readonly history = new Map<number, number[]>();
  readonly evictable = new Set<number>();
  constructor(
    readonly capacity: number,
    readonly k: number,
  ) {}
  kDistance(frame: FrameId): number | undefined {
    outOfRange(frame, this.capacity);
    const h = this.history.get(frame);
    if (h === undefined) return undefined;
    return h.length < this.k ? Infinity : this.now - h[h.length - this.k]!;
  }
  recordAccess(frame: FrameId): void {
    outOfRange(frame, this.capacity);
    const h = this.history.get(frame) ?? [];
    h.push(++this.now);
    this.history.set(frame, h);
  }
  setEvictable(frame: FrameId, evictable: boolean): void {
    outOfRange(frame, this.capacity);
    if (!this.history.has(frame)) return;
    if (evictable) this.evictable.add(frame);
    else this.evictable.delete(frame);
  }
  evict(): FrameId | undefined {
    let best: number | undefined;
    for (const frame of this.evictable) {
      if (best === undefined) {
        best = frame;
        continue;
      }
      const [d, bestD] = [this.kDistance(frame as FrameId)!, this.kDistance(best as FrameId)!];
      const first = this.history.get(frame)![0]!;
      const bestFirst = this.history.get(best)![0]!;
      if (d > bestD || (d === Infinity && bestD === Infinity && first < bestFirst)) best = frame;
    }
    if (best !== undefined) {
      this.history.delete(best);
      this.evictable.delete(best);
    }
    return best as FrameId | undefined;
  }
  remove(frame: FrameId): void {
    outOfRange(frame, this.capacity);
    if (!this.history.has(frame)) return;
    if (!this.evictable.has(frame)) throw pinned(frame);
    this.history.delete(frame);
    this.evictable.delete(frame);
  }
  size(): number {
    return this.evictable.size;
  }
}

// ── a replacer inside the engine's buffer pool ─────────────────────────────────────────

export type PoolOp =
  | { readonly kind: "fetch"; readonly page: number }
  | { readonly kind: "unpin"; readonly pick: number; readonly write: boolean; readonly value: number };

export function showPoolOp(op: PoolOp): string {
  return op.kind === "fetch" ? `fetch ${op.page}` : `unpin #${op.pick}${op.write ? ` dirty=${op.value}` : ""}`;
}

/** Fetches of random pages among `pages`, interleaved with unpins (some after a write). */
export function randomPoolOps(seed: number, pages: number, length: number): PoolOp[] {
  const r = rng(seed);
  const ops: PoolOp[] = [];
  for (let i = 0; i < length; i++) {
    // Skewed towards low page ids, so that some pages are hot and eviction choices matter.
    const page = r.bool(0.6) ? r.int(Math.max(1, pages >> 2)) : r.int(pages);
    if (r.bool(0.55)) ops.push({ kind: "fetch", page });
    else ops.push({ kind: "unpin", pick: r.int(8), write: r.bool(0.4), value: 1 + r.int(250) });
  }
  return ops;
}

const PAGE = 256;

/**
 * Run `ops` on two engine buffer pools of `frames` frames over identical disks of `pages`
 * pages: one evicting with the submission, one with the model. The first step after which
 * they disagree (what a fetch returned or threw, which pages are resident, the hit/miss/
 * eviction counters, the bytes a fetch sees), or undefined.
 */
export function comparePools(
  makeSubmission: (frames: number) => Replacer,
  makeModel: (frames: number) => Replacer,
  frames: number,
  pages: number,
  ops: readonly PoolOp[],
): Mismatch | undefined {
  const side = (replacer: Replacer) => {
    const disk = new MemoryDiskManager({ pageSize: PAGE });
    for (let p = 0; p < pages; p++) {
      const id = disk.allocatePage();
      disk.writePage(id, new Uint8Array(PAGE).fill(p + 1));
    }
    return { pool: new BufferPoolManager({ frames, disk, replacer }), pins: [] as { page: number; data: Uint8Array }[] };
  };
  const sub = side(makeSubmission(frames));
  const model = side(makeModel(frames));
  const content = Array.from({ length: pages }, (_, p) => p + 1);
  for (let step = 0; step < ops.length; step++) {
    const op = ops[step]!;
    const call = showPoolOp(op);
    if (op.kind === "fetch") {
      let pinnedSub: { page: number; data: Uint8Array } | undefined;
      let pinnedModel: { page: number; data: Uint8Array } | undefined;
      const got = outcome(() => (pinnedSub = { page: op.page, data: sub.pool.fetchPage(op.page as PageId).data }));
      const want = outcome(() => (pinnedModel = { page: op.page, data: model.pool.fetchPage(op.page as PageId).data }));
      if (got !== want) return { step, what: call, got, want };
      if (pinnedSub !== undefined && pinnedModel !== undefined) {
        sub.pins.push(pinnedSub);
        model.pins.push(pinnedModel);
        const seen = pinnedSub.data[PAGE - 1];
        if (seen !== content[op.page]) return { step, what: `last byte of page ${op.page} after ${call}`, got: seen, want: content[op.page] };
      }
    } else {
      if (sub.pins.length === 0) continue;
      const i = op.pick % sub.pins.length;
      const [s, m] = [sub.pins.splice(i, 1)[0]!, model.pins.splice(i, 1)[0]!];
      if (op.write) {
        content[s.page] = op.value;
        s.data.fill(op.value);
        m.data.fill(op.value);
      }
      sub.pool.unpinPage(s.page as PageId, op.write);
      model.pool.unpinPage(m.page as PageId, op.write);
    }
    const resident = (s: typeof sub) => Array.from({ length: pages }, (_, p) => p).filter((p) => s.pool.isResident(p as PageId));
    const [gotResident, wantResident] = [resident(sub), resident(model)];
    if (JSON.stringify(gotResident) !== JSON.stringify(wantResident)) {
      return { step, what: `resident pages after ${call}`, got: gotResident.join(","), want: wantResident.join(",") };
    }
    const [gotStats, wantStats] = [sub.pool.stats, model.pool.stats];
    if (JSON.stringify(gotStats) !== JSON.stringify(wantStats)) {
      return { step, what: `pool stats after ${call}`, got: JSON.stringify(gotStats), want: JSON.stringify(wantStats) };
    }
  }
  return undefined;
}
