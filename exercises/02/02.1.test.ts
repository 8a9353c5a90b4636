/**
 * Hidden suite for exercise 02.1: the slotted page.
 *
 * Public API only: `SlottedPage.init/isNew/maxTupleSize`, the constructor, the header
 * getters, `has/get/insert/update/delete/compact/freeSpace/entries/layout`, and the
 * documented byte format (checked by reading the page with the engine's own SlottedPage).
 * The core is model-based: seeded random operations on a page next to a Map of
 * slot → bytes, with every invariant checked after every step and the failing sequence
 * shrunk before it is reported.
 */
import { describe, expect, it } from "vitest";
import { checkRun, describeError, errorOf, expectDbError, mulberry32 as rng, speaksForItself } from "../../test-support/index.js";
import { SlottedPage } from "@submission";
import { SlottedPage as EnginePage } from "@workbook/engine";

type Page = InstanceType<typeof SlottedPage>;
// Slot numbers are branded numbers in the engine; at run time they are plain numbers.
type Slot = Parameters<Page["get"]>[0];
const slot = (n: number) => n as Slot;

const HEADER = 16;
const LP = 4;
const align8 = (n: number) => (n + 7) & ~7;
const down8 = (n: number) => n & ~7;


/** `length` bytes whose content depends on `fill`, so two tuples rarely look alike. */
function tuple(length: number, fill = length): Uint8Array {
  const t = new Uint8Array(length);
  for (let i = 0; i < length; i++) t[i] = (fill * 13 + i * 7 + 1) & 0xff;
  return t;
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function show(t: Uint8Array | undefined): string {
  return t === undefined ? "undefined" : `${t.length} bytes [${[...t.subarray(0, 6)].join(",")}${t.length > 6 ? ",…" : ""}]`;
}




/** One expect per field, so a failure names the field instead of printing two truncated objects. */
function expectFields(actual: object, expected: Record<string, unknown>, context: string): void {
  for (const [key, value] of Object.entries(expected)) {
    expect((actual as Record<string, unknown>)[key], `${context}.${key}`).toEqual(value);
  }
}

function fresh(pageSize = 8192): Page {
  return SlottedPage.init(new Uint8Array(pageSize));
}

function fill(page: Page, lengths: number[]): number[] {
  return lengths.map((n, i) => {
    const s = page.insert(tuple(n, i));
    expect(s, `insert of a ${n}-byte tuple (#${i}) into a page with room`).not.toBeUndefined();
    return s as number;
  });
}

// ---------------------------------------------------------------------------------------
// The model: what the page must hold, and how much room it must report.

class Model {
  readonly tuples = new Map<number, Uint8Array>();
  slotCount = 0;
  constructor(readonly pageSize: number) {}
  lower(): number {
    return HEADER + LP * this.slotCount;
  }
  used(): number {
    let used = 0;
    for (const t of this.tuples.values()) used += align8(t.length);
    return used;
  }
  firstUnused(): number {
    for (let s = 0; s < this.slotCount; s++) if (!this.tuples.has(s)) return s;
    return -1;
  }
  freeSpace(): number {
    const needSlot = this.firstUnused() < 0 ? LP : 0;
    return Math.max(0, down8(this.pageSize - this.lower() - this.used() - needSlot));
  }
  insert(t: Uint8Array): number | undefined {
    if (t.length > this.freeSpace()) return undefined;
    let s = this.firstUnused();
    if (s < 0) s = this.slotCount++;
    this.tuples.set(s, t.slice());
    return s;
  }
  delete(s: number): boolean {
    if (!this.tuples.has(s)) return false;
    this.tuples.delete(s);
    while (this.slotCount > 0 && !this.tuples.has(this.slotCount - 1)) this.slotCount--;
    return true;
  }
  /** undefined: the slot holds no tuple (the page must throw out-of-range). */
  update(s: number, t: Uint8Array): boolean | undefined {
    const old = this.tuples.get(s);
    if (old === undefined) return undefined;
    const need = align8(t.length);
    const oldNeed = align8(old.length);
    if (need > oldNeed && need > this.pageSize - this.lower() - this.used() + oldNeed) return false;
    this.tuples.set(s, t.slice());
    return true;
  }
  liveSlots(): number[] {
    return [...this.tuples.keys()].sort((a, b) => a - b);
  }
}

/** Every observable fact about `page` against the model; the first mismatch, or undefined. */
function mismatch(page: Page, model: Model): string | undefined {
  const differ = (what: string, expected: unknown, received: unknown): string | undefined =>
    Object.is(expected, received) ? undefined : `${what}: expected ${String(expected)}, received ${String(received)}`;
  const used = model.used();
  const simple =
    differ("slotCount", model.slotCount, page.slotCount) ??
    differ("tupleCount", model.tuples.size, page.tupleCount) ??
    differ("freeSpace()", model.freeSpace(), page.freeSpace()) ??
    differ("lower", model.lower(), page.lower);
  if (simple) return simple;
  for (let s = -1; s <= model.slotCount + 1; s++) {
    const want = model.tuples.get(s);
    const got = page.get(slot(s));
    if (!same(want, got)) return `get(${s}): expected ${show(want)}, received ${show(got)}`;
    const has = differ(`has(${s})`, want !== undefined, page.has(slot(s)));
    if (has) return has;
  }
  const flags = page.bytes[14]! | (page.bytes[15]! << 8);
  const hint = differ("the header's HAS_FREE_SLOTS bit (flags bit 0, byte 14): some slot below slotCount is unused", model.firstUnused() >= 0, (flags & 1) === 1);
  if (hint) return hint;
  const layout = page.layout();
  const header =
    differ("layout().pageSize", model.pageSize, layout.pageSize) ??
    differ("layout().lower", model.lower(), layout.lower) ??
    differ("layout().slotCount", model.slotCount, layout.slotCount) ??
    differ("layout().freeSpace", model.freeSpace(), layout.freeSpace) ??
    differ("layout().upper", page.upper, layout.upper) ??
    differ("layout().slots.length", model.slotCount, layout.slots.length);
  if (header) return header;
  const { upper } = layout;
  if (model.tuples.size === 0 && upper !== model.pageSize) return `upper of a page holding no tuple: expected ${model.pageSize} (the page size), received ${upper}`;
  if (upper % 8 !== 0 || upper < layout.lower || upper > model.pageSize) {
    return `upper ${upper} must be a multiple of 8 between lower ${layout.lower} and the page size ${model.pageSize}`;
  }
  const fragmented = differ("layout().fragmentedBytes (bytes from upper to the end no live tuple uses)", model.pageSize - upper - used, layout.fragmentedBytes);
  if (fragmented) return fragmented;
  const extents: [number, number, number][] = [];
  for (const lp of layout.slots) {
    const want = model.tuples.get(lp.slot);
    const state = differ(`layout().slots[${lp.slot}].state`, want === undefined ? "unused" : "normal", lp.state);
    if (state) return state;
    if (want === undefined) continue;
    const length = differ(`layout().slots[${lp.slot}].length`, want.length, lp.length);
    if (length) return length;
    if (lp.offset % 8 !== 0 || lp.offset < upper || lp.offset + lp.length > model.pageSize) {
      return `slot ${lp.slot}: offset ${lp.offset} must be a multiple of 8 in [upper ${upper}, ${model.pageSize - lp.length}]`;
    }
    extents.push([lp.offset, lp.offset + align8(lp.length), lp.slot]);
  }
  extents.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < extents.length; i++) {
    const [, prevEnd, prevSlot] = extents[i - 1]!;
    const [start, , s] = extents[i]!;
    if (start < prevEnd) return `tuples of slots ${prevSlot} and ${s} overlap (one ends at ${prevEnd}, the other starts at ${start})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Random operations, run on a page next to the model, and shrunk when they fail.

type Op =
  | { readonly kind: "insert"; readonly length: number; readonly fill: number }
  | { readonly kind: "delete"; readonly pick: number }
  | { readonly kind: "update"; readonly pick: number; readonly length: number; readonly fill: number }
  | { readonly kind: "compact" }
  | { readonly kind: "reopen" }
  | { readonly kind: "move" };

function generate(seed: number, count: number, pageSize: number, typical: number): Op[] {
  const r = rng(seed);
  const max = EnginePage.maxTupleSize(pageSize);
  const length = () => (r() < 0.04 ? 1 + Math.floor(r() * max) : 1 + Math.floor(r() * typical));
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    const pick = Math.floor(r() * 1_000_000);
    if (x < 0.45) ops.push({ kind: "insert", length: length(), fill: i });
    else if (x < 0.7) ops.push({ kind: "delete", pick });
    else if (x < 0.9) ops.push({ kind: "update", pick, length: length(), fill: i });
    else if (x < 0.95) ops.push({ kind: "compact" });
    else if (x < 0.98) ops.push({ kind: "reopen" });
    else ops.push({ kind: "move" });
  }
  return ops;
}

/** Mostly a live slot; sometimes one that holds nothing (deleted, or past the end). */
function target(pick: number, model: Model): number {
  const live = model.liveSlots();
  if (live.length > 0 && pick % 100 < 85) return live[pick % live.length]!;
  return pick % (model.slotCount + 2);
}

interface Run {
  readonly failure?: string;
  readonly steps: readonly string[];
}

function run(ops: readonly Op[], pageSize: number): Run {
  let buffer = new Uint8Array(3 * pageSize).fill(0xee);
  let page = SlottedPage.init(buffer.subarray(pageSize, 2 * pageSize));
  const model = new Model(pageSize);
  const steps: string[] = [];
  for (const op of ops) {
    let step: string;
    try {
      switch (op.kind) {
        case "insert": {
          step = `insert(${op.length} B)`;
          steps.push(step);
          const t = tuple(op.length, op.fill);
          const expected = model.insert(t);
          const got = page.insert(t);
          if (got !== expected) return { failure: `${step} returned ${String(got)}, expected ${String(expected)}`, steps };
          break;
        }
        case "delete": {
          const s = target(op.pick, model);
          step = `delete(${s})`;
          steps.push(step);
          const expected = model.delete(s);
          const got = page.delete(slot(s));
          if (got !== expected) return { failure: `${step} returned ${String(got)}, expected ${String(expected)}`, steps };
          break;
        }
        case "update": {
          const s = target(op.pick, model);
          step = `update(${s}, ${op.length} B)`;
          steps.push(step);
          const t = tuple(op.length, op.fill);
          const expected = model.update(s, t);
          if (expected === undefined) {
            const error = errorOf(() => page.update(slot(s), t));
            if (error?.kind !== "out-of-range") {
              return { failure: `${step} on a slot holding no tuple: expected DbError "out-of-range", received ${describeError(error)}`, steps };
            }
          } else {
            const got = page.update(slot(s), t);
            if (got !== expected) return { failure: `${step} returned ${String(got)}, expected ${String(expected)}`, steps };
          }
          break;
        }
        case "compact": {
          step = "compact()";
          steps.push(step);
          const before = page.freeSpace();
          page.compact();
          const layout = page.layout();
          const used = model.used();
          if (layout.upper !== pageSize - used) return { failure: `after compact() upper is ${layout.upper}, expected page size − live tuple bytes = ${pageSize - used}`, steps };
          if (layout.fragmentedBytes !== 0) return { failure: `after compact() fragmentedBytes is ${layout.fragmentedBytes}, expected 0`, steps };
          if (page.freeSpace() !== before) return { failure: `compact() changed freeSpace() from ${before} to ${page.freeSpace()}`, steps };
          break;
        }
        case "reopen":
          step = "new SlottedPage(same bytes)";
          steps.push(step);
          page = new SlottedPage(page.bytes);
          break;
        case "move": {
          // The buffer pool wrote the page out and read it into another frame.
          step = "copy the bytes to another buffer and reopen";
          steps.push(step);
          const next = new Uint8Array(3 * pageSize).fill(0xee);
          next.set(page.bytes, pageSize);
          buffer = next;
          page = new SlottedPage(buffer.subarray(pageSize, 2 * pageSize));
          break;
        }
      }
    } catch (e) {
      if (speaksForItself(e)) throw e;
      return { failure: `${steps[steps.length - 1]} threw ${describeError(e)}`, steps };
    }
    const wrong = mismatch(page, model);
    if (wrong) return { failure: `after ${steps[steps.length - 1]}, ${wrong}`, steps };
  }
  for (let i = 0; i < buffer.length; i++) {
    if ((i < pageSize || i >= 2 * pageSize) && buffer[i] !== 0xee) {
      return { failure: `wrote outside its bytes: byte ${i - pageSize} relative to the page start changed (the page is a subarray of a larger buffer)`, steps };
    }
  }
  return { steps };
}

function check(seed: number, count: number, pageSize: number, typical: number): void {
  const ops = generate(seed, count, pageSize, typical);
  checkRun(
    ops,
    (o) => {
      const { failure } = run(o, pageSize);
      if (failure !== undefined) throw new Error(failure);
    },
    { seed: `${pageSize}-byte page, seed ${seed}`, steps: (o) => run(o, pageSize).steps },
  );
}

// ---------------------------------------------------------------------------------------

describe("02.1 SlottedPage model", () => {
  it.each([
    [1, 256, 40],
    [2, 256, 12],
    [3, 512, 90],
    [4, 1024, 200],
    [5, 8192, 700],
    [6, 8192, 60],
  ])("seed %i: random insert/delete/update/compact on a %i-byte page agree with a Map of slot → bytes", (seed, pageSize, typical) => {
    check(seed, 500, pageSize, typical);
  });
});

describe("02.1 SlottedPage empty page", () => {
  it.each([256, 8192, 32768])("a fresh %i-byte page has no tuples, lower 16, upper = page size, and page size − 24 bytes free", (size) => {
    const page = fresh(size);
    expect(page.pageSize, "pageSize").toBe(size);
    expect(page.slotCount, "slotCount").toBe(0);
    expect(page.tupleCount, "tupleCount").toBe(0);
    expect(page.lower, "lower").toBe(16);
    expect(page.upper, "upper").toBe(size);
    expect(page.freeSpace(), "freeSpace(): page size − 16-byte header − 4-byte line pointer, rounded down to 8").toBe(size - 24);
    expect(page.get(slot(0)), "get(0)").toBeUndefined();
    expectFields(page.layout(), { pageSize: size, lsn: 0n, lower: 16, upper: size, slotCount: 0, flags: 0, freeSpace: size - 24, fragmentedBytes: 0, slots: [] }, "layout()");
    expect([...page.entries()], "entries()").toEqual([]);
  });

  it("init formats the bytes: all zero but the header, whatever they held, and keeps the LSN", () => {
    const bytes = new Uint8Array(512).fill(0xab);
    const page = SlottedPage.init(bytes, 0x0102030405060708n as never);
    expect(page.slotCount, "slotCount").toBe(0);
    expect(page.lsn, "lsn").toBe(0x0102030405060708n);
    expect([...bytes.subarray(0, 12)], "header bytes: lsn u64 LE at 0, lower u16 at 8, upper u16 at 10").toEqual([8, 7, 6, 5, 4, 3, 2, 1, 16, 0, 0, 2]);
    expect(bytes.subarray(12).every((b) => b === 0), "every byte after offset 12 is zero").toBe(true);
    expect(SlottedPage.isNew(bytes), "isNew() of a formatted page").toBe(false);
    expect(SlottedPage.isNew(new Uint8Array(512)), "isNew() of an all-zero page").toBe(true);
  });

  it("the LSN is stored in the page: set it, and a new view of the bytes reads it back", () => {
    const page = fresh(256);
    page.lsn = 0xfedcba9876543210n as never;
    expect(page.lsn, "lsn").toBe(0xfedcba9876543210n);
    expect(new SlottedPage(page.bytes).lsn, "lsn read by a new view").toBe(0xfedcba9876543210n);
    expect(page.layout().lsn, "layout().lsn").toBe(0xfedcba9876543210n);
  });

  it.each([
    [256, 232],
    [8192, 8168],
    [32768, 32744],
  ])("maxTupleSize(%i) is %i, and a tuple of that size fills an empty page exactly", (size, max) => {
    expect(SlottedPage.maxTupleSize(size), `maxTupleSize(${size})`).toBe(max);
    const page = fresh(size);
    const t = tuple(max, 3);
    expect(page.insert(t), "insert of the largest tuple").toBe(0);
    expect(page.freeSpace(), "freeSpace() after it").toBe(0);
    expect(page.layout().slots, "its line pointer").toEqual([{ slot: 0, state: "normal", offset: size - max, length: max }]);
    expect(page.insert(tuple(1)), "insert of one more byte").toBeUndefined();
    expect(same(page.get(slot(0)), t), "get(0) returns the largest tuple").toBe(true);
    expect(page.delete(slot(0)), "delete(0)").toBe(true);
    expect(page.freeSpace(), "freeSpace() after deleting it").toBe(max);
  });

  it("deleting every tuple returns the page to its empty state", () => {
    const page = fresh(1024);
    const slots = fill(page, [10, 200, 33, 1, 64, 90]);
    for (const s of [3, 0, 5, 1, 4, 2]) expect(page.delete(slot(s)), `delete(${s})`).toBe(true);
    expect(slots).toEqual([0, 1, 2, 3, 4, 5]);
    expectFields(page.layout(), { lower: 16, upper: 1024, slotCount: 0, freeSpace: 1000, fragmentedBytes: 0, slots: [] }, "layout() of the emptied page");
    expect(page.insert(tuple(5)), "the next insert").toBe(0);
  });
});

describe("02.1 SlottedPage layout", () => {
  it("places tuples from the end of the page downwards, each at a multiple of 8", () => {
    const page = fresh(8192);
    const lengths = [5, 8, 13, 1];
    expect(fill(page, lengths), "slots").toEqual([0, 1, 2, 3]);
    const layout = page.layout();
    expect(layout.slots.map((s) => s.offset), "offsets").toEqual([8184, 8176, 8160, 8152]);
    expect(layout.slots.map((s) => s.length), "lengths").toEqual(lengths);
    expect(layout.slots.map((s) => s.state), "states").toEqual(["normal", "normal", "normal", "normal"]);
    expectFields(layout, { lower: 32, upper: 8152 }, "layout()");
    expect(page.freeSpace(), "freeSpace(): 8152 − 32 − 4, rounded down to 8").toBe(8112);
  });

  it("writes the documented format: the engine's SlottedPage reads your page", () => {
    const page = fresh(1024);
    fill(page, [20, 7, 100, 33, 8]);
    page.delete(slot(1));
    page.update(slot(2), tuple(150, 99));
    page.lsn = 77n as never;
    const theirs = new EnginePage(page.bytes);
    expect(theirs.slotCount, "slotCount read by the engine").toBe(page.slotCount);
    expectFields(theirs, { lower: page.lower, upper: page.upper, lsn: 77n }, "the header read by the engine");
    expect(theirs.layout().slots, "line pointers read by the engine").toEqual(page.layout().slots);
    for (let s = 0; s < 6; s++) expect(same(theirs.get(s as never), page.get(slot(s))), `tuple in slot ${s} read by the engine`).toBe(true);
  });

  it("reads the documented format: your SlottedPage reads and continues a page the engine wrote", () => {
    const bytes = new Uint8Array(1024);
    const theirs = EnginePage.init(bytes, 5n as never);
    for (let i = 0; i < 6; i++) theirs.insert(tuple(10 + 17 * i, i));
    theirs.delete(2 as never);
    theirs.delete(4 as never);
    theirs.update(0 as never, tuple(3, 40));
    const page = new SlottedPage(bytes);
    const { flags: _flags, ...reference } = theirs.layout();
    expectFields(page.layout(), reference, "layout() of a page the engine wrote");
    expect(page.freeSpace(), "freeSpace()").toBe(theirs.freeSpace());
    for (let s = 0; s < 7; s++) expect(same(page.get(slot(s)), theirs.get(s as never)), `get(${s})`).toBe(true);
    expect(page.insert(tuple(9, 1)), "insert reuses the lowest unused slot").toBe(2);
    expect(page.insert(tuple(9, 2)), "then the next unused one").toBe(4);
    expect(page.insert(tuple(9, 3)), "then a new one").toBe(6);
  });

  it("writes the free-slot hint the engine reads: the engine reports the same free space and reuses the slot your delete freed, and sees the hint cleared once every slot is in use", () => {
    const bytes = new Uint8Array(1024);
    const page = SlottedPage.init(bytes);
    for (let i = 0; i < 4; i++) page.insert(tuple(40, i));
    page.delete(slot(1));
    const theirs = new EnginePage(bytes);
    expect(theirs.freeSpace(), "freeSpace() the engine reads after your delete(1)").toBe(page.freeSpace());
    expect(new EnginePage(bytes.slice()).insert(tuple(8, 9)), "the engine's insert into a copy of your page reuses slot").toBe(1);
    expect(page.insert(tuple(8, 8)), "your insert reuses slot").toBe(1);
    const after = new EnginePage(bytes);
    expect(after.layout().flags & 1, "flags bit 0 (HAS_FREE_SLOTS) once no slot is unused").toBe(0);
    expect(after.freeSpace(), "freeSpace() the engine reads after your reuse").toBe(page.freeSpace());
  });

  it("a tuple's line pointer is one u32: offset in bits 0–14, state in 15–16, length in 17–31", () => {
    const page = fresh(8192);
    page.insert(tuple(300));
    const word = new DataView(page.bytes.buffer, page.bytes.byteOffset).getUint32(16, true);
    expect({ offset: word & 0x7fff, state: (word >>> 15) & 3, length: word >>> 17 }, "the first line pointer, decoded").toEqual({ offset: 7888, state: 1, length: 300 });
  });

  it("the page is a view: a second SlottedPage over the same bytes sees every change", () => {
    const bytes = new Uint8Array(512);
    const a = SlottedPage.init(bytes);
    const b = new SlottedPage(bytes);
    a.insert(tuple(30, 1));
    b.insert(tuple(40, 2));
    a.delete(slot(0));
    expect(b.slotCount, "slotCount seen by the second view").toBe(2);
    expect(b.get(slot(0)), "slot 0 seen by the second view").toBeUndefined();
    expect(same(a.get(slot(1)), tuple(40, 2)), "slot 1 seen by the first view").toBe(true);
    expect(b.freeSpace(), "freeSpace() seen by the second view").toBe(a.freeSpace());
    expect(b.insert(tuple(8, 3)), "the second view reuses slot 0").toBe(0);
  });

  it("never writes outside its bytes when they are a subarray of a larger buffer", () => {
    const buffer = new Uint8Array(3 * 256).fill(0xee);
    const page = SlottedPage.init(buffer.subarray(256, 512), 9n as never);
    fill(page, [40, 40, 40, 40]);
    page.delete(slot(1));
    page.compact();
    page.update(slot(0), tuple(60, 5));
    page.insert(tuple(50, 6));
    const outside = [...buffer.subarray(0, 256), ...buffer.subarray(512)];
    expect(outside.every((b) => b === 0xee), "bytes before and after the page are untouched").toBe(true);
    expect(new SlottedPage(buffer.subarray(256, 512)).lsn, "lsn through a fresh view").toBe(9n);
  });

  it("entries() yields the live tuples in slot order, and tupleCount counts them", () => {
    const page = fresh(1024);
    fill(page, [5, 6, 7, 8, 9]);
    page.delete(slot(1));
    page.delete(slot(3));
    expect([...page.entries()].map(([s, t]) => [s, t.length]), "entries()").toEqual([
      [0, 5],
      [2, 7],
      [4, 9],
    ]);
    expect(page.tupleCount, "tupleCount").toBe(3);
    expect(page.slotCount, "slotCount").toBe(5);
  });
});

describe("02.1 SlottedPage full page", () => {
  it.each([256, 8192])("a %i-byte page holds exactly ⌊(size − 16) / 12⌋ one-byte tuples, then reports itself full", (size) => {
    const page = fresh(size);
    const expected = Math.floor((size - 16) / 12);
    let n = 0;
    while (page.insert(tuple(1, n)) !== undefined) {
      n++;
      if (n > size) break;
    }
    expect(n, "one-byte tuples that fit (each takes 8 bytes plus a 4-byte line pointer)").toBe(expected);
    expect(page.freeSpace(), "freeSpace() of the full page").toBe(0);
    const before = page.bytes.slice();
    expect(page.insert(tuple(1, 0)), "insert into the full page").toBeUndefined();
    expect(same(page.bytes, before), "a refused insert leaves every byte unchanged").toBe(true);
  });

  it("one byte short: freeSpace() + 1 bytes is refused and changes nothing, freeSpace() bytes fit", () => {
    const page = fresh(8192);
    for (let i = 0; i < 75; i++) expect(page.insert(tuple(100, i)), `insert #${i} of 100 bytes`).toBe(i);
    expect(page.insert(tuple(100, 75)), "a 76th 100-byte tuple").toBeUndefined();
    expect(page.freeSpace(), "freeSpace(): 8192 − 16 − 75 × (104 + 4) − 4 = 72").toBe(72);
    const before = page.bytes.slice();
    expect(page.insert(tuple(73)), "a 73-byte tuple").toBeUndefined();
    expect(same(page.bytes, before), "the refused insert changed no byte").toBe(true);
    expect(page.insert(tuple(72)), "a 72-byte tuple").toBe(75);
    expect(page.freeSpace(), "freeSpace() afterwards").toBe(0);
  });

  it("one byte short with a hole and a reusable slot: the hole counts, no new line pointer is needed", () => {
    const page = fresh(256);
    fill(page, [40, 40, 40]);
    page.delete(slot(1));
    expect(page.freeSpace(), "freeSpace(): 256 − 28 − 2 × 40, rounded down to 8").toBe(144);
    const before = page.bytes.slice();
    expect(page.insert(tuple(145)), "a 145-byte tuple").toBeUndefined();
    expect(same(page.bytes, before), "the refused insert changed no byte").toBe(true);
    const big = tuple(144, 9);
    expect(page.insert(big), "a 144-byte tuple goes into the unused slot 1").toBe(1);
    expect(same(page.get(slot(0)), tuple(40, 0)) && same(page.get(slot(2)), tuple(40, 2)), "slots 0 and 2 still hold their tuples").toBe(true);
    expect(same(page.get(slot(1)), big), "slot 1 holds the new tuple").toBe(true);
    expect(page.freeSpace(), "freeSpace() afterwards").toBe(0);
  });

  it("a tuple larger than maxTupleSize throws tuple-too-large; one that only fails to fit now returns undefined", () => {
    const page = fresh(8192);
    expectDbError(() => page.insert(tuple(8169)), "tuple-too-large", "insert of 8169 bytes into an 8192-byte page");
    page.insert(tuple(10));
    expect(page.insert(tuple(8168)), "insert of the maximum size into a page that is not empty").toBeUndefined();
    expectDbError(() => page.update(slot(0), tuple(8169)), "tuple-too-large", "update to 8169 bytes");
  });
});

describe("02.1 SlottedPage delete and slot reuse", () => {
  it("delete frees the slot, the lowest unused slot is reused, trailing unused slots are dropped", () => {
    const page = fresh(1024);
    fill(page, [10, 11, 12, 13]);
    expect(page.delete(slot(1)), "delete(1)").toBe(true);
    expect(page.delete(slot(1)), "delete(1) again").toBe(false);
    expect(page.slotCount, "slotCount after delete(1)").toBe(4);
    expect(page.has(slot(1)), "has(1) after delete(1)").toBe(false);
    expect(page.get(slot(1)), "get(1) after delete(1)").toBeUndefined();
    expect(page.layout().slots[1], "line pointer 1").toMatchObject({ slot: 1, state: "unused" });
    expect(page.insert(tuple(20, 5)), "the next insert reuses slot 1").toBe(1);
    expect(page.delete(slot(3)), "delete(3)").toBe(true);
    expect(page.slotCount, "slotCount after deleting the last slot").toBe(3);
    expect(page.delete(slot(2)), "delete(2)").toBe(true);
    expect(page.slotCount, "slotCount after deleting the new last slot").toBe(2);
    expect(page.delete(slot(0)), "delete(0)").toBe(true);
    expect(page.slotCount, "slotCount: slot 1 still holds a tuple").toBe(2);
    expect(page.insert(tuple(7, 6)), "insert reuses slot 0").toBe(0);
    expect(page.insert(tuple(7, 7)), "then appends slot 2").toBe(2);
  });

  it("deleting the last slot also drops every unused slot before it", () => {
    const page = fresh(1024);
    fill(page, [10, 10, 10, 10, 10]);
    page.delete(slot(2));
    page.delete(slot(3));
    expect(page.slotCount, "slotCount with slots 2 and 3 unused").toBe(5);
    page.delete(slot(4));
    expect(page.slotCount, "slotCount after deleting slot 4").toBe(2);
    expect(page.lower, "lower").toBe(24);
    expect(page.freeSpace(), "freeSpace(): 1024 − 24 − 2 × 16 − 4, rounded down to 8").toBe(960);
  });

  it("freeSpace() counts the holes left by deletes and shrinking updates", () => {
    const page = fresh(512);
    fill(page, [50, 50, 50, 50]);
    expect(page.freeSpace(), "four 56-byte tuples: 512 − 32 − 224 − 4").toBe(248);
    page.delete(slot(1));
    expect(page.freeSpace(), "after delete(1): the hole counts and slot 1 can be reused").toBe(312);
    expect(page.layout().fragmentedBytes, "fragmentedBytes after delete(1)").toBe(56);
    page.update(slot(2), tuple(9, 1));
    expect(page.freeSpace(), "after shrinking slot 2 from 56 to 16 bytes").toBe(352);
    expect(page.layout().fragmentedBytes, "fragmentedBytes after the shrinking update").toBe(96);
    expect(page.upper, "upper does not move on delete or in-place update").toBe(512 - 224);
  });

  it("get, has and delete of slots that hold nothing: undefined, false, false", () => {
    const page = fresh(256);
    fill(page, [8, 8]);
    page.delete(slot(0));
    for (const s of [0, 2, 3, 100, -1, 0.5, Number.NaN]) {
      expect(page.get(slot(s)), `get(${s})`).toBeUndefined();
      expect(page.has(slot(s)), `has(${s})`).toBe(false);
      expect(page.delete(slot(s)), `delete(${s})`).toBe(false);
    }
    expect(page.has(slot(1)), "has(1)").toBe(true);
  });

  it("get returns a copy, and insert copies its argument", () => {
    const page = fresh(256);
    const t = tuple(16, 1);
    page.insert(t);
    t[0] = 0;
    expect(same(page.get(slot(0)), tuple(16, 1)), "changing the inserted array afterwards does not change the page").toBe(true);
    const got = page.get(slot(0))!;
    got[1] = 0;
    expect(same(page.get(slot(0)), tuple(16, 1)), "changing what get returned does not change the page").toBe(true);
  });
});

describe("02.1 SlottedPage compaction", () => {
  it("compact keeps slot numbers and bytes, makes the free space one gap, and zeroes it", () => {
    const page = fresh(8192);
    const lengths = [10, 300, 7, 64, 1000, 3, 99, 512, 17, 250];
    fill(page, lengths);
    for (const s of [2, 5, 7]) page.delete(slot(s));
    page.update(slot(4), tuple(100, 44));
    const before = page.layout();
    expect(before.fragmentedBytes, "fragmentedBytes before compacting").toBeGreaterThan(0);
    const contents = new Map([...page.entries()].map(([s, t]) => [s as number, t]));
    page.compact();
    const after = page.layout();
    const used = [...contents.values()].reduce((sum, t) => sum + align8(t.length), 0);
    expectFields(after, { upper: 8192 - used, fragmentedBytes: 0, freeSpace: before.freeSpace, slotCount: before.slotCount }, "layout() after compact()");
    for (const [s, t] of contents) expect(same(page.get(slot(s)), t), `slot ${s} keeps its tuple`).toBe(true);
    expect(after.slots.map((lp) => lp.state), "line-pointer states").toEqual(before.slots.map((lp) => lp.state));
    expect(page.bytes.subarray(after.lower, after.upper).every((b) => b === 0), "the gap between lower and upper is zeroed").toBe(true);
  });

  it("an insert that fits only after compaction succeeds, and moves no slot", () => {
    const page = fresh(256);
    fill(page, [40, 40, 40, 40, 40]);
    page.delete(slot(1));
    page.delete(slot(3));
    expect(page.upper, "upper with two holes").toBe(56);
    expect(page.freeSpace(), "freeSpace(): the two holes count").toBe(96);
    const big = tuple(96, 7);
    expect(page.insert(big), "a 96-byte tuple takes the lowest unused slot").toBe(1);
    for (const s of [0, 2, 4]) expect(same(page.get(slot(s)), tuple(40, s)), `slot ${s} keeps its tuple`).toBe(true);
    expect(same(page.get(slot(1)), big), "slot 1 holds the new tuple").toBe(true);
    expect(page.insert(tuple(1)), "the page is now full: 4 bytes left, and a tuple takes at least 8").toBeUndefined();
  });
});

describe("02.1 SlottedPage update", () => {
  it("update in place when the new version needs no more (aligned) space", () => {
    const page = fresh(1024);
    fill(page, [20, 30]);
    const offset = page.layout().slots[0]!.offset;
    expect(page.update(slot(0), tuple(17, 1)), "update to 17 bytes").toBe(true);
    expect(page.layout().slots[0], "line pointer after shrinking").toEqual({ slot: 0, state: "normal", offset, length: 17 });
    expect(page.update(slot(0), tuple(24, 2)), "update to 24 bytes (still 24 aligned)").toBe(true);
    expect(page.layout().slots[0], "line pointer after growing within the alignment").toEqual({ slot: 0, state: "normal", offset, length: 24 });
    expect(same(page.get(slot(0)), tuple(24, 2)), "get(0)").toBe(true);
    expect(same(page.get(slot(1)), tuple(30, 1)), "get(1) is untouched").toBe(true);
  });

  it("update to a larger version moves it within the page and keeps the slot", () => {
    const page = fresh(1024);
    fill(page, [20, 30, 40]);
    expect(page.update(slot(1), tuple(200, 3)), "update slot 1 to 200 bytes").toBe(true);
    expect(same(page.get(slot(1)), tuple(200, 3)), "get(1)").toBe(true);
    expect(same(page.get(slot(0)), tuple(20, 0)) && same(page.get(slot(2)), tuple(40, 2)), "the other tuples are untouched").toBe(true);
    expect(page.freeSpace(), "freeSpace(): 1024 − 28 − (24 + 200 + 40) − 4").toBe(728);
  });

  it("update that cannot fit returns false and changes nothing; one that fits only after compaction succeeds", () => {
    const page = fresh(256);
    fill(page, [100, 100]);
    const before = page.bytes.slice();
    expect(page.update(slot(0), tuple(130, 5)), "update slot 0 to 130 bytes (136 aligned > 24 free + 104 own)").toBe(false);
    expect(same(page.bytes, before), "the refused update changed no byte").toBe(true);
    expect(page.update(slot(0), tuple(128, 6)), "update slot 0 to 128 bytes (fits exactly, after compaction)").toBe(true);
    expect(same(page.get(slot(0)), tuple(128, 6)), "get(0)").toBe(true);
    expect(same(page.get(slot(1)), tuple(100, 1)), "get(1) is untouched").toBe(true);
    expect(page.freeSpace(), "freeSpace()").toBe(0);
  });

  it("update of a slot holding no tuple throws out-of-range; bad tuples are refused as by insert", () => {
    const page = fresh(256);
    fill(page, [8, 8]);
    page.delete(slot(0));
    expectDbError(() => page.update(slot(0), tuple(4)), "out-of-range", "update(0) after delete(0)");
    expectDbError(() => page.update(slot(5), tuple(4)), "out-of-range", "update(5) past the last slot");
    expectDbError(() => page.update(slot(1), new Uint8Array(0)), "invalid-argument", "update(1) with an empty tuple");
    expect(same(page.get(slot(1)), tuple(8, 1)), "slot 1 is untouched").toBe(true);
  });
});

describe("02.1 SlottedPage bad input", () => {
  it("refuses an empty tuple with invalid-argument and changes nothing", () => {
    const page = fresh(256);
    const before = page.bytes.slice();
    expectDbError(() => page.insert(new Uint8Array(0)), "invalid-argument", "insert of an empty tuple");
    expect(same(page.bytes, before), "no byte changed").toBe(true);
  });

  it.each([100, 128, 1000, 65536])("refuses a %i-byte buffer as a page with invalid-argument", (size) => {
    expectDbError(() => SlottedPage.init(new Uint8Array(size)), "invalid-argument", `SlottedPage.init of ${size} bytes`);
    expectDbError(() => new SlottedPage(new Uint8Array(size)), "invalid-argument", `new SlottedPage over ${size} bytes`);
  });

  it("refuses a new (all-zero) page and a page whose header breaks the invariants with corrupt", () => {
    expectDbError(() => new SlottedPage(new Uint8Array(512)), "corrupt", "new SlottedPage over zeros");
    const cases: [string, (v: DataView) => void][] = [
      ["lower ≠ 16 + 4 × slotCount", (v) => v.setUint16(8, 24, true)],
      ["upper past the end of the page", (v) => v.setUint16(10, 520, true)],
      ["upper not a multiple of 8", (v) => v.setUint16(10, 500, true)],
      ["lower above upper", (v) => { v.setUint16(10, 16, true); v.setUint16(12, 2, true); v.setUint16(8, 24, true); }],
    ];
    for (const [what, damage] of cases) {
      const bytes = new Uint8Array(512);
      SlottedPage.init(bytes).insert(tuple(8));
      damage(new DataView(bytes.buffer));
      expectDbError(() => new SlottedPage(bytes), "corrupt", `a header with ${what}`);
    }
  });

  it.each([
    ["below upper, inside the line-pointer array", 24, 8],
    ["not a multiple of 8", 500, 8],
    ["running past the end of the page", 504, 16],
  ])("reports a line pointer %s as corrupt when it is read", (_what, offset, length) => {
    const bytes = new Uint8Array(512);
    const page = SlottedPage.init(bytes);
    page.insert(tuple(8));
    page.insert(tuple(8));
    // Slot 1 (the u32 at byte 20) now claims `length` bytes at `offset`, state normal.
    new DataView(bytes.buffer).setUint32(20, (offset | (1 << 15) | (length << 17)) >>> 0, true);
    expectDbError(() => page.get(slot(1)), "corrupt", `get(1) of a line pointer at offset ${offset}, length ${length}`);
  });
});
