/** svgToPng: SVG drawn as PNG in Node, with the shipped fonts, whatever the system has. */
import { describe, expect, it } from "vitest";
import { PngError, SvgImages, svgToPng } from "../src/display/png.js";
import { pngSize } from "./png-check.js";

const page = (inner: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60"><rect width="100%" height="100%" fill="white"/>${inner}</svg>`;

describe("svgToPng", () => {
  it("draws the SVG at its own size", () => {
    expect(pngSize(svgToPng(page("")))).toEqual({ width: 240, height: 60 });
  });

  it("draws text in the chart and drawing font families with the shipped fonts (system fonts are never loaded)", () => {
    const blank = svgToPng(page(""));
    for (const family of ["Helvetica, Arial, sans-serif", "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"]) {
      for (const weight of ["normal", "bold"]) {
        const written = svgToPng(page(`<text x="8" y="30" font-family="${family}" font-weight="${weight}" font-size="16">p5 [ 20 | 35 ] ∅ → ·</text>`));
        expect(written.equals(blank), `${family} ${weight}: text left no pixels`).toBe(false);
      }
    }
  });

  it("rejects what is not an SVG with a PngError, also when a bundle is made (a broken drawing is a bug, not a missing renderer)", () => {
    expect(() => svgToPng("<html>no</html>")).toThrow(PngError);
    expect(() => svgToPng("<html>no</html>")).toThrow(/cannot draw the SVG as PNG/);
    const error = (() => {
      try {
        new SvgImages("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><unclosed></svg>").bundle("broken");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PngError);
    expect((error as PngError).kind).toBe("invalid-svg");
  });

  it("makes the PNG once per drawing, on first use", () => {
    const images = new SvgImages(page(`<circle cx="30" cy="30" r="20" fill="#4c78a8"/>`));
    const first = images.png;
    expect(images.png).toBe(first);
    expect(first).toMatchObject({ width: 240, height: 60 });
  });

  it("bundles the SVG, the PNG, and the PNG as an <img> in markdown, with its size and an escaped alt text", () => {
    const images = new SvgImages(page(`<circle cx="30" cy="30" r="20" fill="#4c78a8"/>`));
    const bundle = images.bundle(`a "circle" <b>`);
    expect(Object.keys(bundle).sort()).toEqual(["image/png", "image/svg+xml", "text/markdown"]);
    expect(bundle["image/svg+xml"]).toContain("<circle");
    expect(pngSize(bundle["image/png"])).toEqual({ width: 240, height: 60 });
    expect(bundle["text/markdown"]).toBe(
      `<img src="data:image/png;base64,${bundle["image/png"]}" width="240" height="60" alt="a &quot;circle&quot; &lt;b&gt;">`,
    );
  });
});
