/**
 * What notebooks 00 and 02 say agrees with what they compute and with the API: figures in
 * prose come from the run, one bit order for the null bitmap, a takeaway under every chart,
 * PostgreSQL 18's default data checksums, and the `hint()` the prose promises is imported.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SlottedPage } from "@workbook/engine";
import { CHECKOUT } from "../src/kernel/kernelspec.js";

interface Cell {
  readonly id: string;
  readonly cell_type: "code" | "markdown" | "raw";
  readonly source: string | readonly string[];
}

function cells(name: string): { id: string; kind: Cell["cell_type"]; text: string }[] {
  const nb = JSON.parse(readFileSync(path.join(CHECKOUT, "notebooks", name), "utf8")) as { cells: Cell[] };
  return nb.cells.map((c) => ({ id: c.id, kind: c.cell_type, text: typeof c.source === "string" ? c.source : c.source.join("") }));
}

const welcome = cells("00-welcome.ipynb");
const pages = cells("02-pages-and-files.ipynb");
const code = (nb: typeof welcome) => nb.filter((c) => c.kind === "code");

describe("notebook 02", () => {
  it("prints the bytes left on a full page and freeSpace() from the run (76 and 72 for 100-byte tuples), never typed in", () => {
    const page = SlottedPage.init(new Uint8Array(8192));
    while (page.insert(new Uint8Array(100)) !== undefined);
    expect([page.upper - page.lower, page.freeSpace()]).toEqual([76, 72]);
    const filling = code(pages).find((c) => c.text.includes("new Uint8Array(size)"));
    expect(filling, "the cell that fills a page").toBeDefined();
    expect(filling!.text).toMatch(/page\.upper - page\.lower/);
    expect(filling!.text).toMatch(/page\.freeSpace\(\)/);
    expect(filling!.text).not.toMatch(/\b7[26] bytes\b/);
  });

  it("prints the null bitmap in one order, bit 0 first, through one helper", () => {
    for (const c of code(pages)) expect(c.text, `cell ${c.id} prints a byte high bit first`).not.toMatch(/toString\(2\)/);
    const printers = code(pages).filter((c) => /bitmap/i.test(c.text) && /\bbits\w*\(/.test(c.text));
    expect(printers.length).toBeGreaterThanOrEqual(2);
    expect(pages.some((c) => c.kind === "markdown" && /bit 0\s+first/.test(c.text))).toBe(true);
  });
});

describe("notebook 00", () => {
  it("follows every chart with a takeaway", () => {
    welcome.forEach((c, i) => {
      if (c.kind !== "code" || !/\bchart\(/.test(c.text)) return;
      const near = [c.text, welcome[i + 1]?.text ?? ""].join("\n");
      expect(near, `the chart in cell ${c.id}`).toMatch(/Takeaway/);
    });
  });

  it("says that PostgreSQL 18's initdb turns data checksums on by default, and shows this server's setting", () => {
    expect(welcome.some((c) => /PostgreSQL 18, `initdb` turns data checksums on by default/.test(c.text))).toBe(true);
    expect(code(welcome).some((c) => c.text.includes("current_setting('data_checksums')"))).toBe(true);
  });

  it("promises hints one at a time with the hint() it imports from @workbook/helpers", () => {
    expect(welcome.some((c) => c.kind === "markdown" && c.text.includes('`hint("00.1")`'))).toBe(true);
    const imports = code(welcome).map((c) => /import \{([^}]*)\} from "@workbook\/helpers"/.exec(c.text)?.[1] ?? "").join(",");
    expect(imports.split(",").map((s) => s.trim())).toContain("hint");
  });
});
