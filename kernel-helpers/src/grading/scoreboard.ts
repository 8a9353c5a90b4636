/**
 * The scoreboard `npm run grade` prints
 * =====================================
 *   id    exercise                        tests  status
 *   00.1  Log record header codec         27/27  passed
 *   05.2  B+tree insert with splits (…)    0/13  failed
 * Each column is as wide as its widest cell, so a long title moves the columns for every
 * row instead of pushing its own row out of line.
 */
export interface ScoreRow {
  readonly id: string;
  readonly title: string;
  /** "passed/total". */
  readonly score: string;
  readonly status: string;
}

const HEADER: ScoreRow = { id: "id", title: "exercise", score: "tests", status: "status" };

/** The scoreboard's lines: a header, one line per row, a rule. */
export function scoreboard(rows: readonly ScoreRow[], header: ScoreRow = HEADER): string[] {
  const all = [header, ...rows];
  const width = (pick: (r: ScoreRow) => string) => Math.max(...all.map((r) => pick(r).length));
  const w = { id: width((r) => r.id), title: width((r) => r.title), score: width((r) => r.score) };
  const lines = all.map((r) => `${r.id.padEnd(w.id)}  ${r.title.padEnd(w.title)}  ${r.score.padStart(w.score)}  ${r.status}`.trimEnd());
  return [...lines, "-".repeat(Math.max(...lines.map((l) => l.length)))];
}
