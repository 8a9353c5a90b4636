/**
 * Golden scripts
 * ==============
 * A behaviour-heavy component (a replacer, the lock manager, MVCC, the planner, Raft) is
 * tested by a script: a file of commands, a line `---`, and the output they must print.
 * A file holds several cases, separated by blank lines; state carries over from case to
 * case, so a file reads as one story told in steps (toydb's goldenscripts):
 *
 *   # Two frames, both used once: the hand takes frame 0 first.
 *   new 2
 *   access 0
 *   access 1
 *   unpin 0 1
 *   ---
 *   ok
 *
 *   evict
 *   usage
 *   ---
 *   0
 *   [undefined, 0]
 *
 * A command is one line: a name, then words (`unpin 0 1`) and `key=value` pairs
 * (`begin txn=3 isolation=serializable`); `#` starts a comment line. The handler turns a
 * command into output lines; a command that prints nothing is shown as `ok` when it is the
 * only one in its case. A thrown error is output too (`error DbError (no-free-frame): …`),
 * because refusing is behaviour: the script says which command must fail and how. A
 * starter's NotImplemented and the grader's time limit are not output: they fail the test
 * as they are.
 *
 * A mismatch fails with one line naming the file, the case's line and the command whose
 * output differs, "expected E, received R", then a diff of the case. `UPDATE_GOLDEN=1`
 * rewrites the expected parts of every script run (comments and commands are kept), for
 * when behaviour changed on purpose; review the diff before committing it.
 *
 * Concurrency, written down here because every later script depends on it: the engine
 * stays synchronous and deterministic. A request that must wait (a lock held by another
 * transaction, a Raft message in flight) returns a waiting state instead of blocking or
 * returning a promise, and the script — or a seeded scheduler — decides what runs next
 * (`tick`, `deliver 1 2`, `commit txn=1`, then the waiter's outcome is printed). So
 * every interleaving a script shows is replayed exactly, on every machine.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { describeError, speaksForItself } from "./errors.js";

/** One command line, parsed. */
export interface GoldenCommand {
  /** The line as written, trimmed. */
  readonly line: string;
  /** 1-based line number in the file. */
  readonly lineNumber: number;
  readonly name: string;
  /** The words after the name that are not `key=value`. */
  readonly args: readonly string[];
  /** The `key=value` words. */
  readonly options: Readonly<Record<string, string>>;
}

/** Output for one command: a line, several, or nothing. */
export type GoldenOutput = string | readonly string[] | undefined | void;

export type GoldenHandler = (command: GoldenCommand) => GoldenOutput;

export interface GoldenCase {
  /** Comment and blank lines before the case, kept when the file is rewritten. */
  readonly preamble: readonly string[];
  readonly commands: readonly GoldenCommand[];
  readonly expected: readonly string[];
  /** Line number of the case's first command. */
  readonly lineNumber: number;
}

export function parseCommand(line: string, lineNumber: number): GoldenCommand {
  const words = line.trim().split(/\s+/);
  const [name = "", ...rest] = words;
  const args: string[] = [];
  const options: Record<string, string> = {};
  for (const word of rest) {
    const eq = word.indexOf("=");
    if (eq > 0) options[word.slice(0, eq)] = word.slice(eq + 1);
    else args.push(word);
  }
  return { line: line.trim(), lineNumber, name, args, options };
}

/** The cases of a script. Throws on a malformed file (a case without `---`). */
export function parseGolden(text: string, file = "script"): { cases: GoldenCase[]; trailer: string[] } {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const cases: GoldenCase[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "" || line.trimStart().startsWith("#")) {
      preamble.push(line);
      i++;
      continue;
    }
    const start = i + 1;
    const commands: GoldenCommand[] = [];
    while (i < lines.length && lines[i]!.trim() !== "---") {
      const l = lines[i]!;
      if (l.trim() === "") throw new Error(`${file}:${start}: the case has no "---" line before the blank line ${i + 1}`);
      if (!l.trimStart().startsWith("#")) commands.push(parseCommand(l, i + 1));
      i++;
    }
    if (i >= lines.length) throw new Error(`${file}:${start}: the case has no "---" line`);
    i++; // the ---
    const expected: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") expected.push(lines[i++]!);
    cases.push({ preamble, commands, expected, lineNumber: start });
    preamble = [];
  }
  return { cases, trailer: preamble };
}

/** The lines a command printed: its output, or its error. */
function outputOf(handler: GoldenHandler, command: GoldenCommand): string[] {
  let out: GoldenOutput;
  try {
    out = handler(command);
  } catch (error) {
    if (speaksForItself(error)) throw error;
    return [`error ${describeError(error)}`];
  }
  if (out === undefined) return [];
  // A blank line would end the case: show it as "(empty)".
  return (typeof out === "string" ? [out] : [...out]).flatMap((l) => l.split("\n")).map((l) => (l.trim() === "" ? "(empty)" : l));
}

export interface GoldenResult {
  readonly file: string;
  /** The first mismatch, as one line, with a diff of its case below; undefined when all agree. */
  readonly failure?: string;
  /** The script with every expected part replaced by what ran. */
  readonly actualText: string;
}

/** Run every case of `text` through one handler, in order. */
export function runGoldenText(text: string, handler: GoldenHandler, file = "script"): GoldenResult {
  const { cases, trailer } = parseGolden(text, file);
  let failure: string | undefined;
  const rewritten: string[] = [];
  for (const c of cases) {
    const perCommand = c.commands.map((command) => ({ command, lines: outputOf(handler, command) }));
    let actual = perCommand.flatMap((p) => p.lines);
    if (actual.length === 0) actual = ["ok"];
    rewritten.push(...c.preamble, ...c.commands.map((cmd) => cmd.line), "---", ...actual);
    if (failure !== undefined) continue;
    const at = firstDifference(c.expected, actual);
    if (at === undefined) continue;
    // Which command printed the first differing line (the last one when output ran short).
    let seen = 0;
    let culprit = perCommand.at(-1)?.command;
    for (const p of perCommand) {
      if (at < seen + p.lines.length) {
        culprit = p.command;
        break;
      }
      seen += p.lines.length;
    }
    const show = (l: string | undefined) => (l === undefined ? "no more output" : JSON.stringify(l));
    failure =
      `${path.basename(file)}:${culprit?.lineNumber ?? c.lineNumber}: after "${culprit?.line ?? ""}": expected ${show(c.expected[at])}, received ${show(actual[at])}\n` +
      diffCase(c, actual);
  }
  rewritten.push(...trailer);
  return { file, ...(failure === undefined ? {} : { failure }), actualText: rewritten.join("\n") };
}

function firstDifference(a: readonly string[], b: readonly string[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return undefined;
}

/** The case's commands, then its output line by line: `  ` same, `- ` expected only, `+ ` received only. */
function diffCase(c: GoldenCase, actual: readonly string[]): string {
  const out = c.commands.map((cmd) => `  ${cmd.line}`);
  out.push("  ---");
  const n = Math.max(c.expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const [e, a] = [c.expected[i], actual[i]];
    if (e === a) out.push(`  ${e}`);
    else {
      if (e !== undefined) out.push(`- ${e}`);
      if (a !== undefined) out.push(`+ ${a}`);
    }
  }
  return out.join("\n");
}

/**
 * Run the script in `file` through a fresh handler. With UPDATE_GOLDEN=1 in the
 * environment, rewrite the file's expected parts instead of failing; otherwise fail the
 * current test at the first mismatch.
 */
export function checkGolden(file: string, makeHandler: () => GoldenHandler, update = process.env["UPDATE_GOLDEN"] === "1"): void {
  const text = readFileSync(file, "utf8");
  const result = runGoldenText(text, makeHandler(), file);
  if (update) {
    if (result.actualText !== text) writeFileSync(file, result.actualText);
    return;
  }
  if (result.failure !== undefined) expect.fail(result.failure);
}

export interface GoldenTestOptions {
  /**
   * false in hidden suites: the learner's module runs in the same process and could set
   * UPDATE_GOLDEN, so there a script is only ever checked. The engine's tests, which run
   * the same scripts against the reference, are where UPDATE_GOLDEN rewrites them.
   */
  readonly canRewrite?: boolean;
}

/** A test that runs the script in `file`: `goldenTest("03.1 clock replacer: golden script clock.golden", file, make)`. */
export function goldenTest(title: string, file: string, makeHandler: () => GoldenHandler, options: GoldenTestOptions = {}): void {
  it(title, () => checkGolden(file, makeHandler, options.canRewrite !== false && process.env["UPDATE_GOLDEN"] === "1"));
}
