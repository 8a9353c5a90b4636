import { describe, expect, test } from "vitest";
import {
  BlockRangeIndex,
  BufferPoolManager,
  HeapFile,
  LruReplacer,
  MemoryDiskManager,
  TupleCodec,
  ridToString,
  type Rid,
  type Schema,
} from "../src/index.js";
import { checkModel } from "../../test-support/model-check.js";
import { check, same, sameJson } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const SCHEMA: Schema = [
  { name: "id", type: "int4", nullable: false },
  { name: "v", type: "int4", nullable: true },
  { name: "pad", type: "text", nullable: false },
];
const codec = new TupleCodec(SCHEMA);
/** Rows of 4 + 4 + pad bytes: with a 40-byte pad, 10 rows fit on a 512-byte page. */
const PAD = "x".repeat(24);

function newHeap(frames = 8) {
  const pool = new BufferPoolManager({ frames, disk: new MemoryDiskManager({ pageSize: 512 }), replacer: new LruReplacer(frames) });
  return new HeapFile(pool);
}

function rowsPerPage(): number {
  const heap = newHeap();
  let n = 0;
  while (heap.pageIds.length < 2) {
    heap.insert(codec.encode([n, n, PAD]));
    n++;
  }
  return n - 1;
}
const PER_PAGE = rowsPerPage();

/** A heap whose page p holds rows with values `pages[p]`, in order. */
function heapOf(pages: readonly (readonly (number | null)[])[]) {
  const heap = newHeap();
  let id = 0;
  for (const [p, values] of pages.entries()) {
    check(values.length === PER_PAGE, `page ${p} needs ${PER_PAGE} values for this layout`);
    for (const v of values) {
      // A null takes no bytes: 4 more of padding keep every row the same size.
      const rid = heap.insert(codec.encode([id++, v, v === null ? `${PAD}xxxx` : PAD]));
      same(heap.pageIds.indexOf(rid.pageId), p, `row ${id - 1}'s page position`);
    }
  }
  return heap;
}

const page = (from: number): number[] => Array.from({ length: PER_PAGE }, (_, i) => from + i);
const ids = (matches: readonly { tuple: Uint8Array }[]): number[] => matches.map((m) => codec.decode(m.tuple)[0] as number).sort((a, b) => a - b);
const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe("block-range index: skipping on hand-built layouts", () => {
  test("sorted pages: a narrow query reads exactly the range holding it", () => {
    // 6 pages, values 0 … 6·PER_PAGE − 1 in order, 2 pages per range: ranges [0,2P) [2P,4P) [4P,6P).
    const heap = heapOf(Array.from({ length: 6 }, (_, p) => page(p * PER_PAGE)));
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 2 });
    same(index.rangeCount, 3, "ranges");
    const P = PER_PAGE;
    const r = index.scan(2 * P + 1, 2 * P + 3);
    sameJson(
      { read: r.rangesRead, skipped: r.rangesSkipped, pagesRead: r.pagesRead, pagesSkipped: r.pagesSkipped, rechecked: r.rowsRechecked, removed: r.rowsRemovedByRecheck },
      { read: 1, skipped: 2, pagesRead: 2, pagesSkipped: 4, rechecked: 2 * P, removed: 2 * P - 3 },
      "scan of three values inside range 1",
    );
    sameJson(ids(r.matches), [2 * P + 1, 2 * P + 2, 2 * P + 3], "matching ids");
    // A query straddling the boundary of ranges 0 and 1 reads both, and only them.
    const straddle = index.scan(2 * P - 1, 2 * P);
    sameJson([straddle.rangesRead, straddle.pagesRead, straddle.matches.length], [2, 4, 2], "boundary query: ranges, pages, matches");
    // Bounds are inclusive and outside every summary nothing is read.
    sameJson([index.scan(6 * P, 10 * P).pagesRead, index.scan(-5, -1).pagesRead], [0, 0], "pages read outside every summary");
    same(index.scan(0, 0).matches.length, 1, "inclusive lower bound");
    same(index.scan(6 * P - 1, 6 * P - 1).matches.length, 1, "inclusive upper bound");
  });

  test("summaries are each range's min and max, the last range partial", () => {
    const heap = heapOf([page(100), page(0), page(50), page(7), page(300)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 2 });
    const P = PER_PAGE;
    sameJson(
      index.summaries(),
      [
        { range: 0, firstPage: 0, min: 0, max: 100 + P - 1, hasNulls: false, allNulls: false },
        { range: 1, firstPage: 2, min: 7, max: 50 + P - 1, hasNulls: false, allNulls: false },
        { range: 2, firstPage: 4, min: 300, max: 300 + P - 1, hasNulls: false, allNulls: false },
      ],
      "summaries",
    );
  });

  test("shuffled values: every range spans everything and nothing is skipped", () => {
    // Each page holds the whole domain's extremes: min 0 and max 1000 on every page.
    const values = (p: number) => [0, 1000, ...range(1, PER_PAGE - 2).map((i) => i * 10 + p)];
    const heap = heapOf(Array.from({ length: 4 }, (_, p) => values(p)));
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    const r = index.scan(500, 500);
    sameJson([r.rangesSkipped, r.pagesRead, r.rowsRemovedByRecheck], [0, 4, 4 * PER_PAGE - r.matches.length], "skipped, read, removed");
  });

  test("nulls: never match, recorded as hasNulls, all-null ranges skipped", () => {
    const nulls = Array.from({ length: PER_PAGE }, () => null);
    const someNulls = [null, ...page(10).slice(1)];
    const heap = heapOf([nulls, someNulls, page(10)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    const s = index.summaries();
    sameJson(
      s.map((x) => [x?.allNulls, x?.hasNulls, x?.min, x?.max]),
      [[true, true, undefined, undefined], [false, true, 11, 10 + PER_PAGE - 1], [false, false, 10, 10 + PER_PAGE - 1]],
      "flags and bounds",
    );
    const r = index.scan(-Infinity, Infinity);
    sameJson([r.rangesSkipped, r.matches.length, r.rowsRemovedByRecheck], [1, 2 * PER_PAGE - 1, 1], "open scan: all-null range skipped, the null row removed");
  });

  test("a key function summarises a computed value (bigint keys compare with numbers)", () => {
    const heap = heapOf([page(0), page(100)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: (row) => BigInt(row.value(1) as number) * 2n, pagesPerRange: 1 });
    sameJson(index.summaries().map((s) => [s?.min, s?.max].map(String)), [["0", String(2 * (PER_PAGE - 1))], ["200", String(2 * (100 + PER_PAGE - 1))]], "doubled bounds");
    const r = index.scan(200, 204n);
    sameJson([ids(r.matches).length, r.pagesRead], [3, 1], "values 100, 101, 102 doubled; one page read");
  });

  test("lo > hi matches nothing; summaries are tested bound by bound, as PostgreSQL's minmax does", () => {
    const heap = heapOf([page(0), page(50)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    const r = index.scan(5, 4);
    // Range 0 (0 … P − 1) has min ≤ 4 and max ≥ 5, so it is read; range 1 (min 50) is not.
    sameJson([r.matches.length, r.pagesRead, r.rowsRemovedByRecheck], [0, 1, PER_PAGE], "matches, pages read, removed");
  });
});

describe("block-range index: summarise later, widen on insert", () => {
  test("an unsummarised range is always read, never skipped, until summarizeNewRanges", () => {
    const heap = heapOf([page(0), page(100)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    // Grow the heap by two pages of values far from any query below; do not report them.
    let id = 1000;
    const before = heap.pageIds.length;
    while (heap.pageIds.length < before + 2) heap.insert(codec.encode([id++, 5000, PAD]));
    same(index.rangeCount, heap.pageIds.length, "ranges after the heap grew");
    same(index.summarizedCount, 2, "summarised ranges before summarizeNewRanges");
    const r = index.scan(0, 3);
    sameJson([r.rangesUnsummarized, r.rangesRead, r.rangesSkipped, r.matches.length], [heap.pageIds.length - 2, heap.pageIds.length - 1, 1, 4], "unsummarised ranges read");
    // A value on the new pages is found although no summary covers it.
    same(index.scan(5000, 5000).matches.length, id - 1000, "rows on unsummarised pages found");
    same(index.summarizeNewRanges(), heap.pageIds.length - 2, "ranges summarised");
    same(index.summarizeNewRanges(), 0, "summarising again");
    const after = index.scan(0, 3);
    sameJson([after.rangesUnsummarized, after.rangesRead, after.pagesRead], [0, 1, 1], "after summarising");
  });

  test("the constructor summarises nothing: every page is read", () => {
    const heap = heapOf([page(0), page(100)]);
    const index = new BlockRangeIndex(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    const r = index.scan(0, 0);
    sameJson([index.summarizedCount, r.rangesUnsummarized, r.pagesRead, r.matches.length], [0, 2, 2, 1], "unsummarised index");
    sameJson(index.summaries(), [undefined, undefined], "summaries");
  });

  test("desummarizeRange makes a range read again", () => {
    const heap = heapOf([page(0), page(100)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    same(index.desummarizeRange(1), true, "first desummarise");
    same(index.desummarizeRange(1), false, "second desummarise");
    same(index.scan(0, 0).pagesRead, 2, "pages read");
    same(index.summarizeNewRanges(), 1, "resummarised");
    same(index.scan(0, 0).pagesRead, 1, "pages read after");
  });

  test("a reported insert into a summarised range widens it, as brininsert does", () => {
    const heap = heapOf([page(0), page(100)]);
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    // Free a slot on page 0 so the next insert lands there (the free-space map finds it).
    const victim = [...heap.scan()][0]!.rid;
    heap.delete(victim);
    const tuple = codec.encode([999, 7777, PAD]);
    const rid = heap.insert(tuple);
    same(rid.pageId, heap.pageIds[0], "the insert reused page 0");
    same(index.scan(7777, 7777).matches.length, 0, "before reporting it the summary is stale: the row is missed");
    same(index.insert(rid, tuple), "widened", "insert outcome");
    // A delete never narrows a summary: the deleted row's 0 is still the minimum.
    sameJson([index.summaries()[0]?.min, index.summaries()[0]?.max], [0, 7777], "widened summary");
    const found = index.scan(7777, 7777);
    sameJson([found.matches.length, found.pagesRead], [1, 1], "found after widening");
    same(index.insert(rid, codec.encode([999, 50, PAD])), "unchanged", "a value inside the summary");
    same(index.insert(rid, codec.encode([999, null, PAD])), "widened", "first null");
    same(index.summaries()[0]?.hasNulls, true, "hasNulls after a null insert");
    same(index.insert(rid, codec.encode([999, null, PAD])), "unchanged", "second null");
  });

  test("an insert into an unsummarised range changes nothing", () => {
    const heap = heapOf([page(0)]);
    const index = new BlockRangeIndex(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    const tuple = codec.encode([5, 5, PAD]);
    same(index.insert({ pageId: heap.pageIds[0]!, slot: 0 } as Rid, tuple), "unsummarized", "outcome");
    same(index.summarizedCount, 0, "summaries");
  });
});

describe("block-range index: model check", () => {
  type Op =
    | { op: "insert"; value: number | null; report: boolean }
    | { op: "delete"; pick: number }
    | { op: "summarize" }
    | { op: "desummarize"; range: number }
    | { op: "scan"; lo: number; hi: number };

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seed ${seed}: scan(lo, hi) equals a filter over every row; page counts add up`, () => {
      const pagesPerRange = 1 + (seed % 3);
      const drift = seed % 2 === 0; // values that follow insertion order, or not
      checkModel<Op>({
        seed,
        count: 160,
        generate: (rng, i) => {
          const roll = rng.int(20);
          if (roll < 12) {
            const value = rng.int(10) === 0 ? null : drift ? i * 3 + rng.int(40) : rng.int(500);
            // Unreported inserts land only where no summary can go stale: see run().
            return { op: "insert", value, report: rng.int(6) !== 0 };
          }
          if (roll < 14) return { op: "delete", pick: rng.int(1000) };
          if (roll < 15) return { op: "summarize" };
          if (roll < 16) return { op: "desummarize", range: rng.int(8) };
          const lo = rng.int(520) - 10;
          return { op: "scan", lo, hi: lo + rng.int(rng.int(3) === 0 ? 300 : 30) };
        },
        run: (ops) => {
          const heap = newHeap();
          const index = new BlockRangeIndex(heap, { schema: SCHEMA, column: 1, pagesPerRange });
          const model = new Map<string, { id: number; value: number | null }>();
          let id = 0;
          for (const o of ops) {
            if (o.op === "insert") {
              const tuple = codec.encode([id, o.value, PAD]);
              const rid = heap.insert(tuple);
              model.set(ridToString(rid), { id: id++, value: o.value });
              const range = Math.floor(heap.pageIds.indexOf(rid.pageId) / pagesPerRange);
              // An unreported insert is allowed only into an unsummarised range (PostgreSQL
              // skips the index update there too); into a summarised one it must be reported.
              if (o.report || index.summaries()[range] !== undefined) index.insert(rid, tuple);
            } else if (o.op === "delete") {
              const keys = [...model.keys()];
              if (keys.length === 0) continue;
              const key = keys[o.pick % keys.length]!;
              const [page, slot] = key.slice(1, -1).split(",").map(Number) as [number, number];
              check(heap.delete({ pageId: page, slot } as Rid), `delete ${key}`);
              model.delete(key);
            } else if (o.op === "summarize") {
              index.summarizeNewRanges();
            } else if (o.op === "desummarize") {
              index.desummarizeRange(o.range);
            } else {
              const r = index.scan(o.lo, o.hi);
              const expected = [...model.values()].filter((m) => m.value !== null && m.value >= o.lo && m.value <= o.hi).map((m) => m.id).sort((a, b) => a - b);
              sameJson(ids(r.matches), expected, `scan(${o.lo}, ${o.hi}) ids`);
              same(r.pagesRead + r.pagesSkipped, heap.pageIds.length, "pages read + skipped");
              same(r.rangesRead + r.rangesSkipped, index.rangeCount, "ranges read + skipped");
              same(r.rowsRemovedByRecheck, r.rowsRechecked - r.matches.length, "rows removed by recheck");
              check(r.rangesUnsummarized === index.rangeCount - index.summarizedCount, `every unsummarised range read: ${r.rangesUnsummarized} of ${index.rangeCount - index.summarizedCount}`);
            }
          }
        },
      });
    });
  }
});

describe("block-range index: bad input", () => {
  const heap = heapOf([page(0)]);
  test("bad options are refused", () => {
    for (const pagesPerRange of [0, -1, 1.5, Number.NaN, 131_073]) expectDbError(() => new BlockRangeIndex(heap, { schema: SCHEMA, column: 1, pagesPerRange }), "invalid-argument", `pagesPerRange ${pagesPerRange}`);
    for (const column of [-1, 3, 0.5]) expectDbError(() => new BlockRangeIndex(heap, { schema: SCHEMA, column }), "invalid-argument", `column ${column}`);
    expectDbError(() => new BlockRangeIndex(heap, { schema: SCHEMA, column: 2 }), "invalid-argument", "a text column");
    expect(new BlockRangeIndex(heap, { schema: SCHEMA, column: 0 }).pagesPerRange).toBe(128);
  });

  test("bad bounds, bad keys and foreign rids are refused, changing nothing", () => {
    const index = BlockRangeIndex.build(heap, { schema: SCHEMA, column: 1, pagesPerRange: 1 });
    expectDbError(() => index.scan(Number.NaN, 1), "invalid-argument", "NaN lo");
    expectDbError(() => index.scan(0, "1" as unknown as number), "invalid-argument", "string hi");
    const before = JSON.stringify(index.summaries());
    expectDbError(() => index.insert({ pageId: 12345, slot: 0 } as Rid, codec.encode([1, 1, PAD])), "invalid-argument", "a page not in the heap");
    const nan = new BlockRangeIndex(heap, { schema: SCHEMA, column: (row) => ((row.value(0) as number) === 3 ? Number.NaN : 1), pagesPerRange: 1 });
    expectDbError(() => nan.summarizeNewRanges(), "invalid-argument", "a NaN key while summarising");
    same(nan.summarizedCount, 0, "nothing summarised after the refusal");
    same(JSON.stringify(index.summaries()), before, "summaries unchanged");
    expectDbError(() => index.desummarizeRange(-1), "invalid-argument", "negative range");
  });
});
