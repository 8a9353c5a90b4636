/**
 * Input history for `history_request` (tail, range, search), kept for the kernel's life.
 * Entries are `[session, line, input]`, or `[session, line, [input, output]]` on request.
 */
import type { Json } from "./protocol.js";

interface Entry {
  readonly line: number;
  readonly input: string;
  output: string | null;
}

/** The session number we report; one kernel process is one session. */
const SESSION = 1;

export class History {
  readonly #entries: Entry[] = [];

  record(line: number, input: string): Entry {
    const entry: Entry = { line, input, output: null };
    this.#entries.push(entry);
    return entry;
  }

  query(request: Json): Json {
    const type = request["hist_access_type"];
    let found: Entry[];
    if (type === "tail") {
      found = this.#entries.slice(-Number(request["n"] ?? 10));
    } else if (type === "range") {
      const start = Number(request["start"] ?? 0);
      const stop = request["stop"] == null ? Infinity : Number(request["stop"]);
      found = Number(request["session"] ?? SESSION) === SESSION || Number(request["session"]) === 0
        ? this.#entries.filter((e) => e.line >= start && e.line < stop)
        : [];
    } else if (type === "search") {
      const pattern = globToRegExp(String(request["pattern"] ?? "*"));
      found = this.#entries.filter((e) => pattern.test(e.input));
      if (request["unique"]) {
        const seen = new Set<string>();
        found = found.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
      }
      if (request["n"] != null) found = found.slice(-Number(request["n"]));
    } else {
      return { status: "error", ename: "ValueError", evalue: `unknown hist_access_type '${String(type)}'`, traceback: [] };
    }
    const withOutput = Boolean(request["output"]);
    return {
      status: "ok",
      history: found.map((e) => [SESSION, e.line, withOutput ? [e.input, e.output] : e.input]),
    };
  }
}

/** fnmatch-style: `*` any run, `?` one character, the rest literal; matched anywhere as IPython does. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body.startsWith(".*") ? "" : ".*"}${body}${body.endsWith(".*") ? "" : ".*"}$`, "s");
}
