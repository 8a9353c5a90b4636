import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  BufferPoolManager,
  ENGINE_HASH_ALGORITHMS,
  ExtendibleHashIndex,
  FileDiskManager,
  HashBucketPage,
  LruReplacer,
  MemoryDiskManager,
  decodeKey,
  encodeKey,
  keyFormatter,
  murmurHash32,
  maxDirectoryDepth,
  rid,
  ridToString,
  type BufferPool,
  type ExtendibleHashOptions,
  type HashIndexSnapshot,
  type PageId,
} from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { expectDbError } from "../../test-support/errors.js";

const PAGE = 256;
const identity = (key: Uint8Array) => Number(decodeKey(key, "int"));
const ints = keyFormatter("int");

function poolOf(frames = 4, pageSize = PAGE): BufferPool {
  const disk = new MemoryDiskManager({ pageSize });
  return new BufferPoolManager({ frames, disk, replacer: new LruReplacer(frames) });
}

function indexOf(options: ExtendibleHashOptions = {}, frames = 4): ExtendibleHashIndex {
  return ExtendibleHashIndex.create(poolOf(frames), options);
}

function pinned(pool: BufferPool): string {
  return pool
    .snapshot()
    .filter((f) => f.pinCount > 0)
    .map((f) => `page ${String(f.pageId)} ×${f.pinCount}`)
    .join(", ");
}

/** Slot → keys of its bucket and its local depth, as "00:d2[0 4]". */
function layout(snap: HashIndexSnapshot): string {
  const keysOf = new Map(snap.buckets.map((b) => [b.pageId, b.keys.join(" ")]));
  return snap.directory.map((s) => `${s.bits}:d${s.localDepth}[${keysOf.get(s.bucketId)}]`).join(" ");
}

describe("hash function", () => {
  test("murmurHash32 gives MurmurHash3 x86_32's published values", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(murmurHash32(text(""))).toBe(0);
    expect(murmurHash32(text(""), 1)).toBe(0x514e28b7);
    expect(murmurHash32(text("hello"))).toBe(0x248bfa47);
    expect(murmurHash32(text("Hello, world!"), 1234)).toBe(0xfaf6cdb3);
    expect(murmurHash32(text("The quick brown fox jumps over the lazy dog"))).toBe(0x2e4ff723);
  });

  test("consecutive int keys spread over the low bits", () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[murmurHash32(encodeKey(i)) & 15]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

describe("ExtendibleHashIndex", () => {
  test("forced splits with the identity hash: exact directory after each insert", () => {
    const index = indexOf({ hash: identity, bucketCapacity: 2 });
    const steps: string[] = [];
    for (const k of [0, 4, 1, 8, 2, 6]) {
      index.insert(k, rid(k, 0));
      index.check();
      steps.push(layout(index.snapshot(ints)));
    }
    expect(steps).toEqual([
      ":d0[0]",
      ":d0[0 4]",
      "0:d1[0 4] 1:d1[1]",
      // 0, 4, 8 share bits …00: split to depth 2 (doubling), then to depth 3 (doubling again).
      "000:d3[0 8] 001:d1[1] 010:d2[] 011:d1[1] 100:d3[4] 101:d1[1] 110:d2[] 111:d1[1]",
      "000:d3[0 8] 001:d1[1] 010:d2[2] 011:d1[1] 100:d3[4] 101:d1[1] 110:d2[2] 111:d1[1]",
      "000:d3[0 8] 001:d1[1] 010:d2[2 6] 011:d1[1] 100:d3[4] 101:d1[1] 110:d2[2 6] 111:d1[1]",
    ]);
    expect(index.globalDepth).toBe(3);
    expect(index.bucketCount).toBe(4);
    expect(index.stats()).toMatchObject({ entries: 6, directorySlots: 8, buckets: 4, pages: 5, minEntries: 1, maxEntries: 2 });
  });

  test("model-based against a Map: inserts, gets and deletes, check() after every change (3 frames)", () => {
    checkModel({
      seed: 601,
      count: 700,
      generate: (r, i) => {
        const key = r.int(80);
        const x = r.int(100);
        const grow = i % 350 < 200;
        return x < (grow ? 60 : 25) ? { op: "insert", key } : x < 85 ? { op: "delete", key } : { op: "get", key };
      },
      run: (ops) => {
        const index = indexOf({ bucketCapacity: 6 }, 3);
        const model = new Map<number, string>();
        for (const [i, o] of ops.entries()) {
          const r = rid(o.key, i % 7);
          let got: unknown;
          let want: unknown;
          if (o.op === "insert") {
            want = !model.has(o.key);
            if (want) model.set(o.key, ridToString(r));
            got = index.insert(o.key, r);
          } else if (o.op === "delete") {
            want = model.delete(o.key);
            got = index.delete(o.key);
          } else {
            want = model.get(o.key) ?? "none";
            const found = index.get(o.key);
            got = found === undefined ? "none" : ridToString(found);
          }
          if (got !== want) throw new Error(`${o.op}(${o.key}): expected ${String(want)}, received ${String(got)}`);
          if (index.size !== model.size) throw new Error(`size after ${o.op}(${o.key}): expected ${model.size}, received ${index.size}`);
          index.check();
          const pins = pinned(index.pool);
          if (pins !== "") throw new Error(`pages left pinned after ${o.op}(${o.key}): ${pins}`);
        }
        const all = [...index.entries()].map((e) => `${String(decodeKey(e.key, "int"))}→${ridToString(e.rid)}`).sort();
        const expected = [...model].map(([k, r]) => `${k}→${r}`).sort();
        if (all.join(",") !== expected.join(",")) throw new Error(`entries(): expected ${expected.length}, received ${all.length}`);
      },
    });
  });

  test("deletes merge buddies and shrink the directory back to depth 0", () => {
    const index = indexOf({ hash: identity, bucketCapacity: 2 });
    for (const k of [0, 4, 1, 8, 2, 6]) index.insert(k, rid(k, 0));
    expect(index.globalDepth).toBe(3);
    expect(index.delete(8)).toBe(true);
    index.check();
    // [0] and [4] are buddies (depth 3) but together fill a whole bucket: no merge.
    expect(layout(index.snapshot(ints))).toBe("000:d3[0] 001:d1[1] 010:d2[2 6] 011:d1[1] 100:d3[4] 101:d1[1] 110:d2[2 6] 111:d1[1]");
    // [4] empties: it merges into [0] at depth 2, and no bucket has depth 3 any more: the directory halves.
    expect(index.delete(4)).toBe(true);
    index.check();
    expect(layout(index.snapshot(ints))).toBe("00:d2[0] 01:d1[1] 10:d2[2 6] 11:d1[1]");
    expect(index.delete(6)).toBe(true);
    expect(index.delete(2)).toBe(true);
    index.check();
    expect(layout(index.snapshot(ints))).toBe("0:d1[0] 1:d1[1]");
    expect(index.delete(99)).toBe(false);
    for (const k of [0, 1]) expect(index.delete(k)).toBe(true);
    index.check();
    expect([index.globalDepth, index.bucketCount, index.pageCount, index.size]).toEqual([0, 1, 2, 0]);
    expect(layout(index.snapshot(ints))).toBe(":d0[]");
  });

  test("an empty bucket merges with a full buddy; a half-full pair does not merge", () => {
    const index = indexOf({ hash: identity, bucketCapacity: 4 });
    for (const k of [0, 2, 4, 6, 1]) index.insert(k, rid(k, 0));
    expect(layout(index.snapshot(ints))).toBe("0:d1[0 2 4 6] 1:d1[1]");
    index.insert(3, rid(3, 0));
    index.insert(5, rid(5, 0));
    expect(index.delete(1)).toBe(true);
    // 6 entries together: more than half of 4, no merge.
    expect(index.globalDepth).toBe(1);
    for (const k of [3, 5]) index.delete(k);
    index.check();
    expect(layout(index.snapshot(ints))).toBe(":d0[0 2 4 6]");
  });

  test("index-full at the maximum depth changes nothing", () => {
    const index = indexOf({ hash: identity, bucketCapacity: 2, maxDepth: 2 });
    for (const k of [0, 4, 1]) index.insert(k, rid(k, 0));
    const before = JSON.stringify(index.snapshot(ints));
    const pages = index.pageCount;
    const error = expectDbError(() => index.insert(8, rid(8, 0)), "index-full", "a third key sharing the low 2 bits");
    expect(error.message).toContain("maximum depth 2");
    expect(JSON.stringify(index.snapshot(ints))).toBe(before);
    expect([index.pageCount, index.size, index.get(8)]).toEqual([pages, 3, undefined]);
    index.check();
    // Equal hashes can never be separated, whatever the maximum depth.
    const same = indexOf({ hash: () => 7, bucketCapacity: 2 });
    same.insert(1, rid(1, 0));
    same.insert(2, rid(2, 0));
    expectDbError(() => same.insert(3, rid(3, 0)), "index-full", "three keys with one hash");
    expect([same.globalDepth, same.bucketCount, same.size]).toEqual([0, 1, 2]);
  });

  test("duplicates return false and change nothing; keys of every kind; get of a missing key", () => {
    const index = indexOf();
    expect(index.insert("apple", rid(1, 1))).toBe(true);
    expect(index.insert("apple", rid(2, 2))).toBe(false);
    expect(index.insert([1, "x"], rid(3, 3))).toBe(true);
    expect(index.insert(new Uint8Array([1, 2, 3]), rid(4, 4))).toBe(true);
    expect(index.get("apple")).toEqual(rid(1, 1));
    expect(index.get([1, "x"])).toEqual(rid(3, 3));
    expect(index.get(new Uint8Array([1, 2, 3]))).toEqual(rid(4, 4));
    expect(index.get("pear")).toBeUndefined();
    expect(index.size).toBe(3);
    expect(index.hashOf("apple")).toBe(murmurHash32(encodeKey("apple")));
  });

  test("bad input is refused with invalid-argument and changes nothing", () => {
    const pool = poolOf();
    expectDbError(() => ExtendibleHashIndex.create(pool, { maxDepth: maxDirectoryDepth(PAGE) + 1 }), "invalid-argument", "maxDepth above what a page holds");
    expectDbError(() => ExtendibleHashIndex.create(pool, { maxDepth: -1 }), "invalid-argument", "negative maxDepth");
    expectDbError(() => ExtendibleHashIndex.create(pool, { bucketCapacity: 0 }), "invalid-argument", "bucketCapacity 0");
    expectDbError(() => ExtendibleHashIndex.create(pool, { bucketCapacity: 1.5 }), "invalid-argument", "fractional bucketCapacity");
    expectDbError(() => ExtendibleHashIndex.create(pool, { hash: 3 as never }), "invalid-argument", "a hash that is not a function");
    expectDbError(() => ExtendibleHashIndex.create(pool, { algorithms: { insertEntri: () => true } as never }), "invalid-argument", "unknown algorithm");
    const index = ExtendibleHashIndex.create(pool);
    expect(index.algorithms).toBe(ENGINE_HASH_ALGORITHMS);
    const long = "x".repeat(index.maxKeySize);
    expectDbError(() => index.insert(long, rid(1, 1)), "invalid-argument", "a key longer than maxKeySize");
    expectDbError(() => index.insert(1, { pageId: -1 as PageId, slot: 0 } as never), "invalid-argument", "a bad rid");
    expectDbError(() => index.insert(1.5, rid(1, 1)), "type-mismatch", "a fractional key");
    expect(index.size).toBe(0);
    expect(index.get(long)).toBeUndefined();
    expect(index.delete(long)).toBe(false);
    const odd = ExtendibleHashIndex.create(pool, { hash: () => Number.NaN });
    expectDbError(() => odd.insert(1, rid(1, 1)), "invalid-argument", "a hash that returns NaN");
    expect(odd.size).toBe(0);
    index.check();
  });

  test("a pool with every frame pinned refuses create with no-free-frame, leaving no page behind", () => {
    const pool = poolOf(1);
    const held = pool.newPage();
    expectDbError(() => ExtendibleHashIndex.create(pool), "no-free-frame", "create with the only frame pinned");
    pool.unpinPage(held.pageId, false);
    const index = ExtendibleHashIndex.create(pool);
    expect([index.pageCount, index.size]).toEqual([2, 0]);
    index.check();
  });

  test("works in a pool of one frame, with no page left pinned", () => {
    const index = indexOf({ bucketCapacity: 8 }, 1);
    for (let k = 0; k < 120; k++) index.insert(k * 3, rid(k, 1));
    for (let k = 0; k < 120; k += 2) index.delete(k * 3);
    index.check();
    expect(pinned(index.pool)).toBe("");
    expect(index.size).toBe(60);
    expect(index.get(3)).toEqual(rid(1, 1));
  });

  test("reopens from disk with the same contents and keeps working", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-hash-"));
    try {
      const file = path.join(dir, "hash.db");
      let directoryPageId: PageId;
      let before: string;
      {
        const disk = new FileDiskManager(file, { pageSize: PAGE });
        const pool = new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(3) });
        const index = ExtendibleHashIndex.create(pool, { bucketCapacity: 10 });
        for (let k = 0; k < 90; k++) index.insert(k, rid(k, 2));
        for (let k = 0; k < 90; k += 3) index.delete(k);
        directoryPageId = index.directoryPageId;
        before = JSON.stringify(index.snapshot());
        pool.flushAll();
        disk.sync();
        disk.close();
      }
      const disk = new FileDiskManager(file, { pageSize: PAGE });
      try {
        const pool = new BufferPoolManager({ frames: 3, disk, replacer: new LruReplacer(3) });
        const index = ExtendibleHashIndex.open(pool, directoryPageId);
        expect(JSON.stringify(index.snapshot())).toBe(before);
        expect(index.size).toBe(60);
        index.check();
        expect(index.insert(0, rid(0, 9))).toBe(true);
        expect(index.get(0)).toEqual(rid(0, 9));
        expect(index.get(3)).toBeUndefined();
        index.check();
        // Opened with another hash, the keys are no longer where the hash points.
        expect(() => ExtendibleHashIndex.open(pool, directoryPageId, { hash: identity }).check()).toThrow(/stored-hash/);
        expectDbError(() => ExtendibleHashIndex.open(pool, index.snapshot().buckets[0]!.pageId), "corrupt", "a bucket page opened as a directory");
      } finally {
        disk.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("check() names each broken invariant", () => {
  // Keys 0, 4, 1, 8, 2, 6 with the identity hash and 2 entries a bucket:
  // 000→A d3 [0 8], 001→B d1 [1], 010→C d2 [2 6], 011→B, 100→D d3 [4], 101→B, 110→C, 111→B
  function built() {
    const index = indexOf({ hash: identity, bucketCapacity: 2 });
    for (const k of [0, 4, 1, 8, 2, 6]) index.insert(k, rid(k, 0));
    const ids = index.snapshot().directory.map((s) => s.bucketId);
    const depthsAt = 16 + 4 * 2 ** index.maxDepth;
    return { index, ids, depthsAt };
  }
  type Built = ReturnType<typeof built>;
  const onDirectory = (b: Built, fn: (view: DataView) => void) => b.index.pool.withWritePage(b.index.directoryPageId, (bytes) => fn(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  const onBucket = (b: Built, slot: number, fn: (bytes: Uint8Array) => void) => b.index.pool.withWritePage(b.ids[slot]!, fn);
  const reopened = (b: Built) => ExtendibleHashIndex.open(b.index.pool, b.index.directoryPageId, { hash: identity });

  const cases: [string, (b: Built) => ExtendibleHashIndex][] = [
    ["local-depth", (b) => (onDirectory(b, (v) => v.setUint8(b.depthsAt + 0, 4)), reopened(b))],
    ["slots-agree", (b) => (onDirectory(b, (v) => v.setUint8(b.depthsAt + 3, 2)), reopened(b))],
    ["slot-count", (b) => (onDirectory(b, (v) => (v.setUint32(16 + 4 * 3, b.ids[0]!, true), v.setUint8(b.depthsAt + 3, 3))), reopened(b))],
    [
      "slot-bits",
      (b) => (
        onDirectory(b, (v) => {
          v.setUint32(16 + 4 * 2, b.ids[4]!, true);
          v.setUint8(b.depthsAt + 2, 3);
          v.setUint32(16 + 4 * 4, b.ids[2]!, true);
          v.setUint8(b.depthsAt + 4, 2);
        }),
        reopened(b)
      ),
    ],
    ["bucket-depth", (b) => (onBucket(b, 0, (bytes) => (bytes[4] = 2)), b.index)],
    ["bucket-capacity", (b) => (onDirectory(b, (v) => v.setUint16(12, 1, true)), reopened(b))],
    ["stored-hash", (b) => (onBucket(b, 0, (bytes) => (bytes[12] = 99)), b.index)],
    ["bucket-order", (b) => (onBucket(b, 0, (bytes) => { const first = bytes.slice(12, 18); bytes.copyWithin(12, 18, 24); bytes.set(first, 18); }), b.index)],
    ["key-placement", (b) => (onBucket(b, 4, (bytes) => HashBucketPage.open(bytes).insert(encodeKey(5), rid(5, 0), 5)), reopened(b))],
    ["unique-keys", (b) => (onBucket(b, 4, (bytes) => HashBucketPage.open(bytes).insert(encodeKey(4), rid(9, 0), 4)), reopened(b))],
    ["size", (b) => (onBucket(b, 4, (bytes) => HashBucketPage.open(bytes).insert(encodeKey(12), rid(12, 0), 12)), b.index)],
    ["directory-matches-cache", (b) => (onDirectory(b, (v) => v.setUint32(16 + 4 * 7, b.ids[0]!, true)), b.index)],
  ];
  test.each(cases)("%s", (name, corrupt) => {
    const b = built();
    b.index.check();
    const broken = corrupt(b);
    expect(() => broken.check()).toThrow(new RegExp(`invariant ${name} broken`));
  });

  test("a page that is not a bucket is corrupt", () => {
    const b = built();
    onBucket(b, 2, (bytes) => bytes.fill(0xee, 0, 4));
    expectDbError(() => b.index.check(), "corrupt", "a bucket page with a bad magic");
    expectDbError(() => b.index.get(2), "corrupt", "a lookup in that bucket");
  });
});
