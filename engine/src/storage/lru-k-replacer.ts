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
 * so runs are reproducible. Each tracked frame keeps its last K access times in a ring of
 * K slots, all frames' rings in one typed array (no array per frame, no `shift()`):
 *
 *   times: Float64Array(capacity × K)     frame f's ring is times[f·K … f·K + K − 1]
 *   count[f]: accesses kept (0…K)         head[f]: the ring slot of the oldest kept time
 *
 *   K = 3, frame f accessed at 4, 9, 12, then 15:   [ 4,  9, 12]  head 0, count 3
 *                                                   [15,  9, 12]  head 1: 15 overwrote 4
 *
 * The oldest kept time, times[f·K + head[f]], is the K-th most recent access when K are
 * known and the earliest access otherwise, so one comparison key orders all frames:
 * (fewer than K accesses first, then the oldest kept time). An access is a write and an
 * increment, whatever K is.
 *
 * Invariants: a ring holds 1…K increasing timestamps from head; `evict()` forgets the
 * victim's history. Cost: `evict()` scans the frames, O(capacity); a production version
 * keeps them in a priority queue. The paper's "correlated reference period", which
 * counts a burst of accesses as one, is left out (as in BusTub).
 */
import type { FrameId } from "../common/ids.js";
import { DbError } from "../common/errors.js";
import { checkCapacity, checkFrameId, pinnedFrameError, type Replacer } from "./replacer.js";

const UNTRACKED = 0;
const PINNED = 1;
const EVICTABLE = 2;

export class LruKReplacer implements Replacer {
  readonly capacity: number;
  readonly k: number;
  /** Each frame's last ≤ K access times, a ring of K slots per frame. */
  readonly #times: Float64Array;
  readonly #head: Int32Array;
  readonly #count: Int32Array;
  /** 0 untracked · 1 tracked, pinned · 2 tracked, evictable. */
  readonly #state: Uint8Array;
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
    this.#times = new Float64Array(capacity * k);
    this.#head = new Int32Array(capacity);
    this.#count = new Int32Array(capacity);
    this.#state = new Uint8Array(capacity);
  }

  /**
   * The backward K-distance of `frame` now: `Infinity` with fewer than K recorded accesses,
   * `undefined` when the frame is not tracked.
   */
  kDistance(frame: FrameId): number | undefined {
    checkFrameId(frame, this.capacity);
    if (this.#state[frame] === UNTRACKED) return undefined;
    return (this.#count[frame] as number) < this.k ? Infinity : this.#now - this.#oldest(frame);
  }

  /** Record the next logical time in `frame`'s ring (keeping the last K), tracking it if new. */
  recordAccess(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const k = this.k;
    if (this.#state[frame] === UNTRACKED) {
      this.#state[frame] = PINNED;
      this.#head[frame] = 0;
      this.#count[frame] = 0;
    }
    const count = this.#count[frame] as number;
    const head = this.#head[frame] as number;
    if (count < k) {
      this.#times[frame * k + ((head + count) % k)] = ++this.#now;
      this.#count[frame] = count + 1;
    } else {
      // Full: the new time replaces the oldest, and the next slot becomes the oldest.
      this.#times[frame * k + head] = ++this.#now;
      this.#head[frame] = head + 1 === k ? 0 : head + 1;
    }
  }

  /** See `Replacer.setEvictable`: the history is kept. */
  setEvictable(frame: FrameId, evictable: boolean): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED || (state === EVICTABLE) === evictable) return;
    this.#state[frame] = evictable ? EVICTABLE : PINNED;
    this.#evictable += evictable ? 1 : -1;
  }

  /**
   * The evictable frame with the largest backward K-distance (+∞ first, ties to the oldest
   * recorded access), forgotten; `undefined` if none is evictable. O(capacity).
   */
  evict(): FrameId | undefined {
    if (this.#evictable === 0) return undefined;
    let victim = -1;
    let victimFull = true;
    let victimTime = Infinity;
    for (let frame = 0; frame < this.capacity; frame++) {
      if (this.#state[frame] !== EVICTABLE) continue;
      const full = (this.#count[frame] as number) >= this.k;
      const time = this.#oldest(frame);
      // +∞ distance (not full) beats any finite one; within a group, the oldest time wins.
      if (victim < 0 || (victimFull && !full) || (victimFull === full && time < victimTime)) {
        victim = frame;
        victimFull = full;
        victimTime = time;
      }
    }
    if (victim < 0) return undefined;
    this.#state[victim] = UNTRACKED;
    this.#evictable--;
    return victim as FrameId;
  }

  /** See `Replacer.remove`. */
  remove(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED) return;
    if (state === PINNED) throw pinnedFrameError(frame);
    this.#state[frame] = UNTRACKED;
    this.#evictable--;
  }

  /** The number of evictable frames. */
  size(): number {
    return this.#evictable;
  }

  /** The oldest kept access time of a tracked frame. */
  #oldest(frame: number): number {
    return this.#times[frame * this.k + (this.#head[frame] as number)] as number;
  }
}
