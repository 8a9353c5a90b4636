/**
 * Charts and drawings survive the static HTML export: a notebook holding the bundles that
 * chart() and renderBTree() send is exported by `jupyter nbconvert --to html` and opened in
 * headless Chromium, and every chart and drawing must show there as a picture: an <img>
 * that decoded, at the drawing's size, laid out on the page, with ink in it.
 *
 * The probe is a script appended to the exported page; it writes what it measured into
 * the page, and `chromium --dump-dom` prints the page after it ran.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BPlusTree, BufferPoolManager, ClockReplacer, MemoryDiskManager, decodeKey, rid } from "@workbook/engine";
import { MIME_BUNDLE, type MimeBundle } from "../src/display/bundle.js";
import { chart } from "../src/display/chart.js";
import { renderBTree } from "../src/render/btree.js";
import { svgSize } from "./png-check.js";

const JUPYTER = ["/usr/bin/jupyter", "jupyter"].find((j) => spawnSync(j, ["nbconvert", "--version"]).status === 0);
const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find((c) => spawnSync(c, ["--version"]).status === 0);

interface Probe {
  readonly alt: string;
  readonly complete: boolean;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
  readonly shownWidth: number;
  readonly shownHeight: number;
  /** Share of the image's pixels that are not (nearly) white. */
  readonly ink: number;
}

const PROBE = `<script>
window.addEventListener("load", () => {
  const found = [...document.querySelectorAll(".jp-OutputArea-output img")].map((img) => {
    const box = img.getBoundingClientRect();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    let ink = 0;
    if (img.naturalWidth > 0) {
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] + px[i + 1] + px[i + 2] < 600) dark++;
      ink = dark / (px.length / 4);
    }
    return { alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
             shownWidth: box.width, shownHeight: box.height, ink };
  });
  const out = document.createElement("pre");
  out.id = "workbook-probe";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>`;

function notebookWith(bundles: readonly MimeBundle[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "workbook", display_name: "Database Workbook (TypeScript)", language: "typescript" } },
    cells: bundles.map((data, i) => ({
      cell_type: "code",
      id: `cell-${i}`,
      metadata: {},
      execution_count: i + 1,
      source: `display(drawing${i})`,
      outputs: [{ output_type: "display_data", metadata: {}, data }],
    })),
  });
}

async function drawings(): Promise<{ bundles: MimeBundle[]; svgs: string[] }> {
  const bars = await chart({
    title: "Pages read per query",
    data: { values: [{ query: "point lookup", pages: 3 }, { query: "range scan", pages: 41 }, { query: "full scan", pages: 120 }] },
    mark: "bar",
    encoding: { x: { field: "query", type: "nominal" }, y: { field: "pages", type: "quantitative", title: "pages read" } },
  });
  const pool = new BufferPoolManager({ frames: 16, disk: new MemoryDiskManager({ pageSize: 256 }), replacer: new ClockReplacer(16) });
  const tree = BPlusTree.create(pool, { unique: true });
  for (let k = 1; k <= 30; k++) tree.insert(k * 5, rid(k, 0));
  const small = renderBTree(tree.snapshot((b) => String(decodeKey(b, "int"))), { title: "30 keys" });
  const summary = renderBTree(tree.stats());
  const shown = [bars, small, summary];
  return { bundles: shown.map((d) => d[MIME_BUNDLE]()), svgs: shown.map((d) => d.svg) };
}

describe("the static HTML export", () => {
  it.runIf((JUPYTER !== undefined && CHROMIUM !== undefined) || process.env["CI"])(
    "shows every chart and B+tree drawing as a decoded, laid-out, non-blank image in Chromium",
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "html-export-"));
      const { bundles, svgs } = await drawings();
      writeFileSync(path.join(dir, "drawings.ipynb"), notebookWith(bundles));
      const convert = spawnSync(JUPYTER ?? "jupyter", ["nbconvert", "--to", "html", "--output-dir", dir, path.join(dir, "drawings.ipynb")], {
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(convert.status, convert.stderr).toBe(0);
      const html = path.join(dir, "drawings.html");
      writeFileSync(html, readFileSync(html, "utf8").replace("</body>", `${PROBE}</body>`));

      const browser = spawnSync(
        CHROMIUM ?? "chromium",
        ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${path.join(dir, "profile")}`, "--virtual-time-budget=10000", "--dump-dom", pathToFileURL(html).href],
        { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      );
      expect(browser.status, browser.stderr).toBe(0);
      const json = /<pre id="workbook-probe">([^<]*)<\/pre>/.exec(browser.stdout)?.[1];
      expect(json, "the probe ran in Chromium").toBeDefined();
      const images = JSON.parse(json!.replaceAll("&quot;", '"').replaceAll("&amp;", "&")) as Probe[];

      expect(images.map((i) => i.alt)).toEqual([
        `chart "Pages read per query": bar, 3 data points`,
        "30 keys",
        expect.stringMatching(/^B\+tree summary/),
      ]);
      images.forEach((image, i) => {
        const size = svgSize(svgs[i]!);
        expect(image, image.alt).toMatchObject({ complete: true, naturalWidth: size.width, naturalHeight: size.height });
        expect(image.shownWidth, image.alt).toBeGreaterThan(0);
        expect(image.shownHeight, image.alt).toBeGreaterThan(0);
        expect(image.ink, `${image.alt}: share of non-white pixels`).toBeGreaterThan(0.01);
      });
    },
    300_000,
  );
});
