/**
 * The measurement charts of notebook 06 draw what they are given: Vega warns (and drops the
 * marks) when a log scale meets a zero, as stacked bars do; these charts must not.
 */
import { describe, expect, it } from "vitest";
import { amplificationChart, type AmplificationRow } from "../src/bench/lsm.js";
import { brinChart, type BlockRangeRow } from "../src/bench/brin.js";
import { chart } from "../src/display/chart.js";

const row = (workload: string, structure: string, w: number, r: number, s: number): AmplificationRow => ({
  workload, structure, writeAmplification: w, readAmplification: r, spaceAmplification: s,
  userBytes: 1000, bytesWritten: 1000 * w, gets: 10, bytesOnDisk: 500, liveBytes: 500,
});

describe("notebook 06's charts", () => {
  it("the amplification chart draws one bar per structure, workload and metric, with no warning", async () => {
    const rows = ["write-heavy", "mixed"].flatMap((w) => [row(w, "B+tree", 150, 0.9, 1.8), row(w, "LSM leveled", 2.6, 1, 0.7)]);
    const drawn = await chart(amplificationChart(rows));
    expect(drawn.warnings).toEqual([]);
    // Vega draws a bar as a path with an aria description naming its value.
    const bars = drawn.svg.match(/role="graphics-symbol"[^>]*aria-roledescription="bar"/g) ?? [];
    expect(bars.length).toBe(rows.length * 3);
  });

  it("the block-range chart has no warning", async () => {
    const drawn = await chart(brinChart([{ system: "workbook BlockRangeIndex", shuffled: 0, correlation: 1, pages: 10, ranges: 5, pagesRead: 1, pagesSkipped: 9, skippedShare: 0.9, rowsMatched: 5, rowsRemovedByRecheck: 3 }]));
    expect(drawn.warnings).toEqual([]);
  });
});
