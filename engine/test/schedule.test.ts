/** The schedule language (notebook 07): steps, values, comments, and refusals with line and column. */
import { describe, expect, test } from "vitest";
import { formatSchedule, parseSchedule, type ScheduleStep } from "../src/index.js";
import { errorOf, expectDbError } from "../../test-support/errors.js";

const ops = (steps: readonly ScheduleStep[]) => steps.map((s) => [s.txn, s.op]);

describe("07 schedule language", () => {
  test("07 schedule: reads, writes with and without values, commit and abort, ;-separated", () => {
    const steps = parseSchedule("T1: r(x); T2: w(x, 5); T2: w(y); T1: a; T2: c");
    expect(ops(steps)).toEqual([
      [1, { kind: "read", key: "x" }],
      [2, { kind: "write", key: "x", value: 5 }],
      [2, { kind: "write", key: "y", value: "T2.y" }],
      [1, { kind: "abort" }],
      [2, { kind: "commit" }],
    ]);
    expect(steps.map((s) => [s.line, s.column])).toEqual([[1, 1], [1, 11], [1, 24], [1, 34], [1, 41]]);
  });

  test("07 schedule: one step per line, comments, blank lines, long words commit/abort", () => {
    const text = "# lost update\nT1: r(x)   # T1 reads\n\n  T2: w(x, -3)\nT2: commit\nT1: abort";
    const steps = parseSchedule(text);
    expect(ops(steps)).toEqual([
      [1, { kind: "read", key: "x" }],
      [2, { kind: "write", key: "x", value: -3 }],
      [2, { kind: "commit" }],
      [1, { kind: "abort" }],
    ]);
    expect(steps[1]).toMatchObject({ line: 4, column: 3 });
  });

  test("07 schedule: values are numbers, words or quoted text; w(x, -) deletes; default markers are unique", () => {
    const steps = parseSchedule('T1: w(a, 2.5); T1: w(b, blue); T1: w(c, "two words; # not a comment"); T1: w(d, -); T1: w(x); T1: w(x); T1: w(x)');
    expect(steps.map((s) => (s.op.kind === "write" ? s.op.value : null))).toEqual([2.5, "blue", "two words; # not a comment", undefined, "T1.x", "T1.x.2", "T1.x.3"]);
  });

  test("07 schedule: s(prefix) scans every key starting with prefix; s() scans everything", () => {
    expect(ops(parseSchedule("T1: s(accounts/); T1: s( ); T1: s()"))).toEqual([
      [1, { kind: "scan", prefix: "accounts/" }],
      [1, { kind: "scan", prefix: "" }],
      [1, { kind: "scan", prefix: "" }],
    ]);
    expect(formatSchedule(parseSchedule("T1: s(a/); T1: c"))).toBe("T1: s(a/); T1: c");
    expectDbError(() => parseSchedule("T1: s(a"), "invalid-argument", "s(a");
  });

  test("07 schedule: keys may hold / . - _ and digits", () => {
    expect(ops(parseSchedule("T1: r(accounts/7); T1: w(a.b-c_d, 1)"))).toEqual([
      [1, { kind: "read", key: "accounts/7" }],
      [1, { kind: "write", key: "a.b-c_d", value: 1 }],
    ]);
  });

  test("07 schedule: formatSchedule writes what parseSchedule reads", () => {
    const text = 'T1: r(x); T2: w(x, 5); T2: w(y, "a b"); T2: w(z, -); T2: c; T1: a';
    expect(formatSchedule(parseSchedule(text))).toBe(text);
    expect(formatSchedule(parseSchedule(formatSchedule(parseSchedule(text))))).toBe(text);
  });

  test("07 schedule: an empty text or only comments is an empty schedule", () => {
    expect(parseSchedule("")).toEqual([]);
    expect(parseSchedule("# nothing\n   \n;;")).toEqual([]);
  });

  const refusals: [string, string, number, number][] = [
    ["T1: q(x)", "unknown step", 1, 5],
    ["T1 r(x)", "expected a step", 1, 1],
    ["T1: r x", 'expected "("', 1, 7],
    ["T1: r()", "expected a key", 1, 7],
    ["T1: r(x, 1)", "a read takes one key", 1, 8],
    ["T1: w(x, 1", 'expected ")"', 1, 11],
    ['T1: w(x, "open)', "no closing quote", 1, 10],
    ["T1: w(x, @)", "expected a value", 1, 10],
    ["T1: r(x) T2: r(x)", 'expected ";"', 1, 10],
    ["T1: r(x)\nT2: r(x)\nT1: c\nT1: r(y)", "already committed or aborted", 4, 1],
    ["T2: r(x); T1: r(x)", "in the order they begin", 1, 11],
    ["T0: r(x)", "start at 1", 1, 1],
  ];
  for (const [text, what, line, column] of refusals) {
    test(`07 schedule: refuses ${JSON.stringify(text)} at line ${line}, column ${column}`, () => {
      expectDbError(() => parseSchedule(text), "invalid-argument", what);
      expect(errorOf(() => parseSchedule(text))).toMatchObject({ details: { line, column } });
    });
  }
});
