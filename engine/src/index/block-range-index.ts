/**
 * Block-range summaries (BRIN)
 * ============================
 * A B-tree stores one entry per row; a block-range index stores one entry per *range* of
 * heap pages: the smallest and largest value of one column among the range's rows. A
 * query `lo ≤ x ≤ hi` reads only the ranges whose [min, max] meets [lo, hi], and rechecks
 * every row on their pages (the summary says "maybe here", never "here").
 *
 *   heap pages   0 1 2 3 │ 4 5 6 7 │ 8 9 10 11 │ 12 13        pagesPerRange = 4
 *   summaries    [1, 40] │ [41, 80]│ [81, 120] │ (none yet)
 *   scan(50, 60)   skip  │  read   │   skip    │  read: an unsummarised range is always read
 *
 * The index is tiny (a few bytes per range instead of per row) and only as good as the
 * column's correlation with physical order: on a column that grows with insertion order
 * (a timestamp, a serial id) ranges barely overlap and most are skipped; on a shuffled
 * column every range spans almost everything and nothing is skipped.
 *
 * The rules it keeps:
 * - A range is a run of `pagesPerRange` consecutive heap pages, counted in the order of
 *   `heap.pageIds` (our block numbers): range r holds positions r·N … r·N + N − 1.
 * - A summary is never too narrow: every row on a summarised range's pages has its value
 *   within [min, max], as long as every insert is reported (`insert(rid, tuple)`, as
 *   PostgreSQL's executor calls the index's `aminsert`). A summary may be too wide: a
 *   delete, or an update's old version, leaves it as it was (still correct, less sharp).
 * - An unsummarised range (the heap grew after the last summarisation) is always read.
 *   `summarizeNewRanges()` summarises every range that has none.
 * - A reported insert into a summarised range widens its summary; into an unsummarised
 *   range, it changes nothing.
 * - Nulls (`null` from the key): a range's summary records `hasNulls`, and `allNulls` when
 *   it holds no value at all. A range predicate never matches null, so a scan never
 *   returns a null row and skips all-null ranges (PostgreSQL keeps the same two flags).
 *   An empty range (pages without rows) is summarised as all-null and skipped.
 *
 * Costs: summarising reads every page of the ranges it summarises once; a scan reads the
 * summaries (one per range, in memory here) plus every page of every range it cannot
 * skip, and decodes the key of every row on them; an insert is one key read and two
 * comparisons. The keys are numbers (or bigints, for int8): the column's value, or what a
 * key function computes from the row.
 *
 * PostgreSQL (src/backend/access/brin): the index is a metapage, a "range map" (revmap)
 * of one tuple pointer per range, and regular pages of summary tuples (brin_metapage_info,
 * brin_revmap_data, brin_page_items show them); `pages_per_range` defaults to 128. The
 * minmax opclass keeps min and max as here; others keep a bloom filter or several
 * intervals per range (minmax-multi). `brininsert` widens a summary when a row lands in a
 * summarised range; `brin_summarize_new_values()` (or VACUUM, or `autosummarize`)
 * summarises new ranges; a scan builds a lossy bitmap of whole ranges, and the bitmap heap
 * scan rechecks every row ("Rows Removed by Index Recheck"). Simpler here: one column per
 * index, summaries held in memory rather than on pages, no concurrent summarisation (the
 * placeholder tuple PostgreSQL inserts while it summarises), and no planner deciding when
 * the index beats a sequential scan.
 */
import { DbError } from "../common/errors.js";
import type { PageId, Rid } from "../common/ids.js";
import { type HeapBatch, scanHeapBatches } from "../storage/heap-batch-scan.js";
import type { Column, Schema } from "../storage/row-codec.js";
import type { HeapTuple, TableHeap } from "../storage/table-heap.js";
import { TupleReader } from "../storage/tuple-reader.js";

/** What a block-range index summarises: a number (or bigint), or null for "no value". */
export type BlockRangeKey = number | bigint;

/** Computes the summarised value from a row, read through a `TupleReader` attached to it. */
export type BlockRangeKeyFunction = (row: TupleReader) => BlockRangeKey | null;

export interface BlockRangeIndexOptions {
  /** The heap's tuple schema. */
  readonly schema: Schema;
  /** The column summarised: its index in `schema` (int2, int4, int8 or float8), or a key function. */
  readonly column: number | BlockRangeKeyFunction;
  /** Heap pages per range (PostgreSQL's `pages_per_range`, default 128), 1 … 131072. */
  readonly pagesPerRange?: number;
}

/** One range's summary, as `brin_page_items` shows it. */
export interface BlockRangeSummary {
  /** The range's number: it covers heap page positions range·pagesPerRange … + pagesPerRange − 1. */
  readonly range: number;
  /** Its first page's position in `heap.pageIds` (PostgreSQL's `blknum`). */
  readonly firstPage: number;
  /** Smallest and largest non-null key; undefined when `allNulls`. */
  readonly min: BlockRangeKey | undefined;
  readonly max: BlockRangeKey | undefined;
  /** Some row of the range had a null key. */
  readonly hasNulls: boolean;
  /** No row of the range had a key (or the range had no rows). */
  readonly allNulls: boolean;
}

/** What `scan(lo, hi)` found and what it cost. */
export interface BlockRangeScanResult {
  /** Matching rows (copies), in page order then slot order. */
  readonly matches: HeapTuple[];
  /** Ranges whose pages were read: their summary meets [lo, hi], or they have none. */
  readonly rangesRead: number;
  /** Of those, ranges read because they have no summary. */
  readonly rangesUnsummarized: number;
  readonly rangesSkipped: number;
  /** Heap pages read and skipped (pages that exist: the last range may be partial). */
  readonly pagesRead: number;
  readonly pagesSkipped: number;
  /** Rows on the pages read: every one is rechecked against [lo, hi]. */
  readonly rowsRechecked: number;
  /** Rows read that did not match (PostgreSQL's "Rows Removed by Index Recheck"). */
  readonly rowsRemovedByRecheck: number;
}

/** What `insert` did to the summary of the row's range. */
export type BlockRangeInsertOutcome = "widened" | "unchanged" | "unsummarized";

export const DEFAULT_PAGES_PER_RANGE = 128;
/** PostgreSQL's limit (BRIN_MAX_PAGES_PER_RANGE). */
export const MAX_PAGES_PER_RANGE = 131_072;

const NUMERIC_TYPES = new Set(["int2", "int4", "int8", "float8"]);

/** A summary while it is built or widened. */
interface MutableSummary {
  min: BlockRangeKey | undefined;
  max: BlockRangeKey | undefined;
  hasNulls: boolean;
}

export class BlockRangeIndex {
  readonly heap: TableHeap;
  readonly pagesPerRange: number;
  readonly #reader: TupleReader;
  readonly #key: (reader: TupleReader) => BlockRangeKey | null;
  /** Summary per range number; `undefined` for an unsummarised range. */
  readonly #summaries: (MutableSummary | undefined)[] = [];
  /** Position of each heap page in `heap.pageIds`, refreshed when a page is not in it. */
  #positions = new Map<PageId, number>();

  /**
   * An index over `heap`, every range summarised now (PostgreSQL's CREATE INDEX, which
   * summarises the last, partial range too). `invalid-argument` for a bad `pagesPerRange`,
   * a column out of the schema or not numeric, or a key that is NaN or not a number.
   */
  static build(heap: TableHeap, options: BlockRangeIndexOptions): BlockRangeIndex {
    const index = new BlockRangeIndex(heap, options);
    index.summarizeNewRanges();
    return index;
  }

  /** An index over `heap` with no range summarised yet: every scan reads every page until `summarizeNewRanges()`. */
  constructor(heap: TableHeap, options: BlockRangeIndexOptions) {
    const pagesPerRange = options.pagesPerRange ?? DEFAULT_PAGES_PER_RANGE;
    if (!Number.isInteger(pagesPerRange) || pagesPerRange < 1 || pagesPerRange > MAX_PAGES_PER_RANGE) {
      throw new DbError("invalid-argument", `pagesPerRange must be an integer in 1 … ${MAX_PAGES_PER_RANGE}, got ${String(pagesPerRange)}`, { pagesPerRange });
    }
    const reader = new TupleReader(options.schema);
    const column = options.column;
    if (typeof column === "number") {
      const columns = reader.schema.length;
      if (!Number.isInteger(column) || column < 0 || column >= columns) {
        throw new DbError("invalid-argument", `column ${String(column)} is not in the schema (columns 0 … ${columns - 1})`, { column, columns });
      }
      const { name, type } = reader.schema[column] as Column;
      if (!NUMERIC_TYPES.has(type)) {
        throw new DbError("invalid-argument", `column ${column} (${name}) is ${type}: a block-range index summarises int2, int4, int8 or float8 (or pass a key function)`, { column, type });
      }
      this.#key = (r) => r.value(column) as BlockRangeKey | null;
    } else if (typeof column === "function") {
      this.#key = column;
    } else {
      throw new DbError("invalid-argument", `column must be a column index or a key function, got ${typeof column}`, { column: String(column) });
    }
    this.heap = heap;
    this.pagesPerRange = pagesPerRange;
    this.#reader = reader;
  }

  /** Ranges the heap has now (the last may be partial). */
  get rangeCount(): number {
    return Math.ceil(this.heap.pageIds.length / this.pagesPerRange);
  }

  /** Ranges with a summary. */
  get summarizedCount(): number {
    let n = 0;
    for (const s of this.#summaries) if (s !== undefined) n++;
    return n;
  }

  /**
   * Summarise every range that has none (PostgreSQL's `brin_summarize_new_values`), partial
   * last range included; the number of ranges summarised. A bad key leaves every summary
   * as it was.
   */
  summarizeNewRanges(): number {
    const pageIds = this.heap.pageIds;
    const ranges = Math.ceil(pageIds.length / this.pagesPerRange);
    const made: [number, MutableSummary][] = [];
    for (let r = 0; r < ranges; r++) {
      if (this.#summaries[r] !== undefined) continue;
      made.push([r, this.#summarize(pageIds.slice(r * this.pagesPerRange, (r + 1) * this.pagesPerRange))]);
    }
    for (const [r, summary] of made) this.#summaries[r] = summary;
    return made.length;
  }

  /** Forget range `range`'s summary (PostgreSQL's `brin_desummarize_range`): it is read by every scan until summarised again. False when it had none. */
  desummarizeRange(range: number): boolean {
    if (!Number.isInteger(range) || range < 0) {
      throw new DbError("invalid-argument", `range must be a non-negative integer, got ${String(range)}`, { range });
    }
    if (this.#summaries[range] === undefined) return false;
    this.#summaries[range] = undefined;
    return true;
  }

  /**
   * Report that `tuple` was stored at `rid` (call it after `heap.insert`, and after
   * `heap.update` with the new rid). Widens the summary of the rid's range if the key falls
   * outside it; an unsummarised range stays so. `invalid-argument`, changing nothing, when
   * `rid`'s page is not one of the heap's or the key is bad.
   */
  insert(rid: Rid, tuple: Uint8Array): BlockRangeInsertOutcome {
    let position = this.#positions.get(rid.pageId);
    if (position === undefined) {
      this.#positions = new Map(this.heap.pageIds.map((id, i) => [id, i]));
      position = this.#positions.get(rid.pageId);
    }
    if (position === undefined) {
      throw new DbError("invalid-argument", `page ${rid.pageId} is not a page of the indexed heap`, { pageId: rid.pageId, slot: rid.slot });
    }
    const key = this.#keyOf(tuple, 0, tuple.length);
    const summary = this.#summaries[Math.floor(position / this.pagesPerRange)];
    if (summary === undefined) return "unsummarized";
    if (key === null) {
      if (summary.hasNulls) return "unchanged";
      summary.hasNulls = true;
      return "widened";
    }
    let widened = false;
    if (summary.min === undefined || key < summary.min) {
      summary.min = key;
      widened = true;
    }
    if (summary.max === undefined || key > summary.max) {
      summary.max = key;
      widened = true;
    }
    return widened ? "widened" : "unchanged";
  }

  /**
   * Rows whose key is in [lo, hi] (inclusive; ±Infinity for an open end; never null
   * keys), reading only ranges whose summary meets [lo, hi] or that have none, and
   * rechecking every row on their pages. lo > hi matches nothing. `invalid-argument` for
   * a bound that is NaN or not a number.
   */
  scan(lo: BlockRangeKey, hi: BlockRangeKey): BlockRangeScanResult {
    checkBound(lo, "lo");
    checkBound(hi, "hi");
    const pageIds = this.heap.pageIds;
    const ranges = Math.ceil(pageIds.length / this.pagesPerRange);
    const matches: HeapTuple[] = [];
    let rangesRead = 0;
    let rangesUnsummarized = 0;
    let pagesRead = 0;
    let rowsRechecked = 0;
    const visit = (b: HeapBatch): void => {
      const { bytes, starts, ends, slots } = b;
      for (let i = 0; i < b.count; i++) {
        const start = starts[i] as number;
        const end = ends[i] as number;
        const k = this.#keyOf(bytes, start, end);
        if (k !== null && k >= lo && k <= hi) matches.push({ rid: { pageId: b.pageId, slot: slots[i] as Rid["slot"] }, tuple: bytes.slice(start, end) });
      }
      rowsRechecked += b.count;
    };
    for (let r = 0; r < ranges; r++) {
      const s = this.#summaries[r];
      if (s !== undefined && (s.min === undefined || (s.max as BlockRangeKey) < lo || s.min > hi)) continue;
      rangesRead++;
      if (s === undefined) rangesUnsummarized++;
      pagesRead += scanHeapBatches(this.#rangeView(pageIds.slice(r * this.pagesPerRange, (r + 1) * this.pagesPerRange)), visit);
    }
    return {
      matches,
      rangesRead,
      rangesUnsummarized,
      rangesSkipped: ranges - rangesRead,
      pagesRead,
      pagesSkipped: pageIds.length - pagesRead,
      rowsRechecked,
      rowsRemovedByRecheck: rowsRechecked - matches.length,
    };
  }

  /** Every range's summary, `undefined` for a range with none, one entry per range the heap has now. */
  summaries(): (BlockRangeSummary | undefined)[] {
    const out: (BlockRangeSummary | undefined)[] = [];
    const ranges = this.rangeCount;
    for (let r = 0; r < ranges; r++) {
      const s = this.#summaries[r];
      out.push(s === undefined ? undefined : { range: r, firstPage: r * this.pagesPerRange, min: s.min, max: s.max, hasNulls: s.hasNulls, allNulls: s.min === undefined });
    }
    return out;
  }

  #summarize(pageIds: PageId[]): MutableSummary {
    const summary: MutableSummary = { min: undefined, max: undefined, hasNulls: false };
    scanHeapBatches(this.#rangeView(pageIds), (b) => {
      for (let i = 0; i < b.count; i++) {
        const k = this.#keyOf(b.bytes, b.starts[i] as number, b.ends[i] as number);
        if (k === null) summary.hasNulls = true;
        else {
          if (summary.min === undefined || k < summary.min) summary.min = k;
          if (summary.max === undefined || k > summary.max) summary.max = k;
        }
      }
    });
    return summary;
  }

  #keyOf(bytes: Uint8Array, start: number, end: number): BlockRangeKey | null {
    const k = this.#key(this.#reader.attach(bytes, start, end));
    if (k === null || typeof k === "bigint" || (typeof k === "number" && !Number.isNaN(k))) return k;
    throw new DbError("invalid-argument", `the index key must be a number, a bigint or null, got ${typeof k === "number" ? "NaN" : typeof k}`, { key: String(k) });
  }

  /** The heap seen as only `pageIds`, for `scanHeapBatches` (which reads `pool` and `pageIds`). */
  #rangeView(pageIds: PageId[]): TableHeap {
    const heap = this.heap;
    return {
      pool: heap.pool,
      freeSpaceMap: heap.freeSpaceMap,
      pageIds,
      insert: (t) => heap.insert(t),
      get: (rid) => heap.get(rid),
      update: (rid, t) => heap.update(rid, t),
      delete: (rid) => heap.delete(rid),
      scan: () => heap.scan(),
    };
  }
}

function checkBound(bound: BlockRangeKey, name: string): void {
  if (typeof bound === "bigint" || (typeof bound === "number" && !Number.isNaN(bound))) return;
  throw new DbError("invalid-argument", `scan bound ${name} must be a number or a bigint, got ${typeof bound === "number" ? "NaN" : typeof bound}`, { [name]: String(bound) });
}
