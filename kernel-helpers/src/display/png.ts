/**
 * SVG to PNG, in Node
 * ===================
 * Every chart and drawing is made as SVG, and every bundle that carries an SVG carries a
 * PNG of it too, because not every viewer shows SVG: Debian's `jupyter nbconvert --to
 * html` drops `image/svg+xml` outputs, and a PNG is what every viewer can show.
 *
 *   svg ──resvg (Rust, prebuilt .node per platform)──▶ RGBA pixels ──▶ PNG ──▶ base64
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
 * so a viewer shows a PNG at its pixel size, and a 2× image would be shown twice as big.
 *
 * Where the renderer cannot be loaded (a platform with no prebuilt package), `svgToPng`
 * throws a `PngError` and `pngRendering` (what bundles use) warns once on stderr and leaves
 * the PNG out, so the chart still shows wherever SVG or Vega-Lite is shown.
 */
import path from "node:path";
import type { ResvgRenderOptions } from "@resvg/resvg-js";

/** Thrown when an SVG cannot be turned into a PNG; the message says why. */
export class PngError extends Error {
  override readonly name = "PngError";
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
      `cannot load the PNG renderer @resvg/resvg-js on ${process.platform}-${process.arch} ` +
        `(its prebuilt package for this platform is missing; run npm install again): ${messageOf(error)}`,
      { cause: error },
    );
  }
  let fontDir: string;
  try {
    fontDir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  } catch (error) {
    throw new PngError(`cannot find the fonts package dejavu-fonts-ttf (run npm install again): ${messageOf(error)}`, { cause: error });
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
    throw new PngError(`cannot draw the SVG as PNG: ${messageOf(error)}`, { cause: error });
  }
}

let warned = false;

/**
 * What a bundle carries under `image/png`: the base64 PNG of `svg`, or `undefined`
 * (after one warning on stderr) where the renderer cannot run here.
 */
export function pngRendering(svg: string): string | undefined {
  try {
    return svgToPng(svg).toString("base64");
  } catch (error) {
    if (!(error instanceof PngError)) throw error;
    if (!warned) {
      warned = true;
      console.warn(`${error.message}\nCharts and drawings go out without their PNG; JupyterLab still shows them.`);
    }
    return undefined;
  }
}

/**
 * The two images of a drawing, PNG computed on first use and kept: `{ "image/svg+xml",
 * "image/png" }`, or the SVG alone where no PNG can be made.
 */
export class SvgImages {
  readonly #svg: string;
  #png: string | undefined | null = null;

  constructor(svg: string) {
    this.#svg = svg;
  }

  /** The base64 PNG, or `undefined` where the renderer cannot run here. */
  get png(): string | undefined {
    if (this.#png === null) this.#png = pngRendering(this.#svg);
    return this.#png;
  }

  bundle(): { "image/svg+xml": string; "image/png"?: string } {
    const png = this.png;
    return png === undefined ? { "image/svg+xml": this.#svg } : { "image/svg+xml": this.#svg, "image/png": png };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
