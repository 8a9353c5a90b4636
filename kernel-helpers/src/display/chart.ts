/**
 * Charts
 * ======
 * `await chart(spec)` takes a Vega-Lite spec and returns a value that displays as one
 * bundle with these renderings of the same chart:
 *
 *   application/vnd.vegalite.v5+json   the spec, drawn live by JupyterLab
 *   image/svg+xml                      drawn here, in Node, for viewers that show SVG
 *   image/png                          the SVG as PNG, and the same PNG as an <img> in
 *   text/markdown                      text/markdown, for nbconvert's HTML and the classic
 *                                      Notebook, where the SVG would come out blank
 *                                      (./png.ts says why)
 *   text/plain                         one line: title, mark, number of data points
 *
 * and never `text/html`, which would make JupyterLab prefer an empty HTML shell over
 * its Vega-Lite renderer. The SVG is made headless, with no browser and no canvas:
 *
 *   spec ──vega-lite compile──▶ Vega spec ──vega.parse──▶ View(renderer "none") ──toSVG──▶ svg
 *
 * Without canvas, Vega estimates text widths from character counts, so long labels may be
 * placed a few pixels off in the SVG; JupyterLab's live rendering measures them exactly.
 *
 * vega and vega-lite are ESM-only and have only an `exports` map, which tslab cannot
 * resolve; this module loads them with a dynamic `import()` (kept as `import()` in the
 * CommonJS output) so that cells never import them. Data is copied through JSON first
 * (bigint → number, Date → ISO string), so the SVG and the live chart see the same values
 * and the bundle can be sent as JSON. Every chart gets a readable default look (480 px
 * wide, larger fonts, white background); anything in `spec.config` wins over it.
 */
import { type Displayable, MIME_BUNDLE, type MimeBundle } from "./bundle.js";
import { type PngImage, SvgImages } from "./png.js";

export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * A Vega-Lite v5/v6 spec, typed loosely: the common top-level keys are named for
 * completion, everything else passes through to Vega-Lite, which validates it.
 */
export interface ChartSpec {
  readonly $schema?: string;
  readonly title?: string | readonly string[] | { readonly text: string | readonly string[]; readonly [key: string]: unknown };
  readonly description?: string;
  readonly data?: ChartData;
  readonly datasets?: Readonly<Record<string, readonly unknown[]>>;
  readonly mark?: string | { readonly type: string; readonly [key: string]: unknown };
  readonly encoding?: Readonly<Record<string, unknown>>;
  readonly transform?: readonly unknown[];
  readonly layer?: readonly ChartSpec[];
  readonly width?: number | "container" | { readonly step: number };
  readonly height?: number | "container" | { readonly step: number };
  readonly config?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface ChartData {
  readonly values?: readonly unknown[];
  readonly url?: string;
  readonly name?: string;
  readonly [key: string]: unknown;
}

/** Thrown when a spec cannot be compiled or drawn; the message says what is wrong. */
export class ChartError extends Error {
  override readonly name = "ChartError";
}

/** The default look; `spec.config` is merged over it, key by key. */
export const DEFAULT_CHART_CONFIG: Readonly<Record<string, unknown>> = {
  background: "white",
  padding: 12,
  font: "Helvetica, Arial, sans-serif",
  view: { continuousWidth: 480, continuousHeight: 280, discreteWidth: 480, stroke: "#ddd" },
  title: {
    fontSize: 16,
    fontWeight: "bold",
    anchor: "start",
    offset: 12,
    color: "#222",
    subtitleFontSize: 12,
    subtitleColor: "#555",
    subtitlePadding: 4,
  },
  axis: {
    // Long category names (benchmark tasks, SQL types) stay readable instead of "Buffer.readUI…".
    labelLimit: 280,
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: "normal",
    titlePadding: 10,
    labelColor: "#333",
    titleColor: "#222",
    gridColor: "#e8e8e8",
    domainColor: "#999",
    tickColor: "#999",
  },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: "normal" },
  axisXDiscrete: { labelAngle: 0 },
  header: { labelFontSize: 12, titleFontSize: 13 },
  bar: { color: "#4c78a8" },
  line: { strokeWidth: 2 },
  point: { size: 40, filled: true },
};

/** A rendered chart: the full spec sent to JupyterLab, its SVG drawing and that as PNG. */
export class Chart implements Displayable {
  /** The spec as sent (with `$schema`, the merged config and JSON-clean data). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** The chart drawn as SVG, in Node. */
  readonly svg: string;
  /** The one-line `text/plain` form. */
  readonly summary: string;
  /** What Vega-Lite and Vega warned about while compiling and drawing. */
  readonly warnings: readonly string[];
  readonly #images: SvgImages;

  constructor(spec: Readonly<Record<string, unknown>>, svg: string, summary: string, warnings: readonly string[]) {
    this.spec = spec;
    this.svg = svg;
    this.summary = summary;
    this.warnings = warnings;
    this.#images = new SvgImages(svg);
  }

  /** The chart as PNG (drawn on first use), or `undefined` where no PNG renderer runs here. */
  get png(): PngImage | undefined {
    return this.#images.png;
  }

  [MIME_BUNDLE](): MimeBundle {
    return { [VEGA_LITE_MIME]: this.spec, ...this.#images.bundle(this.summary), "text/plain": this.summary };
  }

  toString(): string {
    return this.summary;
  }
}

/** Compile and draw a Vega-Lite spec; rejects with a `ChartError` on a bad spec. */
export async function chart(spec: ChartSpec): Promise<Chart> {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new ChartError(`chart(): expected a Vega-Lite spec object, got ${spec === null ? "null" : typeof spec}`);
  }
  const plain = toJson(spec);
  checkComposition(plain);
  checkMarksAndTypes(plain, "");
  checkFields(plain);
  const full: Record<string, unknown> = {
    $schema: VEGA_LITE_SCHEMA,
    ...plain,
    config: mergeConfig(DEFAULT_CHART_CONFIG, isRecord(plain["config"]) ? plain["config"] : {}),
  };
  // JupyterLab renders v5 specs; a v6 $schema from the caller is replaced (key stays first).
  full["$schema"] = VEGA_LITE_SCHEMA;

  const { vl, vega } = await loadVega();
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = vega.logger(vega.Warn, "warn", (_method, level, args) => {
    const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
    // Vega reports data it cannot load as a warning and draws an empty chart; that is an error here.
    (level === "ERROR" || text.startsWith("Loading failed") ? errors : warnings).push(text);
  });

  let vgSpec: unknown;
  try {
    vgSpec = vl.compile(full, { logger }).spec;
  } catch (error) {
    throw new ChartError(`chart(): invalid Vega-Lite spec: ${messageOf(error)}`, { cause: error });
  }

  let svg: string;
  const view = (() => {
    try {
      return new vega.View(vega.parse(vgSpec), { renderer: "none", logger, logLevel: vega.Warn });
    } catch (error) {
      throw new ChartError(`chart(): Vega could not parse the compiled spec: ${messageOf(error)}`, { cause: error });
    }
  })();
  try {
    svg = await view.toSVG();
  } catch (error) {
    throw new ChartError(`chart(): Vega could not draw the chart: ${messageOf(error)}`, { cause: error });
  } finally {
    view.finalize();
  }
  if (errors.length > 0) throw new ChartError(`chart(): Vega could not draw the chart: ${errors.join("; ")}`);
  for (const warning of warnings) console.warn(`chart(): ${warning}`);
  return new Chart(full, svg, summarize(full), warnings);
}

// ---------------------------------------------------------------------------------------
// Loading the ESM-only packages

// The build compiles with tslab's TypeScript 5.0, which cannot name an ESM package's types
// from a CommonJS file, so the few entry points used here are declared by hand.

type LogHandler = (method: string, level: string, args: readonly unknown[]) => void;

interface VegaLogger {
  level(level?: number): unknown;
}

interface VegaLiteModule {
  compile(spec: unknown, options?: { logger?: VegaLogger }): { spec: unknown };
}

interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): unknown;
}

interface VegaModule {
  readonly Warn: number;
  logger(level: number, method: string, handler: LogHandler): VegaLogger;
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: "none"; logger: VegaLogger; logLevel: number }) => VegaView;
}

let loaded: Promise<{ vl: VegaLiteModule; vega: VegaModule }> | undefined;

function loadVega(): Promise<{ vl: VegaLiteModule; vega: VegaModule }> {
  loaded ??= Promise.all([import("vega-lite"), import("vega")]).then(([vl, vega]) => ({
    vl: vl as unknown as VegaLiteModule,
    vega: vega as unknown as VegaModule,
  }));
  return loaded;
}

// ---------------------------------------------------------------------------------------
// Checks that turn silent empty charts into clear errors

const VIEW_KEYS = ["mark", "layer", "facet", "hconcat", "vconcat", "concat", "repeat"] as const;

function checkComposition(spec: Readonly<Record<string, unknown>>): void {
  if (!VIEW_KEYS.some((key) => key in spec)) {
    throw new ChartError(
      `chart(): invalid Vega-Lite spec: it has none of ${VIEW_KEYS.map((k) => `"${k}"`).join(", ")}; ` +
        `a single chart needs at least "mark" (e.g. mark: "bar") and "encoding"`,
    );
  }
}

const MARKS = [
  "arc", "area", "bar", "boxplot", "circle", "errorband", "errorbar", "geoshape", "image",
  "line", "point", "rect", "rule", "square", "text", "tick", "trail",
] as const;
const FIELD_TYPES = ["quantitative", "temporal", "ordinal", "nominal", "geojson"] as const;

/** Vega-Lite's own messages for these two mistakes are cryptic ("reading 'filled'"). */
function checkMarksAndTypes(view: Readonly<Record<string, unknown>>, where: string): void {
  const mark = view["mark"];
  const markType = isRecord(mark) ? mark["type"] : mark;
  if (mark !== undefined && !(MARKS as readonly unknown[]).includes(markType)) {
    throw new ChartError(
      `chart(): ${where}mark is ${JSON.stringify(markType)}; expected one of ${MARKS.join(", ")}`,
    );
  }
  if (isRecord(view["encoding"])) {
    for (const [channel, def] of Object.entries(view["encoding"])) {
      for (const d of Array.isArray(def) ? def : [def]) {
        if (!isRecord(d) || !("type" in d)) continue;
        if (!(FIELD_TYPES as readonly unknown[]).includes(d["type"])) {
          throw new ChartError(
            `chart(): ${where}encoding.${channel}.type is ${JSON.stringify(d["type"])}; ` +
              `expected one of ${FIELD_TYPES.join(", ")}`,
          );
        }
      }
    }
  }
  for (const key of ["layer", "hconcat", "vconcat", "concat"]) {
    const views = view[key];
    if (Array.isArray(views)) {
      views.forEach((inner, i) => {
        if (isRecord(inner)) checkMarksAndTypes(inner, `${where}${key}[${i}].`);
      });
    }
  }
  if (isRecord(view["spec"])) checkMarksAndTypes(view["spec"], `${where}spec.`);
}

/**
 * A field name that is not in the inline data draws nothing, without any error from
 * Vega. Where the data is inline and no transform can create fields, name the typo.
 */
function checkFields(spec: Readonly<Record<string, unknown>>): void {
  if (JSON.stringify(spec).includes('"transform"')) return;
  const check = (view: Readonly<Record<string, unknown>>, inherited: readonly unknown[] | undefined, where: string): void => {
    const data = isRecord(view["data"]) && Array.isArray(view["data"]["values"]) ? (view["data"]["values"] as unknown[]) : inherited;
    if (isRecord(view["encoding"]) && data && data.length > 0 && data.every(isRecord)) {
      const known = new Set(data.flatMap((row) => Object.keys(row as Record<string, unknown>)));
      for (const [channel, def] of Object.entries(view["encoding"])) {
        const defs = Array.isArray(def) ? def : [def];
        for (const d of defs) {
          if (!isRecord(d)) continue;
          const field = d["field"];
          if (typeof field !== "string" || /[.[\]\\]/.test(field) || known.has(field)) continue;
          throw new ChartError(
            `chart(): ${where}encoding.${channel}.field is "${field}", which is not a field of the data ` +
              `(fields: ${[...known].map((k) => `"${k}"`).join(", ")})`,
          );
        }
      }
    }
    if (Array.isArray(view["layer"])) {
      view["layer"].forEach((layer, i) => {
        if (isRecord(layer)) check(layer, data, `${where}layer[${i}].`);
      });
    }
  };
  check(spec, undefined, "");
}

// ---------------------------------------------------------------------------------------
// The one-line summary

function summarize(spec: Readonly<Record<string, unknown>>): string {
  const title = titleOf(spec["title"]);
  const data = dataDescription(spec);
  return `${title === undefined ? "chart" : `chart "${title}"`}: ${markOf(spec)}${data ? `, ${data}` : ""}`;
}

function titleOf(title: unknown): string | undefined {
  if (typeof title === "string") return title;
  if (Array.isArray(title)) return title.join(" ");
  if (isRecord(title)) return titleOf(title["text"]);
  return undefined;
}

function markOf(spec: Readonly<Record<string, unknown>>): string {
  const mark = spec["mark"];
  if (typeof mark === "string") return mark;
  if (isRecord(mark) && typeof mark["type"] === "string") return mark["type"];
  if (Array.isArray(spec["layer"])) {
    return [...new Set(spec["layer"].filter(isRecord).map(markOf))].join(" + ");
  }
  for (const key of ["hconcat", "vconcat", "concat"]) {
    const views = spec[key];
    if (Array.isArray(views)) return `${key} of ${views.length} views`;
  }
  for (const key of ["facet", "repeat"]) {
    const inner = spec["spec"];
    if (key in spec) return `${key}ed ${isRecord(inner) ? markOf(inner) : "view"}`;
  }
  return "view";
}

function dataDescription(spec: Readonly<Record<string, unknown>>): string | undefined {
  let points = 0;
  let counted = false;
  let url: string | undefined;
  const visit = (view: unknown): void => {
    if (!isRecord(view)) return;
    const data = view["data"];
    if (isRecord(data)) {
      if (Array.isArray(data["values"])) {
        points += data["values"].length;
        counted = true;
      } else if (typeof data["url"] === "string") {
        url ??= data["url"];
      }
    }
    for (const key of ["layer", "hconcat", "vconcat", "concat"]) {
      const views = view[key];
      if (Array.isArray(views)) views.forEach(visit);
    }
    visit(view["spec"]);
  };
  visit(spec);
  if (isRecord(spec["datasets"])) {
    for (const values of Object.values(spec["datasets"])) {
      if (Array.isArray(values)) {
        points += values.length;
        counted = true;
      }
    }
  }
  if (counted) return points === 1 ? "1 data point" : `${points} data points`;
  return url === undefined ? undefined : `data from ${url}`;
}

// ---------------------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON-clean deep copy: bigint → number, Date → ISO string, functions dropped. */
function toJson(spec: ChartSpec): Record<string, unknown> {
  try {
    return JSON.parse(
      JSON.stringify(spec, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value)),
    ) as Record<string, unknown>;
  } catch (error) {
    throw new ChartError(`chart(): the spec cannot be copied as JSON: ${messageOf(error)}`, { cause: error });
  }
}

function mergeConfig(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isRecord(below) && isRecord(value) ? mergeConfig(below, value) : value;
  }
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
