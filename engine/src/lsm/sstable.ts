/**
 * SSTable: a sorted string table
 * ==============================
 * An immutable file of sorted entries, written once by a flush or a compaction and then
 * only read. It is built for two reads: a point `get` that touches one data block (or
 * none, when the bloom filter says no), and a `scan` that reads blocks in order.
 *
 *   offset 0                                                              size
 *   | data block 0 | data block 1 | … | filter | properties | index | footer (48) |
 *   each block    | contents | crc32c u32 LE of the contents |
 *
 *   data block   ~4 KB of entries, prefix-compressed, a restart point every 16 keys
 *                (sstable-block.ts)
 *   filter       the bloom filter over every key (bloom.ts's encoding); absent when
 *                built with bitsPerKey 0
 *   properties   varints: entries, tombstones, data blocks, min seq, max seq, then the
 *                smallest and largest keys (length varint + bytes each)
 *   index        a block in the data-block format: for data block i, key = its last
 *                key, value = varint offset ‖ varint length (of the contents), seq 0
 *   footer       | filter offset u64 (0) | index offset u64 (8) | properties offset
 *                u64 (16) | filter length u32 (24) | index length u32 (28) |
 *                properties length u32 (32) | crc32c of bytes 0…35 u32 (36) |
 *                magic "wbsstab1" (40) |      all little-endian; lengths exclude trailers
 *
 * Checksums are per block (each block's trailer, and the footer's own), checked when the
 * block is read from the source, so a get reads and checks only what it touches. Opening a
 * table reads the footer, the index, the properties and the filter, checks them, and keeps
 * them in memory. A data block read from the source has its CRC-32C computed and compared
 * with its trailer, and its restart array checked, every time, before any entry is used:
 * damaged bytes from the file are refused (`corrupt`). With a block cache (`blockCache`)
 * the checked, parsed block is kept, and later gets and scans of it use it as it is:
 * nothing is checked again (bytes in memory are trusted; the file is not). Entries are
 * still checked against the block's bounds as they are decoded.
 *
 *   get(key)   outside [smallest, largest] → no read; filter says no → no read;
 *              else binary search of the index → one data block → restart search
 *   scan(lo, hi)  keys with lo ≤ key < hi (either bound may be left out), block by block
 *
 * The reader counts what it reads (`stats`: data blocks read, filter negatives…), which
 * is how notebook 06 measures read amplification with and without the filter.
 *
 * LevelDB's table (table/format.h) is the same shape: data blocks, a filter ("meta")
 * block, a metaindex block, an index block of shortest separators, and a 48-byte footer
 * with two block handles and an 8-byte magic; its block trailers hold a compression type
 * and a masked CRC-32C. We index by the block's last key (not a shortened separator),
 * keep the properties in a block of their own (RocksDB does too), and do not compress.
 * LevelDB checks a data block's CRC only when asked (`ReadOptions::verify_checksums`,
 * false by default, and `paranoid_checks` for compaction reads, false too); we always do
 * when a block comes from the file. Its block cache, like ours, holds parsed blocks.
 * The checksum is CRC-32C, computed 8 bytes a step (crc32c-sliced.ts: the same values as
 * common/crc32c.ts, about 3× as fast).
 * PostgreSQL has no SSTables: its heap is updated in place and its indexes are B-trees.
 */
import { DbError } from "../common/errors.js";
import { compareBytes, toHex } from "../index/key-codec.js";
import type { MembershipFilter, MembershipFilterClass } from "./bloom.js";
import { BloomFilter } from "./bloom-filter.js";
import { crc32cSliced as crc32c } from "./crc32c-sliced.js";
import type { LsmEntry } from "./entry.js";
import { BlockBuilder, BlockReader, readVarint, writeVarint } from "./sstable-block.js";

/** The footer's size in bytes. */
export const SSTABLE_FOOTER_SIZE = 48;
/** The last 8 bytes of every table. */
export const SSTABLE_MAGIC = new TextEncoder().encode("wbsstab1");
const TRAILER = 4;
/** How much a scan that does not fill the cache (a compaction's) reads at once. */
const READ_AHEAD_BYTES = 256 * 1024;
const TWO_POW_32 = 0x1_0000_0000;

/** How a table is built. */
export interface SSTableOptions {
  /** Target size of a data block's contents in bytes (default 4096); a block ends once it reaches it. */
  readonly blockSize?: number;
  /** Entries between restart points (default 16). */
  readonly restartInterval?: number;
  /** Bloom filter bits per key (default 10); 0 builds no filter. */
  readonly bitsPerKey?: number;
  /** The filter implementation (default the engine's `BloomFilter`). */
  readonly filter?: MembershipFilterClass;
}

/** Where a table's bytes come from: a buffer, a file, a simulated disk. */
export interface SSTableSource {
  /** The table's size in bytes. */
  readonly size: number;
  /** `length` bytes from `offset`; the reader never asks outside 0 … size. */
  read(offset: number, length: number): Uint8Array;
}

/** What a table holds, from its properties and footer. */
export interface SSTableInfo {
  readonly entries: number;
  readonly tombstones: number;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** The number of data blocks. */
  readonly blocks: number;
  /** The smallest and largest keys (undefined for an empty table). */
  readonly smallest: Uint8Array | undefined;
  readonly largest: Uint8Array | undefined;
  readonly minSeq: number;
  readonly maxSeq: number;
  /** The filter's m and k (0 and 0 without a filter). */
  readonly filterBits: number;
  readonly filterHashes: number;
}

/** What a reader has read since it was opened or `resetStats()`. */
export interface SSTableStats {
  /** Calls to get. */
  readonly gets: number;
  /** Data blocks read (by get and scan). */
  readonly blocksRead: number;
  /** Bytes of data blocks read, trailers included. */
  readonly bytesRead: number;
  /** Gets that asked the filter. */
  readonly filterChecks: number;
  /** Gets the filter answered "absent", with no block read. */
  readonly bloomNegatives: number;
  /** Gets answered without the filter because the key is outside [smallest, largest]. */
  readonly rangeSkips: number;
  /** Data blocks read from the source, their checksum computed and checked (the rest of `blocksRead` came from the block cache, verified before). */
  readonly blocksVerified: number;
}

/**
 * Where a reader keeps data blocks it has read and checked, by their offset in its file
 * (the LSM tree's LRU gives each table a view of one shared cache). A block is put only
 * after its checksum matched and its restart array was checked, so a block from the cache
 * is trusted as it is: nothing is computed again.
 */
export interface SSTableBlockCache {
  get(offset: number): BlockReader | undefined;
  put(offset: number, block: BlockReader): void;
}

/** How a reader opens. */
export interface SSTableOpenOptions {
  /** The filter class the table was built with (default `BloomFilter`). */
  readonly filter?: MembershipFilterClass;
  /** Checked data blocks kept for later gets and scans (default none: every read reads and checks again). */
  readonly blockCache?: SSTableBlockCache;
}

/** How a scan reads. */
export interface SSTableScanOptions {
  /** Put the blocks the scan reads into the block cache (default true; a compaction passes false, as LevelDB's `fill_cache`). */
  readonly fillCache?: boolean;
}

/** One block's place in the file, for drawing the layout. */
export interface SSTableBlockInfo {
  readonly kind: "data" | "filter" | "properties" | "index" | "footer";
  readonly offset: number;
  /** Bytes in the file, trailer included. */
  readonly length: number;
  /** Entries (data and index blocks), else 0. */
  readonly entries: number;
  /** Restart points (data and index blocks), else 0. */
  readonly restarts: number;
  readonly firstKey: Uint8Array | undefined;
  readonly lastKey: Uint8Array | undefined;
}

/**
 * Writes a table: `add` entries in strictly ascending key order, then `finish()` for the
 * file's bytes. Bad options or an out-of-order key: `invalid-argument`, nothing added.
 */
export class SSTableBuilder {
  readonly #blockSize: number;
  readonly #bitsPerKey: number;
  readonly #filterClass: MembershipFilterClass;
  readonly #restartInterval: number;
  /** The file so far, in a buffer that doubles as needed. */
  #out = new Uint8Array(64 * 1024);
  #written = 0;
  readonly #block: BlockBuilder;
  readonly #index: BlockBuilder;
  readonly #keys: Uint8Array[] = [];
  #tombstones = 0;
  #minSeq = Infinity;
  #maxSeq = -Infinity;
  #blocks = 0;
  #smallest: Uint8Array | undefined;
  #largest: Uint8Array | undefined;
  #finished = false;

  constructor(options: SSTableOptions = {}) {
    const blockSize = options.blockSize ?? 4096;
    const restartInterval = options.restartInterval ?? 16;
    const bitsPerKey = options.bitsPerKey ?? 10;
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw new DbError("invalid-argument", `blockSize must be a positive integer, got ${String(blockSize)}`, { blockSize });
    }
    if (!Number.isInteger(restartInterval) || restartInterval < 1) {
      throw new DbError("invalid-argument", `restartInterval must be a positive integer, got ${String(restartInterval)}`, { restartInterval });
    }
    if (!(Number.isFinite(bitsPerKey) && bitsPerKey >= 0)) {
      throw new DbError("invalid-argument", `bitsPerKey must be ≥ 0, got ${String(bitsPerKey)}`, { bitsPerKey });
    }
    this.#blockSize = blockSize;
    this.#restartInterval = restartInterval;
    this.#bitsPerKey = bitsPerKey;
    this.#filterClass = options.filter ?? BloomFilter;
    this.#block = new BlockBuilder(restartInterval);
    this.#index = new BlockBuilder(1);
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.#keys.length;
  }

  /** The file's size so far (finished blocks plus the open one), in bytes: for cutting compaction output. */
  get estimatedSize(): number {
    return this.#written + this.#block.estimatedSize;
  }

  /** Append `entry`; its key must sort after the previous entry's. */
  add(entry: LsmEntry): void {
    if (this.#finished) throw new DbError("invalid-state", "SSTableBuilder.add after finish()");
    if (!Number.isSafeInteger(entry.seq) || entry.seq < 0) {
      throw new DbError("invalid-argument", `seq must be an integer in 0 … 2⁵³ − 1, got ${String(entry.seq)}`, { seq: entry.seq });
    }
    const last = this.#largest;
    if (last !== undefined && compareBytes(last, entry.key) >= 0) {
      throw new DbError(
        "invalid-argument",
        `entry ${this.#keys.length} is out of order: key ${toHex(entry.key)} after ${toHex(last)} (keys must be strictly ascending)`,
        { position: this.#keys.length },
      );
    }
    this.#smallest ??= entry.key;
    this.#largest = entry.key;
    this.#keys.push(entry.key);
    if (entry.value === undefined) this.#tombstones++;
    if (entry.seq < this.#minSeq) this.#minSeq = entry.seq;
    if (entry.seq > this.#maxSeq) this.#maxSeq = entry.seq;
    this.#block.add(entry.key, entry.seq, entry.value);
    if (this.#block.estimatedSize >= this.#blockSize) this.#flushBlock();
  }

  /** The table's bytes. The builder cannot be used after. */
  finish(): Uint8Array {
    if (this.#finished) throw new DbError("invalid-state", "SSTableBuilder.finish called twice");
    this.#finished = true;
    if (this.#block.entryCount > 0) this.#flushBlock();
    let filter = { offset: 0, length: 0 };
    if (this.#bitsPerKey > 0 && this.#keys.length > 0) {
      const f = this.#filterClass.withBitsPerKey(this.#keys.length, this.#bitsPerKey);
      for (const k of this.#keys) f.add(k);
      filter = this.#writeBlock(f.encode());
    }
    const p: number[] = [];
    writeVarint(p, this.#keys.length);
    writeVarint(p, this.#tombstones);
    writeVarint(p, this.#blocks);
    writeVarint(p, this.#keys.length === 0 ? 0 : this.#minSeq);
    writeVarint(p, this.#keys.length === 0 ? 0 : this.#maxSeq);
    for (const k of [this.#smallest, this.#largest]) {
      writeVarint(p, k?.length ?? 0);
      if (k !== undefined) for (const b of k) p.push(b);
    }
    const props = this.#writeBlock(Uint8Array.from(p));
    const index = this.#writeBlock(this.#index.finish());
    const footer = new Uint8Array(SSTABLE_FOOTER_SIZE);
    const view = new DataView(footer.buffer);
    setUint64(view, 0, filter.offset);
    setUint64(view, 8, index.offset);
    setUint64(view, 16, props.offset);
    view.setUint32(24, filter.length, true);
    view.setUint32(28, index.length, true);
    view.setUint32(32, props.length, true);
    view.setUint32(36, crc32c(footer.subarray(0, 36)), true);
    footer.set(SSTABLE_MAGIC, 40);
    this.#append(footer);
    const out = this.#out.slice(0, this.#written);
    this.#out = new Uint8Array(0);
    return out;
  }

  #flushBlock(): void {
    const lastKey = this.#block.lastKey!;
    const handle = this.#writeBlock(this.#block.finish());
    const v: number[] = [];
    writeVarint(v, handle.offset);
    writeVarint(v, handle.length);
    this.#index.add(lastKey, 0, Uint8Array.from(v));
    this.#blocks++;
  }

  /** Append `contents` and their CRC-32C trailer; where they went. */
  #writeBlock(contents: Uint8Array): { offset: number; length: number } {
    const offset = this.#written;
    this.#append(contents);
    const crc = crc32c(contents);
    this.#append(Uint8Array.of(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24));
    return { offset, length: contents.length };
  }

  #append(bytes: Uint8Array): void {
    const need = this.#written + bytes.length;
    if (need > this.#out.length) {
      const bigger = new Uint8Array(Math.max(need, 2 * this.#out.length));
      bigger.set(this.#out.subarray(0, this.#written));
      this.#out = bigger;
    }
    this.#out.set(bytes, this.#written);
    this.#written = need;
  }
}

/** The bytes of a table holding `entries` (strictly ascending keys). */
export function buildSSTable(entries: Iterable<LsmEntry>, options: SSTableOptions = {}): Uint8Array {
  const builder = new SSTableBuilder(options);
  for (const e of entries) builder.add(e);
  return builder.finish();
}

/** A source over bytes in memory. */
export function bytesSource(bytes: Uint8Array): SSTableSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
  };
}

interface Handle {
  readonly offset: number;
  readonly length: number;
}

interface IndexEntry extends Handle {
  readonly lastKey: Uint8Array;
}

/**
 * Reads a table. `open` checks the footer, index, properties and filter (their
 * checksums and bounds) and keeps them; data blocks are read, and checked, as gets and
 * scans reach them. Damage anywhere is a `corrupt` error saying what and at which offset.
 */
export class SSTableReader {
  readonly info: SSTableInfo;
  readonly #source: SSTableSource;
  readonly #index: readonly IndexEntry[];
  readonly #filter: MembershipFilter | undefined;
  readonly #layout: { filter: Handle; props: Handle; index: Handle };
  readonly #cache: SSTableBlockCache | undefined;
  /** The last read-ahead span of a scan that does not fill the cache (`#readAhead`). */
  #ahead: { readonly offset: number; readonly bytes: Uint8Array } | undefined;
  #gets = 0;
  #blocksVerified = 0;
  #blocksRead = 0;
  #bytesRead = 0;
  #filterChecks = 0;
  #bloomNegatives = 0;
  #rangeSkips = 0;

  private constructor(source: SSTableSource, filterClass: MembershipFilterClass, cache: SSTableBlockCache | undefined) {
    this.#source = source;
    this.#cache = cache;
    const size = source.size;
    if (!Number.isSafeInteger(size) || size < SSTABLE_FOOTER_SIZE) {
      throw new DbError("corrupt", `a table of ${size} bytes is shorter than its ${SSTABLE_FOOTER_SIZE}-byte footer`, { size, offset: 0 });
    }
    const footerAt = size - SSTABLE_FOOTER_SIZE;
    const footer = source.read(footerAt, SSTABLE_FOOTER_SIZE);
    for (let i = 0; i < SSTABLE_MAGIC.length; i++) {
      if (footer[40 + i] !== SSTABLE_MAGIC[i]) {
        throw new DbError("corrupt", `no SSTable magic at offset ${footerAt + 40}: found ${toHex(footer.subarray(40, 48))}`, { offset: footerAt + 40 });
      }
    }
    const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
    const stored = view.getUint32(36, true);
    const actual = crc32c(footer.subarray(0, 36));
    if (stored !== actual) {
      throw new DbError("corrupt", `footer checksum at offset ${footerAt + 36} is ${hex32(stored)}, the footer's bytes give ${hex32(actual)}`, {
        offset: footerAt + 36,
      });
    }
    const filter = { offset: getUint64(view, 0), length: view.getUint32(24, true) };
    const index = { offset: getUint64(view, 8), length: view.getUint32(28, true) };
    const props = { offset: getUint64(view, 16), length: view.getUint32(32, true) };
    this.#layout = { filter, props, index };

    // Properties.
    const p = this.#readBlock(props, "properties", footerAt);
    let at = 0;
    const next = (): number => {
      const v = readVarint(p, at, p.length, props.offset);
      at = v.next;
      return v.value;
    };
    const entries = next();
    const tombstones = next();
    const blocks = next();
    const minSeq = next();
    const maxSeq = next();
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      const n = next();
      if (at + n > p.length) throw new DbError("corrupt", `properties block at offset ${props.offset}: a key of ${n} bytes runs past its end`, { offset: props.offset + at });
      keys.push(p.slice(at, at + n));
      at += n;
    }
    if (tombstones > entries) throw new DbError("corrupt", `properties block at offset ${props.offset}: ${tombstones} tombstones among ${entries} entries`, { offset: props.offset });

    // Index.
    const indexEntries: IndexEntry[] = [];
    let dataEnd = 0;
    for (const e of new BlockReader(this.#readBlock(index, "index", footerAt), index.offset).entries()) {
      const v = e.value ?? new Uint8Array(0);
      const o = readVarint(v, 0, v.length, index.offset);
      const l = readVarint(v, o.next, v.length, index.offset);
      if (o.value !== dataEnd || o.value + l.value + TRAILER > footerAt) {
        throw new DbError("corrupt", `index entry ${indexEntries.length} points at ${o.value} (length ${l.value}), expected a block at ${dataEnd}`, {
          offset: index.offset,
        });
      }
      dataEnd = o.value + l.value + TRAILER;
      indexEntries.push({ lastKey: e.key, offset: o.value, length: l.value });
    }
    if (indexEntries.length !== blocks) {
      throw new DbError("corrupt", `index block at offset ${index.offset} lists ${indexEntries.length} data blocks, the properties say ${blocks}`, {
        offset: index.offset,
      });
    }
    this.#index = indexEntries;

    // Filter.
    this.#filter = filter.length === 0 ? undefined : decodeFilter(filterClass, this.#readBlock(filter, "filter", footerAt), filter.offset);

    this.info = {
      entries,
      tombstones,
      bytes: size,
      blocks,
      smallest: entries === 0 ? undefined : keys[0],
      largest: entries === 0 ? undefined : keys[1],
      minSeq,
      maxSeq,
      filterBits: this.#filter?.bitCount ?? 0,
      filterHashes: this.#filter?.hashCount ?? 0,
    };
  }

  /** Open a table from its bytes or a source; `filter` must be the class it was built with (default `BloomFilter`). */
  static open(source: SSTableSource | Uint8Array, options: SSTableOpenOptions = {}): SSTableReader {
    return new SSTableReader(source instanceof Uint8Array ? bytesSource(source) : source, options.filter ?? BloomFilter, options.blockCache);
  }

  /** The counters since open or the last `resetStats()`. */
  get stats(): SSTableStats {
    return {
      gets: this.#gets,
      blocksRead: this.#blocksRead,
      bytesRead: this.#bytesRead,
      filterChecks: this.#filterChecks,
      bloomNegatives: this.#bloomNegatives,
      rangeSkips: this.#rangeSkips,
      blocksVerified: this.#blocksVerified,
    };
  }

  /** Set every counter to 0. */
  resetStats(): void {
    this.#gets = this.#blocksRead = this.#bytesRead = this.#filterChecks = this.#bloomNegatives = this.#rangeSkips = this.#blocksVerified = 0;
  }

  /** The entry for `key` (a tombstone included), or undefined when the table has none: at most one data block read. Its value is a copy; its key is `key`. */
  get(key: Uint8Array): LsmEntry | undefined {
    this.#gets++;
    const { smallest, largest } = this.info;
    if (smallest === undefined || largest === undefined || compareBytes(key, smallest) < 0 || compareBytes(key, largest) > 0) {
      this.#rangeSkips++;
      return undefined;
    }
    if (this.#filter !== undefined) {
      this.#filterChecks++;
      if (!this.#filter.mayContain(key)) {
        this.#bloomNegatives++;
        return undefined;
      }
    }
    const b = this.#blockFor(key);
    if (b === this.#index.length) return undefined;
    return this.#dataBlock(b, true).get(key);
  }

  /**
   * The entries with lo ≤ key < hi, ascending; a missing bound is open. Reads blocks as it
   * goes. The entries' keys and values are read-only views of the blocks (see
   * `BlockReader`): copy what you keep and may change.
   */
  *scan(lo?: Uint8Array, hi?: Uint8Array, options: SSTableScanOptions = {}): Generator<LsmEntry> {
    const fill = options.fillCache !== false;
    const first = lo === undefined ? 0 : this.#blockFor(lo);
    for (let b = first; b < this.#index.length; b++) {
      // Only the first block can hold keys below lo.
      const block = fill ? this.#dataBlock(b, true) : this.#readAhead(b);
      const entries = block.entryList(b === first ? lo : undefined);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (hi !== undefined && compareBytes(entry.key, hi) >= 0) return;
        yield entry;
      }
    }
  }

  /** Every block's place, size and keys, in file order (reads every data block, uncounted). */
  layout(): SSTableBlockInfo[] {
    const out: SSTableBlockInfo[] = [];
    for (let b = 0; b < this.#index.length; b++) {
      const h = this.#index[b]!;
      const reader = new BlockReader(this.#readBlock(h, `data block ${b}`, this.#source.size), h.offset);
      const entries = [...reader.entries()];
      out.push({
        kind: "data",
        offset: h.offset,
        length: h.length + TRAILER,
        entries: entries.length,
        restarts: reader.restartCount,
        firstKey: entries[0]?.key,
        lastKey: entries[entries.length - 1]?.key,
      });
    }
    const { filter, props, index } = this.#layout;
    if (filter.length > 0) out.push(meta("filter", filter));
    out.push(meta("properties", props));
    out.push({
      ...meta("index", index),
      entries: this.#index.length,
      restarts: this.#index.length,
      firstKey: this.#index[0]?.lastKey,
      lastKey: this.#index[this.#index.length - 1]?.lastKey,
    });
    out.push({ kind: "footer", offset: this.#source.size - SSTABLE_FOOTER_SIZE, length: SSTABLE_FOOTER_SIZE, entries: 0, restarts: 0, firstKey: undefined, lastKey: undefined });
    return out;
  }

  /** The first data block whose last key is ≥ key (the index's length when none is). */
  #blockFor(key: Uint8Array): number {
    let lo = 0;
    let hi = this.#index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.#index[mid]!.lastKey, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Data block `b`: from the block cache (checked when it went in), or read from the source, checked, and cached when `fill`. */
  #dataBlock(b: number, fill: boolean): BlockReader {
    const h = this.#index[b]!;
    this.#blocksRead++;
    this.#bytesRead += h.length + TRAILER;
    const cache = this.#cache;
    const cached = cache?.get(h.offset);
    if (cached !== undefined) return cached;
    this.#blocksVerified++;
    const block = new BlockReader(this.#readBlock(h, `data block ${b}`, this.#source.size), h.offset);
    if (fill) cache?.put(h.offset, block);
    return block;
  }

  /**
   * Data block `b` for a scan that does not fill the cache: from the cache if there, else
   * from one read of up to `READ_AHEAD_BYTES` of consecutive blocks, kept until the scan
   * passes them (one system call and one buffer for many blocks; each block is still
   * checked on its own, as `#dataBlock` does).
   */
  #readAhead(b: number): BlockReader {
    const h = this.#index[b]!;
    const cached = this.#cache?.get(h.offset);
    if (cached !== undefined) {
      this.#blocksRead++;
      this.#bytesRead += h.length + TRAILER;
      return cached;
    }
    let ahead = this.#ahead;
    if (ahead === undefined || h.offset < ahead.offset || h.offset + h.length + TRAILER > ahead.offset + ahead.bytes.length) {
      let last = b;
      while (last + 1 < this.#index.length && this.#index[last + 1]!.offset + this.#index[last + 1]!.length + TRAILER - h.offset <= READ_AHEAD_BYTES) last++;
      const end = this.#index[last]!.offset + this.#index[last]!.length + TRAILER;
      if (end > this.#source.size) return this.#dataBlock(b, false);
      ahead = this.#ahead = { offset: h.offset, bytes: this.#source.read(h.offset, end - h.offset) };
    }
    this.#blocksRead++;
    this.#bytesRead += h.length + TRAILER;
    this.#blocksVerified++;
    const at = h.offset - ahead.offset;
    return new BlockReader(checked(ahead.bytes.subarray(at, at + h.length + TRAILER), h, `data block ${b}`), h.offset);
  }

  /** A block's contents after checking its bounds (within `end`) and its checksum. */
  #readBlock(h: Handle, what: string, end: number): Uint8Array {
    if (h.offset + h.length + TRAILER > end) {
      throw new DbError("corrupt", `${what} at offset ${h.offset} (length ${h.length}) runs past offset ${end}`, { offset: h.offset, length: h.length });
    }
    return checked(this.#source.read(h.offset, h.length + TRAILER), h, what);
  }
}

/** The contents of `bytes` (a block and its trailer) once their CRC-32C matches the trailer's. */
function checked(bytes: Uint8Array, h: Handle, what: string): Uint8Array {
  const contents = bytes.subarray(0, h.length);
  const t = h.length;
  const stored = (bytes[t]! | (bytes[t + 1]! << 8) | (bytes[t + 2]! << 16) | (bytes[t + 3]! << 24)) >>> 0;
  const actual = crc32c(contents);
  if (stored !== actual) {
    throw new DbError("corrupt", `${what} at offset ${h.offset}: stored checksum ${hex32(stored)}, its ${h.length} bytes give ${hex32(actual)}`, {
      offset: h.offset,
      length: h.length,
    });
  }
  return contents;
}

function meta(kind: "filter" | "properties" | "index", h: Handle): SSTableBlockInfo {
  return { kind, offset: h.offset, length: h.length + TRAILER, entries: 0, restarts: 0, firstKey: undefined, lastKey: undefined };
}

function decodeFilter(filterClass: MembershipFilterClass, bytes: Uint8Array, offset: number): MembershipFilter {
  try {
    return filterClass.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DbError("corrupt", `filter block at offset ${offset}: ${why}`, { offset });
  }
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function setUint64(view: DataView, at: number, n: number): void {
  view.setUint32(at, n % TWO_POW_32, true);
  view.setUint32(at + 4, Math.floor(n / TWO_POW_32), true);
}

function getUint64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * TWO_POW_32;
}
