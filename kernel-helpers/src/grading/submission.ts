/**
 * From an exercise cell to a gradable module
 * ==========================================
 * A cell is a script: top-level declarations, no exports. To grade it we
 *
 *   1. parse it (a syntax error stops here, with the line),
 *   2. check that it declares every symbol the manifest names,
 *   3. type-check it exactly as the kernel compiles it: the same compiler (tslab's bundled
 *      TypeScript) through the same converter with the same options, so top-level `await`,
 *      redeclared names, imports from `@workbook/*` are accepted or rejected alike,
 *   4. put `__workbookLoopGuard(line)` at the top of every loop body, so a loop that never
 *      ends fails its test with a time-limit error naming the loop's line instead of
 *      hanging the run (this holds while the module loads, too: see exercises/setup.ts),
 *   5. append `export { … }` for the manifest's symbols, and a last statement that checks
 *      the cell did not replace a built-in the test runner needs.
 *
 * Recursion needs no guard: it ends in a RangeError on its own.
 */
import type * as TS from "typescript";
import type { Converter } from "tslab/dist/converter";
import { blankTopLevelExports } from "../kernel/executor.js";

// The kernel's compiler: tslab's bundled TypeScript (CommonJS, deep requires are stable).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require("@tslab/typescript-for-tslab") as typeof TS;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tslabConverter = require("tslab/dist/converter") as typeof import("tslab/dist/converter");

export const GUARD = "__workbookLoopGuard";
export const BUILTINS_CHECK = "__workbookCheckBuiltins";

export interface Problem {
  readonly line: number;
  readonly message: string;
}

export type Prepared =
  | { readonly kind: "ok"; readonly module: string }
  | { readonly kind: "syntax-error" | "type-error" | "missing-symbols"; readonly problems: readonly Problem[] };

/** The names a script declares at its top level. */
export function topLevelNames(file: TS.SourceFile): Map<string, boolean> {
  const names = new Map<string, boolean>(); // name → already exported
  for (const st of file.statements) {
    const exported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m: TS.ModifierLike) => m.kind === ts.SyntaxKind.ExportKeyword);
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) {
      names.set(st.name.text, exported);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.set(d.name.text, exported);
      }
    }
  }
  return names;
}

function lineOf(file: TS.SourceFile, pos: number): number {
  return file.getLineAndCharacterOfPosition(pos).line + 1;
}

function guardLoops(file: TS.SourceFile): TS.SourceFile {
  const f = ts.factory;
  const guarded = (loop: TS.Node, body: TS.Statement): TS.Block => {
    const line = lineOf(file, loop.getStart(file));
    const call = f.createExpressionStatement(f.createCallExpression(f.createIdentifier(GUARD), undefined, [f.createNumericLiteral(line)]));
    return f.createBlock([call, ...(ts.isBlock(body) ? body.statements : [body])], true);
  };
  const visit = (node: TS.Node, context: TS.TransformationContext): TS.Node => {
    const n = ts.visitEachChild(node, (c) => visit(c, context), context);
    if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, n.expression, guarded(node, n.statement));
    if (ts.isDoStatement(n)) return f.updateDoStatement(n, guarded(node, n.statement), n.expression);
    if (ts.isForStatement(n)) return f.updateForStatement(n, n.initializer, n.condition, n.incrementor, guarded(node, n.statement));
    if (ts.isForOfStatement(n)) return f.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, guarded(node, n.statement));
    if (ts.isForInStatement(n)) return f.updateForInStatement(n, n.initializer, n.expression, guarded(node, n.statement));
    return n;
  };
  const result = ts.transform(file, [(context) => (root) => visit(root, context) as TS.SourceFile]);
  const out = result.transformed[0]!;
  result.dispose();
  return out;
}

/**
 * Compile `source` with a converter made as kernel/executor.ts makes the kernel's (tslab's
 * `createConverter`), resolving imports from the working directory as the kernel does from
 * the notebook's folder. A fresh one per cell, closed at once: a converter watches every
 * file it read and rebuilds when one changes, and tslab's converter throws from a timer
 * (killing the process) when a second change arrives while a rebuild is pending, as
 * happens when the packages are rebuilt during a long session. Making one costs a second
 * or two, next to the several seconds a suite run takes.
 */
function convertCell(source: string): ReturnType<Converter["convert"]> {
  const converter = tslabConverter.createConverter({ isJS: false, isBrowser: false });
  try {
    return converter.convert("", source);
  } finally {
    converter.close();
  }
}

/** TypeScript numbers its syntax errors 1000–1999; everything else is a type error. */
function isSyntaxCode(code: number): boolean {
  return code >= 1000 && code < 2000;
}

/**
 * Compile a cell as the kernel would (its `export` keywords blanked, no earlier cells) and
 * return what the kernel would reject it for: nothing when the kernel runs it.
 */
export function typeCheck(source: string): { readonly kind: "syntax-error" | "type-error"; readonly problems: Problem[] } | undefined {
  const { diagnostics } = convertCell(blankTopLevelExports(source));
  if (diagnostics.length === 0) return undefined;
  const syntax = diagnostics.some((d) => isSyntaxCode(d.code));
  const shown = syntax ? diagnostics.filter((d) => isSyntaxCode(d.code)) : diagnostics;
  return {
    kind: syntax ? "syntax-error" : "type-error",
    problems: shown.map((d) => (d.fileName ? { line: 0, message: `${d.fileName}: ${d.messageText}` } : { line: d.start.line + 1, message: d.messageText })),
  };
}

export function prepare(source: string, symbols: readonly string[]): Prepared {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const parseDiagnostics = (file as unknown as { parseDiagnostics: TS.DiagnosticWithLocation[] }).parseDiagnostics;
  if (parseDiagnostics.length > 0) {
    return {
      kind: "syntax-error",
      problems: parseDiagnostics.map((d) => ({ line: lineOf(file, d.start), message: ts.flattenDiagnosticMessageText(d.messageText, " ") })),
    };
  }
  const names = topLevelNames(file);
  const missing = symbols.filter((s) => !names.has(s));
  if (missing.length > 0) {
    return {
      kind: "missing-symbols",
      problems: missing.map((s) => ({ line: 0, message: `the cell does not define \`${s}\` at its top level` })),
    };
  }
  const rejected = typeCheck(source);
  if (rejected) return rejected;

  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const body = printer.printFile(guardLoops(file));
  const toExport = symbols.filter((s) => !names.get(s));
  const module =
    `declare const ${GUARD}: (line: number) => void;\ndeclare const ${BUILTINS_CHECK}: () => void;\n${body}\n` +
    `${toExport.length > 0 ? `export { ${toExport.join(", ")} };\n` : ""}${BUILTINS_CHECK}();\n`;
  return { kind: "ok", module };
}
