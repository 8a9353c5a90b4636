/**
 * Hidden suite of exercise 06.4: one leveled compaction step, `pickCompaction(levels,
 * options)` (the trigger, the input tables, the overlapping tables of the next level,
 * whether tombstones may go) and `compactStep(inputs, options)` (merge newest-first
 * sources, cut the output at a target size). The trigger at its exact boundaries and the
 * choices on hand-built layouts; `compactStep` against a Map model over seeded sources
 * (shrunk on failure); both pieces plugged into a real LSM tree against a Map model; bad
 * input refused with nothing changed.
 */
import { describe, expect, it } from "vitest";
import {
  LsmTree,
  MemoryFileStore,
  compareBytes,
  type CompactionPick,
  type LeveledOptions,
  type LsmEntry,
  type LsmTreeOptions,
  type TableInfo,
} from "@workbook/engine";
import { compactStep, pickCompaction } from "@submission";
import { checkModel, expectDbError, same, type Rng } from "../../test-support/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A table from a short text: "c-f" spans keys c…f. */
let fileCounter = 100;
function table(range: string, size: number, fileNumber = fileCounter++): TableInfo {
  const [lo, hi] = range.split("-");
  return { fileNumber, smallest: enc.encode(lo), largest: enc.encode(hi ?? lo), size };
}
const numbers = (ts: readonly TableInfo[] | undefined): string => (ts === undefined ? "undefined" : `[${ts.map((t) => t.fileNumber).join(",")}]`);
const describePick = (p: CompactionPick | undefined): string =>
  p === undefined ? "undefined" : `L${p.level}→L${p.outputLevel} inputs ${numbers(p.inputs)} overlapping ${numbers(p.overlapping)} bottom ${p.bottom}`;

const OPTIONS: LeveledOptions = { l0Trigger: 4, baseLevelBytes: 1000, levelRatio: 10 };
const l0Of = (n: number, size = 10) => Array.from({ length: n }, () => table("a-c", size));

describe("06.4 pickCompaction · triggers at their exact boundaries", () => {
  it("L0 compacts when its table count reaches l0Trigger: one below no, exactly yes, one above yes", () => {
    same(describePick(pickCompaction([l0Of(3), [], []], OPTIONS)), "undefined", "3 L0 tables, l0Trigger 4");
    same(pickCompaction([l0Of(4), [], []], OPTIONS)?.level, 0, "4 L0 tables, l0Trigger 4: level");
    same(pickCompaction([l0Of(5), [], []], OPTIONS)?.inputs.length, 5, "5 L0 tables: inputs");
    same(describePick(pickCompaction([l0Of(1), [], []], { ...OPTIONS, l0Trigger: 2 })), "undefined", "1 L0 table, l0Trigger 2");
  });

  it("level i ≥ 1 compacts when bytes(Li) > base · ratio^(i−1): at the limit no, one byte over yes", () => {
    same(describePick(pickCompaction([[], [table("a-b", 600), table("c-d", 400)], []], OPTIONS)), "undefined", "L1 holds 1000 bytes, limit 1000");
    same(pickCompaction([[], [table("a-b", 600), table("c-d", 401)], []], OPTIONS)?.level, 1, "L1 holds 1001 bytes: level");
    same(describePick(pickCompaction([[], [], [table("a-b", 10_000)], []], OPTIONS)), "undefined", "L2 holds 10000 bytes, limit 1000·10");
    same(pickCompaction([[], [], [table("a-b", 10_001)], []], OPTIONS)?.level, 2, "L2 holds 10001 bytes: level");
    same(pickCompaction([[], [], [table("a-b", 4_501)], []], { ...OPTIONS, levelRatio: 4.5 })?.level, 2, "L2 of 4501 bytes, ratio 4.5: level");
    same(describePick(pickCompaction([[], [table("a-z", 1_000_000)]], OPTIONS)), "undefined", "the last level (here L1) never compacts");
  });

  it("several levels over: the highest score goes first (L0: count ÷ l0Trigger; Li: bytes ÷ limit), a tie to the lower level", () => {
    same(pickCompaction([l0Of(4), [table("a-b", 2500)], []], OPTIONS)?.level, 1, "L0 score 1, L1 score 2.5: level");
    same(pickCompaction([l0Of(12), [table("a-b", 2500)], []], OPTIONS)?.level, 0, "L0 score 3, L1 score 2.5: level");
    same(pickCompaction([l0Of(8), [table("a-b", 2000)], []], OPTIONS)?.level, 0, "L0 score 2, L1 score 2: level");
    same(pickCompaction([[], [table("a-b", 3000)], [table("c-d", 30_000)], []], OPTIONS)?.level, 1, "L1 score 3, L2 score 3: level");
    same(pickCompaction([[], [table("a-b", 3000)], [table("c-d", 30_001)], []], OPTIONS)?.level, 2, "L1 score 3, L2 just above 3: level");
  });
});

describe("06.4 pickCompaction · the chosen tables, exactly", () => {
  it("from L0: every L0 table, in the level's order, and the L1 tables meeting their union's range (a shared end key counts)", () => {
    const l0 = [table("d-f", 10, 10), table("b-c", 10, 11)];
    const l1 = [table("0-a", 50, 1), table("a1-b", 50, 2), table("e-g", 50, 3), table("g1-k", 50, 4), table("m-p", 50, 5)];
    const pick = pickCompaction([l0, l1, []], { ...OPTIONS, l0Trigger: 2 });
    same(describePick(pick), "L0→L1 inputs [10,11] overlapping [2,3] bottom true", "pick");
    // The smallest key is in the first L0 table and the largest in the first too: the range is not the last table's.
    const l0b = [table("b-k", 10, 12), table("d-f", 10, 13)];
    same(describePick(pickCompaction([l0b, l1, []], { ...OPTIONS, l0Trigger: 2 })), "L0→L1 inputs [12,13] overlapping [2,3,4] bottom true", "range [b, k]");
  });

  it("from Li ≥ 1: the oldest table of the level (smallest file number), then the overlapping tables of L(i+1)", () => {
    const l1 = [table("a-c", 600, 30), table("d-f", 600, 21), table("g-i", 600, 25)];
    const l2 = [table("a-b", 10, 5), table("c-d", 10, 6), table("e-e", 10, 7), table("f-f", 10, 8), table("g-z", 10, 9)];
    same(describePick(pickCompaction([[], l1, l2, []], OPTIONS)), "L1→L2 inputs [21] overlapping [6,7,8] bottom true", "pick");
    const l1b = [table("a-c", 600, 40), table("x-y", 600, 41)];
    same(describePick(pickCompaction([[], l1b, [table("d-w", 10, 42)], []], OPTIONS)), "L1→L2 inputs [40] overlapping [] bottom true", "nothing overlaps");
  });

  it("bottom: true only when no level below the output level has a table meeting the compaction's range (inputs and overlapping)", () => {
    // Range [c, d] from the input, widened to [a, d] by the overlapping L2 table a-c.
    same(describePick(pickCompaction([[], [table("c-d", 2000, 1)], [table("a-c", 10, 2)], [table("a-b", 10, 3)]], OPTIONS)), "L1→L2 inputs [1] overlapping [2] bottom false", "L3 a-b meets [a, d]");
    same(describePick(pickCompaction([[], [table("c-d", 2000, 1)], [], [], [table("x-z", 10, 3)]], OPTIONS)), "L1→L2 inputs [1] overlapping [] bottom true", "L4 x-z misses [c, d]");
    same(describePick(pickCompaction([[], [table("c-d", 2000, 1)], [], [], [table("d-z", 10, 3)]], OPTIONS)), "L1→L2 inputs [1] overlapping [] bottom false", "L4 d-z meets [c, d] at d");
    // Widened to the right by the overlapping L2 table d-g: L3 f-f meets [c, g] but not [c, d].
    same(describePick(pickCompaction([[], [table("c-d", 2000, 1)], [table("a-a", 10, 4), table("d-g", 10, 2)], [table("f-f", 10, 3)]], OPTIONS)), "L1→L2 inputs [1] overlapping [2] bottom false", "L3 f-f meets [c, g]");
    // Overlapping tables inside the inputs' range do not narrow it: L3 b-b meets [a, e].
    same(describePick(pickCompaction([[], [table("a-e", 2000, 1)], [table("c-c", 10, 2)], [table("b-b", 10, 3)]], OPTIONS)), "L1→L2 inputs [1] overlapping [2] bottom false", "L3 b-b meets [a, e]");
    const l0 = [table("a-c", 10, 60), table("b-d", 10, 61)];
    same(describePick(pickCompaction([l0, [], [table("d-d", 1, 62)]], { ...OPTIONS, l0Trigger: 2 })), "L0→L1 inputs [60,61] overlapping [] bottom false", "L2 d-d meets L0's [a, d]");
  });
});

/** Seeded sources, newest first: each strictly ascending, some tombstones, seqs newer in earlier sources. */
interface SourceOp {
  readonly source: number;
  readonly key: number;
  readonly tombstone: boolean;
  readonly length: number;
}

function sourcesOf(ops: readonly SourceOp[], count: number): LsmEntry[][] {
  const maps = Array.from({ length: count }, () => new Map<number, SourceOp>());
  for (const op of ops) maps[op.source]!.set(op.key, op);
  return maps.map((m, s) =>
    [...m.values()]
      .sort((a, b) => a.key - b.key)
      .map((op) => ({
        key: enc.encode(`key${String(op.key).padStart(4, "0")}`),
        seq: (count - s) * 100_000 + op.key,
        value: op.tombstone ? undefined : enc.encode(`s${s}`.padEnd(op.length, "*")),
      })),
  );
}

const entryText = (e: LsmEntry) => `${dec.decode(e.key)}${e.value === undefined ? "☠" : "=" + dec.decode(e.value)}@${e.seq}`;
const size = (e: LsmEntry) => e.key.length + (e.value?.length ?? 0);

/** The model: newest source wins; tombstones kept or dropped. */
function expectedEntries(sources: readonly LsmEntry[][], dropTombstones: boolean): string[] {
  const best = new Map<string, LsmEntry>();
  for (let s = sources.length - 1; s >= 0; s--) for (const e of sources[s]!) best.set(dec.decode(e.key), e);
  return [...best.keys()]
    .sort()
    .map((k) => best.get(k)!)
    .filter((e) => !dropTombstones || e.value !== undefined)
    .map(entryText);
}

function checkStep(ops: readonly SourceOp[], count: number, dropTombstones: boolean, targetSize: number): void {
  const sources = sourcesOf(ops, count);
  const runs = [...compactStep(sources, { dropTombstones, targetSize })];
  const flat = runs.flat();
  same(flat.map(entryText).join(" "), expectedEntries(sources, dropTombstones).join(" "), `entries (dropTombstones ${dropTombstones})`);
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    same(run.length > 0, true, `run ${i} is not empty`);
    const bytes = run.reduce((s, e) => s + size(e), 0);
    // Every run but the last reaches the target; every run, the last included, is cut at the first entry that reaches it.
    if (i < runs.length - 1) same(bytes >= targetSize, true, `run ${i} of ${bytes} bytes reaches the target ${targetSize}`);
    same(bytes - size(run[run.length - 1]!) < targetSize, true, `run ${i} ends with the entry that reaches ${targetSize} (it has ${bytes} bytes)`);
  }
  for (let i = 1; i < flat.length; i++) same(compareBytes(flat[i - 1]!.key, flat[i]!.key) < 0, true, `output sorted at ${i}`);
}

const generateOp = (count: number) => (r: Rng): SourceOp => ({ source: r.int(count), key: r.int(120), tombstone: r.bool(0.25), length: 1 + r.int(30) });
const showOp = (op: SourceOp) => `source ${op.source}: ${op.tombstone ? "delete" : "put"} key${op.key} (${op.length} bytes)`;

describe("06.4 compactStep · against a Map model", () => {
  it("newest source wins, shadowed versions go, tombstones kept (a compaction above the bottom); runs cut at the target", () => {
    for (const [seed, count, target] of [[1, 3, 200], [2, 5, 64], [3, 1, 1000], [4, 8, 35]] as const) {
      checkModel<SourceOp>({ seed, count: 400, generate: generateOp(count), run: (ops) => checkStep(ops, count, false, target), show: showOp });
    }
  });

  it("tombstones dropped at the bottom, with every version they hid", () => {
    for (const [seed, count, target] of [[5, 3, 150], [6, 6, 10_000], [7, 2, 40]] as const) {
      checkModel<SourceOp>({ seed, count: 400, generate: generateOp(count), run: (ops) => checkStep(ops, count, true, target), show: showOp });
    }
  });

  it("cuts exactly: a run ends with the entry that brings it to ≥ targetSize; Infinity gives one run; no input gives none", () => {
    const e = (k: string, v: string, seq = 1): LsmEntry => ({ key: enc.encode(k), seq, value: enc.encode(v) });
    const five = ["aa", "bb", "cc", "dd", "ee"].map((k, i) => e(k, "xy", i + 1)); // 4 bytes each
    const cut = (target: number) => [...compactStep([five], { dropTombstones: false, targetSize: target })].map((r) => r.map((x) => dec.decode(x.key)).join(" ")).join(" | ");
    same(cut(8), "aa bb | cc dd | ee", "target 8");
    same(cut(9), "aa bb cc | dd ee", "target 9");
    same(cut(4), "aa | bb | cc | dd | ee", "target 4");
    same(cut(1), "aa | bb | cc | dd | ee", "target 1");
    same(cut(20), "aa bb cc dd ee", "target 20");
    same(cut(Number.POSITIVE_INFINITY), "aa bb cc dd ee", "target Infinity");
    same([...compactStep([[], []], { dropTombstones: true, targetSize: 8 })].length, 0, "runs from empty sources");
    const onlyTombstones = [...compactStep([[{ key: enc.encode("a"), seq: 2, value: undefined }], [e("a", "old")]], { dropTombstones: true, targetSize: 8 })];
    same(onlyTombstones.length, 0, "runs when a tombstone hides everything at the bottom");
  });
});

describe("06.4 both pieces inside an LSM tree", () => {
  const small: LsmTreeOptions = { strategy: "leveled", memtableBytes: 500, tableTargetBytes: 250, leveled: { l0Trigger: 2, baseLevelBytes: 1200, levelRatio: 3 }, levelCount: 4, blockSize: 128 };
  type Op = { op: "put"; k: number; v: number } | { op: "delete"; k: number } | { op: "get"; k: number } | { op: "reopen" };
  const key = (k: number) => `k${String(k).padStart(4, "0")}`;

  it("after every flush and compaction the tree equals a Map model; levels ≥ 1 stay sorted and disjoint", () => {
    let compacted = 0;
    const run = (ops: readonly Op[]): void => {
      let store = new MemoryFileStore();
      const algorithms = { pickCompaction, compactStep };
      let tree = LsmTree.open(store, { ...small, algorithms });
      const model = new Map<string, string>();
      for (const o of ops) {
        if (o.op === "put") {
          tree.put(key(o.k), `v${o.v}`);
          model.set(key(o.k), `v${o.v}`);
        } else if (o.op === "delete") {
          tree.delete(key(o.k));
          model.delete(key(o.k));
        } else if (o.op === "get") {
          const got = tree.get(key(o.k));
          same(got === undefined ? undefined : dec.decode(got), model.get(key(o.k)), `get ${key(o.k)}`);
        } else {
          compacted += tree.stats().compactions;
          tree.close();
          store = store.reopen();
          tree = LsmTree.open(store, { algorithms });
        }
      }
      compacted += tree.stats().compactions;
      for (const level of tree.levels().slice(1)) {
        for (let i = 1; i < level.tables.length; i++) {
          same(compareBytes(level.tables[i - 1]!.largest, level.tables[i]!.smallest) < 0, true, `L${level.level} sorted and disjoint between tables ${i - 1} and ${i}`);
        }
      }
      const all = [...tree.scan()].map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`).join(" ");
      same(all, [...model.entries()].sort().map(([k, v]) => `${k}=${v}`).join(" "), "full scan");
    };
    const generate = (r: Rng): Op => {
      const p = r.float();
      if (p < 0.55) return { op: "put", k: r.int(150), v: r.int(1_000_000) };
      if (p < 0.75) return { op: "delete", k: r.int(150) };
      if (p < 0.99) return { op: "get", k: r.int(150) };
      return { op: "reopen" };
    };
    for (const seed of [11, 12]) checkModel<Op>({ seed, count: 1200, generate, run, show: (o) => JSON.stringify(o) });
    expect(compacted, "compactions ran in the tree").toBeGreaterThan(3);
  });
});

describe("06.4 bad input changes nothing", () => {
  it("pickCompaction refuses options out of range, fewer than two levels, and a level ≥ 1 that is not sorted and disjoint", () => {
    const l1 = [table("a-c", 10, 1), table("c-d", 10, 2)];
    const before = numbers(l1);
    const error = expectDbError(() => pickCompaction([[], l1, []], OPTIONS), "invalid-argument", "L1 tables a-c and c-d share key c");
    same(error.message.length > 0, true, "the refusal says why");
    expectDbError(() => pickCompaction([[], [table("d-e", 10, 3), table("a-b", 10, 4)], []], OPTIONS), "invalid-argument", "L1 out of order");
    same(numbers(l1), before, "the layout after a refusal");
    same(expectDbError(() => pickCompaction([l0Of(9)], OPTIONS), "invalid-argument", "one level").message.length > 0, true, "one level: the refusal says why");
    expectDbError(() => pickCompaction([[], []], { ...OPTIONS, l0Trigger: 0 }), "invalid-argument", "l0Trigger 0");
    expectDbError(() => pickCompaction([[], []], { ...OPTIONS, l0Trigger: 2.5 }), "invalid-argument", "l0Trigger 2.5");
    expectDbError(() => pickCompaction([[], []], { ...OPTIONS, levelRatio: 1 }), "invalid-argument", "levelRatio 1");
    expectDbError(() => pickCompaction([[], []], { ...OPTIONS, baseLevelBytes: 0 }), "invalid-argument", "baseLevelBytes 0");
  });

  it("compactStep refuses a target size that is not > 0 and leaves its inputs as they were", () => {
    const input: LsmEntry[] = [{ key: enc.encode("a"), seq: 1, value: enc.encode("x") }];
    for (const bad of [0, -5, Number.NaN, "8" as unknown as number, undefined as unknown as number]) {
      const error = expectDbError(() => [...compactStep([input], { dropTombstones: false, targetSize: bad })], "invalid-argument", `targetSize ${String(bad)}`);
      same(error.message.length > 0, true, `targetSize ${String(bad)}: the refusal says why`);
    }
    same(input.length, 1, "input entries after refusals");
    same(dec.decode(input[0]!.value!), "x", "input value after refusals");
  });
});
