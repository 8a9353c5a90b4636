/**
 * Which paths a notebook outside the checkout borrows from the checkout's node_modules.
 * (The end-to-end case, a notebook in /tmp run through the headless runner, is in
 * runner.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { checkoutPathFor, isInside, isMissingPackage } from "../src/kernel/checkout-packages.js";

describe("checkout packages", () => {
  it("maps node_modules on the walk up from the notebook's folder, and nothing else", () => {
    const map = (p: string) => checkoutPathFor(p, "/tmp/work/nb", "/repo");
    expect(map("/tmp/work/nb/node_modules/@workbook/engine/package.json")).toBe("/repo/node_modules/@workbook/engine/package.json");
    expect(map("/tmp/node_modules/@types")).toBe("/repo/node_modules/@types");
    expect(map("/node_modules")).toBe("/repo/node_modules");
    expect(map("/tmp/work/nb/lib/node_modules/x")).toBeUndefined();
    expect(map("/tmp/work/nb/node_modules_old/x")).toBeUndefined();
    expect(map("/elsewhere/node_modules/x")).toBeUndefined();
  });

  it("tells the checkout and its subfolders from everything else", () => {
    expect(isInside("/repo", "/repo")).toBe(true);
    expect(isInside("/repo/notebooks", "/repo")).toBe(true);
    expect(isInside("/repository", "/repo")).toBe(false);
    expect(isInside("/tmp/x", "/repo")).toBe(false);
  });

  it("retries only bare package names that were not found", () => {
    const notFound = Object.assign(new Error("Cannot find module"), { code: "MODULE_NOT_FOUND" });
    expect(isMissingPackage(notFound, "@workbook/engine")).toBe(true);
    expect(isMissingPackage(notFound, "./local")).toBe(false);
    expect(isMissingPackage(notFound, "/abs/file.js")).toBe(false);
    expect(isMissingPackage(notFound, "node:fs")).toBe(false);
    expect(isMissingPackage(new SyntaxError("bad"), "@workbook/engine")).toBe(false);
  });
});
