/** Hidden suite for exercise 00.1: the log record header codec. */
import { describe, expect, it } from "vitest";
import { describeError, errorOf, rng } from "../../test-support/index.js";
import { decodeLogHeader, encodeLogHeader } from "@submission";

type Header = { lsn: bigint; txnId: number; type: number; flags: number; length: number };


const sample: Header = { lsn: 0x0102030405060708n, txnId: 0x0a0b0c0d, type: 7, flags: 0x81, length: 0x1234 };

describe("00.1 encodeLogHeader", () => {
  it("writes the 16-byte little-endian layout exactly", () => {
    expect([...encodeLogHeader(sample)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a, 7, 0x81, 0x34, 0x12]);
  });

  it("returns a Uint8Array of exactly 16 bytes", () => {
    const bytes = encodeLogHeader({ lsn: 0n, txnId: 0, type: 0, flags: 0, length: 0 });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(16);
    expect([...bytes]).toEqual(new Array(16).fill(0));
  });

  it("keeps an lsn above 2^53 exact", () => {
    const lsn = 2n ** 60n + 12345n;
    expect(decodeLogHeader(encodeLogHeader({ ...sample, lsn })).lsn).toBe(lsn);
  });

  it("accepts every field at its maximum", () => {
    const max = { lsn: 2n ** 64n - 1n, txnId: 2 ** 32 - 1, type: 255, flags: 255, length: 65535 };
    expect([...encodeLogHeader(max)]).toEqual(new Array(16).fill(255));
  });

  it.each([
    ["txnId", { txnId: 2 ** 32 }],
    ["txnId", { txnId: -1 }],
    ["txnId", { txnId: 1.5 }],
    ["type", { type: 256 }],
    ["type", { type: 2.5 }],
    ["flags", { flags: -1 }],
    ["flags", { flags: 256 }],
    ["flags", { flags: 65535 }],
    ["flags", { flags: 0.5 }],
    ["length", { length: 65536 }],
    ["length", { length: 1.5 }],
  ])("refuses an out-of-range %s with a RangeError naming the field (%o)", (field, patch) => {
    expect(() => encodeLogHeader({ ...sample, ...patch })).toThrow(RangeError);
    expect(() => encodeLogHeader({ ...sample, ...patch })).toThrow(field);
  });

  it("refuses 300 seeded values that do not fit their field exactly, never wrapping or truncating them", () => {
    const r = rng(7);
    const limits = { txnId: 2 ** 32 - 1, type: 255, flags: 255, length: 65535 } as const;
    for (let i = 0; i < 300; i++) {
      const field = r.pick(Object.keys(limits) as (keyof typeof limits)[]);
      const max = limits[field];
      // Too big by up to 2^16, or an in-range value with a fraction.
      const value = r.bool() ? max + 1 + r.int(65536) : r.int(max) + 0.25 + r.int(3) / 4;
      const thrown = errorOf(() => encodeLogHeader({ ...sample, [field]: value }));
      if (!(thrown instanceof RangeError && thrown.message.includes(field))) {
        expect.fail(`encodeLogHeader with ${field} = ${value}: expected a RangeError naming ${field}, received ${describeError(thrown)}`);
      }
    }
  });

  it("refuses an lsn given as a number, naming the field", () => {
    expect(() => encodeLogHeader({ ...sample, lsn: 5 as unknown as bigint })).toThrow(RangeError);
    expect(() => encodeLogHeader({ ...sample, lsn: 5 as unknown as bigint })).toThrow("lsn");
  });

  it.each([[-1n], [2n ** 64n]])("refuses lsn %s with a RangeError", (lsn) => {
    expect(() => encodeLogHeader({ ...sample, lsn })).toThrow(RangeError);
    expect(() => encodeLogHeader({ ...sample, lsn })).toThrow("lsn");
  });
});

describe("00.1 decodeLogHeader", () => {
  it("reads the layout exactly", () => {
    const bytes = new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a, 7, 0x81, 0x34, 0x12]);
    expect(decodeLogHeader(bytes)).toEqual(sample);
  });

  it("round-trips 500 seeded random headers", () => {
    const r = rng(42);
    for (let i = 0; i < 500; i++) {
      const h: Header = {
        lsn: (BigInt(r.int(2 ** 32)) << 32n) | BigInt(r.int(2 ** 32)),
        txnId: r.int(2 ** 32),
        type: r.int(256),
        flags: r.int(256),
        length: r.int(65536),
      };
      expect(decodeLogHeader(encodeLogHeader(h)), `header #${i}`).toEqual(h);
    }
  });

  it("decodes a header at an offset inside a larger buffer", () => {
    const buf = new Uint8Array(40);
    buf.set(encodeLogHeader(sample), 20);
    expect(decodeLogHeader(buf, 20)).toEqual(sample);
  });

  it("decodes from a subarray view whose byteOffset is not zero", () => {
    const buf = new Uint8Array(64).fill(0xee);
    buf.set(encodeLogHeader(sample), 24);
    const view = buf.subarray(8);
    expect(decodeLogHeader(view, 16)).toEqual(sample);
  });

  it("refuses a buffer one byte short with a RangeError", () => {
    expect(() => decodeLogHeader(new Uint8Array(15))).toThrow(RangeError);
    expect(() => decodeLogHeader(new Uint8Array(20), 5)).toThrow(RangeError);
  });

  it("refuses a short view even when the buffer behind it is longer", () => {
    const buf = new Uint8Array(64);
    buf.set(encodeLogHeader(sample), 0);
    expect(() => decodeLogHeader(buf.subarray(0, 10))).toThrow(RangeError);
    expect(() => decodeLogHeader(buf.subarray(0, 20), 8)).toThrow(RangeError);
  });

  it("refuses a negative or fractional offset, even inside a larger buffer", () => {
    const buf = new Uint8Array(64);
    expect(() => decodeLogHeader(buf.subarray(16), -4)).toThrow(RangeError);
    expect(() => decodeLogHeader(buf, 1.5)).toThrow(RangeError);
  });

  it("leaves its input unchanged", () => {
    const bytes = encodeLogHeader(sample);
    const copy = [...bytes];
    decodeLogHeader(bytes);
    expect([...bytes]).toEqual(copy);
  });
});
