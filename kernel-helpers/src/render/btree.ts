/**
 * Drawing a B+tree
 * ================
 * `renderBTree(tree.snapshot(keyFormatter("int")))` draws the engine's B+tree as an SVG:
 * one row per level, the root on top, each page a box of key cells with its page id above
 * it, lines from an internal page's child slots down to its children, arrows along the
 * leaf chain, and a thin bar under each box for how full the page is.
 *
 *              p5 [ 20 | 35 ]                 child i hangs from the boundary
 *               /     |     \                 before key i (slot 0 = left edge)
 *   p1 [1 3 5] → p2 [20 25 30] → p4 [35 40]
 *
 * Readable up to a few hundred keys: when the leaves would not fit across ~1100 px, each
 * leaf is drawn as a column of keys instead of a row; past `maxPages` pages (or given
 * `tree.stats()` instead of a snapshot) it draws a summary instead: per level, the pages,
 * entries, average fill and fan-out. The bundle has `image/svg+xml`, the same drawing as
 * PNG (`image/png`, and inline in `text/markdown` for nbconvert's HTML, which blanks SVG;
 * see display/png.ts) and a `text/plain` listing, so it reads the same in JupyterLab,
 * classic Notebook, nbconvert and a log.
 *
 * For a live drawing, keep a `DisplayHandle` and `handle.update(renderBTree(snapshot))`
 * after each change; `previous` outlines the pages a split just made and `highlight` marks
 * keys (e.g. the one just inserted).
 */
import type { BPlusTreeSnapshot, BPlusTreeStats } from "@workbook/engine";
import { type Displayable, MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { type PngImage, SvgImages } from "../display/png.js";
import { escapeHtml } from "../display/table.js";

export interface RenderBTreeOptions {
  /** A caption above the drawing. */
  readonly title?: string;
  /** Keys, as formatted in the snapshot, to mark (e.g. the key just inserted). */
  readonly highlight?: readonly string[];
  /** An earlier snapshot: pages that were not in it are outlined (a split just made them). */
  readonly previous?: BPlusTreeSnapshot;
  /** Above this many pages, draw the summary instead of every page. Default 150. */
  readonly maxPages?: number;
}

/** What `renderBTree` returns: displays as the drawing; `svg`, `png` and `text` for other uses. */
export class BTreeDrawing implements Displayable {
  readonly #images: SvgImages;

  constructor(
    readonly svg: string,
    readonly text: string,
  ) {
    this.#images = new SvgImages(svg);
  }

  /** The drawing as PNG (made on first use), or `undefined` where no PNG renderer runs here. */
  get png(): PngImage | undefined {
    return this.#images.png;
  }

  [MIME_BUNDLE](): MimeBundle {
    return { ...this.#images.bundle(this.text.split("\n")[0] ?? "B+tree"), "text/plain": this.text };
  }

  toString(): string {
    return this.text;
  }
}

// ── geometry ───────────────────────────────────────────────────────────────────────────

const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
const CHAR = 6.7; // width of one character at 11 px
const TITLE_CHAR = 8.2; // width of one bold character at 13 px
const ROW_H = 22; // height of a page drawn as a row of keys
const LINE_H = 14; // height of one key in a page drawn as a column
const GAP_X = 18; // between pages of a level
const GAP_Y = 58; // between levels
const MARGIN = 16;
const MAX_ROW_WIDTH = 1100;
const MAX_KEY_CHARS = 14;
const COLORS = {
  page: "#f8f9fb",
  border: "#4a5568",
  internal: "#eef3fb",
  edge: "#9aa5b1",
  link: "#2f6fb0",
  fill: "#5b8def",
  fillBack: "#dde3ea",
  highlight: "#ffe08a",
  fresh: "#e8590c",
  text: "#1a202c",
  muted: "#718096",
};

interface Box {
  readonly pageId: number;
  readonly keys: readonly string[];
  readonly level: number;
  readonly children?: readonly number[];
  readonly next?: number;
  readonly fill: number;
  /** Drawn as a column of keys (compact leaves) rather than a row. */
  readonly column: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

const cut = (key: string) => (key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS - 1)}…` : key);

/** Draw `tree` (a snapshot, or stats for the summary); see the module header. */
export function renderBTree(tree: BPlusTreeSnapshot | BPlusTreeStats, options: RenderBTreeOptions = {}): BTreeDrawing {
  if (!("rootPageId" in tree)) return summary(statsRows(tree), tree.height, tree.size, tree.pageCount, options);
  const pages = tree.levels.reduce((n, l) => n + l.pages.length, 0);
  if (pages > (options.maxPages ?? 150)) return summary(snapshotRows(tree), tree.height, tree.size, pages + 1, options);
  const drawn = detailed(tree, options);
  return drawn ?? summary(snapshotRows(tree), tree.height, tree.size, pages + 1, options);
}

function detailed(tree: BPlusTreeSnapshot, options: RenderBTreeOptions): BTreeDrawing | undefined {
  const allKeys = tree.levels.flatMap((l) => l.pages.flatMap((p) => p.keys));
  const longest = allKeys.reduce((n, k) => Math.max(n, cut(k).length), 1);
  const cellW = Math.max(18, Math.round(longest * CHAR + 10));
  const leafLevel = tree.levels[tree.levels.length - 1];
  if (leafLevel === undefined) return undefined;
  const rowWidth = leafLevel.pages.reduce((n, p) => n + Math.max(1, p.keys.length) * cellW + GAP_X, 0);
  const columns = rowWidth > MAX_ROW_WIDTH;
  if (columns && leafLevel.pages.length * (cellW + GAP_X) > 2.2 * MAX_ROW_WIDTH) return undefined;

  const top = MARGIN + (options.title ? 22 : 0) + 14;
  const levels: Box[][] = tree.levels.map((level) =>
    level.pages.map((p) => {
      const column = columns && p.level === 0;
      const n = Math.max(1, p.keys.length);
      return {
        pageId: p.pageId,
        keys: p.keys,
        level: p.level,
        ...(p.children ? { children: p.children } : {}),
        ...(p.next !== undefined ? { next: p.next } : {}),
        fill: tree.capacity > 0 ? p.usedBytes / tree.capacity : 0,
        column,
        x: 0,
        y: 0,
        w: column ? cellW : n * cellW,
        h: column ? n * LINE_H + 8 : ROW_H,
      };
    }),
  );
  // Rows from the top; an internal row is as tall as a row of keys.
  let y = top;
  for (const row of levels) {
    const h = Math.max(...row.map((b) => b.h), ROW_H);
    for (const b of row) b.y = y;
    y += h + GAP_Y;
  }
  // Leaves left to right; each level above centred over its children, pushed right to avoid overlap.
  const byId = new Map<number, Box>();
  for (let li = levels.length - 1; li >= 0; li--) {
    const row = levels[li]!;
    let right = MARGIN;
    for (const b of row) {
      let x = right;
      if (b.children && b.children.length > 0) {
        const first = byId.get(b.children[0]!);
        const last = byId.get(b.children[b.children.length - 1]!);
        if (first && last) x = Math.max(right, (first.x + last.x + last.w) / 2 - b.w / 2);
      }
      b.x = x;
      right = x + b.w + GAP_X;
      byId.set(b.pageId, b);
    }
  }
  // A level pushed right can end up left of its children's span: shift the whole drawing.
  const minX = Math.min(...levels.flat().map((b) => b.x));
  if (minX < MARGIN) for (const b of levels.flat()) b.x += MARGIN - minX;
  const width = Math.ceil(Math.max(...levels.flat().map((b) => b.x + b.w)) + MARGIN);
  const height = Math.ceil(y - GAP_Y + 40);

  const fresh = options.previous ? new Set<number>(options.previous.levels.flatMap((l) => l.pages.map((p) => p.pageId))) : undefined;
  const marked = new Set(options.highlight ?? []);
  const parts: string[] = [];
  if (options.title) parts.push(text(MARGIN, MARGIN + 12, options.title, { size: 13, weight: "600" }));
  // Edges first, under the boxes.
  for (const b of levels.flat()) {
    if (!b.children) continue;
    b.children.forEach((c, i) => {
      const child = byId.get(c);
      if (!child) return;
      const x1 = b.x + Math.min(i, b.keys.length) * cellW;
      parts.push(`<line x1="${f(x1)}" y1="${f(b.y + b.h)}" x2="${f(child.x + child.w / 2)}" y2="${f(child.y)}" stroke="${COLORS.edge}" stroke-width="1"/>`);
      parts.push(`<circle cx="${f(x1)}" cy="${f(b.y + b.h)}" r="2.2" fill="${COLORS.border}"/>`);
    });
  }
  const leaves = levels[levels.length - 1] ?? [];
  leaves.forEach((b, i) => {
    const next = leaves[i + 1];
    if (!next || b.next !== next.pageId) return;
    const yy = b.column ? b.y + 11 : b.y + b.h / 2;
    parts.push(`<line x1="${f(b.x + b.w + 2)}" y1="${f(yy)}" x2="${f(next.x - 3)}" y2="${f(yy)}" stroke="${COLORS.link}" stroke-width="1.3" marker-end="url(#arrow)"/>`);
  });
  for (const b of levels.flat()) parts.push(drawBox(b, cellW, marked, fresh !== undefined && !fresh.has(b.pageId)));
  const entries = leaves.reduce((n, b) => n + b.keys.length, 0);
  const pageCount = levels.flat().length;
  const caption = `height ${tree.height} · ${entries} entries · ${pageCount} pages + meta page · ${tree.pageSize}-byte pages${fresh ? " · outlined: pages new since the last drawing" : ""}`;
  parts.push(text(MARGIN, height - 12, caption, { size: 11, color: COLORS.muted }));
  const titleWidth = options.title ? options.title.length * TITLE_CHAR + 2 * MARGIN : 0;
  const svg = svgDoc(Math.max(width, caption.length * CHAR + 2 * MARGIN, titleWidth), height, parts);
  return new BTreeDrawing(svg, listing(tree, options.title));
}

function drawBox(b: Box, cellW: number, marked: ReadonlySet<string>, isNew: boolean): string {
  const out: string[] = [];
  const internal = b.level > 0;
  out.push(text(b.x, b.y - 4, `p${b.pageId}`, { size: 9, color: COLORS.muted }));
  out.push(
    `<rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w)}" height="${f(b.h)}" rx="3" fill="${internal ? COLORS.internal : COLORS.page}" ` +
      `stroke="${isNew ? COLORS.fresh : COLORS.border}" stroke-width="${isNew ? 2.2 : 1}"/>`,
  );
  if (b.keys.length === 0) {
    out.push(text(b.x + b.w / 2, b.y + 15, "∅", { size: 11, anchor: "middle", color: COLORS.muted }));
  }
  b.keys.forEach((key, i) => {
    const label = cut(key);
    if (b.column) {
      const yy = b.y + 4 + i * LINE_H;
      if (marked.has(key)) out.push(`<rect x="${f(b.x + 1.5)}" y="${f(yy)}" width="${f(b.w - 3)}" height="${LINE_H}" fill="${COLORS.highlight}"/>`);
      out.push(text(b.x + b.w / 2, yy + 11, label, { size: 10.5, anchor: "middle" }));
      return;
    }
    const xx = b.x + i * cellW;
    if (marked.has(key)) out.push(`<rect x="${f(xx + 1)}" y="${f(b.y + 1)}" width="${f(cellW - 2)}" height="${f(b.h - 2)}" fill="${COLORS.highlight}"/>`);
    if (i > 0) out.push(`<line x1="${f(xx)}" y1="${f(b.y)}" x2="${f(xx)}" y2="${f(b.y + b.h)}" stroke="${COLORS.edge}" stroke-width="0.8"/>`);
    out.push(text(xx + cellW / 2, b.y + 15, label, { size: 11, anchor: "middle" }));
  });
  // How full the page is: a bar under the box.
  const fill = Math.max(0, Math.min(1, b.fill));
  out.push(`<rect x="${f(b.x)}" y="${f(b.y + b.h + 2)}" width="${f(b.w)}" height="3" fill="${COLORS.fillBack}"/>`);
  out.push(`<rect x="${f(b.x)}" y="${f(b.y + b.h + 2)}" width="${f(b.w * fill)}" height="3" fill="${COLORS.fill}"><title>${Math.round(fill * 100)}% full</title></rect>`);
  return `<g>${out.join("")}</g>`;
}

/** The text form: one line per level, pages as p<id>[keys], leaves joined by arrows. */
function listing(tree: BPlusTreeSnapshot, title: string | undefined): string {
  const lines: string[] = [];
  const pages = tree.levels.reduce((n, l) => n + l.pages.length, 0);
  if (title) lines.push(title);
  lines.push(`B+tree: height ${tree.height}, ${tree.size} entries, ${pages} pages + meta page`);
  for (const level of tree.levels) {
    const shown = level.pages.slice(0, 40).map((p) => `p${p.pageId}[${p.keys.join(level.level > 0 ? " | " : " ")}]`);
    const more = level.pages.length > 40 ? ` … ${level.pages.length - 40} more pages` : "";
    const name = level.level === tree.height - 1 ? `root (level ${level.level})` : level.level === 0 ? "leaves (level 0)" : `level ${level.level}`;
    lines.push(`${name.padEnd(16)} ${shown.join(level.level === 0 ? " → " : "  ")}${more}`);
  }
  return lines.join("\n");
}

// ── the summary view ───────────────────────────────────────────────────────────────────

interface LevelRow {
  readonly level: number;
  readonly pages: number;
  readonly entries: number;
  readonly fill: number;
}

function statsRows(stats: BPlusTreeStats): LevelRow[] {
  return stats.levels.map((l) => ({ level: l.level, pages: l.pages, entries: l.entries, fill: l.averageFill }));
}

function snapshotRows(tree: BPlusTreeSnapshot): LevelRow[] {
  return tree.levels.map((l) => {
    const used = l.pages.reduce((n, p) => n + p.usedBytes, 0);
    return {
      level: l.level,
      pages: l.pages.length,
      entries: l.pages.reduce((n, p) => n + p.keys.length, 0),
      fill: l.pages.length > 0 && tree.capacity > 0 ? used / (l.pages.length * tree.capacity) : 0,
    };
  });
}

function summary(rows: readonly LevelRow[], height: number, size: number, pageCount: number, options: RenderBTreeOptions): BTreeDrawing {
  const top = MARGIN + (options.title ? 22 : 0);
  const rowH = 30;
  const maxPages = Math.max(...rows.map((r) => r.pages), 1);
  const barMax = 360;
  const parts: string[] = [];
  if (options.title) parts.push(text(MARGIN, MARGIN + 12, options.title, { size: 13, weight: "600" }));
  const head = top + 14;
  const cols = { level: MARGIN, pages: MARGIN + 110, bar: MARGIN + 190, fill: MARGIN + 190 + barMax + 20, fan: MARGIN + 190 + barMax + 170 };
  parts.push(text(cols.level, head, "level", { size: 11, color: COLORS.muted }));
  parts.push(text(cols.pages, head, "pages", { size: 11, color: COLORS.muted }));
  parts.push(text(cols.bar, head, "pages (log scale)", { size: 11, color: COLORS.muted }));
  parts.push(text(cols.fill, head, "average fill", { size: 11, color: COLORS.muted }));
  parts.push(text(cols.fan, head, "per page", { size: 11, color: COLORS.muted }));
  rows.forEach((r, i) => {
    const y = head + 12 + i * rowH;
    const name = i === 0 ? `${r.level} (root)` : r.level === 0 ? "0 (leaves)" : String(r.level);
    parts.push(text(cols.level, y + 15, name, { size: 11 }));
    parts.push(text(cols.pages, y + 15, r.pages.toLocaleString("en-US"), { size: 11 }));
    const w = Math.max(2, (barMax * Math.log10(r.pages + 1)) / Math.log10(maxPages + 1));
    parts.push(`<rect x="${f(cols.bar)}" y="${f(y + 4)}" width="${f(w)}" height="16" fill="${r.level === 0 ? COLORS.fill : "#8fb0ef"}"/>`);
    parts.push(`<rect x="${f(cols.fill)}" y="${f(y + 6)}" width="100" height="12" fill="${COLORS.fillBack}"/>`);
    parts.push(`<rect x="${f(cols.fill)}" y="${f(y + 6)}" width="${f(100 * Math.min(1, r.fill))}" height="12" fill="${COLORS.fill}"/>`);
    parts.push(text(cols.fill + 106, y + 16, `${Math.round(r.fill * 100)}%`, { size: 11 }));
    parts.push(text(cols.fan, y + 15, perPage(r), { size: 11 }));
  });
  const svgHeight = head + 12 + rows.length * rowH + 34;
  const caption = `height ${height} · ${size.toLocaleString("en-US")} entries · ${pageCount.toLocaleString("en-US")} pages (meta page included)`;
  parts.push(text(MARGIN, svgHeight - 12, caption, { size: 11, color: COLORS.muted }));
  const width = Math.max(cols.fan + 150, options.title ? options.title.length * TITLE_CHAR + 2 * MARGIN : 0);
  const textRows = rows.map((r) => `level ${String(r.level).padStart(2)}: ${String(r.pages).padStart(8)} pages, ${String(r.entries).padStart(9)} entries, ${(r.fill * 100).toFixed(0).padStart(3)}% full, ${perPage(r)} per page`);
  const plain = [...(options.title ? [options.title] : []), `B+tree summary: height ${height}, ${size} entries, ${pageCount} pages (meta page included)`, ...textRows].join("\n");
  return new BTreeDrawing(svgDoc(width, svgHeight, parts), plain);
}

/** Leaves: entries per page; internal pages: children per page (the fan-out), keys + 1. */
function perPage(r: LevelRow): string {
  if (r.pages === 0) return "–";
  return r.level === 0 ? `${(r.entries / r.pages).toFixed(1)} entries` : `${((r.entries + r.pages) / r.pages).toFixed(1)} children`;
}

// ── SVG helpers ────────────────────────────────────────────────────────────────────────

function f(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function text(x: number, y: number, s: string, o: { size: number; anchor?: "start" | "middle" | "end"; weight?: string; color?: string }): string {
  const anchor = o.anchor && o.anchor !== "start" ? ` text-anchor="${o.anchor}"` : "";
  const weight = o.weight ? ` font-weight="${o.weight}"` : "";
  return `<text x="${f(x)}" y="${f(y)}" font-size="${o.size}"${anchor}${weight} fill="${o.color ?? COLORS.text}">${escapeHtml(s)}</text>`;
}

let drawings = 0;

function svgDoc(width: number, height: number, parts: readonly string[]): string {
  const w = Math.ceil(width);
  // Marker ids are global in an HTML page that inlines several drawings: number them.
  const arrow = `btree-arrow-${++drawings}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" font-family="${FONT}">` +
    `<defs><marker id="${arrow}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L8,4 L0,8 z" fill="${COLORS.link}"/></marker></defs>` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("").replaceAll("url(#arrow)", `url(#${arrow})`)}</svg>`
  );
}
