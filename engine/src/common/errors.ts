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
  | "not-implemented";

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
