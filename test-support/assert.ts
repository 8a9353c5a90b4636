/**
 * Cheap assertions for the inner loops of model-based tests
 * =========================================================
 * vitest's `expect(...)` chains cost tens of microseconds a call, which adds up over
 * thousands of operations; these cost nothing when they pass and throw a plain Error
 * (which `checkRun` shrinks) when they fail. Messages read "what: expected E, received R".
 */

/** A value as a failure message shows it: strings quoted, bytes in hex, -0 and bigints marked. */
export function show(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes[${value.length}] ${Buffer.from(value).toString("hex").slice(0, 64)}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (Object.is(value, -0)) return "-0";
  if (Array.isArray(value) || (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  }
  return String(value);
}

function mismatch(what: string, expected: unknown, actual: unknown): Error {
  return new Error(`${what}: expected ${show(expected)}, received ${show(actual)}`);
}

/** Throw unless `actual` is `expected` (by `equal`; Object.is unless told). */
export function same<T>(actual: T, expected: T, what: string, equal: (a: T, b: T) => boolean = Object.is): void {
  if (!equal(actual, expected)) throw mismatch(what, expected, actual);
}

/** SameValueZero, the equality `Map` and `Set` use: NaN equals NaN, 0 equals -0. */
export function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** Throw unless both have the same JSON (for arrays and plain objects). */
export function sameJson(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw mismatch(what, expected, actual);
}

/** Throw unless both are undefined or both hold the same bytes. */
export function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, what: string): void {
  const equal =
    actual === expected ||
    (actual !== undefined && expected !== undefined && Buffer.from(actual).equals(Buffer.from(expected)));
  if (!equal) throw mismatch(what, expected, actual);
}

/** Throw unless `condition` holds. */
export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}
