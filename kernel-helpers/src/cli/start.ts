/**
 * `npm start`: open JupyterLab on notebooks/, or Jupyter Notebook when Lab is not
 * installed. With neither, say exactly what to install and exit non-zero.
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";

function has(subcommand: string): boolean {
  return spawnSync("jupyter", [subcommand, "--version"], { stdio: "ignore" }).status === 0;
}

const app = ["lab", "notebook"].find(has);
if (!app) {
  console.error(`Jupyter is not installed. Install JupyterLab (recommended) or the classic Notebook, then run npm start again:

  python3 -m pip install --user jupyterlab          # any system with Python 3
  sudo apt-get install jupyter-notebook             # Debian/Ubuntu, classic Notebook

The workbook kernel is already registered; \`npm run kernel:install\` registers it again if needed.`);
  process.exit(1);
}
const args = [app, `--notebook-dir=${path.join(CHECKOUT, "notebooks")}`, ...process.argv.slice(2)];
console.log(`Starting: jupyter ${args.join(" ")}`);
const child = spawn("jupyter", args, { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
