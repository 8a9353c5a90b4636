/**
 * chart(): one bundle with a Vega-Lite spec, an SVG and a PNG drawn in Node, and a text summary.
 */
import { describe, expect, it } from "vitest";
import { MIME_BUNDLE } from "../src/display/bundle.js";
import { chart, ChartError, type ChartSpec, VEGA_LITE_MIME, VEGA_LITE_SCHEMA } from "../src/display/chart.js";
import { pngSize, svgSize } from "./png-check.js";

const bars: ChartSpec = {
  title: "Pages read per query",
  data: {
    values: [
      { query: "point lookup", pages: 3 },
      { query: "range scan", pages: 41 },
      { query: "full scan", pages: 1200n },
    ],
  },
  mark: "bar",
  encoding: {
    x: { field: "query", type: "nominal", title: "query" },
    y: { field: "pages", type: "quantitative", title: "pages read" },
  },
};

describe("chart", () => {
  it("bundles exactly the Vega-Lite spec, an SVG, a PNG (also as markdown) and a text summary (never text/html)", async () => {
    const c = await chart(bars);
    const bundle = c[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual([VEGA_LITE_MIME, "image/png", "image/svg+xml", "text/markdown", "text/plain"].sort());
    expect(bundle).not.toHaveProperty("text/html");
    expect(VEGA_LITE_MIME).toBe("application/vnd.vegalite.v5+json");
  });

  it("draws an SVG in Node that contains the title", async () => {
    const c = await chart(bars);
    expect(c.svg.startsWith("<svg")).toBe(true);
    expect(c.svg).toContain("Pages read per query");
    expect(c.svg).toContain("pages read");
    expect(c[MIME_BUNDLE]()["image/svg+xml"]).toBe(c.svg);
  });

  it("draws the same chart as a base64 PNG of the SVG's size, for viewers that drop SVG", async () => {
    const c = await chart(bars);
    const bundle = c[MIME_BUNDLE]();
    expect(bundle["image/png"]).toBe(c.png?.base64);
    expect(pngSize(c.png?.base64)).toEqual(svgSize(c.svg));
    expect(svgSize(c.svg).width).toBeGreaterThan(400);
    expect(bundle["text/markdown"]).toContain(`src="data:image/png;base64,${c.png?.base64}"`);
    expect(bundle["text/markdown"]).toContain(`alt="chart &quot;Pages read per query&quot;: bar, 3 data points"`);
  });

  it("sends the spec with the v5 schema, the default look, and JSON-clean data", async () => {
    const c = await chart({ ...bars, $schema: "https://vega.github.io/schema/vega-lite/v6.json" });
    expect(c.spec["$schema"]).toBe(VEGA_LITE_SCHEMA);
    expect(c.spec["$schema"]).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    const config = c.spec["config"] as { view: { continuousWidth: number }; title: { fontSize: number } };
    expect(config.view.continuousWidth).toBe(480);
    expect(config.title.fontSize).toBeGreaterThanOrEqual(14);
    // bigint became a number, so the bundle can travel as JSON.
    expect(JSON.stringify(c.spec)).toContain(`"pages":1200`);
    expect(c[MIME_BUNDLE]()[VEGA_LITE_MIME]).toBe(c.spec);
  });

  it("lets the spec's own config win over the default look", async () => {
    const c = await chart({ ...bars, config: { view: { continuousWidth: 200 }, axis: { labelFontSize: 9 } } });
    const config = c.spec["config"] as { view: Record<string, unknown>; axis: Record<string, unknown> };
    expect(config.view["continuousWidth"]).toBe(200);
    expect(config.view["continuousHeight"]).toBe(280);
    expect(config.axis["labelFontSize"]).toBe(9);
    expect(config.axis["titleFontSize"]).toBe(13);
  });

  it("summarises title, mark and number of data points in one line", async () => {
    const c = await chart(bars);
    expect(c.summary).toBe(`chart "Pages read per query": bar, 3 data points`);
    expect(c[MIME_BUNDLE]()["text/plain"]).toBe(c.summary);
    expect(String(c)).toBe(c.summary);
  });

  it("summarises a layered chart with every mark", async () => {
    const c = await chart({
      data: { values: [{ x: 1, y: 2 }] },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      layer: [{ mark: "line" }, { mark: { type: "point" } }],
    });
    expect(c.summary).toBe("chart: line + point, 1 data point");
  });

  it("rejects a spec with no mark or composition, saying what is missing", async () => {
    const error = await chart({ data: { values: [] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChartError);
    expect((error as Error).message).toMatch(/invalid Vega-Lite spec.*"mark"/);
  });

  it("rejects an unknown mark, listing the valid ones", async () => {
    await expect(chart({ ...bars, mark: "bars" })).rejects.toThrow(/mark is "bars"; expected one of .*bar/);
  });

  it("rejects an unknown field type", async () => {
    await expect(
      chart({ ...bars, encoding: { x: { field: "query", type: "categorical" } } }),
    ).rejects.toThrow(/encoding\.x\.type is "categorical"; expected one of quantitative/);
  });

  it("names a field that is not in the data instead of drawing an empty chart", async () => {
    await expect(
      chart({ ...bars, encoding: { x: { field: "qurey", type: "nominal" }, y: { field: "pages", type: "quantitative" } } }),
    ).rejects.toThrow(/encoding\.x\.field is "qurey", which is not a field of the data \(fields: "query", "pages"\)/);
  });

  it("reports data that cannot be loaded as an error", async () => {
    await expect(
      chart({ data: { url: "/nonexistent/data.json" }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } }),
    ).rejects.toThrow(/could not draw the chart: Loading failed/);
  });

  it("rejects something that is not a spec object", async () => {
    await expect(chart(null as unknown as ChartSpec)).rejects.toThrow(/expected a Vega-Lite spec object, got null/);
  });
});
