/**
 * `npm run notebooks [-- <notebook or number> …] [--keep-going] [--timeout <seconds>]`
 * Executes notebooks headless on the workbook kernel; the executed copies go to
 * build/notebooks/. Exit code 0 when every cell ran cleanly, 1 otherwise, 2 on bad usage.
 */
import path from "node:path";
import { KernelNotFoundError } from "../kernel/kernelspec.js";
import { type CellReport, NotebookNotFoundError, type RunOptions, listNotebooks, resolveNotebook, runNotebook } from "../runner/run-notebook.js";
import { fail, parseArgs } from "./args.js";
import { solutionInjector } from "../grading/inject.js";

const HELP = `usage: npm run notebooks -- [notebook …] [--keep-going] [--timeout <seconds>] [--solutions]
  notebook     a number (05), a name prefix (05-btree) or a path; default: every notebook
  --keep-going run every cell even after one fails
  --timeout    per-cell time limit in seconds (default 600)
  --solutions  run with every exercise cell replaced by its reference solution`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ["timeout"]);
  if (args.flags.has("help")) {
    console.log(HELP);
    return;
  }
  const unknown = [...args.flags].filter((f) => !["keep-going", "solutions"].includes(f));
  if (unknown.length > 0) fail(`unknown option --${unknown[0]}\n${HELP}`);
  const timeout = Number(args.options.get("timeout") ?? 600);
  if (!(timeout > 0)) fail(`--timeout must be a positive number of seconds, not '${args.options.get("timeout")}'`);

  const files = args.positionals.length > 0 ? args.positionals.map((a) => resolveNotebook(a)) : listNotebooks();
  if (files.length === 0) fail("there are no notebooks to run");
  const options: RunOptions = {
    keepGoing: args.flags.has("keep-going"),
    cellTimeoutMs: timeout * 1000,
    ...(args.flags.has("solutions") ? { transformCell: solutionInjector() } : {}),
    onCell: (r: CellReport) => {
      const mark = r.status === "ok" ? "ok " : r.status.toUpperCase();
      console.log(`  [${String(r.index).padStart(3)}] ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${mark}  ${r.firstLine}`);
      if (r.error) console.log(`          ${r.error.split("\n")[0]}`);
    },
  };
  let failed = 0;
  for (const file of files) {
    console.log(`${path.basename(file)}${options.transformCell ? " (with solutions)" : ""}`);
    const report = await runNotebook(file, options);
    const counts = { ok: 0, error: 0, timeout: 0, "not-run": 0 };
    for (const c of report.cells) counts[c.status]++;
    console.log(
      `  ${report.cells.length} code cells: ${counts.ok} ok, ${counts.error} failed, ${counts.timeout} timed out, ${counts["not-run"]} not run; ` +
        `kernel start ${(report.kernelStartMs / 1000).toFixed(2)} s, total ${(report.totalMs / 1000).toFixed(2)} s`,
    );
    console.log(`  executed copy: ${path.relative(process.cwd(), report.output)}`);
    if (!report.ok) failed++;
  }
  if (files.length > 1) console.log(`${files.length - failed} of ${files.length} notebooks ran cleanly`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  if (e instanceof KernelNotFoundError || e instanceof NotebookNotFoundError) fail(e.message);
  console.error(e);
  process.exit(2);
});
