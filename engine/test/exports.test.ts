import { describe, expect, test } from "vitest";
import * as engine from "../src/index.js";

describe("the engine's public surface", () => {
  test("notebooks 01–06 can import every piece from the package root", () => {
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
      "SlottedPage", "LP_UNUSED", "LP_NORMAL", "LP_STATE_NAMES", "TupleCodec", "COLUMN_TYPES", "MAX_COLUMNS",
      // 03
      "checkFrameId", "LruReplacer", "ClockReplacer", "MAX_USAGE_COUNT", "LruKReplacer",
      "BufferPoolManager", "ReadPageGuard", "WritePageGuard",
      // 04
      "FreeSpaceTree", "HeapFile",
      // 06
      "ExtendibleHashIndex", "ENGINE_HASH_ALGORITHMS", "murmurHash32", "lowBits", "BlockRangeIndex",
      "BloomFilter", "bloomHashPair", "SSTableBuilder", "SSTableReader", "buildSSTable", "mergeIterator",
      "Memtable", "MemoryFileStore", "NodeFileStore", "LsmTree", "pickCompaction", "compactStep", "pickSizeTiered",
    ];
    const missing = expected.filter((name) => !(name in engine));
    expect(missing).toEqual([]);
  });

  test("notebooks 01 and 02 reach every exercise piece through its contract, which the engine's class fits", () => {
    // What the notebooks' choose<Contract>(…) cells do with the engine's class: no cast.
    const Table: engine.HashTableConstructor = engine.OpenAddressingHashMap;
    const table = new Table<string, number>(16).set("a", 1).set("b", 2);
    table.delete("a");
    expect([table.size, table.capacity, table.tombstones, [...table]]).toEqual([1, 16, 1, [["b", 2]]]);
    expect(table.slots().filter((s) => s.state === "full")).toEqual([{ slot: engine.hashKey("b") & 15, state: "full", key: "b", home: engine.hashKey("b") & 15 }]);

    const evicted: string[] = [];
    const Cache: engine.CacheConstructor = engine.LruCache;
    const cache = new Cache<string, number>(2, { onEvict: (key) => evicted.push(key) });
    cache.set("a", 1).set("b", 2).get("a");
    cache.set("c", 3);
    expect([cache.keys(), evicted]).toEqual([["c", "a"], ["b"]]);

    const Tree: engine.BTreeMapConstructor = engine.MemBTree;
    const tree = new Tree<number, string>({ minDegree: 2 });
    for (let k = 1; k <= 9; k++) tree.insert(k, `v${k}`);
    expect([tree.height, [...tree.range(3, 6)].map(([k]) => k), tree.snapshot().root.keys]).toEqual([3, [3, 4, 5], [4]]);

    const Page: engine.SlottedHeapPageFormat = engine.SlottedPage;
    const page = Page.init(new Uint8Array(512), 7n as engine.Lsn);
    const slot = page.insert(new Uint8Array([1, 2, 3]))!;
    expect([new Page(page.bytes).lsn, page.lower, page.upper, page.layout().slots]).toEqual([
      7n, Page.HEADER_SIZE + Page.LINE_POINTER_SIZE, 504, [{ slot, state: "normal", offset: 504, length: 3 }],
    ]);

    const Codec: engine.RowCodecConstructor = engine.TupleCodec;
    const codec = new Codec([{ name: "id", type: "int4" }, { name: "name", type: "text" }]);
    expect(codec.decode(codec.encode([7, null]))).toEqual([7, null]);
    expect(codec.layout(codec.encode([7, "ab"])).columns.map((c) => c.offset)).toEqual([8, 12]);
  });
});
