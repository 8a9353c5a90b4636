/**
 * Page guards
 * ===========
 * A pin is a promise to the buffer pool: "I am using this frame, do not reuse it". Every
 * pin must be matched by exactly one unpin, on every path, exceptions included; a
 * forgotten unpin leaks a frame forever, a double unpin lets the pool evict a page that
 * someone still reads. A guard owns one pin and gives it back once:
 *
 *   const guard = pool.readPage(id);
 *   try {
 *     … guard.data …
 *   } finally {
 *     guard.release();           // unpins; a second release does nothing
 *   }
 *
 * or, shorter, `pool.withReadPage(id, (data) => …)`, which does exactly that.
 *
 * After `release()` the guard refuses to hand out `data` (`invalid-state`), so a stale
 * reference to a frame that may already hold another page fails loudly instead of
 * reading the wrong bytes. A `WritePageGuard` marks the page dirty when it is released.
 *
 * Why not `using guard = pool.readPage(id)`: explicit resource management is not in the
 * JavaScript that Node 20 runs, nor in the TypeScript that the notebook kernel type-checks
 * with, so guards are released by hand or by the `with…` helpers.
 *
 * Simpler than BusTub's guards and PostgreSQL's buffer locks: no latch is taken (one
 * operation runs at a time until notebook 07), so read and write guards differ only in
 * marking the page dirty.
 */
import { DbError } from "../common/errors.js";
import type { PageId } from "../common/ids.js";

export abstract class PageGuard {
  readonly pageId: PageId;
  #data: Uint8Array | undefined;
  readonly #unpin: () => void;

  /** Used by the buffer pool: `unpin` is called once, by the first `release()`. */
  constructor(pageId: PageId, data: Uint8Array, unpin: () => void) {
    this.pageId = pageId;
    this.#data = data;
    this.#unpin = unpin;
  }

  /** The page's bytes (the frame itself, not a copy). Throws `invalid-state` after release. */
  get data(): Uint8Array {
    if (this.#data === undefined) {
      throw new DbError("invalid-state", `the guard on page ${this.pageId} was released`, { pageId: this.pageId });
    }
    return this.#data;
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.#data === undefined;
  }

  /** Give the pin back to the pool. Idempotent. */
  release(): void {
    if (this.#data === undefined) return;
    this.#data = undefined;
    this.#unpin();
  }
}

/** A pin for reading: released without marking the page dirty. Do not write to `data`. */
export class ReadPageGuard extends PageGuard {
  readonly mode = "read";
}

/** A pin for writing: releasing it marks the page dirty, so it is written back before reuse. */
export class WritePageGuard extends PageGuard {
  readonly mode = "write";
}
