/**
 * The headless notebook runner
 * ============================
 * Executes a notebook's code cells in order on a fresh workbook kernel (started from its
 * kernel spec, in the notebook's folder, as Jupyter would), records the outputs, and
 * writes the executed copy under `build/notebooks/`, never over the learner's file.
 * It stops at the first error unless `keepGoing`. A cell that runs past its time limit is
 * interrupted (and, if the kernel does not answer the interrupt, the kernel is killed),
 * and is reported as a timeout with the limit in the message.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from "../kernel/info.js";
import { KernelClient, KernelTimeoutError, type NbOutput, type StartOptions } from "./kernel-client.js";

export interface NbCell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NbOutput[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export type CellStatus = "ok" | "error" | "timeout" | "not-run";

export interface CellReport {
  readonly index: number;
  readonly status: CellStatus;
  readonly ms: number;
  readonly firstLine: string;
  readonly error?: string;
}

export interface RunReport {
  readonly notebook: string;
  readonly output: string;
  readonly kernelStartMs: number;
  readonly totalMs: number;
  readonly cells: readonly CellReport[];
  readonly ok: boolean;
}

export interface RunOptions {
  readonly keepGoing?: boolean;
  /** Per-cell limit; the default suits benchmarks on a small machine. */
  readonly cellTimeoutMs?: number;
  readonly outDir?: string;
  /** Replace a code cell's source before it runs (used to inject solutions); undefined keeps it. */
  readonly transformCell?: (cell: NbCell, source: string) => string | undefined;
  readonly onCell?: (report: CellReport) => void;
  readonly kernel?: StartOptions;
}

export class NotebookNotFoundError extends Error {
  override readonly name = "NotebookNotFoundError";
}

export const NOTEBOOKS_DIR = path.join(CHECKOUT, "notebooks");
export const BUILD_DIR = path.join(CHECKOUT, "build", "notebooks");

export function cellSource(cell: NbCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** All notebooks in curriculum order. */
export function listNotebooks(dir = NOTEBOOKS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** `05`, `5`, `05-btree`, or a path → the notebook's path, or a clear error naming what exists. */
export function resolveNotebook(arg: string, dir = NOTEBOOKS_DIR): string {
  if (arg.endsWith(".ipynb")) {
    const p = path.resolve(arg);
    if (!existsSync(p)) throw new NotebookNotFoundError(`no notebook at ${p}`);
    return p;
  }
  const all = listNotebooks(dir);
  const wanted = /^\d+$/.test(arg) ? arg.padStart(2, "0") + "-" : arg;
  const match = all.find((p) => path.basename(p).startsWith(wanted));
  if (!match) {
    const have = all.map((p) => path.basename(p, ".ipynb")).join(", ") || "none";
    throw new NotebookNotFoundError(`no notebook matches '${arg}' in ${dir} (there are: ${have})`);
  }
  return match;
}

export function readNotebook(file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
  } catch (e) {
    throw new NotebookNotFoundError(`${file} is not a readable notebook: ${(e as Error).message}`);
  }
  if (!Array.isArray(nb.cells)) throw new NotebookNotFoundError(`${file} has no cells array; is it an nbformat 4 notebook?`);
  return nb;
}

export async function runNotebook(file: string, options: RunOptions = {}): Promise<RunReport> {
  const nb = readNotebook(file);
  const limit = options.cellTimeoutMs ?? 600_000;
  const started = performance.now();
  const kernel = await KernelClient.start({ cwd: path.dirname(file), ...options.kernel });
  const kernelStartMs = performance.now() - started;
  const reports: CellReport[] = [];
  let stopped = false;
  try {
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      const original = cellSource(cell);
      const source = options.transformCell?.(cell, original) ?? original;
      const firstLine = source.split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 60) ?? "";
      if (stopped || !kernel.alive) {
        reports.push({ index, status: "not-run", ms: 0, firstLine });
        continue;
      }
      const report = await runCell(kernel, cell, index, source, firstLine, limit);
      reports.push(report);
      options.onCell?.(report);
      if (report.status !== "ok" && !options.keepGoing) stopped = true;
      if (report.status === "timeout" && !kernel.alive) stopped = true;
    }
  } finally {
    await kernel.shutdown();
  }
  nb.metadata["kernelspec"] = { name: KERNEL_NAME, display_name: KERNEL_DISPLAY_NAME, language: "typescript" };
  const outDir = options.outDir ?? BUILD_DIR;
  mkdirSync(outDir, { recursive: true });
  const output = path.join(outDir, path.basename(file));
  writeFileSync(output, `${JSON.stringify(nb, null, 1)}\n`);
  return {
    notebook: file,
    output,
    kernelStartMs,
    totalMs: performance.now() - started,
    cells: reports,
    ok: reports.every((r) => r.status === "ok"),
  };
}

async function runCell(kernel: KernelClient, cell: NbCell, index: number, source: string, firstLine: string, limit: number): Promise<CellReport> {
  const t0 = performance.now();
  try {
    const result = await kernel.execute(source, { timeoutMs: limit });
    cell.outputs = result.outputs.map(stripTransient);
    cell.execution_count = (result.reply["execution_count"] as number | undefined) ?? null;
    const status: CellStatus = result.reply["status"] === "ok" ? "ok" : "error";
    const error = status === "error" ? `${String(result.reply["ename"])}: ${String(result.reply["evalue"])}` : undefined;
    return { index, status, ms: result.ms, firstLine, ...(error === undefined ? {} : { error }) };
  } catch (e) {
    if (!(e instanceof KernelTimeoutError)) throw e;
    const message = `the cell did not finish within ${limit / 1000} s and was interrupted`;
    const answered = await kernel.interrupt().then(() => true, () => false);
    if (!answered) kernel.close();
    cell.outputs = [{ output_type: "error", ename: "Timeout", evalue: message, traceback: [`Timeout: ${message}`] }];
    return { index, status: "timeout", ms: performance.now() - t0, firstLine, error: `Timeout: ${message}` };
  }
}

/** `transient` is a message field, not part of nbformat's output schema. */
function stripTransient(o: NbOutput): NbOutput {
  if (o.output_type !== "display_data") return o;
  const { transient: _transient, ...rest } = o;
  return rest;
}
