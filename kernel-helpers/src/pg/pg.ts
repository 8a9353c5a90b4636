/**
 * PostgreSQL next to the engine
 * =============================
 * Every notebook compares what the learner built with what PostgreSQL does. `pg()` gives
 * one shared PostgreSQL per kernel:
 *
 *   DATABASE_URL unset ─▶ embedded: PGlite (PostgreSQL 18 compiled to WebAssembly, in
 *                         this process, in memory), created on the first query (~4 s)
 *   DATABASE_URL set   ─▶ server: one node-postgres connection to that server
 *
 * Both answer the same API: `query(sql, params)` (one statement, extended protocol),
 * `exec(script)` (several statements, simple protocol), `use(extension)`, `close()`.
 * Results display as tables. Values come back alike from both: int8 as a number when it
 * is exact and as a bigint otherwise (PGlite's rule; node-postgres is told the same),
 * numeric as a string, bytea as bytes, timestamps as Dates.
 *
 * The embedded database registers the inspection extensions the notebooks use
 * (pageinspect, pg_buffercache, pg_freespacemap, pg_visibility, pg_walinspect, amcheck,
 * pg_stat_statements, bloom); `use(name)` runs CREATE EXTENSION IF NOT EXISTS on demand.
 *
 * SQL errors come back as `PgError`, carrying PostgreSQL's own fields (SQLSTATE `code`,
 * `position`, `detail`, `hint`) and a message laid out as psql shows it:
 *
 *   relation "nope" does not exist
 *   LINE 1: select * from nope
 *                         ^
 *
 * Simpler than a real deployment: the embedded database is single-session (PGlite runs
 * one backend), so a cell that needs concurrent sessions (locks, MVCC anomalies) needs a
 * server. The shared connection is one session: `SET`, temporary tables and an open
 * transaction carry from cell to cell.
 */
import { type Displayable, MIME_BUNDLE, type MimeBundle } from "../display/bundle.js";
import { Table, type TableOptions, table } from "../display/table.js";

/** The extensions `use()` can create in the embedded database. */
export const PG_EXTENSIONS = [
  "pageinspect",
  "pg_buffercache",
  "pg_freespacemap",
  "pg_visibility",
  "pg_walinspect",
  "amcheck",
  "pg_stat_statements",
  "bloom",
] as const;

export type PgExtension = (typeof PG_EXTENSIONS)[number];

export interface PgField {
  readonly name: string;
  /** The column type's OID (23 = int4, 25 = text, …; see pg_type). */
  readonly dataTypeID: number;
}

export interface Pg {
  /** Which PostgreSQL answers: the embedded PGlite, or the server at DATABASE_URL. */
  readonly kind: "embedded" | "server";
  /** Run one statement, with `$1`, `$2`, … bound to `params`. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Run a script of several statements (no parameters); one result per statement. */
  exec(sql: string): Promise<QueryResult[]>;
  /** CREATE EXTENSION IF NOT EXISTS `extension`. */
  use(extension: PgExtension): Promise<void>;
  /** The server's `version()` string. */
  version(): Promise<string>;
  /** Shut the database (or connection) down; the next `pg()` starts a fresh one. */
  close(): Promise<void>;
}

/** The rows of one statement; displays as a table (or as the command tag, e.g. `INSERT 0 3`). */
export class QueryResult<R extends object = Record<string, unknown>> implements Displayable {
  readonly rows: readonly R[];
  readonly fields: readonly PgField[];
  /** Rows returned (SELECT) or changed (INSERT, UPDATE, DELETE). */
  readonly rowCount: number;
  /** The command tag's verb: "SELECT", "INSERT", "CREATE", … */
  readonly command: string | undefined;

  constructor(rows: readonly R[], fields: readonly PgField[], rowCount: number, command: string | undefined) {
    this.rows = rows;
    this.fields = fields;
    this.rowCount = rowCount;
    this.command = command;
  }

  /** The rows as a table, e.g. `result.table({ limit: 100 })` to see more of them. */
  table(options: TableOptions = {}): Table<R> {
    return table(this.rows, { columns: [...new Set(this.fields.map((f) => f.name))], ...options });
  }

  [MIME_BUNDLE](): MimeBundle {
    if (this.fields.length > 0) return this.table()[MIME_BUNDLE]();
    return { "text/plain": this.tag };
  }

  /** psql's command tag: `INSERT 0 3`, `UPDATE 2`, `CREATE`. */
  get tag(): string {
    const command = this.command ?? "OK";
    if (command === "INSERT") return `INSERT 0 ${this.rowCount}`;
    if (["SELECT", "UPDATE", "DELETE", "MERGE", "COPY", "FETCH", "MOVE"].includes(command)) return `${command} ${this.rowCount}`;
    return command;
  }
}

/** An error reported by PostgreSQL, with its diagnostic fields. */
export class PgError extends Error {
  override readonly name = "PgError";
  /** SQLSTATE, e.g. "42P01" (undefined_table). */
  readonly code: string;
  /** PostgreSQL's primary message alone, without the LINE/DETAIL/HINT lines. */
  readonly messagePrimary: string;
  readonly severity: string | undefined;
  /** 1-based character offset into `sql` where PostgreSQL found the error. */
  readonly position: number | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly where: string | undefined;
  /** The statement (or script) that failed. */
  readonly sql: string;

  constructor(fields: PgErrorFields, sql: string, options?: { cause?: unknown }) {
    const position = fields.position === undefined ? undefined : Number(fields.position);
    super(layout(fields, sql, position), options);
    this.code = fields.code;
    this.messagePrimary = fields.message;
    this.severity = fields.severity;
    this.position = position !== undefined && Number.isFinite(position) ? position : undefined;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.where = fields.where;
    this.sql = sql;
  }
}

interface PgErrorFields {
  readonly message: string;
  readonly code: string;
  readonly severity?: string | undefined;
  readonly position?: string | undefined;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  readonly where?: string | undefined;
}

let shared: SharedPg | undefined;

/** The shared PostgreSQL of this kernel (embedded, or DATABASE_URL's server). */
export function pg(): Pg {
  shared ??= new SharedPg(process.env["DATABASE_URL"]);
  return shared;
}

/** `version()` of the shared PostgreSQL, e.g. "PostgreSQL 18.6 on …". */
export function pgVersion(): Promise<string> {
  return pg().version();
}

// ---------------------------------------------------------------------------------------
// The shared handle and its two backends

/** What both backends return for one statement. */
interface RawResult {
  readonly rows: Record<string, unknown>[];
  readonly fields: readonly PgField[];
  readonly rowCount?: number | null | undefined;
  readonly affectedRows?: number | undefined;
  readonly command?: string | undefined;
}

interface Backend {
  query(sql: string, params: readonly unknown[]): Promise<RawResult>;
  exec(sql: string): Promise<RawResult[]>;
  close(): Promise<void>;
}

class SharedPg implements Pg {
  readonly kind: "embedded" | "server";
  readonly #url: string | undefined;
  #backend: Promise<Backend> | undefined;
  #closed = false;

  constructor(url: string | undefined) {
    this.#url = url === "" ? undefined : url;
    this.kind = this.#url === undefined ? "embedded" : "server";
  }

  async query<R extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const backend = await this.#open();
    const raw = await run(sql, () => backend.query(sql, params));
    return toResult<R>(raw);
  }

  async exec(sql: string): Promise<QueryResult[]> {
    const backend = await this.#open();
    const raws = await run(sql, () => backend.exec(sql));
    return raws.map((raw) => toResult(raw));
  }

  async use(extension: PgExtension): Promise<void> {
    if (this.kind === "embedded" && !(PG_EXTENSIONS as readonly string[]).includes(extension)) {
      throw new Error(`pg().use(): unknown extension "${String(extension)}"; available: ${PG_EXTENSIONS.join(", ")}`);
    }
    if (!/^[a-z_][a-z0-9_]*$/.test(extension)) throw new Error(`pg().use(): "${extension}" is not an extension name`);
    await this.exec(`CREATE EXTENSION IF NOT EXISTS ${extension}`);
  }

  async version(): Promise<string> {
    const result = await this.query<{ version: string }>("SELECT version()");
    return result.rows[0]?.version ?? "";
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (shared === this) shared = undefined;
    const backend = this.#backend;
    this.#backend = undefined;
    if (backend) await (await backend).close();
  }

  #open(): Promise<Backend> {
    if (this.#closed) return Promise.reject(new Error("pg(): this connection was closed; call pg() again for a new one"));
    if (!this.#backend) {
      const opening = this.#url === undefined ? openEmbedded() : openServer(this.#url);
      // A failed start is not cached: the next query tries again.
      opening.catch(() => {
        if (this.#backend === opening) this.#backend = undefined;
      });
      this.#backend = opening;
    }
    return this.#backend;
  }
}

type PgliteModule = typeof import("@electric-sql/pglite");
type PgliteExtension = import("@electric-sql/pglite").Extension;

async function openEmbedded(): Promise<Backend> {
  // Loaded on first use, so importing the helpers stays fast.
  const { PGlite } = require("@electric-sql/pglite") as PgliteModule;
  const extensions: Record<string, PgliteExtension> = {};
  for (const name of PG_EXTENSIONS) {
    const contrib = require(`@electric-sql/pglite/contrib/${name}`) as Record<string, PgliteExtension | undefined>;
    const extension = contrib[name];
    if (!extension) throw new Error(`pg(): @electric-sql/pglite/contrib/${name} does not export "${name}"`);
    extensions[name] = extension;
  }
  const db = await PGlite.create({ extensions });
  return {
    query: (sql, params) => db.query<Record<string, unknown>>(sql, [...params]),
    exec: (sql) => db.exec(sql) as Promise<RawResult[]>,
    close: () => db.close(),
  };
}

type NodePostgres = typeof import("pg");

async function openServer(url: string): Promise<Backend> {
  const { Client, types } = require("pg") as NodePostgres;
  const INT8_OID = 20;
  const client = new Client({
    connectionString: url,
    types: {
      // Same rule as PGlite: a number when exact, a bigint otherwise.
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary" ? parseInt8 : types.getTypeParser(oid, format ?? "text")) as never,
    },
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`pg(): cannot connect to the server in DATABASE_URL (${redact(url)}): ${messageOf(error)}`, { cause: error });
  }
  const normalize = (result: import("pg").QueryResult<Record<string, unknown>>): RawResult => ({
    rows: result.rows,
    fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    rowCount: result.rowCount,
    command: result.command,
  });
  return {
    query: async (sql, params) => normalize(await client.query<Record<string, unknown>>(sql, [...params])),
    exec: async (sql) => {
      // Without parameters node-postgres uses the simple protocol: several statements,
      // and an array of results when there is more than one.
      const results = (await client.query(sql)) as unknown;
      const list = (Array.isArray(results) ? results : [results]) as import("pg").QueryResult<Record<string, unknown>>[];
      return list.map(normalize);
    },
    close: () => client.end(),
  };
}

function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** The URL without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "an unparsable URL";
  }
}

function toResult<R extends object>(raw: RawResult): QueryResult<R> {
  const rowCount = raw.rowCount ?? raw.affectedRows ?? raw.rows.length;
  return new QueryResult<R>(raw.rows as unknown as R[], raw.fields, rowCount, raw.command);
}

/** Run `fn`, turning PostgreSQL's errors (anything with a SQLSTATE) into `PgError`s. */
async function run<T>(sql: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const fields = sqlErrorFields(error);
    if (fields) throw new PgError(fields, sql, { cause: error });
    throw error;
  }
}

function sqlErrorFields(error: unknown): PgErrorFields | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & Record<string, unknown>;
  const code = e["code"];
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const text = (key: string): string | undefined => (typeof e[key] === "string" ? (e[key] as string) : undefined);
  return {
    message: e.message,
    code,
    severity: text("severity"),
    position: text("position"),
    detail: text("detail"),
    hint: text("hint"),
    where: text("where"),
  };
}

/** psql's layout: the message, the offending line with a caret, then DETAIL and HINT. */
function layout(fields: PgErrorFields, sql: string, position: number | undefined): string {
  const lines = [fields.message];
  if (position !== undefined && Number.isFinite(position) && position >= 1) {
    // PostgreSQL counts characters (code points), 1-based.
    const chars = Array.from(sql);
    const before = chars.slice(0, position - 1).join("");
    const lineNo = before.split("\n").length;
    const lineStart = before.lastIndexOf("\n") + 1;
    const column = Array.from(before.slice(lineStart)).length;
    const line = Array.from(sql.slice(lineStart).split("\n")[0] ?? "");
    // Long lines are cut to a window around the caret, as psql does.
    const from = Math.max(0, column - 60);
    const to = Math.min(line.length, column + 60);
    const shown = (from > 0 ? "..." : "") + line.slice(from, to).join("") + (to < line.length ? "..." : "");
    const prefix = `LINE ${lineNo}: `;
    lines.push(prefix + shown, " ".repeat(prefix.length + column - from + (from > 0 ? 3 : 0)) + "^");
  }
  if (fields.detail) lines.push(`DETAIL:  ${fields.detail}`);
  if (fields.hint) lines.push(`HINT:  ${fields.hint}`);
  return lines.join("\n");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
