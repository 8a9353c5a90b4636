/**
 * The learner's engine
 * ====================
 * A piece that passes its grade is the learner's from then on, in every later notebook and
 * after every kernel restart: `grade()` writes the passing cell's source under the state
 * folder (kernel-helpers/src/workspace.ts), and a later notebook asks for the piece by
 * exercise id. The reference fills every gap, and each hand-out prints one line saying
 * whose code it is.
 *
 *   notebook 03:  await grade("03.3")  ──pass──▶  <state>/pieces/03.3.json  { source, digest, passed/total, … }
 *   notebook 04:  yours("03.3", engine.BufferPoolManager, "buffer pool")
 *                     │ saved?  ── no ──▶ the reference, "Using the engine's buffer pool: …"
 *                     ▼ yes
 *                 the grader's cell → module preparation (submission.ts, loaded only now,
 *                 so importing @workbook/helpers never loads TypeScript), transpiled and
 *                 evaluated in the kernel against the same @workbook/engine the notebook
 *                 uses; the exported class, wrapped so that it names itself when it breaks
 *
 * A piece passes its own suite and can still break inside the composed engine, meeting a
 * call its tests never made. Every method of a handed-out learner's class (and every
 * learner's function) is wrapped: a `DbError` passes through untouched (it is part of the
 * contract: the heap handles `no-free-frame` as it would from the engine's pool); anything
 * else becomes a `LearnerPieceError` that names the piece, the exercise, the method and the
 * engine code that called it.
 *
 * Sources injected by the headless runner's `--solutions` (first line `… (reference
 * solution)`) pass their grade but are not remembered: they are not the learner's. A later
 * failing grade does not forget the last pass: later notebooks keep building on the
 * version that passed, and the cell in its own notebook shows the learner the difference.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { DbError } from "@workbook/engine";
import { learnerStateDir } from "../workspace.js";
import { allExercises, findExercise, type Exercise } from "./manifest.js";

/** What is remembered about a piece that passed its grade. */
export interface SavedPiece {
  readonly id: string;
  readonly title: string;
  readonly notebook: string;
  readonly symbols: readonly string[];
  /** The cell's source as it passed. */
  readonly source: string;
  /** sha256 of `source`. */
  readonly digest: string;
  readonly passed: number;
  readonly total: number;
  /** ISO time of the passing grade. */
  readonly gradedAt: string;
}

/** One row of the learner's engine: a component, whose code runs it, and its grade. */
export interface EngineComponent {
  readonly exercise: string;
  readonly component: string;
  readonly notebook: string;
  /** The engine interface it implements, from the manifest. */
  readonly implements: string | undefined;
  readonly whose: "yours" | "reference";
  /** "24/24 on 2026-12-05", or "not passed yet". */
  readonly grade: string;
}

/** An error thrown from inside a learner's piece while the engine was using it. */
export class LearnerPieceError extends Error {
  override readonly name = "LearnerPieceError";
  constructor(
    message: string,
    readonly exercise: string,
    readonly piece: string,
    readonly method: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

export function sourceDigest(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

function piecesDir(): string {
  return path.join(learnerStateDir(), "pieces");
}

function pieceFile(id: string): string {
  return path.join(piecesDir(), `${id}.json`);
}

/** True for a source the headless runner injected from the reference solutions. */
export function isReferenceSolution(source: string): boolean {
  return /^\s*\/\/\s*Exercise\s+\d\d\.\d+\s+\(reference solution\)/.test(source);
}

/**
 * Remember that `source` passed exercise `id` (`passed` of `total` tests). Written to a
 * temporary file and renamed, so a kernel killed halfway leaves the previous pass intact.
 * Does nothing for a reference solution injected by the runner.
 */
export function rememberPassed(id: string, source: string, passed: number, total: number, now = new Date()): void {
  if (isReferenceSolution(source)) return;
  const exercise = findExercise(id);
  const saved: SavedPiece = {
    id,
    title: exercise.title,
    notebook: exercise.notebook,
    symbols: exercise.symbols,
    source,
    digest: sourceDigest(source),
    passed,
    total,
    gradedAt: now.toISOString(),
  };
  mkdirSync(piecesDir(), { recursive: true });
  const tmp = `${pieceFile(id)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(saved, null, 1)}\n`);
  renameSync(tmp, pieceFile(id));
}

/** The remembered pass of exercise `id`, or `undefined` (never passed, or the file is unreadable). */
export function savedPiece(id: string): SavedPiece | undefined {
  const file = pieceFile(id);
  if (!existsSync(file)) return undefined;
  let parsed: Partial<SavedPiece>;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<SavedPiece>;
  } catch (error) {
    console.warn(`The saved piece ${path.relative(process.cwd(), file)} is not valid JSON (${(error as Error).message}): ignored.`);
    return undefined;
  }
  if (typeof parsed.source !== "string" || parsed.digest !== sourceDigest(parsed.source)) return undefined;
  return parsed as SavedPiece;
}

/** Every exercise id with a remembered pass. */
export function savedPieceIds(): string[] {
  const dir = piecesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d\d\.\d+\.json$/.test(f))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

type Exports = Record<string, unknown>;
const MODULES = Symbol.for("workbook.learnerModules");

function moduleCache(): Map<string, Exports> {
  const g = globalThis as Record<symbol, unknown>;
  g[MODULES] ??= new Map<string, Exports>();
  return g[MODULES] as Map<string, Exports>;
}

/** Why a saved piece could not be loaded, worded for the line the notebook prints. */
class PieceLoadError extends Error {
  override readonly name = "PieceLoadError";
}

/**
 * Compile a saved piece as the grader does (submission.ts's `prepare`: the kernel's
 * compiler and options, the manifest's symbols exported) and evaluate it in this process.
 * Imports resolve from here, so `@workbook/engine` is the instance the notebook uses.
 */
function loadModule(saved: SavedPiece): Exports {
  const cached = moduleCache().get(saved.digest);
  if (cached) return cached;
  // Loaded lazily: submission.ts loads TypeScript, which a notebook that never asks for a
  // saved piece should not pay for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { prepare } = require("./submission.js") as typeof import("./submission.js");
  const prepared = prepare(saved.source, saved.symbols);
  if (prepared.kind !== "ok") {
    const first = prepared.problems[0];
    throw new PieceLoadError(`it no longer compiles against this engine (${prepared.kind}${first ? `, line ${first.line}: ${first.message}` : ""})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
  const js = ts.transpileModule(prepared.module, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} as Exports };
  const run = new Function("exports", "require", "module", "__workbookLoopGuard", "__workbookCheckBuiltins", js) as (
    ...args: unknown[]
  ) => void;
  run(module.exports, createRequire(__filename), module, () => undefined, () => undefined);
  moduleCache().set(saved.digest, module.exports);
  return module.exports;
}

/** How a piece is named in lines and errors: "your buffer pool (BufferPoolManager, exercise 03.3)". */
interface PieceLabel {
  readonly exercise: string;
  readonly name: string;
  readonly symbol: string;
}

/**
 * The first engine code up the stack that is not running on a learner's object (a learner's
 * class may extend the engine's: its inherited methods show as `LearnerPiece.…`), as
 * "HeapFile.insert".
 */
function engineCaller(): string | undefined {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  for (const line of lines) {
    if (line.includes(__filename)) continue;
    const m = /at (?:new )?([\w$.<>]+) \((.*[\\/]engine[\\/](?:dist|src)[\\/][^)]*)\)/.exec(line);
    if (m && !m[1]!.startsWith("LearnerPiece.")) return m[1];
  }
  return undefined;
}

function blame(error: unknown, label: PieceLabel, method: string): unknown {
  if (error instanceof DbError || error instanceof LearnerPieceError) return error;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const caller = engineCaller();
  return new LearnerPieceError(
    `your ${label.name} (${label.symbol}, exercise ${label.exercise}) threw ${what} in ${method}` +
      `${caller ? `, called by the engine's ${caller}` : ""}. It passed its own tests, but the engine ` +
      `made a call they did not: fix the cell in notebook ${label.exercise.slice(0, 2)} and grade it again.`,
    label.exercise,
    label.symbol,
    method,
    { cause: error },
  );
}

function blameIterator(it: IterableIterator<unknown>, label: PieceLabel, method: string): IterableIterator<unknown> {
  const step = (fn: () => IteratorResult<unknown>): IteratorResult<unknown> => {
    try {
      return fn();
    } catch (error) {
      throw blame(error, label, method);
    }
  };
  const wrapped: IterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => step(() => it.next(...args)),
    return: (value?: unknown) => step(() => (it.return ? it.return(value) : { done: true, value })),
    [Symbol.iterator]: () => wrapped,
  };
  return wrapped;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;

/**
 * `fn` with its errors blamed on the piece. Kept cheap, since the engine calls a learner's
 * pool and replacer on every page access: a generator's iterator is wrapped too (errors
 * surface while iterating), decided once here rather than by inspecting every result.
 */
function blameFunction<F extends (...args: never[]) => unknown>(fn: F, label: PieceLabel, method: string): F {
  const wrapped =
    fn instanceof (GeneratorFunction as new () => unknown)
      ? function (this: unknown, ...args: unknown[]): unknown {
          try {
            return blameIterator(Reflect.apply(fn, this, args) as IterableIterator<unknown>, label, method);
          } catch (error) {
            throw blame(error, label, method);
          }
        }
      : function (this: unknown, ...args: unknown[]): unknown {
          try {
            return Reflect.apply(fn, this, args);
          } catch (error) {
            throw blame(error, label, method);
          }
        };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped as unknown as F;
}

/** Wrap every method, accessor and static method of `cls` (and its constructor) with `blame`. */
function blameClass(cls: new (...args: unknown[]) => object, label: PieceLabel): unknown {
  const Base = cls;
  const LearnerPiece = class extends Base {
    constructor(...args: unknown[]) {
      try {
        super(...args);
      } catch (error) {
        throw blame(error, label, `new ${label.symbol}()`);
      }
    }
  };
  Object.defineProperty(LearnerPiece, "name", { value: cls.name });
  const seen = new Set<string>(["constructor"]);
  for (let proto = cls.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      const where = `${label.symbol}.${key}`;
      if (typeof d.value === "function") d.value = blameFunction(d.value as () => unknown, label, `${where}()`);
      if (d.get) d.get = blameFunction(d.get, label, where);
      if (d.set) d.set = blameFunction(d.set, label, where);
      Object.defineProperty(LearnerPiece.prototype, key, d);
    }
  }
  for (const key of Object.getOwnPropertyNames(cls)) {
    if (key === "prototype" || key === "length" || key === "name") continue;
    const d = Object.getOwnPropertyDescriptor(cls, key)!;
    if (typeof d.value !== "function") continue;
    d.value = blameFunction(d.value as () => unknown, label, `${label.symbol}.${key}()`);
    Object.defineProperty(LearnerPiece, key, d);
  }
  return LearnerPiece;
}

/**
 * A learner's export, wrapped so that it names itself when it breaks inside the engine: a
 * class, a function, or a plain object of functions (one per symbol, as `{ insertEntry,
 * storeNode }`).
 */
export function blamed<T>(value: T, label: PieceLabel): T {
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, typeof v === "function" ? blamed(v, { ...label, symbol: key }) : v]),
    ) as T;
  }
  if (typeof value !== "function") return value;
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
  return (isClass ? blameClass(value as unknown as new (...args: unknown[]) => object, label) : blameFunction(value as () => unknown, label, `${label.symbol}()`)) as T;
}

/** The symbols `yours()` hands out: the one asked for, else all of the exercise's. */
function symbolsOf(exercise: Exercise, symbol: string | undefined): readonly string[] {
  if (symbol === undefined) return exercise.symbols;
  if (!exercise.symbols.includes(symbol)) {
    throw new Error(`exercise ${exercise.id} defines ${exercise.symbols.join(", ")}, not ${symbol}`);
  }
  return [symbol];
}

/**
 * The learner's piece for exercise `id` if it ever passed its grade (in any notebook, any
 * kernel), the engine's `reference` otherwise, with one line saying which. The piece is
 * the exercise's one symbol, or `symbol`, or, for an exercise that defines several, an
 * object of them all (`{ insertEntry, storeNode }`). The result is typed as the contract
 * `T` (give it: `yours<engine.BufferPoolConstructor>(…)`): passing the hidden suite is
 * what shows the learner's piece is one.
 */
export function yours<T>(id: string, reference: T, name: string, symbol?: string): T {
  const exercise = findExercise(id);
  const symbols = symbolsOf(exercise, symbol);
  const saved = savedPiece(id);
  if (saved === undefined) {
    console.log(`Using the engine's ${name}: exercise ${id} (notebook ${exercise.notebook.slice(0, 2)}) has not passed yet.`);
    return reference;
  }
  let exports: Exports;
  try {
    exports = loadModule(saved);
  } catch (error) {
    const why = error instanceof PieceLoadError ? error.message : `loading it failed: ${(error as Error).message}`;
    console.log(`Using the engine's ${name}: your exercise ${id} passed on ${saved.gradedAt.slice(0, 10)}, but ${why}.`);
    return reference;
  }
  console.log(`Using your ${name} (${symbols.join(", ")}, exercise ${id}, passed ${saved.passed}/${saved.total} on ${saved.gradedAt.slice(0, 10)}).`);
  const label = { exercise: id, name, symbol: symbols[0]! };
  if (symbols.length === 1) return blamed(exports[symbols[0]!] as T, label);
  return blamed(Object.fromEntries(symbols.map((s) => [s, exports[s]])) as T, label);
}

/** Every exercise as a component of the learner's engine: whose code it is, and its grade. */
export function learnerEngine(): EngineComponent[] {
  return allExercises().map((e) => {
    const saved = savedPiece(e.id);
    return {
      exercise: e.id,
      component: e.title,
      notebook: e.notebook,
      implements: e.implements,
      whose: saved ? "yours" : "reference",
      grade: saved ? `${saved.passed}/${saved.total} on ${saved.gradedAt.slice(0, 10)}` : "not passed yet",
    };
  });
}
