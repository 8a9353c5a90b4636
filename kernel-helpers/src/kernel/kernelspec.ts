/**
 * Kernel spec: where Jupyter finds our kernel
 * ============================================
 * A kernel spec is a folder `kernels/<name>/kernel.json` in one of Jupyter's data
 * directories. Ours points at this checkout's built kernel and at the Node that ran
 * `npm install`, so no global install of anything is needed. Installing twice writes
 * nothing the second time. The argv starts the supervisor (supervisor.js), which runs the
 * kernel and restarts it if it dies. Lookup follows jupyter_core's order: JUPYTER_PATH, the user's
 * data dir (JUPYTER_DATA_DIR wins), then the system dirs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from "./info.js";

export interface KernelSpec {
  readonly argv: readonly string[];
  readonly display_name: string;
  readonly language: string;
  readonly interrupt_mode?: "signal" | "message";
  readonly env?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export class KernelNotFoundError extends Error {
  override readonly name = "KernelNotFoundError";
}

/** The checkout this code was built from (kernel-helpers/dist/kernel → ../../..). */
export const CHECKOUT = path.resolve(__dirname, "..", "..", "..");

export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["JUPYTER_DATA_DIR"]) return env["JUPYTER_DATA_DIR"];
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env["APPDATA"] ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env["XDG_DATA_HOME"] || path.join(home, ".local", "share"), "jupyter");
}

export function dataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env["JUPYTER_PATH"] ?? "").split(path.delimiter).filter(Boolean);
  const system = process.platform === "win32"
    ? [path.join(env["PROGRAMDATA"] ?? "C:\\ProgramData", "jupyter")]
    : ["/usr/local/share/jupyter", "/usr/share/jupyter"];
  return [...fromEnv, userDataDir(env), ...system];
}

export function workbookKernelSpec(): KernelSpec {
  return {
    argv: [process.execPath, path.join(CHECKOUT, "kernel-helpers", "dist", "kernel", "supervisor.js"), "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    metadata: { workbook: { checkout: CHECKOUT } },
  };
}

/** Write the spec into the user's kernels folder; returns what happened, for the log line. */
export function installKernelSpec(env: NodeJS.ProcessEnv = process.env): { dir: string; changed: boolean } {
  const dir = path.join(userDataDir(env), "kernels", KERNEL_NAME);
  const file = path.join(dir, "kernel.json");
  const text = `${JSON.stringify(workbookKernelSpec(), null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, "utf8") === text) return { dir, changed: false };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  return { dir, changed: true };
}

/** Find a kernel spec by name the way Jupyter does, or throw saying how to register it. */
export function findKernelSpec(name: string = KERNEL_NAME, env: NodeJS.ProcessEnv = process.env): { dir: string; spec: KernelSpec } {
  const searched: string[] = [];
  for (const base of dataDirs(env)) {
    const dir = path.join(base, "kernels", name);
    searched.push(dir);
    const file = path.join(dir, "kernel.json");
    if (!existsSync(file)) continue;
    try {
      return { dir, spec: JSON.parse(readFileSync(file, "utf8")) as KernelSpec };
    } catch (e) {
      throw new KernelNotFoundError(`kernel spec ${file} is not valid JSON (${(e as Error).message}); run \`npm run kernel:install\``);
    }
  }
  throw new KernelNotFoundError(
    `the kernel '${name}' is not registered with Jupyter (looked in ${searched.join(", ")}); run \`npm run kernel:install\` in the workbook folder`,
  );
}
