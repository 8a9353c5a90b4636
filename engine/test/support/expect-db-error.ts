import { expect } from "vitest";
import { DbError, type ErrorKind } from "../../src/index.js";

/** Run `fn`, expect it to throw a DbError of `kind`, and return the error for more checks. */
export function expectDbError(fn: () => unknown, kind: ErrorKind): DbError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a DbError "${kind}"`).toBeInstanceOf(DbError);
  const error = thrown as DbError;
  expect(error.kind, error.message).toBe(kind);
  return error;
}
