/**
 * LRU replacer
 * ============
 * Evict the evictable frame whose most recent access is the oldest. The tracked frames
 * form the textbook LRU list: a doubly linked list in recency order, where an access
 * unlinks its frame and relinks it at the newest end, and a victim is found from the
 * oldest end.
 *
 *   oldest access ─►  f3 ⇄ f0 ⇄ f5 ⇄ f1 ⇄ f2  ◄─ newest access
 *                     📌        ✓    ✓    📌      (📌 pinned, ✓ evictable)
 *   evict() → f5: the first evictable frame from the old end.
 *
 * The list is *intrusive* and lives in typed arrays, one slot per frame plus a sentinel
 * (index `capacity`) that closes it into a ring, so no link is ever null:
 *
 *   prev: Int32Array(capacity + 1)   next: Int32Array(capacity + 1)
 *   state: Uint8Array(capacity)      0 untracked · 1 tracked, pinned · 2 tracked, evictable
 *
 *        ┌──────────────────────── sentinel (capacity) ◄───────────────────────┐
 *        └─► next ─► f3 ─► f0 ─► f5 ─► f1 ─► f2 ─► next ───────────────────────┘
 *
 * A frame *is* its list node: moving it to the front is four array writes, with no
 * allocation, no hashing and no `Map` delete + set (which is what made the first version
 * 50–100× a `Map.get` per hit). This is how the LRU list is drawn in textbooks, and how
 * C code keeps it (Linux's `list_head`, PostgreSQL's `dlist`).
 *
 * Invariants: the ring holds exactly the tracked frames; `size()` counts the evictable
 * ones. Cost: recordAccess and setEvictable are O(1); evict is O(number of pinned frames
 * at the old end), O(1) when few pages are pinned, which is the usual case.
 *
 * Weakness, shown in notebook 03: one sequential scan of a table larger than the pool
 * touches every frame once and flushes the whole working set ("sequential flooding").
 * LRU-K and the clock sweep resist it in different ways; PostgreSQL adds ring buffers
 * for large scans.
 */
import type { FrameId } from "../common/ids.js";
import { checkCapacity, checkFrameId, pinnedFrameError, type Replacer } from "./replacer.js";

const UNTRACKED = 0;
const PINNED = 1;
const EVICTABLE = 2;

export class LruReplacer implements Replacer {
  readonly capacity: number;
  /** Links of the recency ring; index `capacity` is the sentinel: next = oldest, prev = newest. */
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #state: Uint8Array;
  #evictable = 0;

  /** A replacer for frames 0 … capacity − 1. */
  constructor(capacity: number) {
    checkCapacity(capacity);
    this.capacity = capacity;
    this.#prev = new Int32Array(capacity + 1).fill(capacity);
    this.#next = new Int32Array(capacity + 1).fill(capacity);
    this.#state = new Uint8Array(capacity);
  }

  /** Make `frame` the most recently used (tracking it, not evictable, if new). */
  recordAccess(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    if (this.#state[frame] === UNTRACKED) this.#state[frame] = PINNED;
    else this.#unlink(frame);
    // Link before the sentinel: the newest end.
    const sentinel = this.capacity;
    const newest = this.#prev[sentinel] as number;
    this.#prev[frame] = newest;
    this.#next[frame] = sentinel;
    this.#next[newest] = frame;
    this.#prev[sentinel] = frame;
  }

  /** See `Replacer.setEvictable`: does not change the frame's recency. */
  setEvictable(frame: FrameId, evictable: boolean): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED || (state === EVICTABLE) === evictable) return;
    this.#state[frame] = evictable ? EVICTABLE : PINNED;
    this.#evictable += evictable ? 1 : -1;
  }

  /** The evictable frame accessed least recently, forgotten; `undefined` if none is evictable. */
  evict(): FrameId | undefined {
    if (this.#evictable === 0) return undefined;
    const sentinel = this.capacity;
    for (let frame = this.#next[sentinel] as number; frame !== sentinel; frame = this.#next[frame] as number) {
      if (this.#state[frame] !== EVICTABLE) continue;
      this.#forget(frame);
      return frame as FrameId;
    }
    return undefined;
  }

  /** See `Replacer.remove`. */
  remove(frame: FrameId): void {
    checkFrameId(frame, this.capacity);
    const state = this.#state[frame];
    if (state === UNTRACKED) return;
    if (state === PINNED) throw pinnedFrameError(frame);
    this.#forget(frame);
  }

  /** The number of evictable frames. */
  size(): number {
    return this.#evictable;
  }

  /** Untrack an evictable frame. */
  #forget(frame: number): void {
    this.#unlink(frame);
    this.#state[frame] = UNTRACKED;
    this.#evictable--;
  }

  #unlink(frame: number): void {
    const before = this.#prev[frame] as number;
    const after = this.#next[frame] as number;
    this.#next[before] = after;
    this.#prev[after] = before;
  }
}
