/**
 * Hints, one at a time
 * ====================
 * Each exercise's manifest has several hints, from a nudge to nearly the answer. A failing
 * grade report shows the first; `hint("03.1")` in a cell shows the next one each time it
 * runs (2 of 3, 3 of 3, then says there are no more), so a learner asks for exactly as much
 * help as they want. Which hints were seen is kept per kernel (on `globalThis`, so a
 * reloaded module keeps counting).
 *
 * This module is light on purpose: notebooks import it with the helpers, and it must not
 * load TypeScript or vitest (the grader loads them on the first `grade()`).
 */
import { MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { findExercise } from "./manifest.js";

const SHOWN = Symbol.for("workbook.hintsShown");

/** How many of each exercise's hints have been shown in this process. */
function shown(): Map<string, number> {
  const g = globalThis as Record<symbol, unknown>;
  g[SHOWN] ??= new Map<string, number>();
  return g[SHOWN] as Map<string, number>;
}

/** Record that hints 1…`count` of exercise `id` have been shown (a report shows the first). */
export function markHintShown(id: string, count: number): void {
  shown().set(id, Math.max(shown().get(id) ?? 0, count));
}

/** The call that shows the next hint, as a learner types it. */
export function hintCall(id: string): string {
  return `hint("${id}")`;
}

/** Escape for HTML, then show `backtick` spans as code, as the Markdown cells do. */
export function inlineHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/`([^`]+)`/g, "<code>$1</code>");
}

export class Hint {
  constructor(
    readonly id: string,
    /** 1-based number of this hint, or `undefined` when every hint has been shown. */
    readonly number: number | undefined,
    readonly total: number,
    readonly text: string,
  ) {}

  get heading(): string {
    return this.number === undefined ? `No more hints for ${this.id}` : `Hint ${this.number} of ${this.total} for ${this.id}`;
  }

  toString(): string {
    return `${this.heading}: ${this.text}`;
  }

  [MIME_BUNDLE](): MimeBundle {
    return { "text/plain": this.toString(), "text/html": `<p><b>${inlineHtml(this.heading)}:</b> ${inlineHtml(this.text)}</p>` };
  }
}

/** The next hint for exercise `id` that this kernel has not shown yet. */
export function hint(id: string): Hint {
  const exercise = findExercise(id);
  const total = exercise.hints.length;
  const next = (shown().get(id) ?? 0) + 1;
  if (next > total) {
    const text =
      total === 0
        ? "this exercise has no hints."
        : `you have seen all ${total}. Reread the exercise's contract, and compare your code with the failing test's expected and received values.`;
    return new Hint(id, undefined, total, text);
  }
  markHintShown(id, next);
  const more = next < total ? ` (run \`${hintCall(id)}\` again for hint ${next + 1})` : " (that was the last one)";
  return new Hint(id, next, total, `${exercise.hints[next - 1]!}${more}`);
}
