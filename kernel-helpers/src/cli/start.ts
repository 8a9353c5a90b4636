/**
 * `npm start`: copy the shipped notebooks the learner has no copy of into their own folder
 * (my-notebooks/, see ../workspace.ts), then open JupyterLab on that folder, or Jupyter
 * Notebook when Lab is not installed. With neither, say exactly what to install and exit
 * non-zero. As root, Jupyter needs `--allow-root`; it is passed for the learner.
 */
import { spawn, spawnSync } from "node:child_process";
import { SHIPPED_NOTEBOOKS_DIR, type JupyterApp, copyMissingNotebooks, describeCopies, jupyterArgs, learnerNotebooksDir } from "../workspace.js";

function has(subcommand: JupyterApp): boolean {
  return spawnSync("jupyter", [subcommand, "--version"], { stdio: "ignore" }).status === 0;
}

const app = (["lab", "notebook"] as const).find(has);
if (!app) {
  console.error(`Jupyter is not installed. Install JupyterLab (recommended) or the classic Notebook, then run npm start again:

  python3 -m pip install --user jupyterlab          # any system with Python 3
  sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client   # Debian/Ubuntu

The workbook kernel is already registered; \`npm run kernel:install\` registers it again if needed.`);
  process.exit(1);
}

const learner = learnerNotebooksDir();
const copies = copyMissingNotebooks(SHIPPED_NOTEBOOKS_DIR, learner);
console.log(`Your notebooks: ${learner} (your own copies; updating the workbook never changes them)`);
for (const line of describeCopies(copies, SHIPPED_NOTEBOOKS_DIR, learner)) console.log(line);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const args = jupyterArgs(app, learner, process.argv.slice(2), isRoot);
console.log(`Starting: jupyter ${args.join(" ")}`);
const child = spawn("jupyter", args, { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
