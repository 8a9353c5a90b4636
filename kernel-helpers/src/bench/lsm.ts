/**
 * LSM tree measurements
 * =====================
 * The one place notebook 06's LSM cells and `npm run bench -- lsm` get their numbers
 * from: the cells pass the pieces `choose()` picked (the learner's bloom filter, merge and
 * compaction, 06.2–06.4, and B+tree algorithms, notebook 05, once they pass), the suite the engine's.
 *
 *   amplification(parts, options)   write, read and space amplification of the engine's
 *                                   B+tree and LSM tree (leveled, leveled without bloom
 *                                   filters, size-tiered) under three seeded workloads;
 *                                   deterministic counts, the same on every machine
 *   amplificationChart(rows)        the faceted chart of those rows
 *   lsmVsLevelDb(parts, options)    puts/s (three ways) and gets/s of the LSM tree
 *                                   against LevelDB (classic-level), interleaved rounds,
 *                                   as ratios
 *
 * What is compared (amplification). Both structures are an index: a 16-byte key → a
 * 6-byte rid (22 bytes an entry), the B+tree's own job. Both get the same memory
 * (`memoryBytes`: 32 KiB small, 256 KiB full): the B+tree a clock pool of that many 4 KiB
 * frames over a FileDiskManager, the LSM tree a memtable of that size and LevelDB's shape
 * scaled to it (`scaledLsmOptions`), no block cache, over a NodeFileStore without fsync
 * (the counts do not depend on it). The LSM tree's block indexes and bloom filters stay in
 * memory on top of that budget (10 bits, 1.25 bytes, per key for the filters).
 *
 *   workload        preload `keys` keys (random order), then `ops` operations on them:
 *   write-heavy     90% puts (overwrites of random existing keys), 10% gets
 *   mixed           50% puts, 50% gets
 *   read-heavy      10% puts, 90% gets
 *
 *   write amp   bytes written to the disk ÷ key and rid bytes put (preload included).
 *               B+tree: (pages written back + pages allocated) × 4 KiB, after a final
 *               flushAll; LSM: table bytes written by flushes and compactions (the
 *               manifest's few hundred bytes a flush not counted)
 *   read amp    pages (B+tree: pool misses) or data blocks (LSM) read per get, gets of
 *               present keys during the operations phase
 *   space amp   bytes of the files at the end ÷ key and rid bytes of the live keys
 *
 * The real peer (lsmVsLevelDb). The LSM tree with LevelDB's default shape (4 MiB
 * memtable, 2 MiB tables, 10 MiB L1, ratio 10, L0 trigger 4, 4 KiB blocks, 10 bloom bits
 * per key, an 8 MiB block cache) against LevelDB 1.20 through classic-level with
 * compression off (we do not compress); both memtables 1 MiB at the small size, so that
 * the keys of the get test are mostly in tables there too (`LEVELDB_PEER_SIZES`); same
 * 16-byte keys and 100-byte values, same order. Sync: both without fsync per write
 * (LevelDB's default `sync: false`: its log is written, not fsynced; our tree has no log
 * yet); both fsync each table file they write (ours: NodeFileStore's default). classic-
 * level's writes are asynchronous (a thread pool): a LevelDB put task writes
 * `LEVELDB_PUTS_PER_CALL` keys as batches of 1,000 (`db.batch`, awaited one after
 * another), which amortises the crossing into C++ over a batch.
 *
 *   puts                  ours as it ships: a put that fills the memtable flushes it and
 *                         then runs every compaction that is due, inside that put; LevelDB
 *                         flushes and compacts on a background thread, so its rate leaves
 *                         that work out (until L0 reaches 8 tables, when it slows writers
 *                         down, or 12, when it stops them). The issue's target applies here.
 *   puts, compaction      ours with `autoCompact: false`: a full memtable is still flushed
 *     deferred            inside the put (LevelDB does that in the background too), the
 *                         compactions are left for later, as LevelDB's thread leaves them.
 *                         The debt is reported: the compactions and the time `compactAll()`
 *                         takes after the timed puts (`deferredDebt`). Same LevelDB task.
 *   load then settle      a fresh store, `settleKeys` puts, then until no compaction
 *                         trigger holds: ours `compactAll()`; LevelDB has no call that waits
 *                         for its background compactions, so we poll `leveldb.sstables`
 *                         (every 2 ms) until no trigger of its own rule holds (L0 < 4 tables,
 *                         every level under 10 MiB · 10^(level−1)) and the table list has not
 *                         changed for 250 ms (an in-flight memtable flush is not visible in
 *                         it); its time is taken at the first poll that saw the final list.
 *                         (`db.compactRange()` is not a settle: it flushes the memtable and
 *                         pushes every key down to the last level, more work than ours does.)
 *                         Both memtables are left unflushed. LevelDB moves a table down a
 *                         level without rewriting it when nothing overlaps it ("trivial
 *                         move"); we always rewrite. Rate = settleKeys ÷ (load + settle) time.
 *
 * Gets use classic-level's synchronous `getSync`, one key at a time, as ours (the stores
 * they read are loaded beforehand, unmeasured, ours without fsync). Our get copies the
 * value it returns, as LevelDB's does into a string.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BPlusTree,
  type BTreeAlgorithms,
  BufferPoolManager,
  ClockReplacer,
  type CompactionAlgorithms,
  FileDiskManager,
  LsmTree,
  type LsmTreeOptions,
  NodeFileStore,
  Random,
  rid,
} from "@workbook/engine";
import { ClassicLevel } from "classic-level";
import type { ChartSpec } from "../display/chart.js";
import { bench, benchSize, type BenchResult, type BenchSize, type Comparison, compareRounds } from "./bench.js";

/** The pieces a cell passes in: the learner's where they pass, the engine's otherwise. */
export interface LsmParts {
  /** Compaction pieces (exercise 06.4). */
  readonly compaction?: Partial<CompactionAlgorithms>;
  /** The bloom filter class the LSM tree's tables use (exercise 06.2). */
  readonly filter?: LsmTreeOptions["filter"];
  /** The merge its scans read through (exercise 06.3). */
  readonly merge?: LsmTreeOptions["merge"];
  /** B+tree algorithms (notebook 05) for the B+tree side. */
  readonly btree?: Partial<BTreeAlgorithms>;
}

/** The LSM tree options that carry the given pieces (absent ones stay the engine's). */
function lsmPieces(parts: LsmParts): Pick<LsmTreeOptions, "algorithms" | "filter" | "merge"> {
  return {
    ...(parts.compaction === undefined ? {} : { algorithms: parts.compaction }),
    ...(parts.filter === undefined ? {} : { filter: parts.filter }),
    ...(parts.merge === undefined ? {} : { merge: parts.merge }),
  };
}

/** Keys preloaded, operations after, and the memory each structure gets (B+tree pool = LSM memtable). */
export const AMPLIFICATION_SIZES: Readonly<Record<BenchSize, { readonly keys: number; readonly ops: number; readonly memoryBytes: number }>> = {
  small: { keys: 10_000, ops: 8_000, memoryBytes: 32 * 1024 },
  full: { keys: 200_000, ops: 200_000, memoryBytes: 256 * 1024 },
};

export const LSM_WORKLOADS: readonly { readonly name: string; readonly putShare: number }[] = [
  { name: "write-heavy", putShare: 0.9 },
  { name: "mixed", putShare: 0.5 },
  { name: "read-heavy", putShare: 0.1 },
];

const PAGE = 4096;
const KEY_BYTES = 16;
const RID_BYTES = 6;

/**
 * The LSM tree of the amplification runs: LevelDB's shape scaled to `memoryBytes` of
 * memtable (tables as big as the memtable, L1 four times that, ratio 10, L0 trigger 4,
 * 4 KiB blocks, 10 bloom bits per key) and no block cache: the memory budget is the
 * memtable, as the B+tree's is its pool.
 */
export function scaledLsmOptions(memoryBytes: number): LsmTreeOptions {
  return {
    memtableBytes: memoryBytes,
    tableTargetBytes: memoryBytes,
    leveled: { l0Trigger: 4, baseLevelBytes: 4 * memoryBytes, levelRatio: 10 },
    blockSize: PAGE,
    bitsPerKey: 10,
    blockCacheBytes: 0,
  };
}

export interface AmplificationRow {
  readonly workload: string;
  readonly structure: string;
  /** Bytes written to files ÷ key and rid bytes put. */
  readonly writeAmplification: number;
  /** Pages (B+tree) or data blocks (LSM) read per get. */
  readonly readAmplification: number;
  /** Bytes of the files ÷ bytes of the live keys and rids. */
  readonly spaceAmplification: number;
  readonly userBytes: number;
  readonly bytesWritten: number;
  readonly gets: number;
  readonly bytesOnDisk: number;
  readonly liveBytes: number;
}

/** 16 bytes: "k" and 15 zero-padded digits, so byte order is number order. */
function keyBytes(n: number): Uint8Array {
  return new TextEncoder().encode(`k${String(n).padStart(KEY_BYTES - 1, "0")}`);
}

function ridBytes(page: number, slot: number): Uint8Array {
  const b = new Uint8Array(RID_BYTES);
  new DataView(b.buffer).setUint32(0, page, false);
  new DataView(b.buffer).setUint16(4, slot, false);
  return b;
}

interface Op {
  readonly put: boolean;
  readonly key: number;
}

/** The seeded plan of one workload: the preload order and the operations. */
function plan(keys: number, ops: number, putShare: number, seed: number): { readonly preload: readonly number[]; readonly ops: readonly Op[] } {
  const r = new Random(seed);
  const preload = r.shuffle(Array.from({ length: keys }, (_, i) => i * 3));
  const list: Op[] = [];
  for (let i = 0; i < ops; i++) list.push({ put: r.float() < putShare, key: 3 * r.int(keys) });
  return { preload, ops: list };
}

/** Write, read and space amplification for every workload × structure (see the header). */
export function amplification(parts: LsmParts = {}, options: { readonly size?: BenchSize; readonly seed?: number; readonly dir?: string } = {}): AmplificationRow[] {
  const { keys, ops, memoryBytes } = AMPLIFICATION_SIZES[options.size ?? benchSize()];
  const frames = memoryBytes / PAGE;
  const lsm = scaledLsmOptions(memoryBytes);
  const seed = options.seed ?? 6;
  const root = mkdtempSync(path.join(options.dir ?? os.tmpdir(), "lsm-amp-"));
  const rows: AmplificationRow[] = [];
  try {
    for (const [w, workload] of LSM_WORKLOADS.entries()) {
      const p = plan(keys, ops, workload.putShare, seed + w);
      const dir = (name: string) => path.join(root, `${workload.name}-${name}`);
      rows.push({ workload: workload.name, structure: "B+tree", ...btreeRun(parts, p, dir("btree"), frames) });
      rows.push({ workload: workload.name, structure: "LSM leveled", ...lsmRun(parts, p, dir("leveled"), { ...lsm, strategy: "leveled" }) });
      rows.push({ workload: workload.name, structure: "LSM leveled, no bloom", ...lsmRun(parts, p, dir("nobloom"), { ...lsm, strategy: "leveled", bitsPerKey: 0 }) });
      rows.push({ workload: workload.name, structure: "LSM size-tiered", ...lsmRun(parts, p, dir("tiered"), { ...lsm, strategy: "size-tiered" }) });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

type Plan = ReturnType<typeof plan>;
type Measured = Omit<AmplificationRow, "workload" | "structure">;

function btreeRun(parts: LsmParts, p: Plan, file: string, frames: number): Measured {
  const disk = new FileDiskManager(file, { pageSize: PAGE });
  try {
    const pool = new BufferPoolManager({ frames, disk, replacer: new ClockReplacer(frames) });
    const tree = BPlusTree.create(pool, { unique: true, ...(parts.btree === undefined ? {} : { algorithms: parts.btree }) });
    let userBytes = 0;
    let version = 0;
    for (const k of p.preload) {
      tree.insert(keyBytes(k), rid(k % 65_536, 0));
      userBytes += KEY_BYTES + RID_BYTES;
    }
    let gets = 0;
    let readsInGets = 0;
    for (const op of p.ops) {
      const key = keyBytes(op.key);
      if (op.put) {
        version++;
        tree.delete(key);
        tree.insert(key, rid(op.key % 65_536, version % 65_535));
        userBytes += KEY_BYTES + RID_BYTES;
      } else {
        const before = disk.stats.reads;
        tree.get(key);
        readsInGets += disk.stats.reads - before;
        gets++;
      }
    }
    pool.flushAll();
    const s = disk.stats;
    const bytesWritten = (s.writes + s.allocations) * PAGE;
    const liveBytes = tree.size * (KEY_BYTES + RID_BYTES);
    const bytesOnDisk = disk.pageCount * PAGE;
    return {
      writeAmplification: bytesWritten / userBytes,
      readAmplification: gets === 0 ? 0 : readsInGets / gets,
      spaceAmplification: bytesOnDisk / liveBytes,
      userBytes,
      bytesWritten,
      gets,
      bytesOnDisk,
      liveBytes,
    };
  } finally {
    disk.close();
  }
}

function lsmRun(parts: LsmParts, p: Plan, dir: string, options: LsmTreeOptions): Measured {
  const tree = LsmTree.open(new NodeFileStore(dir, { sync: false }), { ...options, ...lsmPieces(parts) });
  try {
    let version = 0;
    for (const k of p.preload) tree.put(keyBytes(k), ridBytes(k % 65_536, 0));
    let gets = 0;
    // Only gets read blocks (compaction reads tables through scans, not counted here).
    const before = tree.stats().blocksRead;
    for (const op of p.ops) {
      if (op.put) {
        version++;
        tree.put(keyBytes(op.key), ridBytes(op.key % 65_536, version % 65_535));
      } else {
        tree.get(keyBytes(op.key));
        gets++;
      }
    }
    const blocks = tree.stats().blocksRead - before;
    // Everything on disk, as the B+tree's flushAll: the memtable's bytes count as written.
    tree.flush();
    const s = tree.stats();
    const space = tree.spaceAmplification();
    return {
      writeAmplification: s.writeAmplification,
      readAmplification: gets === 0 ? 0 : blocks / gets,
      spaceAmplification: space.ratio,
      userBytes: s.userBytes,
      bytesWritten: s.flushBytes + s.compactionBytes,
      gets,
      bytesOnDisk: space.bytesOnDisk,
      liveBytes: space.liveBytes,
    };
  } finally {
    tree.close();
  }
}

/** Three panels (write, read, space amplification), a bar per structure, grouped by workload. */
export function amplificationChart(rows: readonly AmplificationRow[]): ChartSpec {
  const metrics: [keyof AmplificationRow, string][] = [
    ["writeAmplification", "write: bytes written per byte put"],
    ["readAmplification", "read: pages or blocks read per get"],
    ["spaceAmplification", "space: bytes on disk per live byte"],
  ];
  const values = rows.flatMap((r) => metrics.map(([field, metric]) => ({ workload: r.workload, structure: r.structure, metric, value: Number((r[field] as number).toFixed(3)) })));
  return {
    title: { text: "Amplification: B+tree against LSM trees", subtitle: "a key → rid index, the same memory for each (B+tree pool = LSM memtable); log scale" },
    data: { values },
    facet: { column: { field: "metric", type: "nominal", title: null, sort: metrics.map((m) => m[1]) } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 200,
      mark: { type: "bar" },
      encoding: {
        x: { field: "workload", type: "nominal", title: null, sort: LSM_WORKLOADS.map((w) => w.name) },
        xOffset: { field: "structure", type: "nominal" },
        // stack: null, or the bars stack from zero, which a log scale cannot show (and Vega drops them).
        y: { field: "value", type: "quantitative", scale: { type: "log" }, stack: null, title: "ratio (log scale)" },
        color: { field: "structure", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 300 } },
        tooltip: [{ field: "structure" }, { field: "workload" }, { field: "metric" }, { field: "value" }],
      },
    },
  };
}

/**
 * Keys loaded for the gets, and both stores' memtable (LevelDB's `writeBufferSize`): at the
 * small size 1 MiB, so that most of the 20,000 keys (2.5 MB) are in tables, not in memory.
 */
export const LEVELDB_PEER_SIZES: Readonly<Record<BenchSize, { readonly keys: number; readonly memtableBytes: number; readonly settleKeys: number }>> = {
  small: { keys: 20_000, memtableBytes: 1024 * 1024, settleKeys: 60_000 },
  full: { keys: 200_000, memtableBytes: 4 * 1024 * 1024, settleKeys: 300_000 },
};
/** Keys per put call, gets per get call. */
export const LEVELDB_PUTS_PER_CALL = 5_000;
export const LEVELDB_GETS_PER_CALL = 5_000;
const VALUE_BYTES = 100;
const BATCH = 1_000;

/** One contender's load-then-settle rounds. */
export interface SettleRun {
  /** Keys per second (settleKeys ÷ seconds of load and settle), one per round. */
  readonly rounds: readonly number[];
  /** The median of `rounds`. */
  readonly keysPerSec: number;
  /** Median seconds of the load, and of the settle after it. */
  readonly loadSeconds: number;
  readonly settleSeconds: number;
}

export interface LevelDbComparison {
  /** Tasks "LevelDB", "ours" (compacting inside put) and "ours, compaction deferred". */
  readonly puts: BenchResult;
  readonly gets: BenchResult;
  /** ours ÷ LevelDB, median of the per-round ratios. */
  readonly putRatio: Comparison;
  readonly putDeferredRatio: Comparison;
  readonly getRatio: Comparison;
  /** What the deferred puts left to do: tables in L0, and the compactions and seconds of `compactAll()` after them. */
  readonly deferredDebt: { readonly puts: number; readonly l0Tables: number; readonly compactions: number; readonly seconds: number };
  /** Load then settle: ours and LevelDB, the ratio of their per-round rates. */
  readonly settle: { readonly ours: SettleRun; readonly LevelDB: SettleRun; readonly ratio: Comparison; readonly keys: number };
  readonly keys: number;
}

/** LevelDB's defaults, for the tree that meets LevelDB. */
export const LEVELDB_SHAPE: LsmTreeOptions = {
  strategy: "leveled",
  memtableBytes: 4 * 1024 * 1024,
  tableTargetBytes: 2 * 1024 * 1024,
  leveled: { l0Trigger: 4, baseLevelBytes: 10 * 1024 * 1024, levelRatio: 10 },
  blockSize: 4096,
  bitsPerKey: 10,
};

/**
 * Puts and gets per second, ours against LevelDB (see the header). Puts: every call writes
 * the next `LEVELDB_PUTS_PER_CALL` of a seeded stream of fresh keys into a store that keeps
 * growing, in both. Gets: `keys` keys loaded into fresh stores, then each call gets
 * `LEVELDB_GETS_PER_CALL` present keys in a seeded random order.
 */
export async function lsmVsLevelDb(parts: LsmParts = {}, options: { readonly size?: BenchSize; readonly dir?: string; readonly time?: number } = {}): Promise<LevelDbComparison> {
  const size = options.size ?? benchSize();
  const { keys, memtableBytes, settleKeys } = LEVELDB_PEER_SIZES[size];
  const shape: LsmTreeOptions = { ...LEVELDB_SHAPE, memtableBytes };
  const root = mkdtempSync(path.join(options.dir ?? os.tmpdir(), "lsm-peer-"));
  const algorithms = lsmPieces(parts);
  const value = new Uint8Array(VALUE_BYTES).fill(0x61);
  const random = new Random(2006);
  // A stream of distinct keys in random order: a multiplicative permutation of 0…2^31.
  const keyAt = (i: number) => keyBytes(Math.imul(i + 1, 0x9e3779b1) >>> 1);
  try {
    // Puts: both stores grow call after call.
    const ours = LsmTree.open(new NodeFileStore(path.join(root, "ours-put")), { ...shape, ...algorithms });
    const deferred = LsmTree.open(new NodeFileStore(path.join(root, "ours-deferred")), { ...shape, ...algorithms, autoCompact: false });
    const level = new ClassicLevel<Uint8Array, Uint8Array>(path.join(root, "leveldb-put"), { keyEncoding: "view", valueEncoding: "view", compression: false, writeBufferSize: memtableBytes });
    await level.open();
    let oursNext = 0;
    let deferredNext = 0;
    let levelNext = 0;
    const puts = await bench(
      {
        LevelDB: async () => {
          for (let b = 0; b < LEVELDB_PUTS_PER_CALL; b += BATCH) {
            const batch = level.batch();
            for (let i = 0; i < BATCH; i++) batch.put(keyAt(levelNext++), value);
            await batch.write();
          }
        },
        ours: () => {
          for (let i = 0; i < LEVELDB_PUTS_PER_CALL; i++) ours.put(keyAt(oursNext++), value);
        },
        "ours, compaction deferred": () => {
          for (let i = 0; i < LEVELDB_PUTS_PER_CALL; i++) deferred.put(keyAt(deferredNext++), value);
        },
      },
      { time: options.time ?? 6_000, perCall: LEVELDB_PUTS_PER_CALL, title: `puts of ${LEVELDB_PUTS_PER_CALL} keys (16-byte keys, 100-byte values), stores growing` },
    );
    ours.close();
    await level.close();
    const l0Tables = deferred.levels()[0]!.tables.length;
    const debtStart = performance.now();
    const debtCompactions = deferred.compactAll();
    const deferredDebt = { puts: deferredNext, l0Tables, compactions: debtCompactions, seconds: (performance.now() - debtStart) / 1000 };
    deferred.close();

    // Gets: load the same keys into fresh stores, then read them back in a seeded order.
    const oursGet = LsmTree.open(new NodeFileStore(path.join(root, "ours-get"), { sync: false }), { ...shape, ...algorithms });
    const levelGet = new ClassicLevel<Uint8Array, Uint8Array>(path.join(root, "leveldb-get"), { keyEncoding: "view", valueEncoding: "view", compression: false, writeBufferSize: memtableBytes });
    await levelGet.open();
    for (let b = 0; b < keys; b += BATCH) {
      const batch = levelGet.batch();
      for (let i = b; i < Math.min(keys, b + BATCH); i++) {
        batch.put(keyAt(i), value);
        oursGet.put(keyAt(i), value);
      }
      await batch.write();
    }
    const probes = Array.from({ length: LEVELDB_GETS_PER_CALL * 4 }, () => keyAt(random.int(keys)));
    let oursAt = 0;
    let levelAt = 0;
    const gets = await bench(
      {
        LevelDB: () => {
          let found = 0;
          for (let i = 0; i < LEVELDB_GETS_PER_CALL; i++) {
            if (levelGet.getSync(probes[levelAt++ % probes.length]!) !== undefined) found++;
          }
          return found;
        },
        ours: () => {
          let found = 0;
          for (let i = 0; i < LEVELDB_GETS_PER_CALL; i++) {
            if (oursGet.get(probes[oursAt++ % probes.length]!) !== undefined) found++;
          }
          return found;
        },
      },
      { time: options.time ?? 3_000, perCall: LEVELDB_GETS_PER_CALL, title: `gets of ${LEVELDB_GETS_PER_CALL} present keys among ${keys}` },
    );
    oursGet.close();
    await levelGet.close();

    const settle = await loadThenSettle(root, shape, algorithms, settleKeys, keyAt, value, size === "small" ? 3 : 5);
    return {
      puts,
      gets,
      putRatio: puts.compare("ours", "LevelDB"),
      putDeferredRatio: puts.compare("ours, compaction deferred", "LevelDB"),
      getRatio: gets.compare("ours", "LevelDB"),
      deferredDebt,
      settle,
      keys,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Load then settle (see the header), `rounds` interleaved rounds (LevelDB first in odd
 * rounds, ours first in even ones), each on fresh stores; the ratio pairs the rounds.
 */
async function loadThenSettle(
  root: string,
  shape: LsmTreeOptions,
  algorithms: Pick<LsmTreeOptions, "algorithms" | "filter" | "merge">,
  n: number,
  keyAt: (i: number) => Uint8Array,
  value: Uint8Array,
  rounds: number,
): Promise<LevelDbComparison["settle"]> {
  const runs: Record<"ours" | "LevelDB", { rate: number; load: number; settle: number }[]> = { ours: [], LevelDB: [] };
  const ours = (dir: string) => {
    const tree = LsmTree.open(new NodeFileStore(dir), { ...shape, ...algorithms });
    const start = performance.now();
    for (let i = 0; i < n; i++) tree.put(keyAt(i), value);
    const loaded = performance.now();
    tree.compactAll();
    const settled = performance.now();
    tree.close();
    return { load: loaded - start, settle: settled - loaded };
  };
  const leveldb = async (dir: string) => {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view", compression: false, writeBufferSize: shape.memtableBytes! });
    await db.open();
    const start = performance.now();
    for (let b = 0; b < n; b += BATCH) {
      const batch = db.batch();
      for (let i = b; i < Math.min(n, b + BATCH); i++) batch.put(keyAt(i), value);
      await batch.write();
    }
    const loaded = performance.now();
    const settled = await levelDbSettled(db);
    await db.close();
    return { load: loaded - start, settle: settled - loaded };
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (["LevelDB", "ours"] as const) : (["ours", "LevelDB"] as const);
    for (const who of order) {
      const dir = path.join(root, `settle-${who}-${r}`);
      const t = who === "ours" ? ours(dir) : await leveldb(dir);
      rmSync(dir, { recursive: true, force: true });
      runs[who].push({ rate: n / ((t.load + t.settle) / 1000), ...t });
    }
  }
  const summary = (list: readonly { rate: number; load: number; settle: number }[]): SettleRun => ({
    rounds: list.map((x) => x.rate),
    keysPerSec: medianOf(list.map((x) => x.rate)),
    loadSeconds: medianOf(list.map((x) => x.load)) / 1000,
    settleSeconds: medianOf(list.map((x) => x.settle)) / 1000,
  });
  return { ours: summary(runs.ours), LevelDB: summary(runs.LevelDB), ratio: compareRounds(runs.ours.map((x) => x.rate), runs.LevelDB.map((x) => x.rate)), keys: n };
}

const LEVELDB_L0_TRIGGER = 4;
const LEVELDB_L1_BYTES = 10 * 1024 * 1024;
const SETTLE_POLL_MS = 2;
const SETTLE_QUIET_MS = 250;

/**
 * When LevelDB's background work is done: the `performance.now()` of the first poll that
 * saw the final table list (no trigger holds, unchanged for `SETTLE_QUIET_MS`).
 */
async function levelDbSettled(db: ClassicLevel<Uint8Array, Uint8Array>): Promise<number> {
  let last = "";
  let since = performance.now();
  for (;;) {
    const now = performance.now();
    const tables = db.getProperty("leveldb.sstables");
    if (tables !== last) {
      last = tables;
      since = now;
    } else if (now - since >= SETTLE_QUIET_MS && !levelDbTriggerHolds(tables)) {
      return since;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

/** LevelDB 1.20's rule (version_set.cc, `Finalize`): L0 has ≥ 4 tables, or a level 1 … 5 holds ≥ 10 MiB · 10^(level−1). */
function levelDbTriggerHolds(sstables: string): boolean {
  const bytes: number[] = [];
  const files: number[] = [];
  let level = -1;
  for (const line of sstables.split("\n")) {
    const header = /^--- level (\d+) ---$/.exec(line);
    if (header !== null) {
      level = Number(header[1]);
      bytes[level] = 0;
      files[level] = 0;
      continue;
    }
    const table = /^ \d+:(\d+)\[/.exec(line);
    if (table !== null && level >= 0) {
      bytes[level]! += Number(table[1]);
      files[level]! += 1;
    }
  }
  if ((files[0] ?? 0) >= LEVELDB_L0_TRIGGER) return true;
  for (let i = 1; i < bytes.length - 1; i++) if (bytes[i]! >= LEVELDB_L1_BYTES * 10 ** (i - 1)) return true;
  return false;
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
