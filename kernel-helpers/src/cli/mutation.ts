/**
 * `npm run mutation [-- <exercise id> …]`
 * Measures how strong each hidden suite is: Stryker mutates the exercise's reference
 * solution (flips operators, drops statements, changes constants) and runs the suite
 * against every mutant. A mutant the suite fails is "killed"; the score is the share of
 * mutants killed (timeouts count as killed: the suite noticed). Target: 85% or more.
 * Reports go to build/mutation/<id>.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { solutionPath } from "../grading/inject.js";
import { allExercises } from "../grading/manifest.js";
import { fail, parseArgs } from "./args.js";

const OUT = path.join(CHECKOUT, "build", "mutation");

interface StrykerReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

function score(report: StrykerReport): { killed: number; survived: number; total: number; score: number } {
  let killed = 0;
  let survived = 0;
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === "Killed" || m.status === "Timeout") killed++;
      else if (m.status === "Survived" || m.status === "NoCoverage") survived++;
    }
  }
  const total = killed + survived;
  return { killed, survived, total, score: total === 0 ? 0 : (100 * killed) / total };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const wanted = new Set(args.positionals);
  const exercises = allExercises().filter((e) => wanted.size === 0 || wanted.has(e.id));
  if (exercises.length === 0) fail(`no exercise matches ${[...wanted].join(", ")}`);
  mkdirSync(OUT, { recursive: true });
  const stryker = path.join(path.dirname(require.resolve("@stryker-mutator/core/package.json")), "bin", "stryker.js");
  const rows: string[] = [];
  for (const exercise of exercises) {
    // The solution is the engine module the manifest names: mutate it in place.
    const target = path.relative(CHECKOUT, solutionPath(exercise.id));
    const jsonFile = path.join(OUT, `${exercise.id}.json`);
    const config = {
      $schema: "../../node_modules/@stryker-mutator/core/schema/stryker-schema.json",
      testRunner: "vitest",
      plugins: ["@stryker-mutator/vitest-runner"],
      vitest: { configFile: "exercises/vitest.config.ts", related: false },
      mutate: [target],
      coverageAnalysis: "perTest",
      reporters: ["json", "progress"],
      jsonReporter: { fileName: path.relative(CHECKOUT, jsonFile) },
      ignorePatterns: ["build", "notebooks", "**/dist", "datasets"],
      concurrency: 2,
      timeoutMS: 10_000,
      tempDirName: ".stryker-tmp",
      cleanTempDir: "always",
    };
    const configFile = path.join(OUT, `stryker-${exercise.id}.json`);
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    console.log(`${exercise.id} ${exercise.title}: mutating ${target}`);
    const run = spawnSync(process.execPath, [stryker, "run", configFile], {
      cwd: CHECKOUT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, WORKBOOK_SUBMISSION: target, WORKBOOK_EXERCISE: exercise.id, WORKBOOK_MEMORY_MB: "0" },
    });
    if (run.status !== 0) {
      rows.push(`${exercise.id.padEnd(6)} ${exercise.title.padEnd(34)}  stryker failed (exit ${run.status})`);
      continue;
    }
    const s = score(JSON.parse(readFileSync(jsonFile, "utf8")) as StrykerReport);
    rows.push(`${exercise.id.padEnd(6)} ${exercise.title.padEnd(34)} ${s.score.toFixed(1).padStart(6)}%  (${s.killed} of ${s.total} mutants killed)`);
  }
  console.log("\nMutation scores (target ≥ 85%)");
  for (const r of rows) console.log(r);
}

main();
