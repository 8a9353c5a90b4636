/**
 * table(): the HTML and text forms of query results and other row sets.
 */
import { describe, expect, it } from "vitest";
import { MIME_BUNDLE, toBundle } from "../src/display/bundle.js";
import { table } from "../src/display/table.js";

describe("table", () => {
  it("draws object rows as an aligned text table, numbers right-aligned (psql layout)", () => {
    const t = table([
      { id: 1, name: "alice", balance: 10.5 },
      { id: 22, name: "bob", balance: 3 },
    ]);
    expect(t.text).toBe(
      [
        " id | name  | balance",
        "----+-------+---------",
        "  1 | alice |    10.5",
        " 22 | bob   |       3",
        "(2 rows)",
      ].join("\n"),
    );
  });

  it("bundles exactly text/html and text/plain", () => {
    const bundle = table([{ a: 1 }])[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual(["text/html", "text/plain"]);
    expect(toBundle(table([{ a: 1 }]))["text/plain"]).toContain("(1 row)");
  });

  it("takes the union of keys in first-seen order as columns; a missing key is an empty cell", () => {
    const t = table([{ a: 1 }, { b: "x", a: 2 }, { c: true }]);
    expect(t.columns).toEqual(["a", "b", "c"]);
    expect(t.rows).toHaveLength(3);
    expect(t.text.split("\n")[2]).toBe(" 1 |   |");
  });

  it("names array rows' columns from options.columns", () => {
    const t = table(
      [
        [1, "one"],
        [2, "two"],
      ],
      { columns: ["n", "word"] },
    );
    expect(t.columns).toEqual(["n", "word"]);
    expect(t.text.split("\n")[0]).toBe(" n | word");
    expect(t.text).toContain(" 2 | two");
  });

  it("escapes HTML in cells, column names and the title", () => {
    const html = table([{ "<b>col</b>": `<script>alert("x")</script> & 'quotes'` }], { title: "a < b" }).html;
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>col</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;");
    expect(html).toContain("&lt;b&gt;col&lt;/b&gt;");
    expect(html).toContain("a &lt; b");
  });

  it("right-aligns numeric cells in HTML", () => {
    const html = table([{ n: 5, s: "x" }]).html;
    expect(html).toContain(`<td style="text-align:right">5</td>`);
    expect(html).toContain(`<td style="text-align:left">x</td>`);
  });

  it("draws only the first 20 rows of a large result and says how many it left out", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ i }));
    const t = table(rows);
    expect(t.text).toContain("… 980 more rows (1000 in all)");
    expect(t.text.split("\n")).toHaveLength(2 + 20 + 1);
    expect(t.html.match(/<tr>/g)).toHaveLength(1 + 20);
    expect(t.html).toContain("… 980 more rows (1000 in all)");
    expect(t.rows).toHaveLength(1000);
  });

  it("takes the row limit as an option", () => {
    const rows = Array.from({ length: 8 }, (_, i) => [i]);
    expect(table(rows, { columns: ["i"], limit: 5 }).text).toContain("… 3 more rows (8 in all)");
    expect(table(rows, { columns: ["i"], limit: 7 }).text).toContain("… 1 more row (8 in all)");
    expect(table(rows, { columns: ["i"], limit: Infinity }).text).toContain("(8 rows)");
  });

  it('shows "(no rows)" for empty input, with the header when the columns are known', () => {
    expect(table([]).text).toBe("(no rows)");
    expect(table([]).html).toContain("(no rows)");
    expect(table([], { columns: ["a", "b"] }).text).toBe([" a | b", "---+---", "(no rows)"].join("\n"));
  });

  it("formats null, undefined, bigint, Date, bytes and nested objects", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => i);
    const t = table([
      {
        nul: null,
        undef: undefined,
        big: 12345678901234567890n,
        date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        short: Uint8Array.of(0xde, 0xad),
        long: bytes,
        nested: { a: [1, 2n], b: { c: "d" } },
      },
    ]);
    const [header, , row] = t.text.split("\n");
    expect(header).toContain("big");
    expect(row).toContain("NULL");
    expect(row).toContain("12345678901234567890");
    expect(row).toContain("2024-01-02T03:04:05.000Z");
    expect(row).toContain("\\xdead");
    expect(row).toContain("\\x000102030405060708090a0b0c0d0e0f… (40 bytes)");
    expect(row).toContain(`{"a":[1,"2"],"b":{"c":"d"}}`);
    expect(t.html).toContain(">NULL</span>");
  });

  it("right-aligns a bigint column like numbers", () => {
    expect(table([{ n: 1n }, { n: 100n }]).text.split("\n").slice(2, 4)).toEqual(["   1", " 100"]);
  });

  it("keeps every row on one line and cuts long cells", () => {
    const t = table([{ s: "line one\nline two", long: "x".repeat(500) }], { maxWidth: 20 });
    const row = t.text.split("\n")[2] ?? "";
    expect(row).toContain("line one↵line two");
    expect(row).toContain("x".repeat(19) + "…");
    expect(row).not.toContain("x".repeat(21));
  });

  it("survives circular objects", () => {
    const loop: Record<string, unknown> = { name: "loop" };
    loop["self"] = loop;
    expect(table([{ loop }]).text).toContain("Circular");
  });

  it("rejects a negative limit", () => {
    expect(() => table([{ a: 1 }], { limit: -1 })).toThrow(/limit/);
  });
});
