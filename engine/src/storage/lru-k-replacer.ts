/**
 * LRU-K replacer
 * ==============
 * LRU looks only at the last access, so one scan makes cold pages look hot. LRU-K
 * (O'Neil, O'Neil and Weikum, SIGMOD 1993) looks at the K-th most recent access instead.
 * A frame's *backward K-distance* is the time since its K-th most recent access, or +∞
 * when it has been accessed fewer than K times. The victim is the evictable frame with
 * the largest backward K-distance:
 *
 *   K = 2; accesses at times 1…7: f0, f2, f3, f0, f2, f1, f0; now = 7
 *
 *     frame   accesses   K-th most recent   backward K-distance
 *     f0      1, 4, 7    4                  7 − 4 = 3
 *     f1      6          —                  +∞
 *     f2      2, 5       2                  7 − 2 = 5
 *     f3      3          —                  +∞
 *
 *   evict() → f3: f1 and f3 are both at +∞; the tie goes to the frame whose earliest
 *   recorded access is oldest (3 < 6), as BusTub specifies. Then f1, f2, f0.
 *
 * A page touched once by a scan sits at +∞ and goes before any page used twice. With
 * K = 1 this is exactly LRU.
 *
 * Time is a logical counter incremented on every `recordAccess`, never the wall clock,
 * so runs are reproducible. Each tracked frame keeps its last K access times (oldest
 * first): the first of them is the K-th most recent access when K are known, and the
 * earliest access otherwise, so one comparison key orders all frames: (fewer than K
 * accesses first, then the oldest kept timestamp).
 *
 * Invariants: a history holds 1…K increasing timestamps; `evict()` forgets the victim's
 * history. Cost: `evict()` scans the tracked frames, O(frames); a production version keeps
 * the frames in a priority queue. The paper's "correlated reference period", which
 * counts a burst of accesses as one, is left out (as in BusTub).
 */
import type { FrameId } from "../common/ids.js";
import { DbError } from "../common/errors.js";
import { checkCapacity, checkFrameId, pinnedFrameError, type Replacer } from "./replacer.js";

interface History {
  /** The last ≤ K access times, oldest first. */
  readonly times: number[];
  evictable: boolean;
}

export class LruKReplacer implements Replacer {
  readonly capacity: number;
  readonly k: number;
  readonly #history = new Map<FrameId, History>();
  #now = 0;
  #evictable = 0;

  /** A replacer for frames 0 … capacity − 1 using the K-th most recent access (K ≥ 1). */
  constructor(capacity: number, k: number) {
    checkCapacity(capacity);
    if (!Number.isInteger(k) || k < 1) {
      throw new DbError("invalid-argument", `LRU-K needs a whole K ≥ 1, got ${String(k)}`, { k });
    }
    this.capacity = capacity;
    this.k = k;
  }

  /**
   * The backward K-distance of `frame` now: `Infinity` with fewer than K recorded accesses,
   * `undefined` when the frame is not tracked.
   */
  kDistance(frame: FrameId): number | undefined {
    checkFrameId(frame, this.capacity);
    const history = this.#history.get(frame);
    if (history === undefined) return undefined;
    return history.times.length < this.k ? Infinity : this.#now - (history.times[0] as number);
  }

  /** Append the next logical time to `frame`'s history (keeping the last K), tracking it if new. */
  recordAccess(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    let history = this.#history.get(frame);
    if (history === undefined) {
      history = { times: [], evictable: false };
      this.#history.set(frame, history);
    }
    history.times.push(++this.#now);
    if (history.times.length > this.k) history.times.shift();
  }

  /** See `Replacer.setEvictable`: the history is kept. */
  setEvictable(frame: FrameId, evictable: boolean): void {
    checkFrameId(frame, this.capacity);
    const history = this.#history.get(frame);
    if (history === undefined || history.evictable === evictable) return;
    history.evictable = evictable;
    this.#evictable += evictable ? 1 : -1;
  }

  /**
   * The evictable frame with the largest backward K-distance (+∞ first, ties to the oldest
   * recorded access), forgotten; `undefined` if none is evictable. O(tracked frames).
   */
  evict(): FrameId | undefined {
    let victim: FrameId | undefined;
    let victimFull = true;
    let victimTime = Infinity;
    for (const [frame, history] of this.#history) {
      if (!history.evictable) continue;
      const full = history.times.length >= this.k;
      const time = history.times[0] as number;
      // +∞ distance (not full) beats any finite one; within a group, the oldest time wins.
      if (victim === undefined || (victimFull && !full) || (victimFull === full && time < victimTime)) {
        victim = frame;
        victimFull = full;
        victimTime = time;
      }
    }
    if (victim !== undefined) {
      this.#history.delete(victim);
      this.#evictable--;
    }
    return victim;
  }

  /** See `Replacer.remove`. */
  remove(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const history = this.#history.get(frame);
    if (history === undefined) return;
    if (!history.evictable) throw pinnedFrameError(frame);
    this.#history.delete(frame);
    this.#evictable--;
  }

  /** The number of evictable frames. */
  size(): number {
    return this.#evictable;
  }
}
