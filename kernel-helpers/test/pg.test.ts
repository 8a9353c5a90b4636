/**
 * pg(): the shared PostgreSQL. One instance per backend for the whole file, as in a
 * notebook: the embedded one takes a few seconds to start, queries then take milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIME_BUNDLE } from "../src/display/bundle.js";
import { type Pg, PG_EXTENSIONS, PgError, pg, pgVersion } from "../src/pg/pg.js";

// One test body for every backend (as Kysely runs one body per dialect): always the
// embedded database, and also the server when DATABASE_URL names one.
// CI points WORKBOOK_TEST_DATABASE_URL at a real server for this file only, so notebooks keep
// the embedded PostgreSQL 18 they are written for.
const serverUrl = process.env["WORKBOOK_TEST_DATABASE_URL"] ?? process.env["DATABASE_URL"];
const backends: { kind: "embedded" | "server"; url: string | undefined }[] = [
  { kind: "embedded", url: undefined },
  ...(serverUrl ? [{ kind: "server" as const, url: serverUrl }] : []),
];

describe.each(backends)("pg ($kind)", ({ kind, url }) => {
  let db: Pg;

  beforeAll(async () => {
    if (url === undefined) delete process.env["DATABASE_URL"];
    else process.env["DATABASE_URL"] = url;
    db = pg();
    await db.query("SELECT 1");
  });

  afterAll(async () => {
    await db?.close();
    if (serverUrl === undefined) delete process.env["DATABASE_URL"];
    else process.env["DATABASE_URL"] = serverUrl;
  });

  it("is one shared PostgreSQL of the expected kind", async () => {
    expect(pg()).toBe(db);
    expect(db.kind).toBe(kind);
    expect(await pgVersion()).toMatch(/^PostgreSQL \d+/);
  });

  it("answers SELECT 1 with rows, fields and a row count", async () => {
    const result = await db.query("SELECT 1 AS one, 'x' AS letter");
    expect(result.rows).toEqual([{ one: 1, letter: "x" }]);
    expect(result.fields).toEqual([
      { name: "one", dataTypeID: 23 },
      { name: "letter", dataTypeID: 25 },
    ]);
    expect(result.rowCount).toBe(1);
    expect(result.command).toBe("SELECT");
  });

  it("displays a result as a table, header included even with no rows", async () => {
    const result = await db.query("SELECT g AS n, g * g AS square FROM generate_series(1, 3) g");
    const bundle = result[MIME_BUNDLE]();
    expect(Object.keys(bundle).sort()).toEqual(["text/html", "text/plain"]);
    expect(bundle["text/plain"]).toBe(
      [" n | square", "---+--------", " 1 |      1", " 2 |      4", " 3 |      9", "(3 rows)"].join("\n"),
    );
    const empty = await db.query("SELECT 1 AS n WHERE false");
    expect(empty[MIME_BUNDLE]()["text/plain"]).toBe([" n", "---", "(no rows)"].join("\n"));
  });

  it("binds parameters", async () => {
    const result = await db.query<{ answer: number }>("SELECT $1::int + 1 AS answer", [41]);
    expect(result.rows[0]?.answer).toBe(42);
  });

  it("returns int8 as a number when exact and as a bigint otherwise", async () => {
    const result = await db.query("SELECT 5::int8 AS small, 9007199254740993::int8 AS big");
    expect(result.rows[0]).toEqual({ small: 5, big: 9007199254740993n });
  });

  it("runs a multi-statement script with exec(), one result per statement", async () => {
    const results = await db.exec(`
      CREATE TEMP TABLE script_t (id int PRIMARY KEY, name text);
      INSERT INTO script_t VALUES (1, 'a'), (2, 'b'), (3, NULL);
      SELECT * FROM script_t ORDER BY id;
    `);
    expect(results.map((r) => r.command)).toEqual(["CREATE", "INSERT", "SELECT"]);
    expect(results[1]?.rowCount).toBe(3);
    expect(results[1]?.[MIME_BUNDLE]()["text/plain"]).toBe("INSERT 0 3");
    expect(results[2]?.rows).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
      { id: 3, name: null },
    ]);
  });

  it("reads a heap page header with pageinspect", async () => {
    await db.use("pageinspect");
    await db.exec(`
      CREATE TEMP TABLE pages_t (id int, payload text);
      INSERT INTO pages_t SELECT g, repeat('x', 20) FROM generate_series(1, 5) g;
    `);
    const header = await db.query<{ lower: number; upper: number; pagesize: number }>(
      "SELECT lower, upper, pagesize FROM page_header(get_raw_page('pages_t', 0))",
    );
    const page = header.rows[0];
    expect(page?.pagesize).toBe(8192);
    // Five line pointers of 4 bytes after the 24-byte header; tuples grow down from the end.
    expect(page?.lower).toBe(24 + 5 * 4);
    expect(page?.upper).toBeLessThan(8192);
    expect(page?.upper).toBeGreaterThan(page?.lower ?? 0);
    const items = await db.query("SELECT lp FROM heap_page_items(get_raw_page('pages_t', 0))");
    expect(items.rowCount).toBe(5);
  });

  it("reports an SQL error with PostgreSQL's message, SQLSTATE and position", async () => {
    const sql = "SELECT * FROM nope";
    const error = await db.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgError);
    const e = error as PgError;
    expect(e.code).toBe("42P01");
    expect(e.position).toBe(15);
    expect(e.messagePrimary).toBe('relation "nope" does not exist');
    expect(e.sql).toBe(sql);
    expect(e.message).toBe(['relation "nope" does not exist', "LINE 1: SELECT * FROM nope", "                      ^"].join("\n"));
  });

  it("points at the right line of a multi-line statement", async () => {
    const error = await db.query("SELECT 1\nFROM generate_series(1, 2) g\nWHERE g = 'x'::int").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgError);
    const e = error as PgError;
    expect(e.code).toBe("22P02");
    expect(e.message.split("\n")[1]).toBe("LINE 3: WHERE g = 'x'::int");
    expect(e.message.split("\n")[2]).toBe(" ".repeat("LINE 3: WHERE g = ".length) + "^");
  });

  it("reports errors in a script with the position in the whole script", async () => {
    const error = await db.exec("SELECT 1;\nSELECT * FROM nope2").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "42P01", position: 25 });
    expect((error as Error).message.split("\n")[1]).toBe("LINE 2: SELECT * FROM nope2");
  });

  it("keeps working after an error", async () => {
    await expect(db.query("SELEC 1")).rejects.toMatchObject({ code: "42601", position: 1 });
    expect((await db.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  });

  it.runIf(kind === "embedded")("is PostgreSQL 18", async () => {
    expect(await db.version()).toMatch(/^PostgreSQL 18\./);
  });

  it.runIf(kind === "embedded")("creates every registered inspection extension on demand", async () => {
    for (const name of PG_EXTENSIONS) await db.use(name);
    const installed = await db.query<{ extname: string }>("SELECT extname FROM pg_extension");
    const names = installed.rows.map((r) => r.extname);
    for (const name of PG_EXTENSIONS) expect(names).toContain(name);
  });

  it.runIf(kind === "embedded")("rejects an unknown extension, listing the available ones", async () => {
    await expect(db.use("pgcrypto" as never)).rejects.toThrow(
      'pg().use(): unknown extension "pgcrypto"; available: pageinspect, pg_buffercache, pg_freespacemap, pg_visibility, pg_walinspect, amcheck, pg_stat_statements',
    );
  });

  // Last: it closes the shared instance.
  it("closes, after which pg() hands out a new instance", async () => {
    await db.close();
    await expect(db.query("SELECT 1")).rejects.toThrow(/closed; call pg\(\) again/);
    const next = pg();
    expect(next).not.toBe(db);
    await next.close();
  });
});
