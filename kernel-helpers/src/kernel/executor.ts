/**
 * The cell executor: tslab's compiler, our run loop
 * ==================================================
 * tslab type-checks a cell against the declarations of every earlier cell and turns it
 * into CommonJS in which each top-level name is written to a shared `exports` object, so
 * the next cell sees it. We keep that compiler and replace what tslab does after it:
 * tslab prints diagnostics, errors and the last value to the console; we return them as
 * data (`CellOutcome`) so the kernel can send `error` and `execute_result` messages.
 *
 *   source ──convert──▶ diagnostics? ──▶ { kind: "compile-error" }
 *                        │ no
 *                        ▼
 *   vm.runInThisContext (breakOnSigint) ──throws──▶ { kind: "runtime-error" }
 *                        │ top-level await: race against interrupt
 *                        ▼
 *   last expression ─────────────────────────────▶ { kind: "ok", value }
 *
 * A synchronous runaway loop is stopped by SIGINT through `breakOnSigint`; an awaited
 * promise is abandoned on SIGINT by racing it against an interrupt promise (the work
 * behind it cannot be cancelled from outside, as in tslab).
 *
 * Cells share the compiler's JavaScript world, so right after a cell runs (and before
 * anything compiles) the built-ins a cell replaced are put back (builtins.ts) and the
 * outcome names them. A notebook outside the checkout resolves the workbook's packages
 * from the checkout (checkout-packages.ts).
 */
import Module from "node:module";
import path from "node:path";
import vm from "node:vm";
import type * as TS from "typescript";
import type { Converter, Diagnostic } from "tslab/dist/converter";
import { type BuiltinRepair, BuiltinGuard } from "./builtins.js";
import { checkoutRequire, isMissingPackage, resolveFromCheckout } from "./checkout-packages.js";
import { CHECKOUT } from "./kernelspec.js";

// tslab's internals are CommonJS without an exports map: deep requires are stable here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tslabConverter = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tslabInspect = require("tslab/dist/inspect") as typeof import("tslab/dist/inspect");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsc = require("@tslab/typescript-for-tslab") as typeof import("typescript");

export interface CellError {
  readonly ename: string;
  readonly evalue: string;
  /** Human-readable lines; the first names the error, later ones point into the cell. */
  readonly traceback: readonly string[];
}

export type CellOutcome = (
  | { readonly kind: "ok"; readonly value: unknown; readonly hasValue: boolean }
  | ({ readonly kind: "compile-error" | "runtime-error" | "interrupted" } & CellError)
) & {
  /** Built-ins this cell (or a callback since the last cell) replaced, which the kernel put back. */
  readonly repair?: BuiltinRepair;
};

export interface Completion {
  readonly start: number;
  readonly end: number;
  readonly matches: readonly string[];
}

const CELL_FILE_PREFIX = "workbook-cell-";
const INTERRUPTED = "Script execution interrupted.";
/** What `vm` throws on SIGINT under `breakOnSigint` (the wording differs across Node versions). */
const SIGINT_MESSAGES = /^Script execution (was )?interrupted/;
/** Frames from the kernel itself are noise to a learner. */
const KERNEL_DIR = __dirname;

export class Executor {
  readonly #converter: Converter;
  readonly #exports: Record<string, unknown>;
  readonly #sideOutputs = new Map<string, string>();
  readonly #sideModules = new Map<string, NodeJS.Module>();
  readonly #builtins: BuiltinGuard;
  /** Repairs made outside a cell (completion, inspection), reported with the next cell. */
  #pendingRepair: BuiltinRepair | undefined;
  /** The checkout's `require`, when the notebook's folder is outside the checkout. */
  readonly #fallbackRequire: NodeJS.Require | undefined;
  #prevDecl = "";
  #cellCount = 0;
  #rejectInterrupt: (e: Error) => void = () => {};
  #interruptPromise!: Promise<never>;

  /**
   * `interruptRequested` says whether an interrupt came in for the current cell: one that
   * arrives while the cell compiles would be missed by `breakOnSigint`, which only listens
   * while the cell runs.
   */
  constructor(
    readonly rootDir: string = process.cwd(),
    private readonly options: { readonly interruptRequested?: () => boolean } = {},
  ) {
    this.#fallbackRequire = resolveFromCheckout(tsc.sys, rootDir, CHECKOUT) ? checkoutRequire(CHECKOUT) : undefined;
    this.#converter = tslabConverter.createConverter({ isJS: false, isBrowser: false });
    this.#builtins = new BuiltinGuard();
    this.#exports = createExports();
    const require = this.#wrapRequire(Module.createRequire(path.join(rootDir, "cell.js")), rootDir);
    vm.runInThisContext("(x) => { globalThis.__tslab__ = x; }")({ exports: this.#exports, require });
    this.#resetInterrupt();
  }

  /** Abandon the awaited part of the running cell (called on SIGINT). */
  interrupt(): void {
    this.#rejectInterrupt(new Error(INTERRUPTED));
    this.#resetInterrupt();
  }

  async execute(cellSource: string): Promise<CellOutcome> {
    const earlier = this.#repairBuiltins();
    const outcome = await this.#run(cellSource);
    const repair = mergeRepairs(earlier, this.#repairBuiltins());
    return repair ? { ...outcome, repair } : outcome;
  }

  async #run(cellSource: string): Promise<CellOutcome> {
    const source = blankTopLevelExports(cellSource);
    const converted = this.#converter.convert(this.#prevDecl, source);
    for (const out of converted.sideOutputs ?? []) {
      this.#sideModules.delete(out.path);
      this.#sideOutputs.set(out.path, out.data);
    }
    if (converted.diagnostics.length > 0) return compileError(source, converted.diagnostics);
    if (!converted.output) {
      this.#prevDecl = converted.declOutput ?? "";
      return { kind: "ok", value: undefined, hasValue: false };
    }
    const filename = `${CELL_FILE_PREFIX}${++this.#cellCount}.js`;
    const prefix = converted.hasToplevelAwait ? "(async function(exports, require) { " : "(function(exports, require) { ";
    const output = qualifyShorthands(converted.output, this.#prevDecl);
    const wrapped = `${prefix}${output}\n})(__tslab__.exports, __tslab__.require)`;
    if (this.options.interruptRequested?.()) return runtimeError(new Error(INTERRUPTED), source, wrapped, filename);
    const namesBefore = new Set(Object.keys(this.#exports));
    try {
      const ret: unknown = vm.runInThisContext(wrapped, { filename, breakOnSigint: true });
      if (converted.hasToplevelAwait) await Promise.race([ret, this.#interruptPromise]);
    } catch (e) {
      // Describing the error uses the built-ins the cell may have broken: repair them first.
      this.#pendingRepair = mergeRepairs(this.#pendingRepair, this.#builtins.repair());
      // Later cells cannot name what a failed cell declared (its declarations are not kept),
      // so let go of the values too: a cell stopped for memory frees what it filled.
      for (const name of Object.keys(this.#exports)) if (!namesBefore.has(name)) delete this.#exports[name];
      return runtimeError(e, source, wrapped, filename);
    }
    this.#prevDecl = converted.declOutput ?? "";
    const name = converted.lastExpressionVar;
    if (name === undefined || !(name in this.#exports)) return { kind: "ok", value: undefined, hasValue: false };
    const value = this.#exports[name];
    delete this.#exports[name];
    return { kind: "ok", value, hasValue: value !== undefined };
  }

  complete(source: string, position: number): Completion {
    this.#pendingRepair = this.#repairBuiltins();
    const info = this.#converter.complete(this.#prevDecl, source, position);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  /** Quick info (type and docs) of the symbol at `position`, or `undefined`. */
  inspect(source: string, position: number): string | undefined {
    this.#pendingRepair = this.#repairBuiltins();
    const info = this.#converter.inspect(this.#prevDecl, source, position);
    if (!info) return undefined;
    const text = tslabInspect.printQuickInfo(info) as string;
    return text === "" ? undefined : text;
  }

  close(): void {
    this.#converter.close();
  }

  /** Repair the built-ins now; returns every repair not yet reported. */
  #repairBuiltins(): BuiltinRepair | undefined {
    const repair = mergeRepairs(this.#pendingRepair, this.#builtins.repair());
    this.#pendingRepair = undefined;
    return repair;
  }

  #resetInterrupt(): void {
    this.#interruptPromise = new Promise<never>((_, reject) => {
      this.#rejectInterrupt = reject;
    });
    this.#interruptPromise.catch(() => {});
  }

  /**
   * `require` for cells: resolves packages from the notebook's folder and serves `.ts`
   * modules that sit next to the notebook from tslab's compiled side outputs.
   */
  #wrapRequire(req: NodeJS.Require, dirname: string): NodeJS.Require {
    const fromSideOutputs = (id: string): unknown => {
      let filename = path.join(dirname, id);
      if (path.extname(filename) === "") filename += ".js";
      const cached = this.#sideModules.get(filename);
      if (cached) return cached.exports;
      const code = this.#sideOutputs.get(filename);
      if (code === undefined) return undefined;
      const mod = new Module(filename, module) as NodeJS.Module & { _compile(code: string, file: string): void };
      mod.filename = filename;
      mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(filename));
      mod.require = this.#wrapRequire(mod.require as NodeJS.Require, path.dirname(filename));
      mod._compile(code, filename);
      this.#sideModules.set(filename, mod);
      return mod.exports;
    };
    return new Proxy(req, {
      apply: (_target, thisArg, args: unknown[]) => {
        const id = args[0];
        if (args.length === 1 && typeof id === "string") {
          if (id === "tslab") return require("tslab");
          if (id.startsWith(".")) {
            const side = fromSideOutputs(id);
            if (side !== undefined) return side;
          }
        }
        try {
          return Reflect.apply(req, thisArg, args);
        } catch (e) {
          const fallback = this.#fallbackRequire;
          if (fallback === undefined || typeof id !== "string" || !isMissingPackage(e, id)) throw e;
          return fallback(id);
        }
      },
    });
  }
}

/**
 * tslab exports every top-level name of a cell itself, so an explicit `export` (common in
 * code pasted from a module, and in the reference solutions) would be declared twice.
 * Replacing the keyword with as many spaces keeps every line and column where it was, so
 * diagnostics still point at the learner's text.
 */
export function blankTopLevelExports(source: string): string {
  if (!source.includes("export")) return source;
  const file = tsc.createSourceFile("cell.ts", source, tsc.ScriptTarget.Latest, false, tsc.ScriptKind.TS);
  const spans: [number, number][] = [];
  for (const st of file.statements) {
    if (tsc.isExportDeclaration(st) && !st.moduleSpecifier) {
      spans.push([st.getStart(file), st.end]); // `export { a, b };`: tslab exports them anyway
      continue;
    }
    const mods = tsc.canHaveModifiers(st) ? (tsc.getModifiers(st) ?? []) : [];
    const exp = mods.find((m) => m.kind === tsc.SyntaxKind.ExportKeyword);
    if (!exp || mods.some((m) => m.kind === tsc.SyntaxKind.DefaultKeyword)) continue;
    spans.push([exp.getStart(file), exp.end]);
  }
  let out = source;
  for (const [start, end] of spans.reverse()) out = out.slice(0, start) + " ".repeat(end - start) + out.slice(end);
  return out;
}

/**
 * tslab turns every use of an earlier cell's `foo` into `exports.foo`, except inside an
 * object shorthand: `({ foo })` is left as is and throws a ReferenceError at run time.
 * Here such a shorthand becomes `foo: exports.foo`, when `foo` is declared by an earlier
 * cell and nowhere in this one.
 */
export function qualifyShorthands(js: string, prevDecl: string): string {
  if (!js.includes("{")) return js;
  const earlier = new Set<string>();
  const decl = tsc.createSourceFile("prev.d.ts", prevDecl, tsc.ScriptTarget.Latest, false, tsc.ScriptKind.TS);
  for (const st of decl.statements) {
    if (tsc.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (tsc.isIdentifier(d.name)) earlier.add(d.name.text);
    } else if ((tsc.isFunctionDeclaration(st) || tsc.isClassDeclaration(st) || tsc.isEnumDeclaration(st)) && st.name) {
      earlier.add(st.name.text);
    }
  }
  if (earlier.size === 0) return js;
  const file = tsc.createSourceFile("cell.js", js, tsc.ScriptTarget.Latest, false, tsc.ScriptKind.JS);
  const declaredHere = new Set<string>();
  const shorthands: TS.ShorthandPropertyAssignment[] = [];
  const visit = (node: TS.Node): void => {
    if (tsc.isShorthandPropertyAssignment(node)) shorthands.push(node);
    const name = (node as { name?: TS.Node }).name;
    if (name && tsc.isIdentifier(name) && (tsc.isVariableDeclaration(node) || tsc.isFunctionDeclaration(node) || tsc.isClassDeclaration(node) || tsc.isParameter(node) || tsc.isBindingElement(node) || tsc.isImportSpecifier(node) || tsc.isImportClause(node) || tsc.isNamespaceImport(node))) {
      declaredHere.add(name.text);
    }
    tsc.forEachChild(node, visit);
  };
  visit(file);
  let out = js;
  for (const sh of shorthands.reverse()) {
    const name = sh.name.text;
    if (!earlier.has(name) || declaredHere.has(name) || sh.objectAssignmentInitializer) continue;
    out = `${out.slice(0, sh.getStart(file))}${name}: exports.${name}${out.slice(sh.end)}`;
  }
  return out;
}

function mergeRepairs(a: BuiltinRepair | undefined, b: BuiltinRepair | undefined): BuiltinRepair | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return { restored: [...new Set([...a.restored, ...b.restored])], lost: [...new Set([...a.lost, ...b.lost])] };
}

/** Named imports compile to `defineProperty`; store them as plain values so cells can rebind them. */
function createExports(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  return new Proxy(target, {
    defineProperty: (_t, prop, attrs) => {
      if (prop === "__esModule") return true;
      target[prop as string] = attrs.get ? attrs.get() : attrs.value;
      return true;
    },
  });
}

/** TypeScript numbers its syntax errors 1000–1999; everything else is a type error. */
function isSyntaxDiagnostic(d: Diagnostic): boolean {
  return d.code >= 1000 && d.code < 2000;
}

function compileError(source: string, diagnostics: readonly Diagnostic[]): CellOutcome {
  const lines = source.split("\n");
  const syntax = diagnostics.some(isSyntaxDiagnostic);
  const shown = syntax ? diagnostics.filter(isSyntaxDiagnostic) : diagnostics;
  const ename = syntax ? "SyntaxError" : "TypeScriptError";
  const first = shown[0]!;
  const evalue = `${first.messageText} (line ${first.start.line + 1})` + (shown.length > 1 ? ` and ${shown.length - 1} more` : "");
  const traceback = [red(`${ename}: ${shown.length} error${shown.length > 1 ? "s" : ""} in this cell`)];
  for (const d of shown) {
    const where = d.fileName ? `${d.fileName}, line ${d.start.line + 1}` : `line ${d.start.line + 1}, column ${d.start.character + 1}`;
    traceback.push(`${where}: ${d.messageText} (TS${d.code})`);
    if (!d.fileName) {
      const text = lines[d.start.line] ?? "";
      const width = Math.max(1, (d.end.line === d.start.line ? d.end.character : text.length) - d.start.character);
      traceback.push(`  ${text}`, `  ${" ".repeat(d.start.character)}${red("^".repeat(width))}`);
    }
  }
  return { kind: "compile-error", ename, evalue, traceback };
}

function runtimeError(e: unknown, source: string, wrapped: string, filename: string): CellOutcome {
  const error = e instanceof Error ? e : new Error(`a non-Error value was thrown: ${String(e)}`);
  if (SIGINT_MESSAGES.test(error.message)) {
    return {
      kind: "interrupted",
      ename: "Interrupted",
      evalue: "the cell was stopped by an interrupt",
      traceback: [red("Interrupted: the cell was stopped by an interrupt; the kernel and your variables are intact")],
    };
  }
  const ename = error.name || error.constructor?.name || "Error";
  const traceback = [red(`${ename}: ${error.message}`)];
  const jsLines = wrapped.split("\n");
  const cellLines = source.split("\n");
  for (const frame of (error.stack ?? "").split("\n").slice(1)) {
    const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(frame);
    if (!m) continue;
    const [, fn, file, line] = m;
    if (file === filename) {
      const cellLine = mapToCellLine(jsLines[Number(line) - 1] ?? "", cellLines);
      const label = fn && fn !== "eval" && !fn.startsWith("Object.<anonymous>") ? ` in ${fn}` : "";
      if (cellLine !== undefined) traceback.push(`  cell line ${cellLine + 1}${label}:  ${cellLines[cellLine]!.trim()}`);
    } else if (file && !file.startsWith("node:") && !file.includes(`${path.sep}tslab${path.sep}`) && !file.startsWith(KERNEL_DIR)) {
      traceback.push(`  ${fn ?? "<anonymous>"} (${path.relative(process.cwd(), file)}:${line})`);
    }
  }
  return { kind: "runtime-error", ename, evalue: error.message, traceback };
}

/**
 * tslab's output has no source map. TypeScript's emitter keeps expressions as written and
 * only drops types, so the cell line sharing the most tokens with the JavaScript line is
 * the one that threw. Ties go to the earliest line.
 */
export function mapToCellLine(jsLine: string, cellLines: readonly string[]): number | undefined {
  const tokens = (s: string) => new Set(s.match(/[A-Za-z_$][\w$]*|\d+|"[^"]*"|'[^']*'|`[^`]*`|[^\s\w]/g) ?? []);
  const js = tokens(jsLine);
  if (js.size === 0) return undefined;
  let best: number | undefined;
  let bestScore = 0;
  cellLines.forEach((line, i) => {
    const cell = tokens(line);
    let shared = 0;
    for (const t of cell) if (js.has(t)) shared++;
    const score = shared / Math.max(js.size, cell.size);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return bestScore >= 0.5 ? best : undefined;
}

export function red(text: string): string {
  return `\u001b[0;31m${text}\u001b[0m`;
}
