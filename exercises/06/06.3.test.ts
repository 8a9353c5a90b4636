/**
 * Hidden suite of exercise 06.3: `mergeIterator(sources, { dropTombstones })`, the LSM
 * tree's k-way merge. Against a Map model over seeded random sources (overlapping keys,
 * tombstones, both modes, with the failing sources shrunk), then the rules one at a time:
 * the newest source wins, tombstones hide, empty and single sources, many sources,
 * laziness (counting iterables, infinite sources, a break closes the sources) and sources
 * out of order.
 */
import { describe, expect, it } from "vitest";
import { compareBytes, toHex, type LsmEntry } from "@workbook/engine";
import { mergeIterator } from "@submission";
import { checkRun, errorOf, rng, sameJson, type Rng } from "../../test-support/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const k = (s: string) => enc.encode(s);

/** An entry from a short text: "b:4" is key b, seq 4, value "v4"; "c:9☠" a tombstone. */
function e(text: string): LsmEntry {
  const m = /^([^:]*):(\d+)(☠?)$/.exec(text)!;
  const seq = Number(m[2]);
  return { key: k(m[1]!), seq, value: m[3] ? undefined : k(`v${seq}`) };
}
const src = (texts: string) => (texts === "" ? [] : texts.split(" ").map(e));

/** An entry as text again, to compare and print. */
function text(entry: LsmEntry): string {
  const key = dec.decode(entry.key);
  return entry.value === undefined ? `${key}:${entry.seq}☠` : `${key}:${entry.seq}=${dec.decode(entry.value)}`;
}
const merged = (sources: readonly Iterable<LsmEntry>[], options?: { dropTombstones?: boolean }) => [...mergeIterator(sources, options)].map(text);

/** One write into source `source` (0 = newest). */
interface Op {
  readonly source: number;
  readonly key: string;
  readonly tombstone: boolean;
}

/** The sources an op list describes: each sorted, the last write to a key in a source wins, seqs newest-first. */
function sourcesOf(ops: readonly Op[], count: number): LsmEntry[][] {
  const maps = Array.from({ length: count }, () => new Map<string, LsmEntry>());
  ops.forEach((op, i) => {
    // Older sources get smaller seqs, as an LSM tree's would.
    const seq = (count - op.source) * 10_000 + i;
    maps[op.source]!.set(op.key, { key: k(op.key), seq, value: op.tombstone ? undefined : k(`v${seq}`) });
  });
  return maps.map((m) => [...m.values()].sort((a, b) => compareBytes(a.key, b.key)));
}

/** What the merge must yield: per key the newest source's entry, in key order. */
function model(sources: readonly LsmEntry[][], dropTombstones: boolean): string[] {
  const map = new Map<string, LsmEntry>();
  for (let s = sources.length - 1; s >= 0; s--) for (const entry of sources[s]!) map.set(toHex(entry.key), entry);
  return [...map.values()]
    .sort((a, b) => compareBytes(a.key, b.key))
    .filter((entry) => !(dropTombstones && entry.value === undefined))
    .map(text);
}

const KEYS = ["", "a", "aa", "ab", "b", "ba", "c", "d", "\u00ff", "zz"];

function randomOps(r: Rng, count: number, sources: number): Op[] {
  return Array.from({ length: count }, () => ({ source: r.int(sources), key: r.pick(KEYS) + (r.bool(0.3) ? String(r.int(20)) : ""), tombstone: r.bool(0.25) }));
}

/** An iterable that counts how many entries were pulled from it, and whether it was closed. */
class Counting implements Iterable<LsmEntry> {
  pulled = 0;
  closed = false;
  constructor(readonly entries: Iterable<LsmEntry>) {}
  *[Symbol.iterator](): Iterator<LsmEntry> {
    try {
      for (const entry of this.entries) {
        this.pulled++;
        yield entry;
      }
    } finally {
      this.closed = true;
    }
  }
}

function* infinite(prefix: string, step: number, seq: number): Generator<LsmEntry> {
  for (let i = 0; ; i += step) yield { key: k(`${prefix}${String(i).padStart(8, "0")}`), seq, value: k(`${i}`) };
}

describe("06.3 mergeIterator · against a model", () => {
  it("matches a Map model over seeded random sources, tombstones kept (compacting into a middle level)", () => {
    for (const [seed, sourceCount, count] of [
      [1, 2, 40],
      [2, 3, 80],
      [3, 5, 150],
      [4, 8, 300],
    ] as const) {
      againstModel(seed, sourceCount, count, false);
    }
  });

  it("matches a Map model over seeded random sources, tombstones dropped (a read, or the bottom level)", () => {
    for (const [seed, sourceCount, count] of [
      [5, 2, 40],
      [6, 3, 80],
      [7, 5, 150],
      [8, 8, 300],
    ] as const) {
      againstModel(seed, sourceCount, count, true);
    }
  });
});

function againstModel(seed: number, sourceCount: number, count: number, dropTombstones: boolean): void {
  checkRun(
    randomOps(rng(seed), count, sourceCount),
    (ops) => {
      const sources = sourcesOf(ops, sourceCount);
      sameJson(merged(sources, { dropTombstones }), model(sources, dropTombstones), `merge of ${sourceCount} sources${dropTombstones ? ", dropTombstones" : ""}`);
    },
    { seed: `seed ${seed}, ${sourceCount} sources${dropTombstones ? ", dropTombstones" : ""}`, show: (op) => `s${op.source} ${op.tombstone ? "del" : "put"} ${JSON.stringify(op.key)}` },
  );
}

describe("06.3 mergeIterator · precedence and tombstones", () => {
  it("the newest source (sources[0]) wins a key, whatever the seqs; each key once, ascending", () => {
    expect(merged([src("a:5 c:6"), src("a:3 b:4 c:2"), src("b:1 d:1")]), "merge of [a:5 c:6], [a:3 b:4 c:2], [b:1 d:1]").toEqual(["a:5=v5", "b:4=v4", "c:6=v6", "d:1=v1"]);
    // The source's age decides, not the seq: sources[0] is the newest by definition.
    expect(merged([src("k:1"), src("k:99")]), "merge of [k:1], [k:99]").toEqual(["k:1=v1"]);
    expect(merged([src("k:99"), src("k:1")]), "merge of [k:99], [k:1]").toEqual(["k:99=v99"]);
    expect(merged([src("b:7"), src("a:8 b:8 c:8"), src("a:9 b:9 c:9 d:9")]), "merge of [b:7], [a:8 b:8 c:8], [a:9 b:9 c:9 d:9]").toEqual(["a:8=v8", "b:7=v7", "c:8=v8", "d:9=v9"]);
  });

  it("a tombstone hides every older version: yielded by default, not at all with dropTombstones", () => {
    const sources = () => [src("b:9☠ d:9☠"), src("a:5 b:5 c:5☠"), src("b:1 c:1 d:1 e:1")];
    expect(merged(sources()), "merge (tombstones kept)").toEqual(["a:5=v5", "b:9☠", "c:5☠", "d:9☠", "e:1=v1"]);
    expect(merged(sources(), {}), "merge with options {}").toEqual(["a:5=v5", "b:9☠", "c:5☠", "d:9☠", "e:1=v1"]);
    expect(merged(sources(), { dropTombstones: false }), "merge with dropTombstones: false").toEqual(["a:5=v5", "b:9☠", "c:5☠", "d:9☠", "e:1=v1"]);
    expect(merged(sources(), { dropTombstones: true }), "merge with dropTombstones: true").toEqual(["a:5=v5", "e:1=v1"]);
    // A newer value over an older tombstone is a live key again.
    expect(merged([src("x:3"), src("x:2☠"), src("x:1")], { dropTombstones: true }), "merge of [x:3], [x:2☠], [x:1], dropTombstones").toEqual(["x:3=v3"]);
    expect(merged([src("x:2☠ y:2☠")], { dropTombstones: true }), "merge of one source of tombstones, dropTombstones").toEqual([]);
  });

  it("empty sources, no sources, one source", () => {
    expect(merged([]), "merge of no sources").toEqual([]);
    expect(merged([[], [], []]), "merge of three empty sources").toEqual([]);
    expect(merged([[], src("a:1 b:2☠"), []]), "merge of [], [a:1 b:2☠], []").toEqual(["a:1=v1", "b:2☠"]);
    expect(merged([src("a:1 b:2 c:3")]), "merge of one source").toEqual(["a:1=v1", "b:2=v2", "c:3=v3"]);
    expect(merged([src(":4 \u00ff:5")]), "merge of one source with the empty key and key ff").toEqual([":4=v4", "\u00ff:5=v5"]);
    // The entries come through with their bytes and seq intact.
    const one = e("key:42");
    const [out] = [...mergeIterator([[one]])];
    expect({ key: toHex(out!.key), seq: out!.seq, value: toHex(out!.value!) }, "the entry of a one-entry source").toEqual({ key: toHex(one.key), seq: 42, value: toHex(one.value!) });
  });

  it("many sources: 100 sources, interleaved and overlapping", () => {
    const r = rng(31);
    const sources: LsmEntry[][] = Array.from({ length: 100 }, (_, s) => {
      const keys = new Set<number>();
      for (let i = 0; i < 30; i++) keys.add(r.int(1000));
      return [...keys].sort((a, b) => a - b).map((n) => ({ key: k(String(n).padStart(4, "0")), seq: 1000 - s, value: r.bool(0.1) ? undefined : k(`s${s}`) }));
    });
    for (const dropTombstones of [false, true]) {
      sameJson(merged(sources, { dropTombstones }), model(sources, dropTombstones), `merge of 100 sources${dropTombstones ? ", dropTombstones" : ""}`);
    }
  });
});

describe("06.3 mergeIterator · laziness", () => {
  it("pulls from each source only what it needs: at most one entry past the last key yielded", () => {
    const r = rng(41);
    const ops = randomOps(r, 200, 4);
    const sources = sourcesOf(ops, 4);
    const counting = sources.map((s) => new Counting(s));
    const it = mergeIterator(counting);
    expect(counting.map((c) => c.pulled), "entries pulled before the first next()").toEqual([0, 0, 0, 0]);
    let taken = 0;
    for (const out of { [Symbol.iterator]: () => it }) {
      taken++;
      sources.forEach((s, i) => {
        const upTo = s.filter((entry) => compareBytes(entry.key, out.key) <= 0).length;
        const pulled = counting[i]!.pulled;
        if (pulled > upTo + 1) expect.fail(`entries pulled from source ${i} after yielding ${taken} entries (last key ${JSON.stringify(dec.decode(out.key))}): expected at most ${upTo + 1}, received ${pulled}`);
      });
      if (taken === 12) break;
    }
    expect(taken, "entries taken").toBe(12);
  });

  it("works on infinite sources, and a break closes every source", () => {
    const evens = new Counting(infinite("n", 2, 2));
    const threes = new Counting(infinite("n", 3, 1));
    const out: string[] = [];
    for (const entry of mergeIterator([evens, threes])) {
      out.push(`${dec.decode(entry.key).slice(-2)}:${entry.seq}`);
      if (out.length === 8) break;
    }
    expect(out, "first 8 keys of evens ∪ multiples of 3 (evens newer)").toEqual(["00:2", "02:2", "03:1", "04:2", "06:2", "08:2", "09:1", "10:2"]);
    expect({ evens: evens.closed, threes: threes.closed }, "sources closed after the caller's break").toEqual({ evens: true, threes: true });
  });

  it("an exhausted merge has closed its sources; return() on the merge closes them early", () => {
    const a = new Counting(src("a:1 c:1"));
    const b = new Counting(src("b:2"));
    const it = mergeIterator([a, b]);
    expect(text(it.next().value as LsmEntry), "first entry").toBe("a:1=v1");
    it.return(undefined);
    expect({ a: a.closed, b: b.closed }, "sources closed after return()").toEqual({ a: true, b: true });
    const c = new Counting(src("a:1"));
    expect([...mergeIterator([c])].length, "entries of a one-entry source").toBe(1);
    expect(c.closed, "source closed after the merge ran out").toBe(true);
  });
});

describe("06.3 mergeIterator · sources out of order", () => {
  it("refuses a source whose keys are not strictly ascending: invalid-argument naming the source and position", () => {
    for (const [sources, source, position] of [
      [[src("a:1 b:1"), src("a:2 c:2 b:2")], 1, 2],
      [[src("b:1 a:1")], 0, 1],
      [[src("a:1"), src("x:1"), src("a:3 a:3")], 2, 1],
      [[src("m:1 n:1 o:1 p:1 q:1 c:1"), src("a:1")], 0, 5],
    ] as const) {
      const what = `merge of ${sources.map((s) => `[${s.map((x) => dec.decode(x.key)).join(" ")}]`).join(", ")}`;
      const error = errorOf(() => [...mergeIterator(sources)]);
      expect(error?.kind, `${what}: error kind`).toBe("invalid-argument");
      expect((error?.message ?? "").length > 0, `${what}: the error has a message`).toBe(true);
      expect({ source: error?.details?.["source"], position: error?.details?.["position"] }, `${what}: the error's details { source, position }`).toEqual({ source, position });
    }
  });
});
