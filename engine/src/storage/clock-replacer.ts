/**
 * Clock replacer (PostgreSQL's clock sweep)
 * =========================================
 * An approximation of LRU that costs nothing on a hit: each frame has a small usage
 * count, bumped on every access and capped at 5 (PostgreSQL's BM_MAX_USAGE_COUNT). To
 * find a victim, a hand sweeps the frames in a circle: a frame in use (pinned) is
 * skipped; an evictable frame with a usage count above zero has it decremented and
 * survives this pass; the first evictable frame found at zero is the victim.
 *
 *              hand
 *               ↓
 *     frame   [ 0 ][ 1 ][ 2 ][ 3 ][ 4 ][ 5 ]
 *     usage     2    0    📌   1    0    5      (📌 pinned: skipped, not decremented)
 *
 *   evict(): frame 0: 2 → 1, move on; frame 1: 0 → victim. The hand stops after frame 1.
 *
 * A frame accessed often survives up to five sweeps without being touched again, so hot
 * pages stay; a page read once by a big scan has count 1 and goes at the next pass.
 *
 * Invariants: 0 ≤ usage ≤ 5 for tracked frames, 0 for untracked ones; the hand only
 * moves forward; `evict()` ends after at most 6 turns of the circle, because every turn
 * decrements each evictable frame's count.
 *
 * PostgreSQL keeps the usage count in each buffer header and sweeps all shared buffers
 * with an atomic `nextVictimBuffer`; a new buffer starts with usage 1, as here. We also
 * skip untracked (free) frames, which PostgreSQL hands out from its free list first.
 */
import type { FrameId } from "../common/ids.js";
import { checkCapacity, checkFrameId, pinnedFrameError, type Replacer } from "./replacer.js";

/** PostgreSQL's BM_MAX_USAGE_COUNT. */
export const MAX_USAGE_COUNT = 5;

const UNTRACKED = 0;
const PINNED = 1;
const EVICTABLE = 2;

export class ClockReplacer implements Replacer {
  readonly capacity: number;
  readonly #state: Uint8Array;
  readonly #usage: Uint8Array;
  #hand = 0;
  #evictable = 0;

  /** A replacer for frames 0 … capacity − 1, with the hand at frame 0. */
  constructor(capacity: number) {
    checkCapacity(capacity);
    this.capacity = capacity;
    this.#state = new Uint8Array(capacity);
    this.#usage = new Uint8Array(capacity);
  }

  /** The frame the next sweep examines first. */
  get hand(): FrameId {
    return this.#hand as FrameId;
  }

  /** The usage count of `frame` (0…5), or `undefined` when it is not tracked. */
  usageCount(frame: FrameId): number | undefined {
    checkFrameId(frame, this.capacity);
    return this.#state[frame] === UNTRACKED ? undefined : this.#usage[frame];
  }

  /** Bump `frame`'s usage count (at most 5), tracking it, not evictable, if new. */
  recordAccess(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    if (this.#state[frame] === UNTRACKED) this.#state[frame] = PINNED;
    this.#usage[frame] = Math.min(MAX_USAGE_COUNT, (this.#usage[frame] as number) + 1);
  }

  /** See `Replacer.setEvictable`: the usage count is kept. */
  setEvictable(frame: FrameId, evictable: boolean): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED || (state === EVICTABLE) === evictable) return;
    this.#state[frame] = evictable ? EVICTABLE : PINNED;
    this.#evictable += evictable ? 1 : -1;
  }

  /**
   * Sweep from the hand: skip frames that are not evictable, decrement usage counts above
   * zero, and take the first evictable frame at zero. `undefined` if none is evictable.
   */
  evict(): FrameId | undefined {
    if (this.#evictable === 0) return undefined;
    for (;;) {
      const frame = this.#hand;
      this.#hand = (this.#hand + 1) % this.capacity;
      if (this.#state[frame] !== EVICTABLE) continue;
      const usage = this.#usage[frame] as number;
      if (usage > 0) {
        this.#usage[frame] = usage - 1;
        continue;
      }
      this.#state[frame] = UNTRACKED;
      this.#evictable--;
      return frame as FrameId;
    }
  }

  /** See `Replacer.remove`; the frame's usage count goes back to 0. */
  remove(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED) return;
    if (state === PINNED) throw pinnedFrameError(frame);
    this.#state[frame] = UNTRACKED;
    this.#usage[frame] = 0;
    this.#evictable--;
  }

  /** The number of evictable frames. */
  size(): number {
    return this.#evictable;
  }
}
