/**
 * Hidden suites the grader can trust
 * ==================================
 * The learner's code runs with the same file system as the suites that grade it: a cell
 * that writes `exercises/00/00.2.test.ts` could make every later submission pass, and one
 * that deletes it would leave nothing to grade. So the build records a digest of every
 * file a suite run can depend on, and the grader checks them before each run:
 *
 *   npm run build ──▶ kernel-helpers/dist/suite-digests.json   { "exercises/00/00.2.test.ts": sha256, … }
 *   gradeSource(id) ──▶ intact? ──no──▶ "the hidden suite for 00.2 was changed on disk: …"
 *                         │ yes
 *                         ▼ run it
 *
 * Which files: everything under `exercises/` (suites, manifests, the setup file and the
 * vitest config, shared helpers) and `test-support/`, found by walking the folders at build
 * time rather than from a list, so that moving a helper needs no change here. Only the
 * repository's own tests of the suites (`exercises/test/`) are left out. A change in
 * another exercise's suite, or in another notebook's folder, does not stop this one
 * from being graded.
 *
 * This guards against accidents, not against a determined learner: whoever can run
 * `npm run build` can re-record the digests.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";

/** Where the build writes the digests (next to the compiled grader). */
export const DIGESTS_FILE = path.join(CHECKOUT, "kernel-helpers", "dist", "suite-digests.json");

/** The folders whose files a hidden suite's run may read, relative to the checkout. */
const SUITE_ROOTS = ["exercises", "test-support"];
/** Folders inside them that no suite run reads. */
const SKIPPED = new Set(["exercises/test", "node_modules"]);

interface DigestsFile {
  readonly files: Readonly<Record<string, string>>;
}

/** Why a suite cannot be trusted, worded for the learner. */
export class SuiteIntegrityError extends Error {
  override readonly name = "SuiteIntegrityError";
  constructor(
    message: string,
    /** The files, relative to the checkout, that are missing or changed. */
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/** Every file under the suite roots of `root`, as checkout-relative paths with `/`. */
export function suiteFiles(root = CHECKOUT): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (SKIPPED.has(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  for (const dir of SUITE_ROOTS) if (existsSync(path.join(root, dir))) walk(dir);
  return out.sort();
}

function digestOf(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Record the digest of every suite file of `root` in `target`. Returns how many. */
export function recordSuiteDigests(root = CHECKOUT, target = DIGESTS_FILE): number {
  const files = Object.fromEntries(suiteFiles(root).map((rel) => [rel, digestOf(path.join(root, rel))]));
  writeFileSync(target, `${JSON.stringify({ files } satisfies DigestsFile, null, 1)}\n`);
  return Object.keys(files).length;
}

/**
 * Files exercise `id`'s run does not read: other notebooks' folders, and the other suites
 * of its own notebook. (Shared helpers, the setup file and the config are read by all.)
 */
function notRead(rel: string, id: string): boolean {
  const notebook = id.split(".")[0]!;
  const m = /^exercises\/(\d\d)\/(.*)$/.exec(rel);
  if (!m) return false;
  if (m[1] !== notebook) return true;
  return m[2]!.endsWith(".test.ts") && m[2] !== `${id}.test.ts`;
}

/**
 * Check that every recorded file exercise `id`'s run can read is still as built. Throws a
 * SuiteIntegrityError saying what changed and how to restore it.
 */
export function checkSuiteIntact(id: string, root = CHECKOUT, digestsFile = DIGESTS_FILE): void {
  if (!existsSync(digestsFile)) {
    throw new SuiteIntegrityError(
      `the grader has no record of the hidden suites (${path.relative(root, digestsFile)} is missing): run \`npm run build\``,
      [],
    );
  }
  const recorded = (JSON.parse(readFileSync(digestsFile, "utf8")) as DigestsFile).files;
  const changed: string[] = [];
  for (const [rel, digest] of Object.entries(recorded)) {
    if (notRead(rel, id)) continue;
    const file = path.join(root, rel);
    if (!existsSync(file) || digestOf(file) !== digest) changed.push(rel);
  }
  const suite = `exercises/${id.split(".")[0]}/${id}.test.ts`;
  if (!(suite in recorded)) {
    throw new SuiteIntegrityError(`the hidden suite for ${id} was not there when the workbook was built: run \`npm run build\``, [suite]);
  }
  if (changed.length === 0) return;
  const restore = `restore it with \`git checkout ${changed.some((f) => f.startsWith("test-support/")) ? "exercises/ test-support/" : "exercises/"}\``;
  const what = changed.includes(suite)
    ? `the hidden suite for ${id} was ${existsSync(path.join(root, suite)) ? "changed" : "deleted"} on disk`
    : `${changed.join(", ")}, which the hidden suite for ${id} uses, ${changed.length > 1 ? "were" : "was"} changed on disk`;
  throw new SuiteIntegrityError(
    `${what}: ${restore} (if you changed it on purpose, \`npm run build\` records it again); it was not graded`,
    changed,
  );
}

if (require.main === module) {
  const n = recordSuiteDigests();
  console.log(`recorded digests of ${n} hidden-suite files in ${path.relative(CHECKOUT, DIGESTS_FILE)}`);
}
