/**
 * Error probes
 * ============
 * One set of helpers for "what did this call throw?", shared by the engine tests and the
 * hidden suites. Errors are recognised by `name` and `kind`, never by `instanceof`: a
 * learner's cell imports the built engine while an engine test imports its source, so two
 * `DbError` classes meet in one process and both must count.
 *
 * Two errors speak for themselves and pass straight through every probe: the starter's
 * `NotImplemented` (the grader shows it as it is) and the grader's `TimeLimitExceeded`
 * (an endless loop is not an answer to shrink or compare).
 */
import { expect } from "vitest";

/** What the probes look at in a thrown engine error. */
export interface DbErrorLike extends Error {
  readonly kind: string;
  readonly details?: Record<string, unknown>;
}

/** An unwritten starter, or the grader's loop time limit. */
export function speaksForItself(error: unknown): boolean {
  const e = error as { name?: unknown; kind?: unknown } | null | undefined;
  return e?.name === "NotImplemented" || e?.name === "TimeLimitExceeded" || e?.kind === "not-implemented";
}

/** What `fn` threw (an `undefined` throw becomes an Error), or undefined; passes nothing through. */
export function anyErrorOf(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error ?? new Error("threw undefined");
  }
}

/** What `fn` threw, or undefined. A starter's NotImplemented and the time limit go straight through. */
export function errorOf(fn: () => unknown): (Partial<DbErrorLike> & object) | undefined {
  const error = anyErrorOf(fn);
  if (speaksForItself(error)) throw error;
  return error as (Partial<DbErrorLike> & object) | undefined;
}

/** An error in one line: `DbError (out-of-range): page 9 …`, `RangeError: …`, `a thrown string x`. */
export function describeError(error: unknown): string {
  if (error === undefined) return "nothing thrown";
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return `${error.name}${kind !== undefined ? ` (${String(kind)})` : ""}: ${error.message.split("\n")[0]}`;
  }
  return `a thrown ${typeof error} ${String(error)}`;
}

/**
 * What a call did, as a short string to compare two implementations by: "nothing thrown",
 * "DbError out-of-range", or the name and message of any other error.
 */
export function outcome(fn: () => unknown): string {
  const error = errorOf(fn);
  if (error === undefined) return "nothing thrown";
  if (error.kind !== undefined) return `${String(error.name)} ${String(error.kind)}`;
  return describeError(error);
}

/**
 * The DbError of `kind` that `fn` throws; fails with "expected DbError "k", received …"
 * when it throws nothing or something else. `what` names the call in the message.
 */
export function expectDbError(fn: () => unknown, kind: string, what?: string): DbErrorLike {
  const error = errorOf(fn);
  if (error?.name !== "DbError" || error.kind !== kind) {
    expect.fail(`${what === undefined ? "" : `${what}: `}expected DbError "${kind}", received ${describeError(error)}`);
  }
  return error as DbErrorLike;
}
