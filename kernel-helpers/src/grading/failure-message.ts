/**
 * One line per failed test: "expected E, received R"
 * ===================================================
 * The grade report gives each failed test one line. Vitest hands us the error's stack;
 * its first line is the message, in chai's words, which put the received value first:
 *
 *   AssertionError: expected 477 to be 3808858755 // Object.is equality
 *   AssertionError: expected [ 1, 2 ] to deeply equal [ 1, 3 ]
 *   checksum of "abc": expected 7 to be 9 // Object.is equality
 *
 * Every report says it the other way round, the way the exercises and the suites' own
 * messages do: `expected 3808858755, received 477` (a custom message stays in front;
 * `.not.toBe(E)` reads "expected anything but E"). Long values are shortened around the
 * first place where they differ, keeping both: a report line never loses its "received".
 * Other messages (thrown errors, `to throw`, `to have a length of`) pass through, without
 * the `AssertionError:` prefix.
 */

/** Longest line a report shows. */
export const MAX_REASON = 240;

/** chai's equality wordings; `to be` only with its `// Object.is equality` tail (toBe). */
const EQUALITY = / to (deeply equal|strictly equal|equal|be) /g;
const OBJECT_IS = " // Object.is equality";

/** Brackets and quotes balance, so a split between two values is not inside one. */
function balanced(text: string): boolean {
  const closing: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
    } else if (c in closing) {
      stack.push(closing[c]!);
    } else if (c === ")" || c === "]" || c === "}") {
      if (stack.pop() !== c) return false;
    }
  }
  return quote === undefined && stack.length === 0;
}

interface Comparison {
  readonly prefix: string;
  readonly expected: string;
  readonly received: string;
}

/** Read chai's "expected R to … E" (or an existing "expected E, received R") into its parts. */
export function parseComparison(message: string): Comparison | undefined {
  const ours = /^(.*?)expected (.*), received (.*)$/s.exec(message);
  if (ours && balanced(ours[2]!) && balanced(ours[3]!)) return { prefix: ours[1]!, expected: ours[2]!, received: ours[3]! };

  const start = /^(?:(.*?): )?expected /s.exec(message);
  if (!start) return undefined;
  const prefix = start[1] === undefined ? "" : `${start[1]}: `;
  let rest = message.slice(start[0].length);
  const objectIs = rest.endsWith(OBJECT_IS);
  if (objectIs) rest = rest.slice(0, -OBJECT_IS.length);
  for (const m of rest.matchAll(EQUALITY)) {
    if (m[1] === "be" && !objectIs) continue;
    let received = rest.slice(0, m.index);
    let expected = rest.slice(m.index + m[0].length);
    // `.not.toBe(E)`: chai says "expected R not to be E".
    const negated = received.endsWith(" not");
    if (negated) received = received.slice(0, -" not".length);
    if (!balanced(received) || !balanced(expected)) continue;
    [expected, received] = plainZeros(expected, received);
    return { prefix, expected: negated ? `anything but ${expected}` : expected, received };
  }
  return undefined;
}

/** Where two strings first differ (their common length if one starts the other). */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * At most `width` characters of `value`: from a little before index `at` (at a word
 * boundary when one is near), with `…` where something was left out.
 */
function window(value: string, at: number, width: number): string {
  if (value.length <= width) return value;
  // The leading "…" takes one character, so a window that ends at the end can start one later.
  let start = Math.max(0, Math.min(at - Math.floor(width / 3), value.length - width + 1));
  if (start > 0) {
    const space = value.indexOf(" ", start);
    if (space !== -1 && space < Math.min(start + 12, at)) start = space + 1;
  }
  const head = start > 0 ? "…" : "";
  const room = width - head.length;
  const body = value.slice(start, start + room);
  return start + room < value.length ? `${head}${body.slice(0, -1)}…` : `${head}${body}`;
}

/** chai writes zero as +0; say 0 unless a -0 is there to tell apart. */
function plainZeros(a: string, b: string): [string, string] {
  const signedZero = /(?<![\w.])-0(?![\w.])/;
  if (signedZero.test(a) || signedZero.test(b)) return [a, b];
  const plus = /(?<![\w.])\+0(?![\w.])/g;
  return [a.replace(plus, "0"), b.replace(plus, "0")];
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The first meaningful line of a test failure, in the report's words, at most MAX_REASON long. */
export function oneLine(message: string): string {
  const first = message.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("at ")) ?? message.trim();
  // The test process names errors thrown while the module loads in the message itself, so
  // a stack can say the name twice.
  const cleaned = first.replace(/^AssertionError(?: \[\w+\])?: /, "").replace(/^(\w+): \1: /, "$1: ");
  const comparison = parseComparison(cleaned);
  if (!comparison) return shorten(cleaned.endsWith(OBJECT_IS) ? cleaned.slice(0, -OBJECT_IS.length) : cleaned, MAX_REASON);
  const prefix = shorten(comparison.prefix, 80);
  const { expected, received } = comparison;
  const fixed = `${prefix}expected , received `.length;
  const width = Math.max(20, Math.floor((MAX_REASON - fixed) / 2));
  if (fixed + expected.length + received.length <= MAX_REASON) return `${prefix}expected ${expected}, received ${received}`;
  const at = firstDifference(expected, received);
  return `${prefix}expected ${window(expected, at, width)}, received ${window(received, at, width)}`;
}
