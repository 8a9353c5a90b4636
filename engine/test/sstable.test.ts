import { describe, expect, test } from "vitest";
import { crc32c } from "../src/common/crc32c.js";
import { crc32cSliced } from "../src/lsm/crc32c-sliced.js";
import { compareBytes } from "../src/index/key-codec.js";
import type { LsmEntry } from "../src/lsm/entry.js";
import { BlockBuilder, BlockReader, readVarint, writeVarint } from "../src/lsm/sstable-block.js";
import { SSTABLE_FOOTER_SIZE, SSTableBuilder, SSTableReader, buildSSTable, bytesSource, type SSTableBlockCache, type SSTableSource } from "../src/lsm/sstable.js";
import { expectDbError } from "../../test-support/errors.js";
import { rng, type Rng } from "../../test-support/random.js";
import { check, same, sameJson } from "../../test-support/assert.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (b: Uint8Array | undefined) => (b === undefined ? "-" : Buffer.from(b).toString("hex"));
const show = (e: LsmEntry | undefined) => (e === undefined ? "absent" : `${hex(e.key)}@${e.seq}=${e.value === undefined ? "☠" : hex(e.value)}`);

/** Sorted entries with shared prefixes (like real keys), some tombstones, values of 0 … maxValue bytes. */
function entries(r: Rng, count: number, maxValue = 40): LsmEntry[] {
  const seen = new Map<string, Uint8Array>();
  while (seen.size < count) {
    const key = enc.encode(`${r.pick(["user:", "order:", "o", ""])}${r.int(100_000)}${r.bool(0.1) ? "/x" : ""}`);
    seen.set(hex(key), key);
  }
  return [...seen.values()]
    .sort(compareBytes)
    .map((key, i) => ({ key, seq: r.int(1_000_000), value: r.bool(0.15) ? undefined : r.bytes(r.int(maxValue + 1)) }));
}

/** A source that counts reads, over bytes that a test may damage. */
function counted(bytes: Uint8Array): SSTableSource & { reads: number } {
  const s = { reads: 0, size: bytes.length, read: (o: number, l: number) => (s.reads++, bytes.subarray(o, o + l)) };
  return s;
}

describe("varints and blocks", () => {
  test("varints round trip up to 2⁵³ − 1 and refuse a run past the end", () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const out: number[] = [];
      writeVarint(out, n);
      expect(readVarint(Uint8Array.from(out), 0, out.length, 0)).toEqual({ value: n, next: out.length });
    }
    expectDbError(() => readVarint(Uint8Array.of(0x80, 0x80), 0, 2, 100), "corrupt");
  });

  test("restart points: every 16th entry stores its whole key; seeks land on any key", () => {
    const b = new BlockBuilder(16);
    const ks = Array.from({ length: 100 }, (_, i) => enc.encode(`key:${String(i * 2).padStart(5, "0")}`));
    ks.forEach((k, i) => b.add(k, i, Uint8Array.of(i)));
    const bytes = b.finish();
    const reader = new BlockReader(bytes, 0);
    expect(reader.restartCount).toBe(7);
    ks.forEach((k, i) => expect(show(reader.get(k))).toBe(show({ key: k, seq: i, value: Uint8Array.of(i) })));
    // Odd numbers are absent; entries(from) starts at the next even key.
    expect(reader.get(enc.encode("key:00031"))).toBeUndefined();
    expect(dec.decode([...reader.entries(enc.encode("key:00031"))][0]!.key)).toBe("key:00032");
    expect([...reader.entries(enc.encode("key:99999"))]).toEqual([]);
    expect([...reader.entries(enc.encode(""))].length).toBe(100);
    // Prefix compression pays: 100 keys of 9 bytes, most sharing 7 or 8 with the previous one.
    expect(bytes.length).toBeLessThan(100 * (9 + 5));
  });
});

describe("SSTable round trip", () => {
  test("every key found (tombstones as entries), absent keys absent, scans equal to the model: seeded, several shapes", () => {
    const shapes = [
      { blockSize: 4096, restartInterval: 16, bitsPerKey: 10 },
      { blockSize: 256, restartInterval: 4, bitsPerKey: 10 },
      { blockSize: 64, restartInterval: 1, bitsPerKey: 0 },
      { blockSize: 100_000, restartInterval: 1000, bitsPerKey: 5 },
    ];
    shapes.forEach((options, i) => {
      const r = rng(100 + i);
      const es = entries(r, 1500);
      const table = SSTableReader.open(buildSSTable(es, options));
      expect(table.info).toMatchObject({ entries: es.length, tombstones: es.filter((e) => e.value === undefined).length });
      expect(hex(table.info.smallest)).toBe(hex(es[0]!.key));
      expect(hex(table.info.largest)).toBe(hex(es[es.length - 1]!.key));
      expect(table.info.minSeq).toBe(Math.min(...es.map((e) => e.seq)));
      expect(table.info.maxSeq).toBe(Math.max(...es.map((e) => e.seq)));
      for (const e of es) {
        const got = table.get(e.key);
        if (show(got) !== show(e)) expect(show(got), `get ${dec.decode(e.key)} (shape ${i})`).toBe(show(e));
      }
      expect(table.stats.blocksRead).toBe(es.length); // one block per present key
      const present = new Set(es.map((e) => hex(e.key)));
      for (const e of es) {
        const absent = Uint8Array.of(...e.key, 0x01);
        if (!present.has(hex(absent))) expect(table.get(absent), `get ${dec.decode(absent)}`).toBeUndefined();
      }
      sameJson([...table.scan()].map(show), es.map(show), `full scan (shape ${i})`);
      for (let q = 0; q < 30; q++) {
        const lo = r.bool(0.2) ? undefined : r.pick(es).key;
        const hi = r.bool(0.2) ? undefined : Uint8Array.of(...r.pick(es).key, r.bool() ? 0 : 0xff);
        const want = es.filter((e) => (lo === undefined || compareBytes(e.key, lo) >= 0) && (hi === undefined || compareBytes(e.key, hi) < 0)).map(show);
        sameJson([...table.scan(lo, hi)].map(show), want, `scan(${hex(lo)}, ${hex(hi)}) (shape ${i})`);
      }
    });
  });

  test("an empty table is a valid table", () => {
    const bytes = buildSSTable([]);
    const table = SSTableReader.open(bytes);
    expect(table.info).toMatchObject({ entries: 0, blocks: 0, smallest: undefined, largest: undefined, filterBits: 0, bytes: bytes.length });
    expect(table.get(enc.encode("a"))).toBeUndefined();
    expect([...table.scan()]).toEqual([]);
    expect(table.layout().map((b) => b.kind)).toEqual(["properties", "index", "footer"]);
  });

  test("keys and values bigger than a block: one entry per block, still found", () => {
    const r = rng(7);
    const es: LsmEntry[] = Array.from({ length: 12 }, (_, i) => ({
      key: Uint8Array.of(i, ...r.bytes(i % 3 === 0 ? 5000 : 10)),
      seq: i,
      value: i % 4 === 3 ? undefined : r.bytes(i % 2 === 0 ? 20_000 : 3),
    }));
    const table = SSTableReader.open(buildSSTable(es, { blockSize: 4096 }));
    for (const e of es) expect(show(table.get(e.key))).toBe(show(e));
    sameJson([...table.scan()].map(show), es.map(show), "scan of big entries");
    const data = table.layout().filter((b) => b.kind === "data");
    expect(data.some((b) => b.length > 20_000)).toBe(true);
    expect(data.reduce((n, b) => n + b.entries, 0)).toBe(12);
  });

  test("the layout covers the file exactly, block after block, and matches info", () => {
    const bytes = buildSSTable(entries(rng(8), 3000));
    const table = SSTableReader.open(bytes);
    const layout = table.layout();
    let at = 0;
    for (const b of layout) {
      expect(b.offset, `${b.kind} block offset`).toBe(at);
      at += b.length;
    }
    expect(at).toBe(bytes.length);
    expect(layout.filter((b) => b.kind === "data").length).toBe(table.info.blocks);
    expect(layout.filter((b) => b.kind === "data").every((b) => b.restarts === Math.ceil(b.entries / 16))).toBe(true);
    expect(layout.at(-1)).toMatchObject({ kind: "footer", length: SSTABLE_FOOTER_SIZE });
    // Data blocks are about the target size.
    const sizes = layout.filter((b) => b.kind === "data").slice(0, -1).map((b) => b.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(4096);
    expect(Math.max(...sizes)).toBeLessThan(4096 + 200);
  });
});

describe("SSTable reads and their cost", () => {
  test("a get reads at most one data block; outside the key range none; the filter stops most absent gets", () => {
    const es = entries(rng(9), 5000);
    const bytes = buildSSTable(es, { bitsPerKey: 10 });
    const src = counted(bytes);
    const table = SSTableReader.open(src);
    expect(src.reads).toBe(4); // footer, properties, index, filter
    table.get(enc.encode("\u0000"));
    table.get(enc.encode("\u00ff"));
    expect(table.stats).toMatchObject({ gets: 2, rangeSkips: 2, blocksRead: 0, filterChecks: 0 });
    table.resetStats();
    const present = new Set(es.map((e) => hex(e.key)));
    const absent = es.map((e) => Uint8Array.of(...e.key, 0x2e)).filter((k) => !present.has(hex(k)) && compareBytes(k, es.at(-1)!.key) < 0);
    for (const k of absent) table.get(k);
    const s = table.stats;
    expect(s.filterChecks).toBe(absent.length);
    expect(s.blocksRead).toBe(s.filterChecks - s.bloomNegatives);
    expect(s.blocksRead / absent.length).toBeLessThan(0.03);
    const plain = SSTableReader.open(buildSSTable(es, { bitsPerKey: 0 }));
    for (const k of absent) plain.get(k);
    expect(plain.stats).toMatchObject({ blocksRead: absent.length, filterChecks: 0, bloomNegatives: 0 });
  });

  test("the builder refuses bad options and out-of-order keys, and changes nothing", () => {
    for (const o of [{ blockSize: 0 }, { blockSize: 1.5 }, { restartInterval: 0 }, { bitsPerKey: -1 }, { bitsPerKey: Number.NaN }]) {
      expectDbError(() => new SSTableBuilder(o), "invalid-argument", JSON.stringify(o));
    }
    const b = new SSTableBuilder();
    b.add({ key: enc.encode("b"), seq: 1, value: undefined });
    expect(expectDbError(() => b.add({ key: enc.encode("a"), seq: 2, value: undefined }), "invalid-argument").details).toEqual({ position: 1 });
    expectDbError(() => b.add({ key: enc.encode("b"), seq: 2, value: undefined }), "invalid-argument");
    expectDbError(() => b.add({ key: enc.encode("c"), seq: -1, value: undefined }), "invalid-argument");
    expectDbError(() => b.add({ key: enc.encode("c"), seq: 1.5, value: undefined }), "invalid-argument");
    expect(b.entryCount).toBe(1);
    const table = SSTableReader.open(b.finish());
    expect(table.info.entries).toBe(1);
    expectDbError(() => b.add({ key: enc.encode("z"), seq: 1, value: undefined }), "invalid-state");
    expectDbError(() => b.finish(), "invalid-state");
  });
});

describe("SSTable corruption", () => {
  const es = entries(rng(10), 800);
  const good = buildSSTable(es, { blockSize: 1024 });
  const layout = SSTableReader.open(good).layout();
  const flip = (at: number) => {
    const b = good.slice();
    b[at]! ^= 0x10;
    return b;
  };

  test("a truncated file, a missing magic, a damaged footer", () => {
    expect(expectDbError(() => SSTableReader.open(good.subarray(0, 20)), "corrupt").message).toMatch(/shorter than its 48-byte footer/);
    expect(expectDbError(() => SSTableReader.open(good.subarray(0, good.length - 1)), "corrupt").message).toMatch(/no SSTable magic at offset/);
    const footerAt = good.length - SSTABLE_FOOTER_SIZE;
    for (const at of [0, 9, 20, 30, 36]) {
      const e = expectDbError(() => SSTableReader.open(flip(footerAt + at)), "corrupt", `footer byte ${at}`);
      expect(e.message).toMatch(/footer checksum at offset/);
      expect(e.details).toEqual({ offset: footerAt + 36 });
    }
  });

  test("a footer with a good checksum but handles out of the file", () => {
    const b = good.slice();
    const footerAt = b.length - SSTABLE_FOOTER_SIZE;
    const view = new DataView(b.buffer);
    view.setUint32(footerAt + 8, b.length, true); // index offset past the end
    view.setUint32(footerAt + 36, crc32c(b.subarray(footerAt, footerAt + 36)), true);
    expect(expectDbError(() => SSTableReader.open(b), "corrupt").message).toMatch(/index at offset \d+ .* runs past offset/);
  });

  test("a damaged index, properties or filter block is found at open, naming the block and offset", () => {
    for (const kind of ["index", "properties", "filter"] as const) {
      const block = layout.find((b) => b.kind === kind)!;
      const e = expectDbError(() => SSTableReader.open(flip(block.offset + 3)), "corrupt", kind);
      expect(e.message).toContain(`${kind} at offset ${block.offset}: stored checksum`);
      expect(e.details["offset"]).toBe(block.offset);
    }
  });

  test("a damaged data block is found when a get or scan reads it, not before", () => {
    const data = layout.filter((b) => b.kind === "data");
    const victim = data[3]!;
    const table = SSTableReader.open(flip(victim.offset + 10));
    // Blocks before the damaged one still read.
    expect(show(table.get(es[0]!.key))).toBe(show(es[0]));
    const e = expectDbError(() => table.get(victim.firstKey!), "corrupt");
    expect(e.message).toContain(`data block 3 at offset ${victim.offset}`);
    expectDbError(() => [...table.scan()], "corrupt");
  });

  test("a block whose checksum matches but whose contents are nonsense is still refused", () => {
    // Rewrite a data block's restart count to a huge number and fix its checksum.
    const victim = layout.filter((b) => b.kind === "data")[1]!;
    const b = good.slice();
    const contentsEnd = victim.offset + victim.length - 4;
    const view = new DataView(b.buffer);
    view.setUint32(contentsEnd - 4, 1_000_000, true);
    view.setUint32(contentsEnd, crc32c(b.subarray(victim.offset, contentsEnd)), true);
    const table = SSTableReader.open(b);
    const e = expectDbError(() => table.get(victim.lastKey!), "corrupt");
    expect(e.message).toMatch(/restart count 1000000 does not fit/);
    expect(e.details["blockOffset"]).toBe(victim.offset);
  });

  test("a block cache: a block read from the file is checked once; from the cache it is not checked again; damage read from the file is refused", () => {
    const data = layout.filter((b) => b.kind === "data");
    const bytes = good.slice();
    const blocks = new Map<number, BlockReader>();
    const cache: SSTableBlockCache = { get: (o) => blocks.get(o), put: (o, b) => void blocks.set(o, b) };
    // Reads copy, as a file's do: damaging `bytes` later damages the file, not what was read.
    const source = { reads: 0, size: bytes.length, read: (o: number, l: number) => (source.reads++, bytes.slice(o, o + l)) };
    const table = SSTableReader.open(source, { blockCache: cache });
    const k = data[3]!.firstKey!;
    const want = show(es.find((e) => compareBytes(e.key, k) === 0));
    const readsAtOpen = source.reads;
    for (let i = 0; i < 5; i++) same(show(table.get(k)), want, `get ${i} of a key in data block 3`);
    // Five gets touch the block five times; it is read from the source, and checked, once.
    same(table.stats.blocksRead, 5, "blocks touched");
    same(table.stats.blocksVerified, 1, "blocks checked (CRC-32C computed)");
    same(source.reads - readsAtOpen, 1, "reads from the source");
    sameJson([...blocks.keys()], [data[3]!.offset], "cached block offsets");
    // Damage the file under the cached block: the cache holds the bytes checked before, so gets still answer.
    bytes[data[3]!.offset + 10]! ^= 0x10;
    same(show(table.get(k)), want, "get from the cache after the file was damaged");
    same(table.stats.blocksVerified, 1, "still one block checked");
    // Once the block leaves the cache, it is read again, checked again, and refused.
    blocks.clear();
    const e = expectDbError(() => table.get(k), "corrupt", "the damaged block read from the file");
    expect(e.message).toContain(`data block 3 at offset ${data[3]!.offset}: stored checksum`);
    same(table.stats.blocksVerified, 2, "blocks checked after the cache was emptied");
    same(blocks.size, 0, "a block that failed its check is not cached");
  });

  test("a scan without filling the cache reads ahead several blocks at once, checks each, and refuses a damaged one by name", () => {
    const data = layout.filter((b) => b.kind === "data");
    const blocks = new Map<number, BlockReader>();
    const cache: SSTableBlockCache = { get: (o) => blocks.get(o), put: (o, b) => void blocks.set(o, b) };
    const source = counted(good);
    const table = SSTableReader.open(source, { blockCache: cache });
    const readsAtOpen = source.reads;
    sameJson([...table.scan(undefined, undefined, { fillCache: false })].map(show), es.map(show), "scan without filling the cache");
    same(blocks.size, 0, "blocks cached by that scan");
    same(table.stats.blocksVerified, data.length, "every block checked once");
    check(source.reads - readsAtOpen < data.length, `one read for many blocks: expected < ${data.length} reads, received ${source.reads - readsAtOpen}`);
    same([...table.scan()].length, es.length, "a scan that fills the cache");
    same(blocks.size, data.length, "blocks cached by it");
    const damaged = SSTableReader.open(flip(data[5]!.offset + 7), { blockCache: { get: () => undefined, put: () => {} } });
    const e = expectDbError(() => [...damaged.scan(undefined, undefined, { fillCache: false })], "corrupt", "read-ahead scan over a damaged block");
    expect(e.message).toContain(`data block 5 at offset ${data[5]!.offset}: stored checksum`);
  });

  test("scan entries are views; get copies what it returns", () => {
    const table = SSTableReader.open(good);
    const withValue = es.find((e) => e.value !== undefined && e.value.length > 0)!;
    const got = table.get(withValue.key)!;
    got.value![0]! ^= 0xff;
    same(show(table.get(withValue.key)), show(withValue), "get after changing what an earlier get returned");
  });

  test("a filter written by another implementation must be read by it: a filter block that does not decode is corrupt", () => {
    const bytes = buildSSTable(es, { filter: { withBitsPerKey: () => ({ bitCount: 1, hashCount: 1, add() {}, mayContain: () => true, encode: () => Uint8Array.of(1, 2, 3) }), decode: () => { throw new Error("x"); } } });
    expect(expectDbError(() => SSTableReader.open(bytes), "corrupt").message).toMatch(/filter block at offset \d+: a bloom filter needs a 5-byte header/);
    expect(SSTableReader.open(bytes, { filter: { withBitsPerKey: () => { throw new Error("unused"); }, decode: () => ({ bitCount: 1, hashCount: 1, add() {}, mayContain: () => true, encode: () => new Uint8Array(0) }) } }).info.entries).toBe(es.length);
  });
});

test("crc32cSliced gives crc32c's value for every length, offset and running value", () => {
  const r = rng(32);
  same(crc32cSliced(enc.encode("123456789")), 0xe3069283, "check value");
  const bytes = r.bytes(300);
  for (let start = 0; start < 9; start++) {
    for (let length = 0; start + length <= bytes.length; length += 1 + (length >> 3)) {
      const piece = bytes.subarray(start, start + length);
      same(crc32cSliced(piece), crc32c(piece), `crc of ${length} bytes at ${start}`);
      same(crc32cSliced(piece, 0x12345678), crc32c(piece, 0x12345678), `crc of ${length} bytes at ${start} after 0x12345678`);
    }
  }
});

test("bytesSource reads views of the bytes", () => {
  const s = bytesSource(Uint8Array.of(1, 2, 3, 4));
  expect([s.size, [...s.read(1, 2)]]).toEqual([4, [2, 3]]);
});
