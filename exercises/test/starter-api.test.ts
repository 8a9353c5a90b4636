/**
 * Starters keep the final signature: for every exercise, the API the starter cell in the
 * shipped notebook declares (each manifest symbol: a class's constructor, public members
 * and static members, a function's signatures, with their types) equals the API of its
 * reference solution, the engine module the manifest names. Both are compiled together by
 * the TypeScript compiler and compared member by member, as the type checker sees them.
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { exerciseIdOf, solutionSource } from "../../kernel-helpers/src/grading/inject.js";
import { allExercises } from "../../kernel-helpers/src/grading/manifest.js";
import { cellSource, listNotebooks, readNotebook } from "../../kernel-helpers/src/runner/run-notebook.js";

const CHECKOUT = path.resolve(__dirname, "../..");
const NOTEBOOKS = path.join(CHECKOUT, "notebooks");

function starter(id: string, notebook: string): string {
  const cells = readNotebook(path.join(NOTEBOOKS, `${notebook}.ipynb`)).cells.filter((c) => exerciseIdOf(c) === id);
  expect(cells, `exactly one cell of ${notebook} holds exercise ${id}`).toHaveLength(1);
  return cellSource(cells[0]!);
}

/** Compile `sources` (virtual files in notebooks/, resolving @workbook/engine as a cell does) together. */
function compile(sources: Record<string, string>): ts.Program {
  const files = new Map(Object.entries(sources).map(([name, text]) => [path.join(NOTEBOOKS, name), `${text}\nexport {};\n`]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, onError) => {
    const text = files.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, version, true) : getSourceFile.call(host, name, version, onError);
  };
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists.call(host, name);
  host.readFile = (name) => files.get(path.resolve(name)) ?? readFile.call(host, name);
  return ts.createProgram([...files.keys()], options, host);
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature;

function isPublic(symbol: ts.Symbol): boolean {
  if (symbol.name.startsWith("__#") || symbol.name === "prototype") return false;
  const decl = symbol.declarations?.[0];
  if (!decl) return true;
  const flags = ts.getCombinedModifierFlags(decl);
  const name = (decl as ts.NamedDeclaration).name;
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0 && !(name && ts.isPrivateIdentifier(name));
}

/** One line per public member of `symbol` (a class or a function), with its type. */
function apiOf(checker: ts.TypeChecker, file: ts.SourceFile, name: string): string[] {
  const decl = file.statements.find(
    (st): st is ts.ClassDeclaration | ts.FunctionDeclaration => (ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name?.text === name,
  );
  const symbol = decl?.name && checker.getSymbolAtLocation(decl.name);
  if (!decl || !symbol) return [`(no class or function ${name})`];
  const staticType = checker.getTypeOfSymbolAtLocation(symbol, decl);
  const lines: string[] = [];
  for (const sig of checker.getSignaturesOfType(staticType, ts.SignatureKind.Call)) lines.push(`call ${checker.signatureToString(sig, undefined, FORMAT)}`);
  if (symbol.flags & ts.SymbolFlags.Class) {
    for (const sig of checker.getSignaturesOfType(staticType, ts.SignatureKind.Construct)) {
      lines.push(`new ${checker.signatureToString(sig, undefined, FORMAT, ts.SignatureKind.Construct)}`);
    }
    for (const member of checker.getPropertiesOfType(staticType).filter(isPublic)) {
      lines.push(`static ${member.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(member, decl), undefined, FORMAT)}`);
    }
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    for (const member of checker.getPropertiesOfType(instance).filter(isPublic)) {
      lines.push(`${member.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(member, decl), undefined, FORMAT)}`);
    }
  }
  return lines.sort();
}

describe.each(allExercises().map((e) => [e.id, e] as const))("exercise %s", (id, exercise) => {
  it("the starter declares the same API as the reference solution", () => {
    const program = compile({ [`__starter_${id}.ts`]: starter(id, exercise.notebook), [`__solution_${id}.ts`]: solutionSource(id) });
    const checker = program.getTypeChecker();
    const file = (name: string) => program.getSourceFile(path.join(NOTEBOOKS, name))!;
    for (const symbol of exercise.symbols) {
      const fromStarter = apiOf(checker, file(`__starter_${id}.ts`), symbol);
      const fromSolution = apiOf(checker, file(`__solution_${id}.ts`), symbol);
      expect(fromStarter.join("\n"), `${symbol}: the starter's API (expected the solution's)`).toBe(fromSolution.join("\n"));
    }
  }, 60_000);
});

it("a starter whose signature drifted from its solution's is caught", () => {
  const original = starter("03.1", "03-buffer-pool");
  const drifted = original.replace("usageCount(frame: FrameId): number | undefined", "usageCount(frame: number): number");
  expect(drifted).not.toBe(original);
  const program = compile({ "__drifted.ts": drifted, "__solution.ts": solutionSource("03.1") });
  const checker = program.getTypeChecker();
  const api = (name: string) => apiOf(checker, program.getSourceFile(path.join(NOTEBOOKS, name))!, "ClockReplacer");
  expect(api("__drifted.ts").filter((line) => !api("__solution.ts").includes(line))).toEqual(["usageCount: (frame: number) => number"]);
}, 60_000);

it("no notebook sends the learner to a reference solution: prose and cells name contracts", () => {
  const solutions = allExercises().map((e) => (e as { solution?: string }).solution!);
  expect(solutions.every((s) => typeof s === "string")).toBe(true);
  const offending: string[] = [];
  for (const file of listNotebooks()) {
    const text = readNotebook(file).cells.map(cellSource).join("\n");
    for (const solution of solutions) if (text.includes(solution)) offending.push(`${path.basename(file)} names ${solution}`);
  }
  expect(offending).toEqual([]);
});
