/**
 * SVG to PNG, in Node, and the bundle every drawing goes out as
 * ============================================================
 * Every chart and drawing is made as SVG, and every bundle that carries an SVG carries a
 * PNG of it too, because not every viewer shows SVG. Debian's `jupyter nbconvert --to
 * html` (6.5) ranks `image/svg+xml` above `image/png`, then runs it through lxml's
 * cleaner, which drops every SVG element it does not know as HTML (`rect`, `path`,
 * `text`, …): the export shows an empty box even when a PNG is there. So the PNG also goes
 * out as `text/markdown`, one `<img>` with the PNG inline, which each front end ranks so:
 *
 *   front end                    picks, of vega-lite / markdown / svg / png
 *   JupyterLab                   vega-lite (rank 57) before markdown (60) before svg (80)
 *   nbconvert HTML, classic NB   markdown before svg before png (vega-lite unknown)
 *
 * so JupyterLab still draws charts live with Vega, and every static viewer shows the PNG.
 * (`text/html` would do for nbconvert too, but JupyterLab ranks it (50) above Vega-Lite.)
 *
 *   svg ──resvg (Rust, prebuilt .node per platform)──▶ PNG ──▶ base64
 *
 * The renderer is @resvg/resvg-js: a native module shipped as one optional package per
 * platform, with no install script and no system library behind it. Text is drawn with
 * the DejaVu fonts shipped by the dejavu-fonts-ttf package, never the system's fonts, so
 * a machine with no fonts at all (a fresh Debian, a CI container) draws the same pixels:
 *
 *   "Helvetica, Arial, sans-serif" (charts)  ─▶ DejaVu Sans (Bold for bold text)
 *   "ui-monospace, …, monospace"   (trees)   ─▶ DejaVu Sans Mono
 *
 * The PNG is drawn at the SVG's own size (scale 1): the kernel sends no image metadata,
 * so a viewer shows a bare `image/png` at its pixel size, and a 2× image would be shown
 * twice as big.
 *
 * Where the renderer cannot be loaded (a platform with no prebuilt package), `svgToPng`
 * throws a `PngError` of kind "unavailable", and `SvgImages` (what bundles use) warns once
 * on stderr and sends the SVG alone, so the chart still shows wherever SVG or Vega-Lite is
 * shown. An SVG the renderer rejects is a bug in the drawing: kind "invalid-svg", thrown.
 */
import path from "node:path";
import type { ResvgRenderOptions } from "@resvg/resvg-js";
import { escapeHtml } from "./table.js";

/** Thrown when an SVG cannot be turned into a PNG; the message says why. */
export class PngError extends Error {
  override readonly name = "PngError";

  constructor(
    /** "unavailable": the renderer or its fonts cannot load here; "invalid-svg": this SVG cannot be drawn. */
    readonly kind: "unavailable" | "invalid-svg",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"] as const;

type ResvgClass = typeof import("@resvg/resvg-js").Resvg;

let renderer: { Resvg: ResvgClass; options: ResvgRenderOptions } | undefined;

function load(): { Resvg: ResvgClass; options: ResvgRenderOptions } {
  if (renderer) return renderer;
  let Resvg: ResvgClass;
  try {
    ({ Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js"));
  } catch (error) {
    throw new PngError(
      "unavailable",
      `cannot load the PNG renderer @resvg/resvg-js on ${process.platform}-${process.arch} ` +
        `(its prebuilt package for this platform is missing; run npm install again): ${messageOf(error)}`,
      { cause: error },
    );
  }
  let fontDir: string;
  try {
    fontDir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  } catch (error) {
    throw new PngError("unavailable", `cannot find the fonts package dejavu-fonts-ttf (run npm install again): ${messageOf(error)}`, { cause: error });
  }
  renderer = {
    Resvg,
    options: {
      font: {
        loadSystemFonts: false,
        fontFiles: FONT_FILES.map((file) => path.join(fontDir, file)),
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
        serifFamily: "DejaVu Sans",
        monospaceFamily: "DejaVu Sans Mono",
      },
      fitTo: { mode: "original" },
      logLevel: "off",
    },
  };
  return renderer;
}

/** The PNG of `svg`, drawn at the SVG's own size. Throws a `PngError` when it cannot. */
export function svgToPng(svg: string): Buffer {
  const { Resvg, options } = load();
  try {
    return new Resvg(svg, options).render().asPng();
  } catch (error) {
    throw new PngError("invalid-svg", `cannot draw the SVG as PNG: ${messageOf(error)}`, { cause: error });
  }
}

/** A PNG as a bundle carries it: base64, with its pixel size. */
export interface PngImage {
  readonly base64: string;
  readonly width: number;
  readonly height: number;
}

let warned = false;

/**
 * The PNG of `svg`, or `undefined` (after one warning on stderr) where the renderer cannot
 * run here; a `PngError` of kind "invalid-svg" for an SVG it cannot draw.
 */
export function pngRendering(svg: string): PngImage | undefined {
  let png: Buffer;
  try {
    png = svgToPng(svg);
  } catch (error) {
    if (!(error instanceof PngError) || error.kind !== "unavailable") throw error;
    if (!warned) {
      warned = true;
      console.warn(`${error.message}\nCharts and drawings go out without their PNG; JupyterLab still shows them.`);
    }
    return undefined;
  }
  // | PNG signature (0) | IHDR length (8) | "IHDR" (12) | width u32 BE (16) | height u32 BE (20) |
  return { base64: png.toString("base64"), width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The images part of a drawing's bundle; see the module header for why each is there. */
export interface ImageBundle {
  readonly "image/svg+xml": string;
  readonly "image/png"?: string;
  readonly "text/markdown"?: string;
}

/**
 * The images of one drawing, the PNG drawn on first use and kept:
 * `{ "image/svg+xml", "image/png", "text/markdown" }`, or the SVG alone where no PNG can
 * be made.
 */
export class SvgImages {
  readonly #svg: string;
  #png: PngImage | undefined | null = null;

  constructor(svg: string) {
    this.#svg = svg;
  }

  /** The PNG, or `undefined` where the renderer cannot run here. */
  get png(): PngImage | undefined {
    if (this.#png === null) this.#png = pngRendering(this.#svg);
    return this.#png;
  }

  /** The bundle's image entries; `alt` (one line) describes the picture to screen readers. */
  bundle(alt: string): ImageBundle {
    const png = this.png;
    if (png === undefined) return { "image/svg+xml": this.#svg };
    const img = `<img src="data:image/png;base64,${png.base64}" width="${png.width}" height="${png.height}" alt="${escapeHtml(alt)}">`;
    return { "image/svg+xml": this.#svg, "image/png": png.base64, "text/markdown": img };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
