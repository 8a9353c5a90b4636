/**
 * The learner's workspace
 * =======================
 * The workbook's own files (notebooks/, exercises/, engine/) change when the learner pulls
 * a new version; the learner's work must not. So the learner works elsewhere, in folders
 * that git ignores:
 *
 *   <checkout>/notebooks/               the notebooks as shipped (tracked, never edited)
 *        │  `npm start` copies each one that is missing (never overwrites a copy)
 *        ▼
 *   <checkout>/my-notebooks/            the learner's copies: Jupyter opens this folder,
 *                                       `npm run grade` grades these
 *   <checkout>/my-notebooks/.workbook/  what the workbook remembers for the learner: the
 *                                       pieces that passed their grade, so later notebooks,
 *                                       the REPL and the server build on them
 *
 * A copy records, in its notebook metadata (`workbook.shipped`), the SHA-256 of the
 * shipped file it was made from. When a later `git pull` changes the shipped notebook,
 * `npm start` sees the difference and says how to get the new version (move the old copy
 * aside; the next start copies the new one), rather than overwriting anyone's work.
 *
 * Both folders can be moved with environment variables (tests point them at temporary
 * folders): WORKBOOK_LEARNER_DIR and WORKBOOK_STATE_DIR.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "./kernel/kernelspec.js";

/** The workbook's pristine notebooks, as shipped. */
export const SHIPPED_NOTEBOOKS_DIR = path.join(CHECKOUT, "notebooks");

/** Where the learner's own copies of the notebooks live. */
export function learnerNotebooksDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["WORKBOOK_LEARNER_DIR"] || path.join(CHECKOUT, "my-notebooks");
}

/** Where the workbook keeps the learner's state (passed pieces). */
export function learnerStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["WORKBOOK_STATE_DIR"] || path.join(learnerNotebooksDir(env), ".workbook");
}

/** What `copyMissingNotebooks` did, by notebook file name, in name order. */
export interface NotebookCopies {
  /** Copied just now: the learner had no copy. */
  readonly copied: readonly string[];
  /** The learner's copy was kept, but the shipped notebook changed after it was made. */
  readonly updated: readonly string[];
  /** The learner's copy was kept, and is of the current shipped version (or of unknown origin). */
  readonly kept: readonly string[];
}

/**
 * Copy every shipped notebook (the `.ipynb` files in `shipped`) that `learner` lacks into
 * `learner`, creating the folder; never touch an existing copy. Each copy is stamped with
 * the SHA-256 of the file it came from, which later calls compare to spot updates.
 */
export function copyMissingNotebooks(shipped: string = SHIPPED_NOTEBOOKS_DIR, learner: string = learnerNotebooksDir()): NotebookCopies {
  mkdirSync(learner, { recursive: true });
  const copied: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const names = readdirSync(shipped).filter((name) => name.endsWith(".ipynb")).sort();
  for (const name of names) {
    const source = path.join(shipped, name);
    const target = path.join(learner, name);
    const bytes = readFileSync(source);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (!existsSync(target)) {
      writeCopy(bytes, sha, source, target);
      copied.push(name);
      continue;
    }
    const origin = madeFrom(target);
    (origin !== undefined && origin !== sha ? updated : kept).push(name);
  }
  return { copied, updated, kept };
}

/** Write `bytes` (a shipped notebook) to `target`, stamped with `sha` in its metadata. */
function writeCopy(bytes: Buffer, sha: string, source: string, target: string): void {
  let notebook: { metadata?: Record<string, unknown> };
  try {
    notebook = JSON.parse(bytes.toString("utf8")) as typeof notebook;
  } catch (error) {
    // A shipped notebook that is not JSON is the workbook's bug; still give the learner the file.
    console.warn(`${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}); copied as is`);
    copyFileSync(source, target);
    return;
  }
  const metadata = (notebook.metadata ??= {});
  const workbook = typeof metadata["workbook"] === "object" && metadata["workbook"] !== null ? (metadata["workbook"] as Record<string, unknown>) : {};
  metadata["workbook"] = { ...workbook, shipped: sha };
  // Jupyter's own layout (one-space indent, trailing newline), so the first save changes little.
  writeFileSync(target, `${JSON.stringify(notebook, null, 1)}\n`, { flag: "wx" });
}

/** The SHA-256 a learner's copy was made from, or `undefined` when it does not say (or is not JSON). */
function madeFrom(copy: string): string | undefined {
  let notebook: unknown;
  try {
    notebook = JSON.parse(readFileSync(copy, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // the learner's file, half-written or hand-edited: leave it be
    throw error;
  }
  const workbook = (notebook as { metadata?: { workbook?: { shipped?: unknown } } } | null)?.metadata?.workbook;
  return typeof workbook?.shipped === "string" ? workbook.shipped : undefined;
}

/** What `npm start` says about the copies, one line each (an empty list when there is nothing to say). */
export function describeCopies(copies: NotebookCopies, shipped: string, learner: string, cwd: string = process.cwd()): string[] {
  // Relative to where the learner ran npm start when the folder is below it; absolute otherwise.
  const rel = (p: string) => {
    const r = path.relative(cwd, p);
    return r === "" ? "." : r.startsWith("..") || path.isAbsolute(r) ? p : r;
  };
  const lines: string[] = [];
  if (copies.copied.length > 0) {
    lines.push(`Copied ${copies.copied.length === 1 ? "1 notebook" : `${copies.copied.length} notebooks`} into ${rel(learner)}/: ${copies.copied.join(", ")}`);
  }
  for (const name of copies.updated) {
    lines.push(
      `${rel(path.join(shipped, name))} has changed since your copy was made; to get the new version, move ` +
        `${rel(path.join(learner, name))} into another folder (e.g. ${rel(path.join(learner, "old"))}/) and run npm start again.`,
    );
  }
  return lines;
}

/** The Jupyter front ends `npm start` can open, best first. */
export type JupyterApp = "lab" | "notebook";

/**
 * The arguments for `jupyter`: the app, the folder it opens, `--allow-root` when running
 * as root (Jupyter refuses to start as root without it), then the learner's own extras.
 */
export function jupyterArgs(app: JupyterApp, notebookDir: string, extra: readonly string[], isRoot: boolean): string[] {
  const root = isRoot && !extra.includes("--allow-root") ? ["--allow-root"] : [];
  return [app, `--notebook-dir=${notebookDir}`, ...root, ...extra];
}
