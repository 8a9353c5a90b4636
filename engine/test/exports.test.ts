import { describe, expect, test } from "vitest";
import * as engine from "../src/index.js";

describe("the engine's public surface", () => {
  test("notebooks 01–04 can import every piece from the package root", () => {
    const expected = [
      // common
      "DbError", "NotImplemented", "InvariantError", "invariant", "assertNever",
      "pageId", "frameId", "slotId", "rid", "ridEquals", "ridToString",
      "INVALID_PAGE_ID", "INVALID_FRAME_ID", "INVALID_SLOT_ID", "INVALID_LSN", "INVALID_RID",
      "Random", "LITTLE_ENDIAN", "MAXALIGN", "viewOf", "alignUp", "alignDown",
      // 01
      "RingBuffer", "OpenAddressingHashMap", "hashKey", "LruCache", "MemBTree", "defaultCompare",
      // 02
      "DEFAULT_PAGE_SIZE", "checkPageSize", "MemoryDiskManager", "FileDiskManager", "checkPageId", "checkPageBuffer",
      "SlottedPage", "LP_UNUSED", "LP_NORMAL", "TupleCodec", "COLUMN_TYPES",
      // 03
      "checkFrameId", "LruReplacer", "ClockReplacer", "MAX_USAGE_COUNT", "LruKReplacer",
      "BufferPoolManager", "ReadPageGuard", "WritePageGuard",
      // 04
      "FreeSpaceTree", "HeapFile",
    ];
    const missing = expected.filter((name) => !(name in engine));
    expect(missing).toEqual([]);
  });
});
