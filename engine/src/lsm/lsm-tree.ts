/**
 * LSM tree
 * ========
 * A key-value store that never updates a file in place. Writes go to a sorted map in
 * memory (the memtable); a full memtable is written out whole, in key order, as a new
 * SSTable (a flush: one sequential write); compaction later merges tables into fewer,
 * bigger ones. Reads look in the newest place first.
 *
 *   put/delete ─► memtable ──full──► immutable ──flush──► L0 tables (newest first)
 *                                                           │ compaction (merge)
 *                                                           ▼
 *                                                  L1 … Ln  (leveled: sorted, disjoint)
 *                                                  or runs  (size-tiered: newest first)
 *
 *   get(k)   memtable → immutable memtables → L0 tables newest first → L1 → … → Ln,
 *            skipping a table whose [smallest, largest] misses k (in L ≥ 1 a binary
 *            search finds the one table that can hold k) and, inside the SSTable, one
 *            whose bloom filter says no; the first version found wins (it is the newest:
 *            every place is newer than the places after it), a tombstone meaning absent.
 *   scan     one sorted source per memtable and table, merged by `mergeIterator`
 *            (newest first, tombstones dropped): keys lo ≤ key < hi, ascending.
 *
 * Every write takes the next sequence number; the manifest records the last one, so
 * seqs keep increasing across restarts. A flush or a compaction writes its new tables,
 * then the manifest (atomically), then deletes the tables it replaced; a crash between
 * those steps leaves orphan files, deleted at the next `open`.
 *
 * Durability: there is no write-ahead log yet, it comes with notebook 09. Until then a
 * crash loses whatever is in the memtable; `close()` flushes it, so a clean close/open
 * loses nothing. Tables and the manifest are fsynced as they are written (unless the
 * file store runs without sync).
 *
 * The three amplifications, as `stats()` measures them:
 *   write  table bytes written (flushes + compactions) ÷ key and value bytes put
 *   read   data blocks read per get (and tables whose bloom filter was consulted per get)
 *   space  bytes of live tables ÷ key and value bytes of the live keys (`spaceAmplification()`)
 *
 * Costs: a put is O(log n) in memory (its key and value copied into an arena), plus its
 * share of flushes and compactions (each byte is rewritten about ratio times per level
 * with leveled compaction, about once per tier with size-tiered). A get reads at most one
 * block per table it cannot skip, from an LRU cache of checked, parsed blocks (8 MiB by
 * default) or from the file, where the block's CRC-32C and restart array are checked
 * before it is used and cached (sstable.ts). `get` and `scan` hand out copies: the caller
 * may keep and change them. Compactions read their inputs 256 KiB at a time without
 * filling the cache, as views of those reads (nothing copied until the output is built).
 *
 * LevelDB is this design (memtable skip list, immutable memtable, L0 trigger 4, 10 MiB
 * L1, ratio 10, 2 MiB tables, a bloom filter per table when configured) with a WAL, a
 * background compaction thread, a block cache and snapshots; RocksDB adds size-tiered
 * ("universal") compaction and much more. PostgreSQL does not use an LSM tree: its
 * tables are heaps and its indexes B-trees updated in place, made durable by its WAL.
 */
import { DbError } from "../common/errors.js";
import { compareBytes } from "../index/key-codec.js";
import {
  type CompactionAlgorithms,
  type CompactionPick,
  type LeveledOptions,
  levelLimit,
  resolveCompactionAlgorithms,
  checkLeveledOptions,
} from "./compaction.js";
import { ENGINE_COMPACTION_ALGORITHMS } from "./compaction-defaults.js";
import { checkSizeTieredOptions, DEFAULT_SIZE_TIERED, pickSizeTiered, type SizeTieredOptions } from "./compaction-tiered.js";
import type { MembershipFilterClass } from "./bloom.js";
import type { LsmEntry } from "./entry.js";
import type { FileStore } from "./file-store.js";
import { type LsmStrategy, loadManifest, type ManifestTable, saveManifest, tableFileName, tableFileNumber } from "./manifest.js";
import { Memtable } from "./memtable.js";
import { mergeIterator } from "./merge-iterator.js";
import { SSTableBuilder, SSTableReader, type SSTableBlockCache, type SSTableSource } from "./sstable.js";
import type { BlockReader } from "./sstable-block.js";

/** A key or value: bytes, or a string taken as its UTF-8 bytes. */
export type LsmBytes = Uint8Array | string;

export interface LsmTreeOptions {
  /** "leveled" (default) or "size-tiered"; a reopened tree keeps the strategy it was made with. */
  readonly strategy?: LsmStrategy;
  /** Flush the memtable once its `sizeBytes` reach this (default 4 MiB, LevelDB's write_buffer_size). */
  readonly memtableBytes?: number;
  /** Leveled: cut compaction output into tables of about this many key and value bytes (default 2 MiB). */
  readonly tableTargetBytes?: number;
  /** Leveled triggers (compaction.ts): default l0Trigger 4, baseLevelBytes 10 MiB, levelRatio 10. */
  readonly leveled?: Partial<LeveledOptions>;
  /** Levels in a leveled tree, L0 included (default 7, as LevelDB). */
  readonly levelCount?: number;
  /** Size-tiered triggers (compaction-tiered.ts): default 4, 32, 0.5, 1.5. */
  readonly sizeTiered?: Partial<SizeTieredOptions>;
  /** SSTable data block size (default 4096) and bloom filter bits per key (default 10; 0: none). */
  readonly blockSize?: number;
  readonly bitsPerKey?: number;
  /** Bytes of recently read blocks kept in memory, least recently used out first (default 8 MiB, LevelDB's; 0: none). */
  readonly blockCacheBytes?: number;
  /** Compact after each flush while a trigger holds (default true); false leaves it to `compact()`. */
  readonly autoCompact?: boolean;
  /** Replacements for the engine's compaction pieces (exercise 06.4). */
  readonly algorithms?: Partial<CompactionAlgorithms>;
  /**
   * The bloom filter class the tables are built and read with (exercise 06.2; default the
   * engine's `BloomFilter`). A reopened tree must be given the same class, as its tables'
   * filter blocks are in that class's bytes (the format of bloom.ts keeps them compatible).
   */
  readonly filter?: MembershipFilterClass;
  /** The merge of sorted sources that `scan` reads through (exercise 06.3; default the engine's `mergeIterator`). */
  readonly merge?: (sources: readonly Iterable<LsmEntry>[], options?: { dropTombstones?: boolean }) => Iterable<LsmEntry>;
}

/** One live table, as `levels()` shows it. */
export interface LsmTableSnapshot {
  readonly fileNumber: number;
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
  readonly size: number;
  readonly entries: number;
}

export interface LsmLevelSnapshot {
  readonly level: number;
  readonly tables: readonly LsmTableSnapshot[];
  readonly bytes: number;
  /** Leveled: the level's byte limit (L0: undefined, the trigger counts tables; the last level: Infinity). */
  readonly limit: number | undefined;
}

export interface LsmStats {
  readonly puts: number;
  readonly deletes: number;
  readonly gets: number;
  /** Key and value bytes of every put, key bytes of every delete. */
  readonly userBytes: number;
  readonly flushes: number;
  readonly compactions: number;
  /** Table bytes written by flushes and by compactions. */
  readonly flushBytes: number;
  readonly compactionBytes: number;
  /** (flushBytes + compactionBytes) ÷ userBytes; 0 before any write. */
  readonly writeAmplification: number;
  /** Tables a get had to ask (its key in their range); bloom negatives among them; data blocks read by gets. */
  readonly tablesChecked: number;
  readonly bloomNegatives: number;
  readonly blocksRead: number;
  /** blocksRead ÷ gets and tablesChecked ÷ gets; 0 before any get. */
  readonly blocksPerGet: number;
  readonly tablesPerGet: number;
  /** Live tables and their bytes now. */
  readonly tables: number;
  readonly bytesOnDisk: number;
}

export interface SpaceAmplification {
  /** Key and value bytes of the live keys (what a perfect store would hold). */
  readonly liveBytes: number;
  readonly liveKeys: number;
  /** Bytes of the live tables plus the memtable's key and value bytes (nothing is lost on close). */
  readonly bytesOnDisk: number;
  /** bytesOnDisk ÷ liveBytes (0 for an empty tree). */
  readonly ratio: number;
}

interface LiveTable {
  readonly meta: ManifestTable;
  readonly reader: SSTableReader;
}

const MIB = 1024 * 1024;
/** Compactions read their inputs once: their blocks do not go into the block cache (LevelDB's `fill_cache = false`). */
const NO_FILL = { fillCache: false } as const;
const utf8 = new TextEncoder();

export class LsmTree {
  readonly store: FileStore;
  readonly strategy: LsmStrategy;
  readonly algorithms: CompactionAlgorithms;
  readonly #options: {
    memtableBytes: number;
    tableTargetBytes: number;
    leveled: LeveledOptions;
    levelCount: number;
    sizeTiered: SizeTieredOptions;
    blockSize: number;
    bitsPerKey: number;
    autoCompact: boolean;
    filter: MembershipFilterClass | undefined;
    merge: NonNullable<LsmTreeOptions["merge"]>;
  };
  readonly #cache: BlockCache;
  #memtable = new Memtable();
  /** Where the memtable's keys and values are copied to (see `Arena`). */
  readonly #arena = new Arena();
  /** Frozen memtables waiting for their flush, newest first. */
  readonly #immutables: Memtable[] = [];
  /** levels[0] newest first; levels[i ≥ 1] sorted by smallest key. */
  #levels: LiveTable[][];
  #nextFileNumber: number;
  #seq: number;
  #closed = false;
  /** Data blocks read through the file store (counted by the sources the readers read from). */
  #blockReads = 0;
  #stats = { puts: 0, deletes: 0, gets: 0, userBytes: 0, flushes: 0, compactions: 0, flushBytes: 0, compactionBytes: 0, tablesChecked: 0, bloomNegatives: 0, blocksRead: 0 };

  private constructor(store: FileStore, strategy: LsmStrategy, options: LsmTreeOptions, algorithms: CompactionAlgorithms) {
    this.store = store;
    this.strategy = strategy;
    this.algorithms = algorithms;
    const leveled: LeveledOptions = { l0Trigger: 4, baseLevelBytes: 10 * MIB, levelRatio: 10, ...options.leveled };
    const sizeTiered: SizeTieredOptions = { ...DEFAULT_SIZE_TIERED, ...options.sizeTiered };
    this.#options = {
      memtableBytes: options.memtableBytes ?? 4 * MIB,
      tableTargetBytes: options.tableTargetBytes ?? 2 * MIB,
      leveled,
      levelCount: strategy === "leveled" ? (options.levelCount ?? 7) : 1,
      sizeTiered,
      blockSize: options.blockSize ?? 4096,
      bitsPerKey: options.bitsPerKey ?? 10,
      autoCompact: options.autoCompact ?? true,
      filter: options.filter,
      merge: options.merge ?? mergeIterator,
    };
    this.#cache = new BlockCache(options.blockCacheBytes ?? 8 * MIB);
    this.#levels = [];
    this.#nextFileNumber = 1;
    this.#seq = 0;
  }

  /**
   * The tree in `store`: the one its manifest describes, or a new empty one (and its
   * manifest) when the store has none. Tables the manifest does not list (left by a crash
   * mid-flush or mid-compaction) are deleted. Throws `invalid-argument` for options out of
   * range or a strategy other than the stored tree's, `corrupt` for a damaged manifest or
   * table, `io` when the store fails. The tree owns the store from here: `close()` closes it.
   */
  static open(store: FileStore, options: LsmTreeOptions = {}): LsmTree {
    checkOptions(options);
    const algorithms = resolveCompactionAlgorithms(ENGINE_COMPACTION_ALGORITHMS, options.algorithms);
    const saved = loadManifest(store);
    if (saved !== undefined && options.strategy !== undefined && options.strategy !== saved.strategy) {
      throw new DbError("invalid-argument", `the tree in this store is ${saved.strategy}, not ${options.strategy}`, { stored: saved.strategy, asked: options.strategy });
    }
    const strategy = saved?.strategy ?? options.strategy ?? "leveled";
    const tree = new LsmTree(store, strategy, options, algorithms);
    if (saved === undefined) {
      tree.#levels = Array.from({ length: tree.#options.levelCount }, () => []);
      tree.#saveManifest();
    } else {
      tree.#nextFileNumber = saved.nextFileNumber;
      tree.#seq = saved.lastSeq;
      tree.#levels = saved.levels.map((level) => level.map((meta) => ({ meta, reader: tree.#openReader(meta.fileNumber) })));
      while (tree.#levels.length < tree.#options.levelCount) tree.#levels.push([]);
      const live = new Set(saved.levels.flat().map((t) => t.fileNumber));
      for (const name of store.list()) {
        const n = tableFileNumber(name);
        if (n !== undefined && !live.has(n)) store.delete(name);
      }
    }
    return tree;
  }

  /** The last sequence number given to a write. */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Store `value` under `key` (replacing any older value). */
  put(key: LsmBytes, value: LsmBytes): void {
    this.#check();
    const k = this.#arena.copy(checkBytes(key, "key"));
    const v = this.#arena.copy(checkBytes(value, "value"));
    this.#write({ key: k, seq: this.#seq + 1, value: v });
    this.#stats.puts++;
    this.#stats.userBytes += k.length + v.length;
  }

  /** Remove `key`: writes a tombstone, which hides older versions until compaction drops both. */
  delete(key: LsmBytes): void {
    this.#check();
    const k = this.#arena.copy(checkBytes(key, "key"));
    this.#write({ key: k, seq: this.#seq + 1, value: undefined });
    this.#stats.deletes++;
    this.#stats.userBytes += k.length;
  }

  /** The value under `key`, or `undefined` when it is absent (never written, or deleted). */
  get(key: LsmBytes): Uint8Array | undefined {
    this.#check();
    const k = checkBytes(key, "key");
    this.#stats.gets++;
    let entry = this.#memtable.get(k);
    for (let i = 0; entry === undefined && i < this.#immutables.length; i++) entry = this.#immutables[i]!.get(k);
    // A memtable's value lies in the arena: hand out a copy. A table's get copies already.
    if (entry !== undefined) return entry.value?.slice();
    return this.#getFromTables(k)?.value;
  }

  /** The live entries with lo ≤ key < hi (an undefined bound is open), ascending. Do not write while a scan runs. */
  *scan(lo?: LsmBytes, hi?: LsmBytes): Generator<[key: Uint8Array, value: Uint8Array]> {
    this.#check();
    const l = lo === undefined ? undefined : checkBytes(lo, "lo");
    const h = hi === undefined ? undefined : checkBytes(hi, "hi");
    const sources: Iterable<LsmEntry>[] = [this.#memtable.entries(l, h), ...this.#immutables.map((m) => m.entries(l, h))];
    for (const t of this.#levels[0] ?? []) sources.push(t.reader.scan(l, h));
    for (let i = 1; i < this.#levels.length; i++) sources.push(levelScan(this.#levels[i]!, l, h));
    // Table entries are views of cached blocks: the caller gets copies it may keep.
    for (const e of this.#options.merge(sources, { dropTombstones: true })) yield [e.key.slice(), e.value!.slice()];
  }

  /** Write the memtable out as a table (and compact, when automatic); false when it was empty. */
  flush(): boolean {
    this.#check();
    if (this.#memtable.size === 0) return false;
    this.#rotate();
    return true;
  }

  /** Run one compaction if a trigger holds; false when none does. */
  compact(): boolean {
    this.#check();
    return this.#compactOnce();
  }

  /** Compact until no trigger holds; the number of compactions run. */
  compactAll(): number {
    this.#check();
    let n = 0;
    while (this.#compactOnce()) n++;
    return n;
  }

  /** Flush the memtable, save the manifest, close the store. Later calls throw `invalid-state`; a second close does nothing. */
  close(): void {
    if (this.#closed) return;
    if (this.#memtable.size > 0) this.#rotate(false);
    this.#saveManifest();
    this.#closed = true;
    this.store.close();
  }

  /** The levels and their tables as plain data (leveled: L0…Ln; size-tiered: one list of runs, newest first). */
  levels(): LsmLevelSnapshot[] {
    return this.#levels.map((level, i) => ({
      level: i,
      tables: level.map((t) => ({ ...t.meta })),
      bytes: level.reduce((s, t) => s + t.meta.size, 0),
      limit: this.strategy === "size-tiered" || i === 0 ? undefined : i === this.#levels.length - 1 ? Number.POSITIVE_INFINITY : levelLimit(i, this.#options.leveled),
    }));
  }

  /** The memtable's entries and counted bytes. */
  get memtable(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.#memtable.size, bytes: this.#memtable.sizeBytes };
  }

  /** The counters since open or `resetStats()`, and the amplifications they give. */
  stats(): LsmStats {
    const s = this.#stats;
    let tables = 0;
    let bytesOnDisk = 0;
    for (const level of this.#levels) {
      tables += level.length;
      for (const t of level) bytesOnDisk += t.meta.size;
    }
    return {
      ...s,
      writeAmplification: s.userBytes === 0 ? 0 : (s.flushBytes + s.compactionBytes) / s.userBytes,
      blocksPerGet: s.gets === 0 ? 0 : s.blocksRead / s.gets,
      tablesPerGet: s.gets === 0 ? 0 : s.tablesChecked / s.gets,
      tables,
      bytesOnDisk,
    };
  }

  resetStats(): void {
    const s: Record<string, number> = this.#stats;
    for (const k of Object.keys(s)) s[k] = 0;
  }

  /** Live bytes against stored bytes: reads every live key once (a full scan). */
  spaceAmplification(): SpaceAmplification {
    let liveBytes = 0;
    let liveKeys = 0;
    for (const [k, v] of this.scan()) {
      liveBytes += k.length + v.length;
      liveKeys++;
    }
    let bytesOnDisk = 0;
    for (const level of this.#levels) for (const t of level) bytesOnDisk += t.meta.size;
    for (const m of [this.#memtable, ...this.#immutables]) for (const e of m.entries()) bytesOnDisk += e.key.length + (e.value?.length ?? 0);
    return { liveBytes, liveKeys, bytesOnDisk, ratio: liveBytes === 0 ? 0 : bytesOnDisk / liveBytes };
  }

  #write(entry: LsmEntry): void {
    this.#memtable.put(entry);
    this.#seq = entry.seq;
    if (this.#memtable.sizeBytes >= this.#options.memtableBytes) this.#rotate();
  }

  /** Freeze the memtable, start a new one, flush the frozen one (then compact, when automatic). */
  #rotate(compact = this.#options.autoCompact): void {
    this.#memtable.freeze();
    this.#immutables.unshift(this.#memtable);
    this.#memtable = new Memtable();
    while (this.#immutables.length > 0) {
      const oldest = this.#immutables[this.#immutables.length - 1]!;
      const table = this.#writeTable(oldest.entries());
      if (table !== undefined) {
        this.#levels[0]!.unshift(table);
        this.#stats.flushBytes += table.meta.size;
      }
      this.#stats.flushes++;
      this.#saveManifest();
      this.#immutables.pop();
    }
    if (compact) while (this.#compactOnce());
  }

  #compactOnce(): boolean {
    return this.strategy === "leveled" ? this.#compactLeveled() : this.#compactSizeTiered();
  }

  #compactLeveled(): boolean {
    const layout = this.#levels.map((level) => level.map((t) => t.meta));
    const pick: CompactionPick | undefined = this.algorithms.pickCompaction(layout, this.#options.leveled);
    if (pick === undefined) return false;
    const byNumber = new Map(this.#levels.flat().map((t) => [t.meta.fileNumber, t]));
    const live = (infos: readonly { fileNumber: number }[]): LiveTable[] =>
      infos.map((i) => {
        const t = byNumber.get(i.fileNumber);
        if (t === undefined) throw new DbError("invalid-state", `pickCompaction chose table ${i.fileNumber}, which is not live`, { fileNumber: i.fileNumber });
        return t;
      });
    const inputs = live(pick.inputs);
    const overlapping = live(pick.overlapping);
    const runs = this.algorithms.compactStep(
      [...inputs, ...overlapping].map((t) => t.reader.scan(undefined, undefined, NO_FILL)),
      { dropTombstones: pick.bottom, targetSize: this.#options.tableTargetBytes },
    );
    const outputs: LiveTable[] = [];
    for (const run of runs) {
      const t = this.#writeTable(run);
      if (t !== undefined) outputs.push(t);
    }
    // The runs are one table each; a table already written is an orphan if a later run fails (deleted on open).
    const gone = new Set([...inputs, ...overlapping]);
    this.#levels[pick.level] = this.#levels[pick.level]!.filter((t) => !gone.has(t));
    const next = [...this.#levels[pick.outputLevel]!.filter((t) => !gone.has(t)), ...outputs];
    next.sort((a, b) => compareBytes(a.meta.smallest, b.meta.smallest));
    this.#levels[pick.outputLevel] = next;
    this.#finishCompaction(outputs, gone);
    return true;
  }

  #compactSizeTiered(): boolean {
    const runs = this.#levels[0]!;
    const pick = pickSizeTiered(runs.map((t) => t.meta), this.#options.sizeTiered);
    if (pick === undefined) return false;
    const inputs = runs.slice(pick.start, pick.start + pick.inputs.length);
    const merged = this.algorithms.compactStep(inputs.map((t) => t.reader.scan(undefined, undefined, NO_FILL)), { dropTombstones: pick.bottom, targetSize: Number.POSITIVE_INFINITY });
    const output = this.#writeTable(flatten(merged));
    const outputs = output === undefined ? [] : [output];
    runs.splice(pick.start, inputs.length, ...outputs);
    this.#finishCompaction(outputs, new Set(inputs));
    return true;
  }

  #finishCompaction(outputs: readonly LiveTable[], gone: ReadonlySet<LiveTable>): void {
    for (const t of outputs) this.#stats.compactionBytes += t.meta.size;
    this.#stats.compactions++;
    this.#saveManifest();
    for (const t of gone) {
      this.store.delete(tableFileName(t.meta.fileNumber));
      this.#cache.dropFile(t.meta.fileNumber);
    }
  }

  /** Build, write (durably) and open one table from sorted entries; undefined when there are none. */
  #writeTable(entries: Iterable<LsmEntry>): LiveTable | undefined {
    const builder = new SSTableBuilder({ blockSize: this.#options.blockSize, bitsPerKey: this.#options.bitsPerKey, filter: this.#options.filter });
    for (const e of entries) builder.add(e);
    if (builder.entryCount === 0) return undefined;
    const bytes = builder.finish();
    const fileNumber = this.#nextFileNumber++;
    this.store.write(tableFileName(fileNumber), bytes);
    const reader = this.#openReader(fileNumber);
    const info = reader.info;
    const meta: ManifestTable = { fileNumber, smallest: info.smallest!, largest: info.largest!, size: bytes.length, entries: info.entries };
    return { meta, reader };
  }

  #openReader(fileNumber: number): SSTableReader {
    const file = this.store.open(tableFileName(fileNumber));
    const tree = this;
    const cache = this.#cache;
    // Every block a get touches is counted once: a cache hit here, or a read from the file.
    const source: SSTableSource = {
      size: file.size,
      read(offset: number, length: number): Uint8Array {
        tree.#blockReads++;
        return file.read(offset, length);
      },
    };
    const blockCache: SSTableBlockCache = {
      get(offset: number): BlockReader | undefined {
        const block = cache.get(fileNumber, offset);
        if (block !== undefined) tree.#blockReads++;
        return block;
      },
      put(offset: number, block: BlockReader): void {
        cache.put(fileNumber, offset, block);
      },
    };
    return SSTableReader.open(source, { blockCache, filter: this.#options.filter });
  }

  #getFromTables(key: Uint8Array): LsmEntry | undefined {
    const before = this.#blockReads;
    let found: LsmEntry | undefined;
    for (const t of this.#levels[0] ?? []) {
      if (compareBytes(key, t.meta.smallest) < 0 || compareBytes(key, t.meta.largest) > 0) continue;
      found = this.#probe(t, key);
      if (found !== undefined) break;
    }
    for (let i = 1; found === undefined && i < this.#levels.length; i++) {
      const level = this.#levels[i]!;
      // The first table whose largest key is ≥ key; it holds key if its smallest is ≤ key.
      let lo = 0;
      let hi = level.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareBytes(level[mid]!.meta.largest, key) < 0) lo = mid + 1;
        else hi = mid;
      }
      const t = level[lo];
      if (t !== undefined && compareBytes(t.meta.smallest, key) <= 0) found = this.#probe(t, key);
    }
    this.#stats.blocksRead += this.#blockReads - before;
    return found;
  }

  /** Ask one table whose range holds `key`; no block read means its bloom filter said no. */
  #probe(t: LiveTable, key: Uint8Array): LsmEntry | undefined {
    this.#stats.tablesChecked++;
    const reads = this.#blockReads;
    const e = t.reader.get(key);
    if (this.#blockReads === reads) this.#stats.bloomNegatives++;
    return e;
  }

  #saveManifest(): void {
    saveManifest(this.store, {
      strategy: this.strategy,
      nextFileNumber: this.#nextFileNumber,
      lastSeq: this.#seq,
      levels: this.#levels.map((level) => level.map((t) => t.meta)),
    });
  }

  #check(): void {
    if (this.#closed) throw new DbError("invalid-state", "the LSM tree is closed", {});
  }
}

/**
 * Copies of keys and values, packed into 256 KiB chunks: one ArrayBuffer per chunk instead
 * of one per key and one per value, which the garbage collector would otherwise have to
 * track one by one (LevelDB's memtable copies into an arena the same way). A chunk is freed
 * when nothing refers to any of its bytes any more.
 */
class Arena {
  #chunk = new Uint8Array(0);
  #used = 0;

  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > 4096) return bytes.slice();
    if (this.#used + n > this.#chunk.length) {
      this.#chunk = new Uint8Array(256 * 1024);
      this.#used = 0;
    }
    const out = this.#chunk.subarray(this.#used, this.#used + n);
    out.set(bytes);
    this.#used += n;
    return out;
  }
}

/**
 * Recently read data blocks of the tables, checked and parsed (`BlockReader`s), by (file,
 * offset), up to a byte budget; the least recently used goes first (a Map keeps insertion
 * order: a hit moves its block to the end). A table puts a block in only after its
 * checksum matched, so a hit is used without checking again. LevelDB's block cache is the
 * same idea (an LRU of parsed, uncompressed blocks, 8 MiB by default); PostgreSQL's shared
 * buffers play the part for its pages.
 */
class BlockCache {
  readonly #budget: number;
  /** Keyed by fileNumber · 2^32 + offset (exact below 2^21 files). */
  readonly #blocks = new Map<number, BlockReader>();
  #bytes = 0;

  constructor(budget: number) {
    this.#budget = budget;
  }

  get(file: number, offset: number): BlockReader | undefined {
    if (this.#budget === 0) return undefined;
    const key = file * 0x1_0000_0000 + offset;
    const block = this.#blocks.get(key);
    if (block === undefined) return undefined;
    this.#blocks.delete(key);
    this.#blocks.set(key, block);
    return block;
  }

  put(file: number, offset: number, block: BlockReader): void {
    if (block.byteLength > this.#budget) return;
    const key = file * 0x1_0000_0000 + offset;
    const old = this.#blocks.get(key);
    if (old !== undefined) this.#bytes -= old.byteLength;
    this.#blocks.delete(key);
    this.#blocks.set(key, block);
    this.#bytes += block.byteLength;
    for (const [k, b] of this.#blocks) {
      if (this.#bytes <= this.#budget) break;
      this.#blocks.delete(k);
      this.#bytes -= b.byteLength;
    }
  }

  dropFile(file: number): void {
    for (const [k, b] of this.#blocks) {
      if (Math.floor(k / 0x1_0000_0000) === file) {
        this.#blocks.delete(k);
        this.#bytes -= b.byteLength;
      }
    }
  }
}

/** A sorted, disjoint level read as one sorted source: only the tables that meet [lo, hi). */
function* levelScan(level: readonly LiveTable[], lo: Uint8Array | undefined, hi: Uint8Array | undefined): Generator<LsmEntry> {
  for (const t of level) {
    if (lo !== undefined && compareBytes(t.meta.largest, lo) < 0) continue;
    if (hi !== undefined && compareBytes(t.meta.smallest, hi) >= 0) break;
    yield* t.reader.scan(lo, hi);
  }
}

function* flatten(runs: Iterable<LsmEntry[]>): Generator<LsmEntry> {
  for (const run of runs) yield* run;
}

/** The bytes of a key or value as given (a string as UTF-8); not copied. */
function checkBytes(b: LsmBytes, what: string): Uint8Array {
  if (typeof b === "string") return utf8.encode(b);
  if (b instanceof Uint8Array) return b;
  throw new DbError("invalid-argument", `${what} must be a Uint8Array or a string, got ${b === null ? "null" : typeof b}`, {});
}

function checkOptions(options: LsmTreeOptions): void {
  if (options === null || typeof options !== "object") throw new DbError("invalid-argument", "LSM tree options must be an object", {});
  if (options.strategy !== undefined && options.strategy !== "leveled" && options.strategy !== "size-tiered") {
    throw new DbError("invalid-argument", `strategy must be "leveled" or "size-tiered", got ${String(options.strategy)}`, {});
  }
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && (typeof v !== "number" || !(v > 0) || !Number.isFinite(v))) throw new DbError("invalid-argument", `${name} must be a number > 0, got ${String(v)}`, { [name]: v });
  };
  positive("memtableBytes", options.memtableBytes);
  positive("tableTargetBytes", options.tableTargetBytes);
  positive("blockSize", options.blockSize);
  if (options.blockCacheBytes !== undefined && !(options.blockCacheBytes >= 0)) throw new DbError("invalid-argument", `blockCacheBytes must be ≥ 0, got ${String(options.blockCacheBytes)}`, {});
  if (options.bitsPerKey !== undefined && !(options.bitsPerKey >= 0)) throw new DbError("invalid-argument", `bitsPerKey must be ≥ 0, got ${String(options.bitsPerKey)}`, {});
  if (options.levelCount !== undefined && (!Number.isInteger(options.levelCount) || options.levelCount < 2)) {
    throw new DbError("invalid-argument", `levelCount must be an integer ≥ 2, got ${String(options.levelCount)}`, {});
  }
  if (options.merge !== undefined && typeof options.merge !== "function") throw new DbError("invalid-argument", `merge must be a function, got ${typeof options.merge}`, {});
  if (options.filter !== undefined && (typeof (options.filter as { withBitsPerKey?: unknown }).withBitsPerKey !== "function" || typeof (options.filter as { decode?: unknown }).decode !== "function")) {
    throw new DbError("invalid-argument", "filter must be a MembershipFilterClass (withBitsPerKey and decode), like the engine's BloomFilter", {});
  }
  checkLeveledOptions({ l0Trigger: 4, baseLevelBytes: 10 * MIB, levelRatio: 10, ...options.leveled });
  checkSizeTieredOptions({ ...DEFAULT_SIZE_TIERED, ...options.sizeTiered });
}
