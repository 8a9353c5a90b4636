/**
 * LRU replacer
 * ============
 * Evict the evictable frame whose most recent access is the oldest. The tracked frames
 * sit in a `Map`, whose iteration order is insertion order: an access deletes and
 * re-inserts its frame, moving it to the end, so the map always runs from least to most
 * recently used.
 *
 *   oldest access ─►  f3  f0  f5  f1  f2  ◄─ newest access
 *                     📌      ✓   ✓   📌      (📌 pinned, ✓ evictable)
 *   evict() → f5: the first evictable frame from the old end.
 *
 * Invariants: the map holds exactly the tracked frames; `size()` counts the evictable ones.
 * Cost: recordAccess and setEvictable are O(1); evict is O(number of pinned frames at the
 * old end), O(1) when few pages are pinned, which is the usual case.
 *
 * Weakness, shown in notebook 03: one sequential scan of a table larger than the pool
 * touches every frame once and flushes the whole working set ("sequential flooding").
 * LRU-K and the clock sweep resist it in different ways; PostgreSQL adds ring buffers
 * for large scans.
 */
import type { FrameId } from "../common/ids.js";
import { checkCapacity, checkFrameId, pinnedFrameError, type Replacer } from "./replacer.js";

export class LruReplacer implements Replacer {
  readonly capacity: number;
  /** Tracked frames, least recently accessed first; the value is "evictable". */
  readonly #frames = new Map<FrameId, boolean>();
  #evictable = 0;

  /** A replacer for frames 0 … capacity − 1. */
  constructor(capacity: number) {
    checkCapacity(capacity);
    this.capacity = capacity;
  }

  /** Make `frame` the most recently used (tracking it, not evictable, if new). */
  recordAccess(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const evictable = this.#frames.get(frame) ?? false;
    this.#frames.delete(frame);
    this.#frames.set(frame, evictable);
  }

  /** See `Replacer.setEvictable`: does not change the frame's recency. */
  setEvictable(frame: FrameId, evictable: boolean): void {
    checkFrameId(frame, this.capacity);
    const current = this.#frames.get(frame);
    if (current === undefined || current === evictable) return;
    this.#frames.set(frame, evictable);
    this.#evictable += evictable ? 1 : -1;
  }

  /** The evictable frame accessed least recently, forgotten; `undefined` if none is evictable. */
  evict(): FrameId | undefined {
    if (this.#evictable === 0) return undefined;
    for (const [frame, evictable] of this.#frames) {
      if (!evictable) continue;
      this.#frames.delete(frame);
      this.#evictable--;
      return frame;
    }
    return undefined;
  }

  /** See `Replacer.remove`. */
  remove(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const evictable = this.#frames.get(frame);
    if (evictable === undefined) return;
    if (!evictable) throw pinnedFrameError(frame);
    this.#frames.delete(frame);
    this.#evictable--;
  }

  /** The number of evictable frames. */
  size(): number {
    return this.#evictable;
  }
}
