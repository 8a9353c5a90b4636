/**
 * The workbook's packages, from a notebook saved anywhere
 * ========================================================
 * Jupyter starts the kernel in the notebook's folder, and tslab resolves `import … from
 * "@workbook/engine"` the old Node way, walking up from that folder through `node_modules`.
 * For a notebook under the checkout that finds the workspace links in the checkout's
 * `node_modules`; for one saved in `/tmp` or the home folder it finds nothing
 * (`TS2307 Cannot find module '@workbook/engine'`).
 *
 * When the kernel's folder is outside the checkout, every `node_modules` on the walk up
 * from it that lacks a path is given the checkout's instead, both for the type checker and
 * at run time:
 *
 *   /tmp/x/node_modules/@workbook/engine/package.json      (missing)
 *     → <checkout>/node_modules/@workbook/engine/package.json   (the workspace link)
 *     → realpath: <checkout>/engine/package.json                (what the compiler records)
 *
 * Type checking goes through the compiler's `sys` (file and directory lookups, realpath),
 * which tslab's converter delegates to; `require` falls back to the checkout's resolution
 * when the notebook's own fails. A package the notebook's folder really has still wins.
 */
import { existsSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import type * as TS from "typescript";

/** True when `dir` is the checkout or inside it. */
export function isInside(dir: string, checkout: string): boolean {
  const rel = path.relative(checkout, dir);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Map `<dir>/node_modules/…` to `<checkout>/node_modules/…` for `dir` = `cwd` or one of its
 * ancestors; `undefined` for any other path.
 */
export function checkoutPathFor(p: string, cwd: string, checkout: string): string | undefined {
  const target = path.join(checkout, "node_modules");
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const nm = path.join(dir, "node_modules");
    if (p === nm || p.startsWith(nm + path.sep)) return target + p.slice(nm.length);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Point the compiler's lookups for missing `node_modules` paths at the checkout's. Does
 * nothing (and returns false) when `cwd` is inside the checkout. Call before tslab creates
 * its converter: it reads the type roots once, at creation.
 */
export function resolveFromCheckout(sys: TS.System, cwd: string, checkout: string): boolean {
  if (isInside(cwd, checkout)) return false;
  const { fileExists, directoryExists, readFile, getDirectories, readDirectory } = sys;
  const realpath = sys.realpath ?? ((p: string) => p);
  /** The checkout's path for `p` when `p` itself is missing and the checkout has it. */
  const redirect = (p: string, exists: (q: string) => boolean): string => {
    if (exists.call(sys, p)) return p;
    const there = checkoutPathFor(p, cwd, checkout);
    return there !== undefined && exists.call(sys, there) ? there : p;
  };
  const file = (p: string) => redirect(p, fileExists);
  const dir = (p: string) => redirect(p, directoryExists);
  sys.fileExists = (p) => fileExists.call(sys, file(p));
  sys.directoryExists = (p) => directoryExists.call(sys, dir(p));
  sys.readFile = (p, encoding) => readFile.call(sys, file(p), encoding);
  sys.getDirectories = (p) => getDirectories.call(sys, dir(p));
  sys.readDirectory = (p, ...rest) => readDirectory.call(sys, dir(p), ...rest);
  sys.realpath = (p) => realpath.call(sys, existsSync(p) ? p : (checkoutPathFor(p, cwd, checkout) ?? p));
  return true;
}

/** `require` as the checkout's own code resolves, for packages the notebook's folder lacks. */
export function checkoutRequire(checkout: string): NodeJS.Require {
  return Module.createRequire(path.join(checkout, "package.json"));
}

/** A `require(id)` failure that the checkout's resolution may fix: a bare package name not found. */
export function isMissingPackage(e: unknown, id: string): boolean {
  return (
    (e as { code?: unknown } | null)?.code === "MODULE_NOT_FOUND" &&
    !id.startsWith(".") &&
    !path.isAbsolute(id) &&
    !id.startsWith("node:")
  );
}
