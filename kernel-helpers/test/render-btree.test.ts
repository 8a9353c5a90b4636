/** Drawing the engine's B+tree: every key on its page, sibling links, and a summary for large trees. */
import { describe, expect, it } from "vitest";
import { BPlusTree, BufferPoolManager, ClockReplacer, MemoryDiskManager, decodeKey, rid } from "@workbook/engine";
import { MIME_BUNDLE } from "../src/display/bundle.js";
import { renderBTree } from "../src/render/btree.js";
import { pngSize, svgSize } from "./png-check.js";

function tree(keys: number, pageSize = 256): BPlusTree {
  const pool = new BufferPoolManager({ frames: 16, disk: new MemoryDiskManager({ pageSize }), replacer: new ClockReplacer(16) });
  const t = BPlusTree.create(pool, { unique: true });
  for (let k = 1; k <= keys; k++) t.insert(k * 5, rid(k, 0));
  return t;
}

const asInt = (bytes: Uint8Array) => String(decodeKey(bytes, "int"));

describe("renderBTree", () => {
  it("draws every key of a small tree, one box per page, as SVG, PNG and text", () => {
    const t = tree(40);
    const drawing = renderBTree(t.snapshot(asInt), { title: "40 keys" });
    const bundle = drawing[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual(["image/png", "image/svg+xml", "text/markdown", "text/plain"]);
    expect(bundle["image/png"]).toBe(drawing.png?.base64);
    expect(pngSize(drawing.png?.base64)).toEqual(svgSize(drawing.svg));
    expect(bundle["text/markdown"]).toContain(`alt="40 keys"`);
    expect(drawing.svg.startsWith("<svg")).toBe(true);
    for (let k = 1; k <= 40; k++) expect(drawing.svg, `key ${k * 5}`).toContain(`>${k * 5}<`);
    expect(drawing.svg).toContain("40 keys");
    expect(drawing.text).toContain(`height ${t.height}`);
  });

  it("draws a summary instead of every page for a large tree", () => {
    const t = tree(3000);
    const drawing = renderBTree(t.snapshot(asInt), { maxPages: 20 });
    expect(drawing.svg).not.toContain(">2500<");
    expect(drawing.text).toContain(`height ${t.height}`);
    expect(pngSize(drawing[MIME_BUNDLE]()["image/png"] as string)).toEqual(svgSize(drawing.svg));
  });
});
