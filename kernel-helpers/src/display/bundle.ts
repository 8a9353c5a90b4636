/**
 * Rich display: the contract between values and the kernel
 * =========================================================
 * A value that knows how to show itself carries a method under the `MIME_BUNDLE` symbol
 * returning a MIME bundle, e.g. `{ "text/html": "<table>…", "text/plain": "3 rows" }`.
 * When such a value is the last expression of a cell, the kernel sends the whole bundle
 * as one `execute_result`, and the front end picks the richest type it can render.
 * Every bundle has `text/plain`, so terminals, logs and tests can read it.
 *
 * The kernel installs a `KernelChannel` on `globalThis` under `KERNEL_CHANNEL`; helpers
 * use it for `display_data`, `update_display_data` and `clear_output`. Outside the
 * kernel (plain Node, tests) there is no channel and `display` prints the text form.
 */
import { inspect } from "node:util";

export type MimeBundle = Readonly<Record<string, string | Readonly<Record<string, unknown>>>> & {
  readonly "text/plain": string;
};

export const MIME_BUNDLE: unique symbol = Symbol.for("workbook.mimeBundle") as never;

export interface Displayable {
  [MIME_BUNDLE](): MimeBundle;
}

export interface KernelChannel {
  display(bundle: MimeBundle, options: { displayId?: string; update?: boolean }): void;
  clearOutput(wait: boolean): void;
}

export const KERNEL_CHANNEL = Symbol.for("workbook.kernelChannel");

export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Displayable>)[MIME_BUNDLE] === "function"
  );
}

/** The bundle for any value: its own when it has one, otherwise its `util.inspect` text. */
export function toBundle(value: unknown): MimeBundle {
  if (isDisplayable(value)) {
    const bundle: Record<string, unknown> = value[MIME_BUNDLE]();
    return ("text/plain" in bundle ? bundle : { ...bundle, "text/plain": String(value) }) as MimeBundle;
  }
  return { "text/plain": inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 }) };
}

export function kernelChannel(): KernelChannel | undefined {
  return (globalThis as Record<symbol, unknown>)[KERNEL_CHANNEL] as KernelChannel | undefined;
}

/** Every cell the kernel has run, in order; installed on `globalThis` by the kernel. */
export const EXECUTED_CELLS = Symbol.for("workbook.executedCells");

export interface ExecutedCell {
  readonly source: string;
  readonly executionCount: number;
  /** The front end's id for the cell, where it sends one (JupyterLab does). */
  readonly cellId?: string;
}

export function executedCells(): readonly ExecutedCell[] | undefined {
  return (globalThis as Record<symbol, unknown>)[EXECUTED_CELLS] as ExecutedCell[] | undefined;
}
