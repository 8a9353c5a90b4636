/**
 * The README a learner reads: its links stay inside the repository, it names every
 * notebook that exists, and its Debian install line installs what the workbook runs.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKOUT } from "../src/kernel/kernelspec.js";

const readme = readFileSync(path.join(CHECKOUT, "README.md"), "utf8");

describe("README.md", () => {
  it.each(["README.md", "CURRICULUM.md"])("%s links only to files that exist inside the repository", (doc) => {
    const text = readFileSync(path.join(CHECKOUT, doc), "utf8");
    const links = [...text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:/i.test(href));
    for (const href of links) {
      const target = path.resolve(CHECKOUT, href);
      expect(path.relative(CHECKOUT, target).startsWith(".."), `${doc} links outside the repository: ${href}`).toBe(false);
      expect(existsSync(target), `${doc} links to a missing file: ${href}`).toBe(true);
    }
  });

  it("links the syllabus, and names every notebook that exists today", () => {
    expect(readme).toContain("](CURRICULUM.md)");
    for (const notebook of readdirSync(path.join(CHECKOUT, "notebooks")).filter((n) => n.endsWith(".ipynb"))) {
      expect(readme, notebook).toContain(`\`${path.basename(notebook, ".ipynb")}\``);
    }
  });

  it("gives the Debian line that installs Jupyter with nbconvert, nbclient and jupyter-client (jupyter kernelspec)", () => {
    expect(readme).toContain("sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client");
  });

  it("says where the learner's work lives and how it survives updating the workbook", () => {
    expect(readme).toContain("my-notebooks/");
    expect(readme).toMatch(/git pull[^.]*never\s+conflicts/);
  });
});
