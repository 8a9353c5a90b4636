/**
 * `is_complete_request`: should Enter in a console run the code or open a new line?
 * tslab answers complete/incomplete from its scanner; we add "invalid" for code that the
 * TypeScript parser rejects for a reason other than ending too early.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isCompleteCode } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");

export function isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  const scanned = isCompleteCode(code);
  if (!scanned.completed) return { status: "incomplete", indent: scanned.indent ?? "" };
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: { start: number }[] }).parseDiagnostics;
  if (diagnostics.some((d) => d.start < code.trimEnd().length)) return { status: "invalid" };
  if (diagnostics.length > 0) return { status: "incomplete", indent: "" };
  return { status: "complete" };
}
