import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  compareBytes,
} from "../src/index/key-codec.js";
import {
  BloomFilter,
  type FileStore,
  LsmTree,
  type LsmTreeOptions,
  MANIFEST_NAME,
  Memtable,
  MemoryFileStore,
  NodeFileStore,
  decodeManifest,
  encodeManifest,
  mergeIterator,
  tableFileName,
} from "../src/lsm/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";
import { rng } from "../../test-support/random.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lsm-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const enc = new TextEncoder();
const dec = new TextDecoder();
const key = (i: number): string => `k${String(i).padStart(4, "0")}`;

/** Small everything, so a few hundred operations flush and compact many times. */
const SMALL: Record<"leveled" | "size-tiered", LsmTreeOptions> = {
  leveled: { strategy: "leveled", memtableBytes: 600, tableTargetBytes: 300, leveled: { l0Trigger: 2, baseLevelBytes: 1500, levelRatio: 3 }, levelCount: 4, blockSize: 128 },
  "size-tiered": { strategy: "size-tiered", memtableBytes: 600, sizeTiered: { minThreshold: 3 }, blockSize: 128 },
};

type Op =
  | { op: "put"; k: number; v: string }
  | { op: "delete"; k: number }
  | { op: "get"; k: number }
  | { op: "scan"; lo: number; hi: number }
  | { op: "flush" }
  | { op: "reopen" };

const showOp = (o: Op): string =>
  o.op === "put" ? `put ${o.k}=${o.v}` : o.op === "delete" ? `delete ${o.k}` : o.op === "get" ? `get ${o.k}` : o.op === "scan" ? `scan [${o.lo}, ${o.hi})` : o.op;

function generate(keys: number) {
  return (r: ReturnType<typeof rng>): Op => {
    const p = r.float();
    const k = r.int(keys);
    if (p < 0.45) return { op: "put", k, v: "v".repeat(r.int(12)) + String(r.int(1000)) };
    if (p < 0.62) return { op: "delete", k };
    if (p < 0.9) return { op: "get", k };
    if (p < 0.96) return { op: "scan", lo: k, hi: k + r.int(keys / 4) };
    if (p < 0.985) return { op: "flush" };
    return { op: "reopen" };
  };
}

function runModel(options: LsmTreeOptions, ops: readonly Op[]): void {
  let store = new MemoryFileStore();
  let tree = LsmTree.open(store, options);
  const model = new Map<string, string>();
  for (const o of ops) {
    switch (o.op) {
      case "put":
        tree.put(key(o.k), o.v);
        model.set(key(o.k), o.v);
        break;
      case "delete":
        tree.delete(key(o.k));
        model.delete(key(o.k));
        break;
      case "get": {
        const got = tree.get(key(o.k));
        same(got === undefined ? undefined : dec.decode(got), model.get(key(o.k)), `get(${o.k})`);
        break;
      }
      case "scan": {
        const got = [...tree.scan(key(o.lo), key(o.hi))].map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`).join(",");
        const want = [...model.entries()].filter(([k]) => k >= key(o.lo) && k < key(o.hi)).sort().map(([k, v]) => `${k}=${v}`).join(",");
        same(got, want, `scan [${o.lo}, ${o.hi})`);
        break;
      }
      case "flush":
        tree.flush();
        break;
      case "reopen":
        tree.close();
        store = store.reopen();
        tree = LsmTree.open(store, options);
        break;
    }
  }
  checkShape(tree);
  const all = [...tree.scan()].map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`).join(",");
  same(all, [...model.entries()].sort().map(([k, v]) => `${k}=${v}`).join(","), "full scan");
}

/** Levels ≥ 1 sorted and disjoint; every table in the manifest is a file in the store. */
function checkShape(tree: LsmTree): void {
  const levels = tree.levels();
  for (const level of levels.slice(1)) {
    for (let i = 1; i < level.tables.length; i++) {
      check(compareBytes(level.tables[i - 1]!.largest, level.tables[i]!.smallest) < 0, `L${level.level} sorted and disjoint at table ${i}`);
    }
  }
  for (const level of levels) for (const t of level.tables) check(tree.store.exists(tableFileName(t.fileNumber)), `table ${t.fileNumber} exists`);
}

describe("LSM tree: contents against a Map model", () => {
  for (const strategy of ["leveled", "size-tiered"] as const) {
    test(`${strategy}: seeded puts, deletes, gets, scans, flushes and reopens`, () => {
      for (const seed of [1, 2, 3]) {
        checkModel<Op>({ seed, count: 1500, generate: generate(150), run: (ops) => runModel(SMALL[strategy], ops), show: showOp });
      }
    });
  }

  test("leveled: compaction keeps every level within its limit, and runs at all", () => {
    const tree = LsmTree.open(new MemoryFileStore(), SMALL.leveled);
    const r = rng(7);
    for (let i = 0; i < 3000; i++) tree.put(key(r.int(400)), "x".repeat(r.int(20)));
    const levels = tree.levels();
    check(tree.stats().compactions > 0, "compactions ran");
    check(levels[0]!.tables.length < 2, `L0 below its trigger, has ${levels[0]!.tables.length}`);
    for (const level of levels.slice(1, -1)) check(level.bytes <= level.limit!, `L${level.level}: ${level.bytes} ≤ ${level.limit}`);
    check(levels.at(-1)!.limit === Number.POSITIVE_INFINITY, "the last level is unbounded");
  });

  test("size-tiered: runs stay few as data grows", () => {
    const tree = LsmTree.open(new MemoryFileStore(), SMALL["size-tiered"]);
    const r = rng(8);
    for (let i = 0; i < 4000; i++) tree.put(key(r.int(100_000)), "y".repeat(10));
    const runs = tree.levels()[0]!.tables.length;
    check(runs < 15, `runs: ${runs}`);
    check(tree.stats().compactions > 0, "compactions ran");
  });

  test("with autoCompact off, compact() runs one step at a time, compactAll() until none holds", () => {
    const tree = LsmTree.open(new MemoryFileStore(), { ...SMALL.leveled, autoCompact: false });
    for (let i = 0; i < 300; i++) tree.put(key(i), "value-" + i);
    check(tree.levels()[0]!.tables.length >= 2, "L0 piles up");
    same(tree.compact(), true, "compact()");
    const n = tree.compactAll();
    same(tree.compact(), false, "compact() after compactAll");
    check(n >= 0, "count");
    for (let i = 0; i < 300; i += 17) same(dec.decode(tree.get(key(i))!), "value-" + i, `get ${i}`);
  });
});

describe("LSM tree: survives close and reopen on a real directory", () => {
  for (const strategy of ["leveled", "size-tiered"] as const) {
    test(`${strategy}: seeded ops, close, open the same directory: same contents, seq goes on`, () => {
      const dir = path.join(tmp, `reopen-${strategy}`);
      const options = SMALL[strategy];
      let tree = LsmTree.open(new NodeFileStore(dir, { sync: false }), options);
      const model = new Map<string, string>();
      const r = rng(strategy === "leveled" ? 11 : 12);
      for (let i = 0; i < 1200; i++) {
        const k = key(r.int(200));
        if (r.float() < 0.25) {
          tree.delete(k);
          model.delete(k);
        } else {
          const v = `v${i}`;
          tree.put(k, v);
          model.set(k, v);
        }
      }
      const seq = tree.lastSeq;
      tree.close();
      expectDbError(() => tree.get("k"), "invalid-state", "get after close");
      tree = LsmTree.open(new NodeFileStore(dir), {});
      same(tree.strategy, strategy, "strategy kept");
      same(tree.lastSeq, seq, "last seq");
      const got = [...tree.scan()].map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`).join(",");
      same(got, [...model.entries()].sort().map(([k, v]) => `${k}=${v}`).join(","), "contents");
      for (let i = 0; i < 200; i++) same(tree.get(key(i)) === undefined ? undefined : dec.decode(tree.get(key(i))!), model.get(key(i)), `get ${i}`);
      tree.put("later", "x");
      same(tree.lastSeq, seq + 1, "seq after reopen");
      tree.close();
    });
  }

  test("orphan tables (a crash after writing a table, before the manifest) are deleted on open", () => {
    const dir = path.join(tmp, "orphans");
    const tree = LsmTree.open(new NodeFileStore(dir), SMALL.leveled);
    for (let i = 0; i < 100; i++) tree.put(key(i), "v");
    tree.close();
    fs.writeFileSync(path.join(dir, tableFileName(999)), "junk");
    fs.writeFileSync(path.join(dir, "MANIFEST.tmp"), "junk");
    const again = LsmTree.open(new NodeFileStore(dir));
    check(!fs.existsSync(path.join(dir, tableFileName(999))), "orphan deleted");
    check(!fs.existsSync(path.join(dir, "MANIFEST.tmp")), "temporary manifest deleted");
    same(dec.decode(again.get(key(42))!), "v", "get 42");
    again.close();
  });

  test("a damaged manifest is refused as corrupt", () => {
    const store = new MemoryFileStore();
    const tree = LsmTree.open(store);
    tree.put("a", "1");
    tree.close();
    const bytes = store.reopen().readAll(MANIFEST_NAME);
    const damaged = bytes.slice();
    damaged[damaged.length - 2]! ^= 1;
    const bad = store.reopen();
    bad.replace(MANIFEST_NAME, damaged);
    expectDbError(() => LsmTree.open(bad), "corrupt", "damaged manifest");
    expectDbError(() => decodeManifest(bytes.subarray(0, 5)), "corrupt", "short manifest");
    same(decodeManifest(bytes).lastSeq, 1, "intact manifest's last seq");
  });
});

describe("LSM tree: amplification counters", () => {
  test("write amplification counts flush and compaction bytes per byte put", () => {
    const tree = LsmTree.open(new MemoryFileStore(), SMALL.leveled);
    for (let i = 0; i < 2000; i++) tree.put(key(i % 500), "0123456789");
    const s = tree.stats();
    same(s.puts, 2000, "puts");
    same(s.userBytes, 2000 * 15, "user bytes");
    check(s.flushBytes > 0 && s.compactionBytes > 0, "flush and compaction bytes");
    same(s.writeAmplification, (s.flushBytes + s.compactionBytes) / s.userBytes, "write amplification");
  });

  test("read amplification: gets read at most one block per table checked; absent keys mostly stop at the bloom filter", () => {
    const tree = LsmTree.open(new MemoryFileStore(), { ...SMALL["size-tiered"], sizeTiered: { minThreshold: 30, maxThreshold: 30 } });
    for (let i = 0; i < 1000; i++) tree.put(key(2 * i), "x");
    tree.flush();
    tree.resetStats();
    for (let i = 0; i < 1000; i++) tree.get(key(2 * i + 1));
    const s = tree.stats();
    same(s.gets, 1000, "gets");
    check(s.blocksRead <= s.tablesChecked, `blocks ${s.blocksRead} ≤ tables checked ${s.tablesChecked}`);
    check(s.bloomNegatives > 0.8 * s.tablesChecked, `bloom negatives ${s.bloomNegatives} of ${s.tablesChecked}`);
    same(s.blocksPerGet, s.blocksRead / 1000, "blocks per get");
  });

  test("the block cache: a block is read from the file (and checked) once, then gets use it; without a cache every get reads", () => {
    for (const [cacheBytes, fileReadsPerRound] of [[1 << 20, 0], [0, 1]] as const) {
      const store = new MemoryFileStore();
      const tree = LsmTree.open(store, { ...SMALL["size-tiered"], memtableBytes: 1 << 20, blockCacheBytes: cacheBytes, sizeTiered: { minThreshold: 30, maxThreshold: 30 } });
      for (let i = 0; i < 200; i++) tree.put(key(i), `v${i}`);
      tree.flush();
      tree.resetStats();
      same(dec.decode(tree.get(key(7))!), "v7", `first get (cache ${cacheBytes})`);
      const reads = store.stats.reads;
      for (let round = 0; round < 5; round++) same(dec.decode(tree.get(key(7))!), "v7", `get ${round} (cache ${cacheBytes})`);
      same(store.stats.reads - reads, 5 * fileReadsPerRound, `file reads by 5 more gets (cache ${cacheBytes})`);
      // Every get counts the block it touched, from the cache or the file.
      same(tree.stats().blocksRead, 6, `blocks read by 6 gets (cache ${cacheBytes})`);
    }
  });

  test("scan and get hand out copies: changing them changes nothing in the tree", () => {
    const tree = LsmTree.open(new MemoryFileStore(), SMALL.leveled);
    for (let i = 0; i < 300; i++) tree.put(key(i), `value${i}`);
    tree.flush();
    for (const [k, v] of tree.scan()) {
      k.fill(0x21);
      v.fill(0x21);
    }
    tree.get(key(5))!.fill(0x21);
    tree.put(key(6), "value6"); // in the memtable now
    tree.get(key(6))!.fill(0x21);
    same([...tree.scan()].map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`).join(","), Array.from({ length: 300 }, (_, i) => `${key(i)}=value${i}`).join(","), "scan after changing what scans and gets returned");
  });

  test("space amplification: overwritten and deleted data counts until compaction removes it", () => {
    const tree = LsmTree.open(new MemoryFileStore(), { ...SMALL.leveled, autoCompact: false });
    for (let round = 0; round < 4; round++) for (let i = 0; i < 200; i++) tree.put(key(i), `round${round}`);
    tree.flush();
    const before = tree.spaceAmplification();
    same(before.liveKeys, 200, "live keys");
    same(before.liveBytes, 200 * (5 + 6), "live bytes");
    tree.compactAll();
    const after = tree.spaceAmplification();
    check(after.ratio < before.ratio, `compaction lowers space amplification: ${before.ratio} → ${after.ratio}`);
  });
});

describe("LSM tree: bad input changes nothing", () => {
  test("options out of range, a strategy other than the stored one, keys of the wrong type", () => {
    const store = new MemoryFileStore();
    expectDbError(() => LsmTree.open(store, { memtableBytes: 0 }), "invalid-argument", "memtableBytes 0");
    expectDbError(() => LsmTree.open(store, { strategy: "tiered" as "leveled" }), "invalid-argument", "strategy");
    expectDbError(() => LsmTree.open(store, { leveled: { levelRatio: 1 } }), "invalid-argument", "ratio 1");
    expectDbError(() => LsmTree.open(store, { sizeTiered: { minThreshold: 1 } }), "invalid-argument", "minThreshold 1");
    expectDbError(() => LsmTree.open(store, { algorithms: { pickCompation: () => undefined } as object }), "invalid-argument", "unknown algorithm");
    same(store.list().length, 0, "no file written by a refused open");
    const tree = LsmTree.open(store, { strategy: "leveled" });
    tree.put("a", "1");
    expectDbError(() => tree.put(5 as unknown as string, "x"), "invalid-argument", "number key");
    expectDbError(() => tree.get(null as unknown as string), "invalid-argument", "null key");
    same(tree.stats().puts, 1, "puts after refusals");
    tree.close();
    expectDbError(() => LsmTree.open(store.reopen(), { strategy: "size-tiered" }), "invalid-argument", "strategy mismatch");
  });

  test("put copies its key and value: changing the caller's bytes afterwards changes nothing", () => {
    const tree = LsmTree.open(new MemoryFileStore(), { ...SMALL.leveled, blockCacheBytes: 0 });
    const k = enc.encode("key");
    const v = enc.encode("value");
    tree.put(k, v);
    k[0] = 0x7a;
    v[0] = 0x7a;
    same(dec.decode(tree.get("key")!), "value", "get after the caller changed its arrays");
    same(tree.get("zey"), undefined, "the changed key");
    for (let i = 0; i < 300; i++) tree.put(key(i), "v".repeat(i % 7));
    for (let i = 0; i < 300; i += 13) same(dec.decode(tree.get(key(i))!), "v".repeat(i % 7), `get ${i} without a block cache`);
    expectDbError(() => LsmTree.open(new MemoryFileStore(), { blockCacheBytes: -1 }), "invalid-argument", "negative cache");
  });

  test("a learner's compaction pieces plug in through algorithms", () => {
    let picks = 0;
    const tree = LsmTree.open(new MemoryFileStore(), {
      ...SMALL.leveled,
      algorithms: {
        pickCompaction: () => {
          picks++;
          return undefined;
        },
      },
    });
    for (let i = 0; i < 200; i++) tree.put(key(i), "v");
    check(picks > 0, "the given pickCompaction ran");
    check(tree.levels()[0]!.tables.length > 2, "nothing compacted");
  });

  test("a learner's bloom filter and merge plug in: tables are built and read with the filter, scans run through the merge", () => {
    let adds = 0;
    let probes = 0;
    class CountingFilter extends BloomFilter {
      static override withBitsPerKey(n: number, bitsPerKey: number): CountingFilter {
        const f = BloomFilter.withBitsPerKey(n, bitsPerKey);
        return Object.setPrototypeOf(f, CountingFilter.prototype) as CountingFilter;
      }
      static override decode(bytes: Uint8Array): CountingFilter {
        return Object.setPrototypeOf(BloomFilter.decode(bytes), CountingFilter.prototype) as CountingFilter;
      }
      override add(key: Uint8Array): void {
        adds++;
        super.add(key);
      }
      override mayContain(key: Uint8Array): boolean {
        probes++;
        return super.mayContain(key);
      }
    }
    let merges = 0;
    const merge: typeof mergeIterator = (sources, options) => {
      merges++;
      return mergeIterator(sources, options);
    };
    const store = new MemoryFileStore();
    const options: LsmTreeOptions = { ...SMALL.leveled, filter: CountingFilter, merge };
    let tree = LsmTree.open(store, options);
    for (let i = 0; i < 300; i++) tree.put(key(i), `v${i}`);
    tree.close();
    check(adds >= 300, `the filter saw every key put (${adds} adds)`);
    tree = LsmTree.open(store.reopen(), options);
    same(dec.decode(tree.get(key(7))!), "v7", "get after reopen");
    same(tree.get("absent"), undefined, "absent key");
    check(probes > 0, "gets asked the given filter");
    same([...tree.scan()].length, 300, "scan length");
    same(merges, 1, "scans through the given merge");
    expectDbError(() => LsmTree.open(new MemoryFileStore(), { merge: 3 as unknown as typeof mergeIterator }), "invalid-argument", "merge not a function");
    expectDbError(() => LsmTree.open(new MemoryFileStore(), { filter: {} as unknown as typeof BloomFilter }), "invalid-argument", "filter not a class");
  });
});

describe("file store and memtable", () => {
  const stores: [string, () => FileStore][] = [
    ["memory", () => new MemoryFileStore()],
    ["node", () => new NodeFileStore(fs.mkdtempSync(path.join(tmp, "store-")))],
  ];
  for (const [name, make] of stores) {
    test(`${name}: write once, read ranges, replace atomically, delete, list, count`, () => {
      const store = make();
      store.write("a.sst", enc.encode("hello world"));
      expectDbError(() => store.write("a.sst", enc.encode("x")), "invalid-state", "second write");
      expectDbError(() => store.write("../x", enc.encode("x")), "invalid-argument", "bad name");
      same(dec.decode(store.read("a.sst", 6, 5)), "world", "read");
      expectDbError(() => store.read("a.sst", 8, 5), "out-of-range", "read past the end");
      expectDbError(() => store.open("nope"), "invalid-argument", "missing file");
      store.replace("M", enc.encode("one"));
      store.replace("M", enc.encode("two!"));
      same(dec.decode(store.readAll("M")), "two!", "replaced");
      same(store.list().join(","), "M,a.sst", "list");
      same(store.size("a.sst"), 11, "size");
      const s = store.stats;
      same(s.bytesWritten, 11 + 3 + 4, "bytes written");
      same(s.bytesRead, 5 + 4, "bytes read");
      same(s.files, 2, "files");
      same(s.bytesOnDisk, 15, "bytes on disk");
      same(store.delete("a.sst"), true, "delete");
      same(store.delete("a.sst"), false, "second delete");
      same(store.exists("a.sst"), false, "exists");
      store.close();
      expectDbError(() => store.list(), "invalid-state", "after close");
    });
  }

  test("memtable: newest version per key, bytes of every put, frozen refuses puts", () => {
    const m = new Memtable();
    m.put({ key: enc.encode("b"), seq: 1, value: enc.encode("1") });
    m.put({ key: enc.encode("a"), seq: 2, value: enc.encode("22") });
    m.put({ key: enc.encode("b"), seq: 3, value: undefined });
    same(m.size, 2, "entries");
    same(m.sizeBytes, 1 + 1 + 1 + 2 + 1 + 0 + 3 * 24, "bytes of every put, the replaced one included");
    same(m.get(enc.encode("b"))?.value, undefined, "tombstone");
    same([...m.entries()].map((e) => dec.decode(e.key)).join(""), "ab", "sorted");
    same(m.maxSeq, 3, "max seq");
    m.freeze();
    expectDbError(() => m.put({ key: enc.encode("c"), seq: 4, value: undefined }), "invalid-state", "put after freeze");
  });

  test("memtable against a Map: seeded puts (new keys, overwrites, tombstones) through many leaf splits, gets and bounded scans", () => {
    const r = rng(61);
    const m = new Memtable();
    const model = new Map<string, { seq: number; value: string | undefined }>();
    const k = (n: number) => `m${String(n).padStart(5, "0")}`;
    for (let seq = 1; seq <= 6000; seq++) {
      const n = r.bool(0.3) ? r.int(50) : r.int(20_000);
      const value = r.bool(0.1) ? undefined : `v${seq}`;
      m.put({ key: enc.encode(k(n)), seq, value: value === undefined ? undefined : enc.encode(value) });
      model.set(k(n), { seq, value });
    }
    same(m.size, model.size, "entries");
    const sorted = [...model.keys()].sort();
    const show = (e: { key: Uint8Array; seq: number; value: Uint8Array | undefined }) => `${dec.decode(e.key)}@${e.seq}=${e.value === undefined ? "☠" : dec.decode(e.value)}`;
    const want = (key: string) => `${key}@${model.get(key)!.seq}=${model.get(key)!.value ?? "☠"}`;
    same([...m.entries()].map(show).join(","), sorted.map(want).join(","), "full scan");
    for (let i = 0; i < 300; i++) {
      const n = r.int(20_100);
      const e = m.get(enc.encode(k(n)));
      same(e === undefined ? "absent" : show(e), model.has(k(n)) ? want(k(n)) : "absent", `get ${k(n)}`);
    }
    for (let i = 0; i < 40; i++) {
      const a = k(r.int(20_100));
      const b = k(r.int(20_100));
      const [lo, hi] = a < b ? [a, b] : [b, a];
      same([...m.entries(enc.encode(lo), enc.encode(hi))].map(show).join(","), sorted.filter((x) => x >= lo && x < hi).map(want).join(","), `scan [${lo}, ${hi})`);
    }
    same([...new Memtable().entries(enc.encode("a"))].length, 0, "scan of an empty memtable");
  });

  test("memtable: keys that share a hash (its point-get index) are still told apart", () => {
    // The memtable's index hashes keys with 30-bit FNV-1a; find keys that collide under it.
    const fnv30 = (b: Uint8Array) => {
      let h = 0x811c9dc5;
      for (const x of b) h = Math.imul(h ^ x, 0x01000193);
      return h & 0x3fffffff;
    };
    const seen = new Map<number, string>();
    const pairs: [string, string][] = [];
    for (let i = 0; pairs.length < 2; i++) {
      const k = `c${i}`;
      const h = fnv30(enc.encode(k));
      const other = seen.get(h);
      if (other !== undefined) pairs.push([other, k]);
      else seen.set(h, k);
    }
    const [[a, b], [c, d]] = pairs as [[string, string], [string, string]];
    const m = new Memtable();
    const get = (k: string) => {
      const e = m.get(enc.encode(k));
      return e === undefined ? "absent" : e.value === undefined ? "☠" : dec.decode(e.value);
    };
    m.put({ key: enc.encode(a), seq: 1, value: enc.encode("A") });
    same(get(b), "absent", `${b}, same hash as ${a}, not put`);
    m.put({ key: enc.encode(b), seq: 2, value: enc.encode("B") });
    same(`${get(a)} ${get(b)}`, "A B", "both keys of a shared hash");
    m.put({ key: enc.encode(a), seq: 3, value: enc.encode("A2") });
    m.put({ key: enc.encode(b), seq: 4, value: undefined });
    same(`${get(a)} ${get(b)}`, "A2 ☠", "after an overwrite and a delete");
    m.put({ key: enc.encode(c), seq: 5, value: enc.encode("C") });
    m.put({ key: enc.encode(c), seq: 6, value: enc.encode("C2") });
    same(`${get(c)} ${get(d)}`, "C2 absent", "a key overwritten, another of its hash absent");
    same([...m.entries()].map((e) => dec.decode(e.key)).join(","), [a, b, c].sort().join(","), "sorted entries");
  });

  test("manifest round trip", () => {
    const state = { strategy: "leveled" as const, nextFileNumber: 9, lastSeq: 77, levels: [[{ fileNumber: 3, smallest: enc.encode("a"), largest: enc.encode("z"), size: 100, entries: 4 }], []] };
    expect(decodeManifest(encodeManifest(state))).toEqual(state);
  });
});
