/**
 * Tables
 * ======
 * `table(rows)` turns query results, page dumps and benchmark numbers into one MIME bundle:
 * an escaped HTML table for JupyterLab and an aligned text table in psql's layout for
 * everything else (logs, tests, nbconvert to text).
 *
 *    id | name  | balance
 *   ----+-------+---------
 *     1 | alice |    10.5
 *     2 | NULL  |       3
 *   (2 rows)
 *
 * Rows are plain objects (columns = the union of their keys, in first-seen order) or
 * arrays (column names from `options.columns`). Only the first `limit` rows are drawn, so
 * showing a million-row result costs the same as showing twenty; the footer says how many
 * were left out. Cells are formatted once, by type:
 *
 *   null → NULL (as psql's `\pset null NULL`)   undefined → empty (a key the row lacks)
 *   number, bigint → right-aligned              Date → ISO 8601
 *   Uint8Array → \x0a0b… hex, cut after 16 bytes, with the length (PostgreSQL's bytea form)
 *   plain objects and arrays → JSON             anything else → util.inspect, one line
 *
 * Simpler than a real grid: widths count code points, so wide (CJK, emoji) characters
 * can misalign the text form; the HTML form is unaffected.
 */
import { inspect } from "node:util";
import { type Displayable, MIME_BUNDLE, type MimeBundle } from "./bundle.js";

export type Align = "left" | "right";

export interface TableOptions {
  /** Column names for array rows; for object rows, which keys to show, in this order. */
  readonly columns?: readonly string[];
  /** Rows drawn before the "… N more rows" footer. Default 20; `Infinity` draws them all. */
  readonly limit?: number;
  /** A caption above the table. */
  readonly title?: string;
  /** Alignment per column name; by default numeric columns are right-aligned. */
  readonly align?: Readonly<Record<string, Align>>;
  /** Longest cell, in characters, before it is cut with "…". Default 80. */
  readonly maxWidth?: number;
}

export const DEFAULT_TABLE_LIMIT = 20;
const DEFAULT_MAX_WIDTH = 80;
const BYTES_SHOWN = 16;

/** How a cell was formatted; decides alignment and HTML styling. */
type CellKind = "number" | "null" | "missing" | "text";

interface Cell {
  readonly text: string;
  readonly kind: CellKind;
}

/** A displayable table over `rows`. Rows are kept as given; formatting happens on display. */
export class Table<R extends object = object> implements Displayable {
  readonly rows: readonly R[];
  readonly columns: readonly string[];
  readonly title: string | undefined;
  readonly limit: number;
  readonly #align: Readonly<Record<string, Align>>;
  readonly #maxWidth: number;

  constructor(rows: Iterable<R>, options: TableOptions = {}) {
    this.rows = Array.isArray(rows) ? (rows as readonly R[]) : Array.from(rows);
    const limit = options.limit ?? DEFAULT_TABLE_LIMIT;
    if (!(limit >= 0)) throw new RangeError(`table(): limit must be a number ≥ 0, got ${String(limit)}`);
    this.limit = limit;
    this.title = options.title;
    this.#align = options.align ?? {};
    this.#maxWidth = Math.max(4, options.maxWidth ?? DEFAULT_MAX_WIDTH);
    this.columns = options.columns ? [...options.columns] : inferColumns(this.rows);
  }

  /** The aligned text form (psql layout), as in the `text/plain` bundle entry. */
  get text(): string {
    const { header, body, aligns } = this.#grid();
    const lines: string[] = [];
    if (this.title !== undefined) lines.push(this.title);
    if (this.columns.length > 0) {
      const widths = header.map((h, c) =>
        Math.max(width(h), ...body.map((row) => width(row[c]?.text ?? ""))),
      );
      const line = (cells: readonly string[], cellAligns: readonly Align[]): string =>
        cells
          .map((text, c) => " " + pad(text, widths[c] ?? 0, cellAligns[c] ?? "left") + " ")
          .join("|")
          .trimEnd();
      lines.push(line(header, aligns));
      lines.push(widths.map((w) => "-".repeat(w + 2)).join("+"));
      for (const row of body) {
        lines.push(line(row.map((cell) => cell.text), row.map((cell, c) => cellAlign(cell, aligns[c]))));
      }
    }
    lines.push(this.#footer());
    return lines.join("\n");
  }

  /** The HTML form: a `<table>` with escaped cells, followed by the row-count footer. */
  get html(): string {
    const { header, body, aligns } = this.#grid();
    const style = (align: Align): string => (align === "right" ? ` style="text-align:right"` : ` style="text-align:left"`);
    const out: string[] = [`<div class="wb-table">`];
    if (this.columns.length > 0) {
      out.push(`<table>`);
      if (this.title !== undefined) {
        out.push(`<caption style="text-align:left;font-weight:bold">${escapeHtml(this.title)}</caption>`);
      }
      out.push(`<thead><tr>${header.map((h, c) => `<th${style(aligns[c] ?? "left")}>${escapeHtml(h)}</th>`).join("")}</tr></thead>`);
      out.push(`<tbody>`);
      for (const row of body) {
        const tds = row.map((cell, c) => {
          const content =
            cell.kind === "null" ? `<span style="color:#999;font-style:italic">NULL</span>` : escapeHtml(cell.text);
          return `<td${style(cellAlign(cell, aligns[c]))}>${content}</td>`;
        });
        out.push(`<tr>${tds.join("")}</tr>`);
      }
      out.push(`</tbody></table>`);
    } else if (this.title !== undefined) {
      out.push(`<div style="font-weight:bold">${escapeHtml(this.title)}</div>`);
    }
    out.push(`<div style="color:#777;font-size:90%">${escapeHtml(this.#footer())}</div>`);
    out.push(`</div>`);
    return out.join("\n");
  }

  [MIME_BUNDLE](): MimeBundle {
    return { "text/html": this.html, "text/plain": this.text };
  }

  toString(): string {
    return this.text;
  }

  #footer(): string {
    const total = this.rows.length;
    if (total === 0) return "(no rows)";
    const shown = Math.min(total, this.limit);
    if (shown < total) {
      const more = total - shown;
      return `… ${more} more ${more === 1 ? "row" : "rows"} (${total} in all)`;
    }
    return total === 1 ? "(1 row)" : `(${total} rows)`;
  }

  /** Header texts, formatted shown rows, and each column's alignment. */
  #grid(): { header: string[]; body: Cell[][]; aligns: Align[] } {
    const shown = this.rows.slice(0, Math.min(this.rows.length, this.limit));
    const body = shown.map((row) =>
      this.columns.map((column, c) => formatCell(cellOf(row, column, c), this.#maxWidth)),
    );
    const aligns = this.columns.map((column, c): Align => {
      const forced = this.#align[column];
      if (forced) return forced;
      const values = body.map((row) => row[c]).filter((cell) => cell !== undefined && cell.kind !== "null" && cell.kind !== "missing");
      return values.length > 0 && values.every((cell) => cell?.kind === "number") ? "right" : "left";
    });
    return { header: this.columns.map((c) => truncate(oneLine(c), this.#maxWidth)), body, aligns };
  }
}

/** Draw `rows` as a table (see the module header for how cells are shown). */
export function table<R extends object>(rows: Iterable<R>, options?: TableOptions): Table<R> {
  return new Table(rows, options);
}

/** Format one value the way a table cell shows it (used by other displays too). */
export function formatValue(value: unknown, maxWidth = DEFAULT_MAX_WIDTH): string {
  return formatCell(value, maxWidth).text;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function inferColumns(rows: readonly object[]): string[] {
  const seen = new Set<string>();
  let arrayWidth = 0;
  for (const row of rows) {
    if (Array.isArray(row)) {
      arrayWidth = Math.max(arrayWidth, row.length);
    } else {
      for (const key of Object.keys(row)) seen.add(key);
    }
  }
  // Array rows without names get their positions as names, as console.table does.
  for (let i = 0; i < arrayWidth; i++) seen.add(String(i));
  return [...seen];
}

function cellOf(row: object, column: string, index: number): unknown {
  if (Array.isArray(row)) return (row as readonly unknown[])[index];
  return (row as Record<string, unknown>)[column];
}

function cellAlign(cell: Cell, columnAlign: Align | undefined): Align {
  if (columnAlign === "right" || cell.kind === "number") return "right";
  return "left";
}

function formatCell(value: unknown, maxWidth: number): Cell {
  if (value === null) return { text: "NULL", kind: "null" };
  if (value === undefined) return { text: "", kind: "missing" };
  if (typeof value === "number" || typeof value === "bigint") return { text: String(value), kind: "number" };
  return { text: truncate(oneLine(formatText(value, maxWidth)), maxWidth), kind: "text" };
}

function formatText(value: unknown, maxWidth: number): string {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
    case "symbol":
      return String(value);
    case "function":
      return `[function ${value.name || "anonymous"}]`;
    default:
      break;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof Uint8Array) return hex(value);
  if (value instanceof ArrayBuffer) return hex(new Uint8Array(value));
  if (isPlainData(value)) {
    try {
      return JSON.stringify(value, jsonReplacer) ?? "";
    } catch {
      // Circular structures: util.inspect marks the cycle instead of throwing.
    }
  }
  return inspect(value, { breakLength: Infinity, depth: 2, maxArrayLength: 10, maxStringLength: maxWidth });
}

function isPlainData(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return hex(value);
  return value;
}

/** PostgreSQL's bytea hex form, cut after 16 bytes: `\x0001…ff… (4096 bytes)`. */
function hex(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, BYTES_SHOWN);
  let out = "\\x";
  for (const byte of shown) out += byte.toString(16).padStart(2, "0");
  return bytes.length > BYTES_SHOWN ? `${out}… (${bytes.length} bytes)` : out;
}

function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "↵").replace(/\t/g, " ");
}

function truncate(text: string, maxWidth: number): string {
  const chars = Array.from(text);
  return chars.length <= maxWidth ? text : chars.slice(0, maxWidth - 1).join("") + "…";
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, to: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, to - width(text)));
  return align === "right" ? fill + text : text + fill;
}
