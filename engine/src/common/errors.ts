/**
 * Errors
 * ======
 * One closed error type for everything the engine reports to a caller: `DbError`, with a
 * `kind` to switch on and the evidence (page id, position, SQLSTATE…) in `details`.
 * Bugs in the engine itself are not `DbError`s: `invariant()` throws `InvariantError`.
 * "Not found" is `undefined`, never an exception.
 */

export type ErrorKind =
  | "invalid-argument"
  | "out-of-range"
  | "page-full"
  | "no-free-frame"
  | "corrupt"
  | "io"
  | "not-implemented"
  /** A bounded queue refused a push because it is at capacity. */
  | "queue-full"
  /** A tuple can never fit, not even on an empty page. */
  | "tuple-too-large"
  /** The call is valid in general but not now: unpin of an unpinned page, use after close… */
  | "invalid-state"
  /** A value does not have the JavaScript type its column's SQL type needs. */
  | "type-mismatch"
  /** A null was given for a column declared NOT NULL. */
  | "null-violation"
  /** An extendible hash index cannot split a bucket again: its local depth would pass the maximum depth. */
  | "index-full"
  /** A transaction was chosen as the victim of a deadlock (details: the cycle). */
  | "deadlock"
  /** A transaction could not be serialized with others (first-updater-wins, failed validation, SSI). */
  | "serialization-failure"
  /** A lock request waited longer than its timeout (in scheduler steps). */
  | "lock-timeout";

export class DbError extends Error {
  override readonly name = "DbError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Thrown by a starter that the learner has not written yet. */
export class NotImplemented extends DbError {
  override readonly name = "NotImplemented" as "DbError";
  constructor(
    readonly exercise: string,
    readonly what: string,
  ) {
    super("not-implemented", `${what} is not implemented yet: this is exercise ${exercise}`, { exercise, what });
  }
}

export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** Assert something that can only be false if the engine has a bug. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** Exhaustiveness check for switches over tagged unions. */
export function assertNever(value: never): never {
  throw new InvariantError(`unexpected value: ${JSON.stringify(value)}`);
}
