/**
 * What notebooks import: `import { table, chart, bench, pg } from "@workbook/helpers"`.
 */
export { MIME_BUNDLE, type MimeBundle, type Displayable, toBundle } from "./display/bundle.js";
export { display, clearOutput, DisplayHandle } from "./display/display.js";
export * from "./render/index.js";
export { table, Table, type TableOptions, type Align, formatValue, escapeHtml } from "./display/table.js";
export { chart, Chart, ChartError, type ChartSpec, type ChartData, VEGA_LITE_MIME, VEGA_LITE_SCHEMA } from "./display/chart.js";
export { progress, withProgress, Progress, type ProgressOptions } from "./display/progress.js";
export {
  bench,
  benchSeries,
  BenchResult,
  SeriesResult,
  BenchError,
  formatRelative,
  benchSize,
  compareRounds,
  benchContenders,
  type Comparison,
  type BenchSize,
  type Contender,
  type BenchTask,
  type TaskFactory,
  type BenchOptions,
  type SeriesOptions,
  type BenchRow,
  type SeriesRow,
} from "./bench/bench.js";
export * from "./bench/buffer-pool.js";
export * from "./bench/heap.js";
export * from "./bench/brin.js";
export * from "./bench/hash-index.js";
export * from "./bench/bloom.js";
export * from "./bench/lsm.js";
export * from "./bench/transactions.js";
export {
  measureHashMap,
  measureCache,
  measureTreeLookups,
  measureTreeInserts,
  measureRangeScans,
  zipfKeys,
  CACHE_TASKS,
  HASH_MAP,
  SCAN_TASKS,
  TREE_TASKS,
  type HashMapMeasurement,
  type MeasureOptions,
  type TreeInserts,
} from "./bench/data-structures.js";
export { benchIsolated } from "./bench/isolated.js";
export {
  pg,
  pgVersion,
  QueryResult,
  PgError,
  PG_EXTENSIONS,
  type Pg,
  type PgExtension,
  type PgField,
} from "./pg/pg.js";
export { replayOnServer, type ServerReplay } from "./pg/hermitage-replay.js";
export { grade, choose, passes, myEngine } from "./grading/notebook.js";
export { yours, learnerEngine, LearnerPieceError, type EngineComponent, type SavedPiece } from "./grading/learner-pieces.js";
// Types only: the grader (TypeScript, vitest) loads on the first grade() call.
export type { GradeReport, GradeStatus, TestOutcome } from "./grading/grade.js";
export { hint, Hint } from "./grading/hint.js";
