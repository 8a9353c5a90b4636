/**
 * Replacer
 * ========
 * The buffer pool's eviction policy, behind one interface so that the learner's policy
 * plugs into any `BufferPool`: `new BufferPoolManager({ frames, disk, replacer: new MyClock(frames) })`.
 * The pool keeps the replacer informed of two things, and asks it one question:
 *
 *   recordAccess(f)         every time a page in frame f is fetched or created
 *   setEvictable(f, false)  when f's pin count goes from 0 to 1 (someone is using it)
 *   setEvictable(f, true)   when f's pin count drops back to 0
 *   evict()                 "which frame should I reuse?": only when no frame is free
 *   remove(f)               when f's page is deleted and the frame goes to the free list
 *
 * A frame's life in a replacer:
 *
 *   untracked ──recordAccess──► tracked, not evictable ◄──setEvictable──► tracked, evictable
 *       ▲                                                                        │
 *       └────────────────────────────── evict() / remove(f) ─────────────────────┘
 *
 * Invariants every implementation keeps: `evict()` never returns a frame that is not
 * evictable (a pinned page is never thrown out from under its user); `size()` is the
 * number of evictable frames; a frame that was evicted or removed starts afresh (no
 * history) at its next access. Frames are numbered 0 … capacity − 1, and an id outside
 * that range is a bug in the caller: `out-of-range`.
 *
 * The replacer knows frames, not pages: it never reads a page or a pin count, it only
 * hears about them. PostgreSQL folds the same information into each buffer header
 * (refcount, usage_count) and has the clock sweep read it there.
 */
import { DbError } from "../common/errors.js";
import type { FrameId } from "../common/ids.js";

export interface Replacer {
  /** The number of frames it was made for: frame ids are 0 … capacity − 1. A pool checks it is ≥ its own size. */
  readonly capacity: number;

  /**
   * Note an access to `frame`. Called on every fetch and every new page, pinned or not. A
   * frame not tracked yet becomes tracked and not evictable. Throws `out-of-range` for a
   * frame id outside 0 … capacity − 1.
   */
  recordAccess(frame: FrameId): void;

  /**
   * Allow (`true`) or forbid (`false`) evicting `frame`; `size()` follows. Setting the
   * value it already has changes nothing, and so does any call on an untracked frame.
   * Throws `out-of-range` for a frame id outside 0 … capacity − 1.
   */
  setEvictable(frame: FrameId, evictable: boolean): void;

  /**
   * Choose a victim among the evictable frames by the policy, stop tracking it (its access
   * history is forgotten) and return it; `undefined` if no frame is evictable.
   */
  evict(): FrameId | undefined;

  /**
   * Stop tracking `frame` and forget its history, as when its page is deleted. Does nothing
   * for an untracked frame. Throws `invalid-state` for a tracked frame that is not
   * evictable, and `out-of-range` for a frame id outside 0 … capacity − 1.
   */
  remove(frame: FrameId): void;

  /** The number of evictable frames. */
  size(): number;
}

/** Throw `out-of-range` unless `frame` is an integer in 0 … capacity − 1. */
export function checkFrameId(frame: FrameId, capacity: number): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= capacity) {
    throw new DbError("out-of-range", `frame ${String(frame)} is outside 0…${capacity - 1}`, { frame, capacity });
  }
}

/** Throw `invalid-argument` unless `capacity` (a number of frames) is an integer ≥ 1. */
export function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new DbError("invalid-argument", `a replacer needs a whole number of frames ≥ 1, got ${String(capacity)}`, {
      capacity,
    });
  }
}

/** The `invalid-state` error for `remove` on a frame that is not evictable. */
export function pinnedFrameError(frame: FrameId): DbError {
  return new DbError("invalid-state", `frame ${frame} is not evictable (its page is pinned) and cannot be removed`, {
    frame,
  });
}
