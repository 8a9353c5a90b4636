/**
 * Progress bars
 * =============
 * `progress(total, label)` shows a bar that moves in place while a cell runs:
 *
 *   loading rows [#####.....] 50/100 50% 1.2s
 *
 * It is one output with a display id (a `DisplayHandle`): the first draw is a
 * `display_data`, every later one an `update_display_data` of the same id, so a loop of a
 * million `tick()`s leaves one output, not a million. Draws are rate-limited to one per
 * `intervalMs` (100 ms): a `tick()` costs a clock read unless the interval has passed.
 * `done()` always draws, so the last state shown is the true one.
 *
 * Outside the kernel (plain Node, `npm run bench`, tests) nothing can be updated in
 * place, so the bar stays silent until `done()` and then prints its final line once.
 *
 * The clock is injectable (`options.now`) so tests can check the rate limit without
 * depending on real time.
 */
import { type Displayable, MIME_BUNDLE, type MimeBundle, kernelChannel } from "./bundle.js";
import { DisplayHandle } from "./display.js";
import { escapeHtml } from "./table.js";

export interface ProgressOptions {
  /** Least time between two draws, in ms. Default 100. */
  readonly intervalMs?: number;
  /** Clock in ms; default `performance.now`. */
  readonly now?: () => number;
}

const BAR_WIDTH = 10;

export class Progress implements Displayable {
  readonly total: number;
  readonly label: string;
  readonly #handle = new DisplayHandle();
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #completed = 0;
  #lastDrawAt = Number.NEGATIVE_INFINITY;
  #finishedAt: number | undefined;

  constructor(total: number, label: string, options: ProgressOptions = {}) {
    if (!Number.isFinite(total) || total < 0) {
      throw new RangeError(`progress(): total must be a finite number ≥ 0, got ${String(total)}`);
    }
    this.total = total;
    this.label = label;
    this.#now = options.now ?? (() => performance.now());
    this.#intervalMs = options.intervalMs ?? 100;
    this.#startedAt = this.#now();
    this.#draw(false);
  }

  /** Items done so far. */
  get completed(): number {
    return this.#completed;
  }

  /** Whether `done()` has been called. */
  get finished(): boolean {
    return this.#finishedAt !== undefined;
  }

  /** Milliseconds since the bar was created (frozen at `done()`). */
  get elapsedMs(): number {
    return (this.#finishedAt ?? this.#now()) - this.#startedAt;
  }

  /** Count `n` more items done. */
  tick(n = 1): void {
    this.update(this.#completed + n);
  }

  /** Set the number of items done. Ignored after `done()`. */
  update(completed: number): void {
    if (this.finished) return;
    this.#completed = Math.max(0, completed);
    this.#draw(false);
  }

  /** Stop the clock and draw the final state (outside the kernel: print it once). */
  done(): void {
    if (this.finished) return;
    this.#finishedAt = this.#now();
    this.#draw(true);
  }

  /** The one-line text form, e.g. `load [#####.....] 50/100 50% 1.2s`. */
  get text(): string {
    const filled = Math.round(this.#fraction() * BAR_WIDTH);
    const bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
    return `${this.label} [${bar}] ${this.#completed}/${this.total} ${this.#percent()}% ${formatSeconds(this.elapsedMs)}`;
  }

  /** A small HTML bar: label, bar, done/total, percent, elapsed time and rate. */
  get html(): string {
    const percent = this.#percent();
    const color = this.finished ? "#59a14f" : "#4c78a8";
    const seconds = this.elapsedMs / 1000;
    const rate = seconds > 0 ? `${formatRate(this.#completed / seconds)}/s` : "";
    const facts = [`${this.#completed}/${this.total}`, `${percent}%`, formatSeconds(this.elapsedMs), rate]
      .filter((fact) => fact !== "")
      .join(" · ");
    return (
      `<div style="font-family:sans-serif;font-size:13px;line-height:18px">` +
      `<span style="display:inline-block;min-width:8em;margin-right:8px">${escapeHtml(this.label)}</span>` +
      `<span style="display:inline-block;vertical-align:middle;width:240px;height:10px;` +
      `background-color:#e6e6e6;border-radius:5px;overflow:hidden">` +
      `<span style="display:block;width:${percent}%;height:10px;background-color:${color}"></span></span>` +
      `<span style="margin-left:8px;color:#444">${escapeHtml(facts)}</span>` +
      `</div>`
    );
  }

  [MIME_BUNDLE](): MimeBundle {
    return { "text/html": this.html, "text/plain": this.text };
  }

  toString(): string {
    return this.text;
  }

  #fraction(): number {
    if (this.total === 0) return 1;
    return Math.min(1, this.#completed / this.total);
  }

  #percent(): number {
    return Math.floor(this.#fraction() * 100);
  }

  #draw(force: boolean): void {
    const inKernel = kernelChannel() !== undefined;
    if (!inKernel && !force) return;
    const now = this.#now();
    if (!force && now - this.#lastDrawAt < this.#intervalMs) return;
    this.#lastDrawAt = now;
    this.#handle.update(this);
  }
}

/** Start a progress bar over `total` items; it is shown at once (in the kernel). */
export function progress(total: number, label: string, options?: ProgressOptions): Progress {
  return new Progress(total, label, options);
}

/**
 * Run `fn` over `items` one at a time (awaiting each), with a progress bar; returns the
 * results in order. If `fn` throws, the bar stops where it failed and the error propagates.
 */
export async function withProgress<T, R>(
  items: Iterable<T>,
  label: string,
  fn: (item: T, index: number) => R | Promise<R>,
  options?: ProgressOptions,
): Promise<R[]> {
  const list = Array.isArray(items) ? (items as readonly T[]) : Array.from(items);
  const bar = new Progress(list.length, label, options);
  const results: R[] = [];
  try {
    for (const [index, item] of list.entries()) {
      results.push(await fn(item, index));
      bar.tick();
    }
  } finally {
    bar.done();
  }
  return results;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.floor(seconds - minutes * 60)).padStart(2, "0")}s`;
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  if (perSecond >= 100) return perSecond.toFixed(0);
  return perSecond.toFixed(1);
}
