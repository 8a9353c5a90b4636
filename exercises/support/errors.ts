/**
 * Error checks for the hidden suites: a learner's unwritten starter or endless loop is
 * passed through as it is (the grader shows it), anything else is described in one line.
 */
import { expect } from "vitest";

/** Not-yet-written code and the grader's time limit are not answers: let them through. */
export function rethrowUnwritten(e: unknown): void {
  if (e instanceof Error && (e.name === "NotImplemented" || e.name === "TimeLimitExceeded")) throw e;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}${(e as { kind?: unknown }).kind !== undefined ? ` (${String((e as { kind?: unknown }).kind)})` : ""}: ${e.message}`;
  return `a thrown ${typeof e} ${String(e)}`;
}

/** The error `fn` throws; fails the test when it throws none or one of another kind. */
export function expectKind(fn: () => unknown, kind: string, context: string): Error {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    rethrowUnwritten(e);
    error = e;
  }
  if (error === undefined) expect.fail(`${context}: expected a DbError of kind "${kind}", but nothing was thrown`);
  if ((error as { kind?: unknown }).kind !== kind) expect.fail(`${context}: expected a DbError of kind "${kind}", got ${describeError(error)}`);
  return error as Error;
}

/** What a thrown engine error carries that the suites look at. */
export type Failure = { kind?: string; message?: string; details?: Record<string, unknown> };

/** The error `fn` throws, or undefined. A starter's NotImplemented goes straight through. */
export function failureOf(fn: () => unknown): Failure | undefined {
  try {
    fn();
  } catch (e) {
    if ((e as Failure | null)?.kind === "not-implemented") throw e;
    return (e ?? {}) as Failure;
  }
  return undefined;
}
