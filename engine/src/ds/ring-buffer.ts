/**
 * Ring buffer
 * ===========
 * A first-in first-out queue of fixed capacity in one preallocated array. `head` is the
 * index of the oldest element; the newest is `size − 1` places after it, wrapping around
 * the end of the array. Push and shift are O(1) and never allocate, which is why WAL
 * buffers, network send queues and PostgreSQL's ring of buffers for bulk reads
 * (`BufferAccessStrategy`) are rings.
 *
 *   capacity 8, size 5, head 6 (pushed a, b, c, d, e in that order):
 *
 *     index   0   1   2   3   4   5   6   7
 *           | c | d | e | · | · | · | a | b |
 *                         ↑ tail      ↑ head
 *
 *   element i (0 = oldest) is at (head + i) mod capacity; the next push goes to the tail,
 *   (head + size) mod capacity.
 *
 * Invariants: 0 ≤ size ≤ capacity; 0 ≤ head < capacity; the slots outside the live
 * range hold `undefined`, so a shifted element is not kept alive by the buffer.
 *
 * Compared with a growable array's `shift()` (O(n): it moves every element) this never
 * moves data. Compared with PostgreSQL's rings it is simpler: one reader, no latches.
 */
import { DbError } from "../common/errors.js";

export class RingBuffer<T> {
  readonly capacity: number;
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  /** An empty queue holding at most `capacity` elements (an integer ≥ 1). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new DbError("invalid-argument", `ring buffer capacity must be an integer ≥ 1, got ${String(capacity)}`, {
        capacity,
      });
    }
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** The number of elements queued. */
  get size(): number {
    return this.#size;
  }

  /** True when a push would throw. */
  isFull(): boolean {
    return this.#size === this.capacity;
  }

  /** True when there is nothing to shift. */
  isEmpty(): boolean {
    return this.#size === 0;
  }

  /**
   * Append `item` at the tail. Throws `queue-full` (with the capacity) when the queue
   * is full; the queue is then unchanged. A full ring never overwrites its oldest element.
   */
  push(item: T): void {
    if (this.#size === this.capacity) {
      throw new DbError("queue-full", `ring buffer is full (capacity ${this.capacity})`, { capacity: this.capacity });
    }
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
  }

  /** Remove and return the oldest element, or `undefined` when the queue is empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }

  /** The oldest element without removing it, or `undefined` when the queue is empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** The i-th oldest element (0 = the next to shift), or `undefined` when i is out of range. */
  at(i: number): T | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.#size) return undefined;
    return this.#items[(this.#head + i) % this.capacity];
  }

  /** Remove every element. */
  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  /** The elements from oldest to newest, as a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#head + i) % this.capacity] as T);
    return out;
  }

  /** Iterate from oldest to newest (over a copy: pushing or shifting meanwhile is safe). */
  [Symbol.iterator](): IterableIterator<T> {
    return this.toArray()[Symbol.iterator]();
  }
}
