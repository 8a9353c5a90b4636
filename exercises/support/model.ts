/**
 * Model checking for the hidden suites: run a seeded sequence of operations against the
 * learner's structure and a model; on failure, shrink the sequence (drop ever smaller
 * chunks while it still fails) and report the short one that is left, on one line.
 */
import { expect } from "vitest";

export function errorOf(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error ?? new Error("threw undefined");
  }
}

/** Errors that say everything already: an unwritten starter, or the loop time limit. */
export function speaksForItself(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === "NotImplemented" || name === "TimeLimitExceeded";
}

/**
 * Run `ops`; on failure drop ever smaller chunks while it still fails, and report the
 * short sequence that is left, on one line: what disagreed, then the operations.
 */
export function checkModel<Op>(context: number | string, ops: readonly Op[], run: (ops: readonly Op[]) => void, show: (op: Op) => string): void {
  const failure = errorOf(() => run(ops));
  if (failure === undefined) return;
  if (speaksForItself(failure)) throw failure;
  let current = [...ops];
  let runs = 0;
  for (let chunk = Math.max(1, current.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let start = 0; start < current.length && runs < 2000; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      runs++;
      if (errorOf(() => run(candidate)) !== undefined) current = candidate;
      else start += chunk;
    }
  }
  const error = errorOf(() => run(current));
  const message = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  expect.fail(`${message.split("\n")[0]} — after ${current.length} ops (shrunk from ${ops.length}, ${typeof context === "number" ? `seed ${context}` : context}): ${current.map(show).join("; ")}`);
}
