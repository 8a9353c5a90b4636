/**
 * Cheap assertions for the inner loops of model-based tests. vitest's `expect` costs tens
 * of microseconds a call, which adds up over thousands of operations; these cost nothing
 * when they pass and throw a plain Error (which `checkModel` shrinks) when they fail.
 */

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes[${value.length}] ${Buffer.from(value).toString("hex").slice(0, 64)}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Throw unless `actual` is `expected` (Object.is). */
export function same<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) throw new Error(`${what}: expected ${show(expected)}, received ${show(actual)}`);
}

/** Throw unless both are undefined or both hold the same bytes. */
export function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, what: string): void {
  const equal =
    actual === expected ||
    (actual !== undefined && expected !== undefined && Buffer.from(actual).equals(Buffer.from(expected)));
  if (!equal) throw new Error(`${what}: expected ${show(expected)}, received ${show(actual)}`);
}

/** Throw unless `condition` holds. */
export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/** Throw unless `fn` throws a DbError of `kind`. */
export function throwsKind(fn: () => unknown, kind: string, what: string): void {
  try {
    fn();
  } catch (error) {
    const actual = (error as { kind?: unknown }).kind;
    if (actual === kind) return;
    throw new Error(`${what}: expected a DbError "${kind}", got ${String(error)}`);
  }
  throw new Error(`${what}: expected a DbError "${kind}", nothing was thrown`);
}
