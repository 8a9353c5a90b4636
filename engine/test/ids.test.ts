import { describe, expect, test } from "vitest";
import {
  INVALID_FRAME_ID,
  INVALID_PAGE_ID,
  INVALID_SLOT_ID,
  MAX_PAGE_ID,
  MAX_SLOT_ID,
  frameId,
  pageId,
  rid,
  ridEquals,
  ridToString,
  slotId,
} from "../src/index.js";
import { expectDbError } from "../../test-support/errors.js";

describe("typed ids", () => {
  test("sentinels are the all-ones value of their stored width", () => {
    expect(INVALID_PAGE_ID).toBe(0xffff_ffff);
    expect(INVALID_SLOT_ID).toBe(0xffff);
    expect(INVALID_FRAME_ID).toBe(-1);
    const view = new DataView(new ArrayBuffer(6));
    view.setUint32(0, INVALID_PAGE_ID, true);
    view.setUint16(4, INVALID_SLOT_ID, true);
    expect(view.getUint32(0, true)).toBe(INVALID_PAGE_ID);
    expect(view.getUint16(4, true)).toBe(INVALID_SLOT_ID);
  });

  test("constructors accept the valid range and refuse the sentinel and beyond", () => {
    expect(pageId(0)).toBe(0);
    expect(pageId(MAX_PAGE_ID)).toBe(MAX_PAGE_ID);
    expect(slotId(MAX_SLOT_ID)).toBe(MAX_SLOT_ID);
    expect(frameId(5)).toBe(5);
    expectDbError(() => pageId(INVALID_PAGE_ID), "invalid-argument");
    expectDbError(() => pageId(-1), "invalid-argument");
    expectDbError(() => pageId(1.5), "invalid-argument");
    expectDbError(() => slotId(INVALID_SLOT_ID), "invalid-argument");
    expectDbError(() => frameId(-1), "invalid-argument");
    expectDbError(() => frameId(Number.NaN), "invalid-argument");
  });

  test("a rid prints like a PostgreSQL ctid and compares by value", () => {
    const a = rid(3, 7);
    expect(ridToString(a)).toBe("(3,7)");
    expect(ridEquals(a, rid(3, 7))).toBe(true);
    expect(ridEquals(a, rid(7, 3))).toBe(false);
    expect(() => rid(-1, 0)).toThrow(/page id/);
  });
});
