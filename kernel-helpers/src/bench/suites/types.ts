import type { ChartSpec } from "../../display/chart.js";

/** What a benchmark suite hands the `bench` command: rows for the JSON, a chart for the SVG. */
export interface SuiteResult {
  readonly title: string;
  readonly rows: readonly Record<string, unknown>[];
  readonly chart: ChartSpec;
}
