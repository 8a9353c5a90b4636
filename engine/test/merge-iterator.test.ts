import { describe, expect, test } from "vitest";
import type { LsmEntry } from "../src/lsm/entry.js";
import { mergeIterator } from "../src/lsm/merge-iterator.js";
import { SSTableReader, buildSSTable } from "../src/lsm/sstable.js";
import { expectDbError } from "../../test-support/errors.js";
import { checkModel } from "../../test-support/model-check.js";
import { sameJson } from "../../test-support/assert.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const key = (n: number) => enc.encode(String(n).padStart(5, "0"));
const show = (e: LsmEntry) => `${dec.decode(e.key)}@${e.seq}${e.value === undefined ? "☠" : ""}`;

describe("mergeIterator over SSTables", () => {
  test("merging table scans and a memtable-like array gives the newest version of each key (model-checked)", () => {
    interface Op {
      readonly level: number;
      readonly n: number;
      readonly del: boolean;
    }
    checkModel<Op>({
      seed: 3,
      count: 400,
      generate: (r) => ({ level: r.int(4), n: r.int(150), del: r.bool(0.2) }),
      show: (op) => `L${op.level} ${op.del ? "del" : "put"} ${op.n}`,
      run: (ops) => {
        // Level 0 is the newest: a write at a lower level gets a higher seq.
        const levels = Array.from({ length: 4 }, () => new Map<number, LsmEntry>());
        ops.forEach((op, i) => levels[op.level]!.set(op.n, { key: key(op.n), seq: (4 - op.level) * 1000 + i, value: op.del ? undefined : Uint8Array.of(i & 255) }));
        const sorted = levels.map((m) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e));
        const sources: Iterable<LsmEntry>[] = [sorted[0]!, ...sorted.slice(1).map((es) => SSTableReader.open(buildSSTable(es, { blockSize: 128 })).scan())];
        const model = new Map<number, LsmEntry>();
        for (let l = 3; l >= 0; l--) for (const [n, e] of levels[l]!) model.set(n, e);
        const want = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
        sameJson([...mergeIterator(sources)].map(show), want.map(show), "merge, tombstones kept");
        const again: Iterable<LsmEntry>[] = [sorted[0]!, ...sorted.slice(1).map((es) => SSTableReader.open(buildSSTable(es)).scan())];
        sameJson([...mergeIterator(again, { dropTombstones: true })].map(show), want.filter((e) => e.value !== undefined).map(show), "merge, tombstones dropped");
      },
    });
  });

  test("an out-of-order source is named with its position and the two keys", () => {
    const e = expectDbError(() => [...mergeIterator([[{ key: key(1), seq: 1, value: undefined }], [{ key: key(5), seq: 1, value: undefined }, { key: key(5), seq: 2, value: undefined }]])], "invalid-argument");
    expect(e.message).toBe("source 1 is out of order at position 1: key 3030303035 after 3030303035 (keys must be strictly ascending)");
    expect(e.details).toEqual({ source: 1, position: 1 });
  });

  test("a thousand sources of one entry each come out sorted (the heap, not the order of the sources)", () => {
    const sources = Array.from({ length: 1000 }, (_, i) => [{ key: key((i * 7919) % 1000), seq: i, value: undefined }]);
    const out = [...mergeIterator(sources)].map((e) => dec.decode(e.key));
    expect(out).toEqual(Array.from({ length: 1000 }, (_, i) => dec.decode(key(i))));
  });

  test("an error thrown by a source closes the others", () => {
    let closed = 0;
    function* ok(): Generator<LsmEntry> {
      try {
        yield { key: key(1), seq: 1, value: undefined };
        yield { key: key(9), seq: 1, value: undefined };
      } finally {
        closed++;
      }
    }
    function* bad(): Generator<LsmEntry> {
      yield { key: key(2), seq: 1, value: undefined };
      throw new Error("disk on fire");
    }
    expect(() => [...mergeIterator([ok(), bad(), ok()])]).toThrow("disk on fire");
    expect(closed).toBe(2);
  });
});
