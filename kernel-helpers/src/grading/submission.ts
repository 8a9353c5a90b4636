/**
 * From an exercise cell to a gradable module
 * ==========================================
 * A cell is a script: top-level declarations, no exports. To grade it we
 *
 *   1. parse it (a syntax error stops here, with the line),
 *   2. check that it declares every symbol the manifest names,
 *   3. type-check it against the engine's and helpers' declarations, as the kernel would,
 *   4. put a deadline check at the top of every loop body, so a loop that never ends
 *      fails its test with a time-limit error instead of hanging the run, and
 *   5. append `export { … }` for the manifest's symbols.
 *
 * Recursion needs no guard: it ends in a RangeError on its own.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const GUARD = "__workbookLoopGuard";

export interface Problem {
  readonly line: number;
  readonly message: string;
}

export type Prepared =
  | { readonly kind: "ok"; readonly module: string }
  | { readonly kind: "syntax-error" | "type-error" | "missing-symbols"; readonly problems: readonly Problem[] };

/** The names a script declares at its top level. */
export function topLevelNames(file: ts.SourceFile): Map<string, boolean> {
  const names = new Map<string, boolean>(); // name → already exported
  for (const st of file.statements) {
    const exported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
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

function lineOf(file: ts.SourceFile, pos: number): number {
  return file.getLineAndCharacterOfPosition(pos).line + 1;
}

function guardLoops(file: ts.SourceFile): ts.SourceFile {
  const call = () => ts.factory.createExpressionStatement(ts.factory.createCallExpression(ts.factory.createIdentifier(GUARD), undefined, []));
  const guarded = (body: ts.Statement): ts.Block =>
    ts.factory.createBlock([call(), ...(ts.isBlock(body) ? body.statements : [body])], true);
  const visit = (node: ts.Node, context: ts.TransformationContext): ts.Node => {
    const n = ts.visitEachChild(node, (c) => visit(c, context), context);
    if (ts.isWhileStatement(n)) return ts.factory.updateWhileStatement(n, n.expression, guarded(n.statement));
    if (ts.isDoStatement(n)) return ts.factory.updateDoStatement(n, guarded(n.statement), n.expression);
    if (ts.isForStatement(n)) return ts.factory.updateForStatement(n, n.initializer, n.condition, n.incrementor, guarded(n.statement));
    if (ts.isForOfStatement(n)) return ts.factory.updateForOfStatement(n, n.awaitModifier, n.initializer, n.expression, guarded(n.statement));
    if (ts.isForInStatement(n)) return ts.factory.updateForInStatement(n, n.initializer, n.expression, guarded(n.statement));
    return n;
  };
  const result = ts.transform(file, [(context) => (root) => visit(root, context) as ts.SourceFile]);
  const out = result.transformed[0]!;
  result.dispose();
  return out;
}

/**
 * Type-check a cell with the options the kernel compiles cells with (tslab's: not strict),
 * resolving `@workbook/*` from `dir`, which must sit inside the checkout.
 */
export function typeCheck(source: string, dir: string): Problem[] {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "cell.ts");
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const sf = program.getSourceFile(file)!;
  return ts
    .getPreEmitDiagnostics(program, sf)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file === sf)
    .map((d) => ({ line: lineOf(sf, d.start ?? 0), message: ts.flattenDiagnosticMessageText(d.messageText, " ") }));
}

export function prepare(source: string, symbols: readonly string[], workDir: string): Prepared {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const parseDiagnostics = (file as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics;
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
  const typeErrors = typeCheck(source, workDir);
  if (typeErrors.length > 0) return { kind: "type-error", problems: typeErrors };

  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const body = printer.printFile(guardLoops(file));
  const exports = symbols.filter((s) => !names.get(s));
  const module = `declare const ${GUARD}: () => void;\n${body}\n${exports.length > 0 ? `export { ${exports.join(", ")} };\n` : ""}`;
  return { kind: "ok", module };
}
