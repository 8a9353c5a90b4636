/** Hidden suite for exercise 00.2: CRC-32C. */
import { describe, expect, it } from "vitest";
import { crc32c } from "@submission";

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bit-at-a-time CRC-32C, slow but obviously right: the model the learner's code is checked against. */
function model(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function seeded(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out[i] = seed >>> 24;
  }
  return out;
}

describe("00.2 crc32c", () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  });

  it("gives 0 for no bytes", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("matches the iSCSI test vectors (RFC 3720, B.4)", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it("returns an unsigned 32-bit number", () => {
    const c = crc32c(ascii("a"));
    expect(c).toBe(0xc1d04330);
    expect(c).toBeGreaterThan(0x7fffffff);
  });

  it("agrees with a bitwise model on 200 seeded buffers of every small size", () => {
    for (let n = 0; n < 200; n++) {
      const bytes = seeded(n, n + 1);
      expect(crc32c(bytes), `length ${n}`).toBe(model(bytes));
    }
  });

  it("continues a checksum over data that arrives in pieces", () => {
    const data = seeded(1000, 7);
    const whole = crc32c(data);
    expect(crc32c(data.subarray(300), crc32c(data.subarray(0, 300)))).toBe(whole);
  });

  it("continuing with no bytes leaves a running checksum unchanged", () => {
    for (const running of [0, 1, 0xe3069283, 0xffffffff, crc32c(ascii("page"))]) {
      expect(crc32c(new Uint8Array(0), running), `crc32c(no bytes, ${running})`).toBe(running);
    }
  });

  it("agrees with the whole for every split point of a buffer, empty pieces included", () => {
    const data = seeded(64, 5);
    const whole = model(data);
    for (let k = 0; k <= data.length; k++) {
      expect(crc32c(data.subarray(k), crc32c(data.subarray(0, k))), `split at ${k} of ${data.length}`).toBe(whole);
    }
  });

  it("checks only the bytes of a subarray view", () => {
    const buf = seeded(100, 3);
    expect(crc32c(buf.subarray(10, 20))).toBe(model(buf.slice(10, 20)));
  });

  it("changes when any single bit of a page flips", () => {
    const page = seeded(256, 11);
    const clean = crc32c(page);
    for (let bit = 0; bit < page.length * 8; bit += 37) {
      const torn = page.slice();
      torn[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc32c(torn), `bit ${bit}`).not.toBe(clean);
    }
  });
});
