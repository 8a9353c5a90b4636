/**
 * Grade report lines say "expected E, received R", from real vitest failures: chai's
 * "expected R to be E" is turned round, nothing before "received" is cut, long values are
 * shortened around where they differ, and no `AssertionError:` or `// Object.is equality`
 * is left over.
 */
import { afterAll, beforeAll, chai, describe, expect, it } from "vitest";
import { MAX_REASON, oneLine } from "../src/grading/failure-message.js";
import { gradeSource } from "../src/grading/grade.js";

/** The stack vitest reports for a failing assertion (what the JSON reporter carries). */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (e) {
    return (e as Error).stack ?? String(e);
  }
  throw new Error("the assertion passed");
}

describe("grade report lines", () => {
  // As exercises/setup.ts sets it for every hidden suite.
  const threshold = chai.config.truncateThreshold;
  beforeAll(() => void (chai.config.truncateThreshold = 0));
  afterAll(() => void (chai.config.truncateThreshold = threshold));

  it("turns toBe round: expected first, received second", () => {
    const stack = failure(() => expect(477).toBe(3808858755));
    expect(stack).toMatch(/^AssertionError: expected 477 to be 3808858755 \/\/ Object\.is equality/);
    expect(oneLine(stack)).toBe("expected 3808858755, received 477");
  });

  it("keeps a custom message in front", () => {
    expect(oneLine(failure(() => expect(7, 'crc32c("abc")').toBe(9)))).toBe('crc32c("abc"): expected 9, received 7');
  });

  it("turns deep equality round, with the whole values", () => {
    const received = { lsn: 5n, type: 7, flags: 0, length: 12 };
    const expected = { lsn: 5n, type: 7, flags: 1, length: 12 };
    expect(oneLine(failure(() => expect(received).toEqual(expected)))).toBe(
      "expected { lsn: 5n, type: 7, flags: 1, length: 12 }, received { lsn: 5n, type: 7, flags: 0, length: 12 }",
    );
    expect(oneLine(failure(() => expect([1, 2]).toStrictEqual([1, 3])))).toBe("expected [ 1, 3 ], received [ 1, 2 ]");
  });

  it("reads .not.toBe and says 0 for chai's +0", () => {
    expect(oneLine(failure(() => expect(0, "bit 0").not.toBe(0)))).toBe("bit 0: expected anything but 0, received 0");
    expect(oneLine(failure(() => expect(-0).toBe(0)))).toBe("expected +0, received -0");
  });

  it("never cuts off the received value: long values are shortened around the difference", () => {
    const expected = Array.from({ length: 200 }, (_, i) => i);
    const received = expected.map((v) => (v === 150 ? -1 : v));
    const line = oneLine(failure(() => expect(received, "after 200 inserts").toEqual(expected)));
    expect(line.length).toBeLessThanOrEqual(MAX_REASON);
    expect(line).toMatch(/^after 200 inserts: expected …[^,]/);
    const [, e, r] = /expected (.*), received (.*)$/.exec(line)!;
    expect(e).toContain("149, 150, 151");
    expect(r).toContain("149, -1, 151");
  });

  it("passes other failures through without the assertion library's words", () => {
    expect(oneLine(failure(() => expect([1, 2]).toHaveLength(3)))).toBe("expected [ 1, 2 ] to have a length of 3 but got 2");
    expect(oneLine("NotImplemented: 00.2 crc32c is not written yet\n    at crc32c (submission.ts:3:9)")).toBe(
      "NotImplemented: 00.2 crc32c is not written yet",
    );
    expect(oneLine("TimeLimitExceeded: TimeLimitExceeded: your code ran longer than 5 s")).toBe("TimeLimitExceeded: your code ran longer than 5 s");
    const thrown = failure(() => expect(() => undefined).toThrow(RangeError));
    expect(oneLine(thrown)).not.toMatch(/AssertionError|Object\.is/);
  });

  it("leaves a message that already says expected and received as it is, shortening its values", () => {
    expect(oneLine("length 1: expected 3285949405, received 0")).toBe("length 1: expected 3285949405, received 0");
    const long = `model run 3: expected ${"a".repeat(300)}X, received ${"a".repeat(300)}Y`;
    const line = oneLine(long);
    expect(line.length).toBeLessThanOrEqual(MAX_REASON);
    expect(line).toMatch(/^model run 3: expected …a+X, received …a+Y$/);
  });
});

describe("a hidden suite's deep-equality failure, graded", () => {
  it("shows both whole values, expected first (exercises/setup.ts turns off chai's truncation)", async () => {
    const cell = [
      "// Exercise 00.1 · a decoder that loses the low flag bit",
      'import { type LogRecordHeader, encodeLogHeader as encode, decodeLogHeader as decode } from "@workbook/engine";',
      "function encodeLogHeader(header: LogRecordHeader): Uint8Array {",
      "  return encode(header);",
      "}",
      "function decodeLogHeader(bytes: Uint8Array, offset = 0): LogRecordHeader {",
      "  const h = decode(bytes, offset);",
      "  return { ...h, flags: h.flags & 0xfe };",
      "}",
    ].join("\n");
    const report = await gradeSource("00.1", cell);
    const reasons = report.tests.filter((t) => !t.passed).map((t) => t.reason!);
    const deep = reasons.filter((r) => /expected \{ .*flags.* \}, received \{ .*flags.* \}$/.test(r));
    expect(deep.length, reasons.join("\n")).toBeGreaterThan(0);
    for (const r of reasons) expect(r).not.toMatch(/…\(\d+\)|AssertionError|Object\.is equality/);
  }, 120_000);
});
