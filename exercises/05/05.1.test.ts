/**
 * Hidden suite of exercise 05.1: `searchPage(page, probe, compare)`, the binary search in
 * one B+tree page. Alone on leaf and internal pages (against a linear scan, counting
 * compares), then plugged into real trees (the only piece of the learner's in them).
 */
import { describe, expect, it } from "vitest";
import {
  BTreePage,
  appendRid,
  compareBytes,
  compareKeyRid,
  rid,
  toHex,
  type KeyCompare,
  type PageId,
} from "@workbook/engine";
import { searchPage } from "@submission";
import { intKeys, modelCheck, randomOps, rng, stringKeys, type Rng } from "./harness.js";

const mine = { searchPage };

/** Sorted, distinct keys of 0…maxLength bytes over a small alphabet, so prefixes and near misses are common. */
function sortedKeys(r: Rng, count: number, maxLength: number): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  while (seen.size < count) {
    const key = Uint8Array.from({ length: r.int(maxLength + 1) }, () => [0x00, 0x01, 0x61, 0x62, 0xff][r.int(5)]!);
    seen.set(toHex(key), key);
  }
  return [...seen.values()].sort(compareBytes);
}

function leafOf(keys: readonly Uint8Array[], pageSize = 1024): BTreePage {
  return BTreePage.formatLeaf(new Uint8Array(pageSize), keys, keys.map((_, i) => rid(i, 0)), 0xffff_ffff as PageId);
}

function internalOf(keys: readonly Uint8Array[], pageSize = 1024): BTreePage {
  return BTreePage.formatInternal(new Uint8Array(pageSize), 1, keys, Array.from({ length: keys.length + 1 }, (_, i) => i as PageId));
}

/** Probes: every key, and bytes just below and above each, below everything and above everything. */
function probesFor(keys: readonly Uint8Array[]): Uint8Array[] {
  const probes: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)];
  for (const k of keys) {
    probes.push(k, Uint8Array.of(...k, 0x00), Uint8Array.of(...k, 0xff));
    if (k.length > 0) probes.push(k.subarray(0, k.length - 1), Uint8Array.of(...k.subarray(0, k.length - 1), (k[k.length - 1]! + 1) & 0xff));
  }
  return probes;
}

function expected(keys: readonly Uint8Array[], probe: Uint8Array, compare: KeyCompare = compareBytes) {
  let index = 0;
  while (index < keys.length && compare(keys[index]!, probe) < 0) index++;
  return { index, found: index < keys.length && compare(keys[index]!, probe) === 0 };
}

const show = (keys: readonly Uint8Array[]) => {
  const all = keys.map((k) => toHex(k) || "''");
  return all.length > 8 ? `${all.slice(0, 8).join(" ")} … (${all.length} keys)` : all.join(" ");
};

function sweep(make: (keys: readonly Uint8Array[]) => BTreePage, seed: number): void {
  const r = rng(seed);
  for (let round = 0; round < 40; round++) {
    const keys = sortedKeys(r, 1 + r.int(40), 6);
    const page = make(keys);
    for (const probe of probesFor(keys)) {
      const want = expected(keys, probe);
      const got = searchPage(page, probe, compareBytes);
      if (got?.index !== want.index || got?.found !== want.found) {
        expect({ index: got?.index, found: got?.found }, `searchPage on a page of keys [${show(keys)}], probe ${toHex(probe) || "''"}`).toEqual(want);
      }
    }
  }
}

describe("05.1 searchPage", () => {
  it("on a leaf: the first slot ≥ the probe, and whether it holds the probe", () => {
    sweep((keys) => leafOf(keys), 511);
  });

  it("on an internal page the same (keys without rids, child pointers beside them)", () => {
    sweep((keys) => internalOf(keys), 512);
  });

  it("an empty page gives { index: 0, found: false }; one key: 0 or 1, found only when equal", () => {
    const empty = leafOf([]);
    expect(searchPage(empty, Uint8Array.of(5), compareBytes), "empty page").toEqual({ index: 0, found: false });
    expect(searchPage(empty, new Uint8Array(0), compareBytes), "empty page, empty probe").toEqual({ index: 0, found: false });
    const one = leafOf([Uint8Array.of(5)]);
    expect(searchPage(one, Uint8Array.of(4), compareBytes), "keys [05], probe 04").toEqual({ index: 0, found: false });
    expect(searchPage(one, Uint8Array.of(5), compareBytes), "keys [05], probe 05").toEqual({ index: 0, found: true });
    expect(searchPage(one, Uint8Array.of(6), compareBytes), "keys [05], probe 06").toEqual({ index: 1, found: false });
  });

  it("orders keys by the compare it is given, not by bytes", () => {
    // Descending order: a page whose keys are sorted high to low.
    const desc: KeyCompare = (a, b) => compareBytes(b, a);
    const keys = [9, 7, 5, 3, 1].map((k) => Uint8Array.of(k));
    const page = leafOf(keys);
    for (let p = 0; p <= 10; p++) {
      expect(searchPage(page, Uint8Array.of(p), desc), `keys [09 07 05 03 01] in descending order, probe ${p}`).toEqual(expected(keys, Uint8Array.of(p), desc));
    }
    // Key ‖ rid order: "a" with a large rid sorts before "ab" with a small one, though its bytes are larger.
    const a = appendRid(Uint8Array.of(0x61), rid(0x7a7a7a7a, 0x7a7a));
    const ab = appendRid(Uint8Array.of(0x61, 0x62), rid(0, 0));
    const mixed = leafOf([a, ab]);
    expect(searchPage(mixed, a, compareKeyRid), "key ‖ rid page [a‖(big rid), ab‖(0,0)], probe a‖(big rid)").toEqual({ index: 0, found: true });
    expect(searchPage(mixed, ab, compareKeyRid), "key ‖ rid page [a‖(big rid), ab‖(0,0)], probe ab‖(0,0)").toEqual({ index: 1, found: true });
  });

  it("is a binary search: at most ⌈log2(n + 1)⌉ + 1 compares on a page of n keys", () => {
    const r = rng(513);
    for (const n of [1, 2, 3, 7, 8, 100, 255, 300]) {
      const keys = Array.from({ length: n }, (_, i) => Uint8Array.of(i >> 8, i & 0xff, 0x10));
      const page = leafOf(keys, 4096);
      const limit = Math.ceil(Math.log2(n + 1)) + 1;
      for (let t = 0; t < 20; t++) {
        const i = r.int(n + 1);
        const probe = Uint8Array.of(i >> 8, i & 0xff, t % 2 === 0 ? 0x10 : 0x00);
        let calls = 0;
        const counting: KeyCompare = (x, y) => {
          calls++;
          return compareBytes(x, y);
        };
        const got = searchPage(page, probe, counting);
        expect(got, `page of ${n} keys, probe ${toHex(probe)}`).toEqual(expected(keys, probe));
        expect(calls, `compares for a page of ${n} keys (at most ${limit})`).toBeLessThanOrEqual(limit);
      }
    }
  });

  it("reads the page and changes nothing in it", () => {
    const keys = sortedKeys(rng(514), 30, 5);
    const page = leafOf(keys);
    const before = toHex(page.bytes);
    for (const probe of probesFor(keys)) searchPage(page, probe, compareBytes);
    expect(toHex(page.bytes) === before, "page bytes unchanged after searching").toBe(true);
  });

  it("plugged into a unique tree of int keys: every operation agrees with a sorted array (256-byte pages, 3 frames)", () => {
    const keys = intKeys(400);
    const spec = { setup: { unique: true, frames: 3, algorithms: mine }, keys, checkEvery: 4 };
    const ops = randomOps(5101, 700, keys.length, { insertGrow: 88, insertShrink: 10, deletes: 50, gets: 20, cycle: 700 }, true);
    const coverage = modelCheck(spec, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("plugged into a non-unique tree: duplicates of a key span leaves, ordered by key then rid", () => {
    const keys = intKeys(25);
    const spec = { setup: { unique: false, frames: 3, algorithms: mine }, keys, checkEvery: 4 };
    const ops = randomOps(5102, 500, keys.length, { insertGrow: 70, insertShrink: 15, deletes: 50, gets: 20, cycle: 700, rids: 12 }, false);
    const coverage = modelCheck(spec, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });

  it("plugged into a tree of string keys of mixed lengths, up to the size limit", () => {
    const keys = stringKeys(150, 5103);
    const spec = { setup: { unique: true, frames: 3, algorithms: mine }, keys, checkEvery: 4 };
    const ops = randomOps(5104, 450, keys.length, { insertGrow: 70, insertShrink: 15, deletes: 45, gets: 25, cycle: 700 }, true);
    const coverage = modelCheck(spec, ops);
    expect(coverage.maxHeight, "height reached by the run").toBeGreaterThanOrEqual(3);
  });
});
