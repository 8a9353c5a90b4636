/**
 * `npm run kernel:install`: the spec it writes starts the supervisor of this checkout, and
 * installing twice changes nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKOUT, type KernelSpec } from "../src/kernel/kernelspec.js";

const CLI = path.resolve(__dirname, "../dist/cli/kernel-install.js");

describe("kernel:install", () => {
  it("registers a spec that starts this checkout's kernel supervisor, and a second run changes nothing", () => {
    const env = { ...process.env, JUPYTER_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "workbook-spec-")) };
    const first = spawnSync(process.execPath, [CLI], { env, encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Registered the "Database Workbook \(TypeScript\)" kernel/);
    const file = path.join(env.JUPYTER_DATA_DIR, "kernels", "database-workbook", "kernel.json");
    const text = readFileSync(file, "utf8");
    const spec = JSON.parse(text) as KernelSpec;
    expect(spec.argv).toEqual([process.execPath, path.join(CHECKOUT, "kernel-helpers", "dist", "kernel", "supervisor.js"), "{connection_file}"]);
    expect(existsSync(spec.argv[1]!)).toBe(true);
    const written = statSync(file).mtimeMs;

    const second = spawnSync(process.execPath, [CLI], { env, encoding: "utf8" });
    expect(second.stdout).toMatch(/kernel is already registered in/);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(statSync(file).mtimeMs).toBe(written);
  });
});
