import { describe, expect, test } from "vitest";
import {
  type LeveledOptions,
  type LsmEntry,
  type TableInfo,
  compactStep,
  compactionEntrySize,
  levelLimit,
  pickCompaction,
  pickSizeTiered,
  DEFAULT_SIZE_TIERED,
} from "../src/lsm/index.js";
import { same } from "../../test-support/assert.js";
import { expectDbError } from "../../test-support/errors.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

let nextFile = 1;
function t(range: string, size: number, fileNumber = nextFile++): TableInfo {
  const [lo, hi] = range.split("-");
  return { fileNumber, smallest: enc.encode(lo), largest: enc.encode(hi ?? lo), size };
}
const files = (ts: readonly TableInfo[] | undefined): string => (ts ?? []).map((x) => x.fileNumber).join(",");

const OPTS: LeveledOptions = { l0Trigger: 4, baseLevelBytes: 1000, levelRatio: 10 };

describe("leveled trigger: exact boundaries", () => {
  test("L0: count one below the trigger → nothing; at → compact; above → compact", () => {
    const l0 = (n: number) => Array.from({ length: n }, () => t("a-c", 10));
    same(pickCompaction([l0(3), [], []], OPTS), undefined, "3 tables, trigger 4");
    same(pickCompaction([l0(4), [], []], OPTS)?.level, 0, "4 tables");
    same(pickCompaction([l0(5), [], []], OPTS)?.inputs.length, 5, "5 tables: all go");
  });

  test("L1: bytes at the limit → nothing; one byte above → compact; L2 limit is base · ratio", () => {
    same(levelLimit(1, OPTS), 1000, "limit L1");
    same(levelLimit(2, OPTS), 10_000, "limit L2");
    same(pickCompaction([[], [t("a-b", 600), t("c-d", 400)], []], OPTS), undefined, "L1 = 1000 bytes");
    same(pickCompaction([[], [t("a-b", 600), t("c-d", 401)], []], OPTS)?.level, 1, "L1 = 1001 bytes");
    same(pickCompaction([[], [], [t("a-b", 10_000)], []], OPTS), undefined, "L2 = 10000");
    same(pickCompaction([[], [], [t("a-b", 10_001)], []], OPTS)?.level, 2, "L2 = 10001");
  });

  test("the last level never compacts, however big", () => {
    same(pickCompaction([[], [t("a-z", 1_000_000)]], OPTS), undefined, "two levels, L1 huge");
  });

  test("highest score first; a tie goes to the lower level", () => {
    const l0 = Array.from({ length: 4 }, () => t("a-c", 10)); // score 1
    same(pickCompaction([l0, [t("a-b", 2500)], []], OPTS)?.level, 1, "L1 score 2.5 beats L0 score 1");
    const l0b = Array.from({ length: 8 }, () => t("a-c", 10)); // score 2
    same(pickCompaction([l0b, [t("a-b", 2000)], []], OPTS)?.level, 0, "L0 2 vs L1 2: tie → L0");
  });
});

describe("leveled inputs: hand-built layouts", () => {
  test("L0 takes every L0 table and the L1 tables overlapping their union", () => {
    const a = t("d-f", 10, 10);
    const b = t("b-c", 10, 11);
    const x = t("a-a", 50, 1);
    const y = t("b-d", 50, 2);
    const z = t("e-g", 50, 3);
    const w = t("h-k", 50, 4);
    const pick = pickCompaction([[a, b], [x, y, z, w], []], { ...OPTS, l0Trigger: 2 })!;
    same(files(pick.inputs), "10,11", "inputs");
    same(files(pick.overlapping), "2,3", "overlapping (b-d and e-g meet [b, f]; a-a and h-k do not)");
    same(pick.outputLevel, 1, "output level");
    same(pick.bottom, true, "nothing below L1");
  });

  test("Li takes its oldest table (smallest file number); a shared boundary key overlaps", () => {
    const l1 = [t("a-c", 600, 30), t("d-f", 600, 21), t("g-i", 600, 25)];
    const l2 = [t("a-b", 10, 5), t("c-d", 10, 6), t("f-f", 10, 7), t("g-z", 10, 8)];
    const pick = pickCompaction([[], l1, l2, []], OPTS)!;
    same(files(pick.inputs), "21", "oldest table of L1");
    same(files(pick.overlapping), "6,7", "c-d touches d, f-f touches f");
  });

  test("bottom: false when a deeper level overlaps the compaction's whole range", () => {
    const pick = pickCompaction([[], [t("c-d", 2000, 1)], [t("a-c", 10, 2)], [t("a-b", 10, 3)]], OPTS)!;
    same(files(pick.overlapping), "2", "overlapping");
    same(pick.bottom, false, "L3 holds a-b, inside [a, d]");
    const deeper = pickCompaction([[], [t("c-d", 2000, 1)], [], [t("x-z", 10, 3)]], OPTS)!;
    same(deeper.bottom, true, "L3 holds only x-z");
  });

  test("bad input is refused and changes nothing", () => {
    const l1 = [t("a-c", 10), t("c-d", 10)];
    const layout = [[], l1, []];
    expectDbError(() => pickCompaction(layout, OPTS), "invalid-argument", "overlapping L1");
    same(l1.length, 2, "layout untouched");
    expectDbError(() => pickCompaction([[]], OPTS), "invalid-argument", "one level");
    expectDbError(() => pickCompaction([[], []], { ...OPTS, l0Trigger: 0 }), "invalid-argument", "trigger 0");
    expectDbError(() => pickCompaction([[], []], { ...OPTS, levelRatio: 1 }), "invalid-argument", "ratio 1");
    expectDbError(() => pickCompaction([[], []], { ...OPTS, baseLevelBytes: 0 }), "invalid-argument", "base 0");
  });
});

describe("compactStep", () => {
  const e = (k: string, seq: number, v?: string): LsmEntry => ({ key: enc.encode(k), seq, value: v === undefined ? undefined : enc.encode(v) });
  const show = (runs: LsmEntry[][]): string => runs.map((r) => r.map((x) => `${dec.decode(x.key)}${x.value === undefined ? "☠" : "=" + dec.decode(x.value)}`).join(" ")).join(" | ");

  test("newest wins; tombstones kept above the bottom, dropped at the bottom", () => {
    const newer = [e("a", 5, "A5"), e("b", 6), e("d", 7, "D7")];
    const older = [e("a", 1, "A1"), e("b", 2, "B2"), e("c", 3, "C3")];
    same(show([...compactStep([newer, older], { dropTombstones: false, targetSize: Infinity })]), "a=A5 b☠ c=C3 d=D7", "kept");
    same(show([...compactStep([newer, older], { dropTombstones: true, targetSize: Infinity })]), "a=A5 c=C3 d=D7", "dropped");
  });

  test("output cut at the target: a run ends with the entry that reaches it", () => {
    const entries = ["aa", "bb", "cc", "dd", "ee"].map((k, i) => e(k, i + 1, "xy")); // 4 bytes each
    same(compactionEntrySize(entries[0]!), 4, "entry size");
    same(show([...compactStep([entries], { dropTombstones: false, targetSize: 8 })]), "aa=xy bb=xy | cc=xy dd=xy | ee=xy", "target 8");
    same(show([...compactStep([entries], { dropTombstones: false, targetSize: 9 })]), "aa=xy bb=xy cc=xy | dd=xy ee=xy", "target 9");
    same([...compactStep([], { dropTombstones: true, targetSize: 8 })].length, 0, "no input, no run");
    expectDbError(() => [...compactStep([entries], { dropTombstones: false, targetSize: 0 })], "invalid-argument", "target 0");
  });
});

describe("size-tiered trigger: exact boundaries", () => {
  const runs = (...sizes: number[]) => sizes.map((s) => t("a-z", s));
  const O = DEFAULT_SIZE_TIERED;

  test("minThreshold: one below → nothing; at → merge; above → merge all", () => {
    same(pickSizeTiered(runs(100, 100, 100), O), undefined, "3 similar runs");
    same(pickSizeTiered(runs(100, 100, 100, 100), O)?.inputs.length, 4, "4 similar runs");
    same(pickSizeTiered(runs(100, 100, 100, 100, 100), O)?.inputs.length, 5, "5 similar runs");
  });

  test("bucketHigh and bucketLow are inclusive, against the bucket's running average", () => {
    same(pickSizeTiered(runs(100, 100, 100, 150), O)?.inputs.length, 4, "150 = 1.5 · 100 joins");
    same(pickSizeTiered(runs(100, 100, 100, 151), O), undefined, "151 starts a new bucket");
    same(pickSizeTiered(runs(100, 100, 100, 50), O)?.inputs.length, 4, "50 = 0.5 · 100 joins");
    same(pickSizeTiered(runs(100, 100, 100, 49), O), undefined, "49 starts a new bucket");
  });

  test("the first full bucket from the newest; maxThreshold caps it; bottom when it takes the oldest run", () => {
    const p = pickSizeTiered(runs(1, 1000, 1000, 1000, 1000, 9000), O)!;
    same(p.start, 1, "start");
    same(p.inputs.length, 4, "inputs");
    same(p.bottom, false, "an older run remains");
    const q = pickSizeTiered(runs(10, 10, 10, 10, 10, 10), { ...O, maxThreshold: 4 })!;
    same(q.inputs.length, 4, "capped at 4");
    same(q.bottom, false, "two older runs remain");
    same(pickSizeTiered(runs(10, 10, 10, 10), O)!.bottom, true, "all runs: bottom");
    expectDbError(() => pickSizeTiered(runs(1), { ...O, minThreshold: 1 }), "invalid-argument", "minThreshold 1");
    expectDbError(() => pickSizeTiered(runs(1), { ...O, bucketLow: 1.2 }), "invalid-argument", "bucketLow > 1");
  });

  test("pickCompaction is deterministic for equal input", () => {
    const layout = [[t("a-c", 10, 1), t("b-d", 10, 2)], [t("a-z", 5, 3)], []];
    expect(pickCompaction(layout, { ...OPTS, l0Trigger: 2 })).toEqual(pickCompaction(layout, { ...OPTS, l0Trigger: 2 }));
  });
});
