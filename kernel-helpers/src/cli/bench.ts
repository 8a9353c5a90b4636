/**
 * `npm run bench [-- <suite> …]`
 * Runs benchmark suites outside Jupyter; each writes build/bench/<suite>.json (the rows)
 * and build/bench/<suite>.svg (the chart), and prints its table. Ratios against peers
 * are measured in the same run, in interleaved rounds, as medians with their range
 * (bench.ts). Benchmarks are not tests: nothing here fails on speed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chart } from "../display/chart.js";
import { table } from "../display/table.js";
import { CHECKOUT } from "../kernel/kernelspec.js";
import { bloomSuite } from "../bench/suites/bloom.js";
import { brinSuite } from "../bench/suites/brin.js";
import { btreeSuite } from "../bench/suites/btree.js";
import { bufferPoolSuite } from "../bench/suites/buffer-pool.js";
import { dataStructuresSuite } from "../bench/suites/data-structures.js";
import { hashIndexSuite } from "../bench/suites/hash-index.js";
import { heapSuite } from "../bench/suites/heap.js";
import { kernelSuite } from "../bench/suites/kernel.js";
import { lsmSuite } from "../bench/suites/lsm.js";
import { pagesSuite } from "../bench/suites/pages.js";
import { transactionsSuite } from "../bench/suites/transactions.js";
import type { SuiteResult } from "../bench/suites/types.js";
import { fail, parseArgs } from "./args.js";

const SUITES: Record<string, { describe: string; run: () => Promise<SuiteResult> }> = {
  kernel: { describe: "kernel cold start, cell round trip and a 20-cell notebook, vs plain tslab", run: kernelSuite },
  "data-structures": { describe: "hash map and LRU vs Map; B-tree vs sorted-btree and a sorted array, ops/s against N (notebook 01)", run: dataStructuresSuite },
  pages: { describe: "rows per 8 KiB page vs PostgreSQL; file disk sequential/random I/O with and without fsync (notebook 02)", run: pagesSuite },
  "buffer-pool": { describe: "hit ratio vs pool size per workload and replacer; hit cost (pool, replacer alone) vs Map.get, each in its own worker (notebook 03)", run: bufferPoolSuite },
  btree: { describe: "B+tree lookups, inserts and bulk loads up to 1M keys vs sorted-btree and PostgreSQL (notebook 05)", run: btreeSuite },
  bloom: { describe: "bloom filter false-positive rate against bits per key, theory vs measured; SSTable gets with and without the filter (notebook 06)", run: bloomSuite },
  brin: { describe: "block-range index: pages skipped against correlation, ours vs PostgreSQL BRIN minmax and minmax-multi (notebook 06)", run: brinSuite },
  "hash-index": { describe: "extendible hash index vs B+tree: point lookups/s and pages per lookup, range queries by scan, probe and full bucket read (notebook 06)", run: () => hashIndexSuite() },
  lsm: { describe: "write, read and space amplification of the LSM tree (leveled, size-tiered) against the B+tree; puts/s and gets/s against LevelDB (classic-level) (notebook 06)", run: lsmSuite },
  transactions: { describe: "throughput (committed per scheduler step and per second) and abort rate against zipfian skew: 2PL with each deadlock policy, OCC, MVCC (notebooks 07-08)", run: transactionsSuite },
  heap: { describe: "heap insert and scan rows/s (count, sum of one column read lazily, every column decoded), cold vs warm pool, vs PostgreSQL (notebook 04)", run: heapSuite },
};

/** Names that stand for several suites, in curriculum order. */
const GROUPS: Record<string, readonly string[]> = {
  storage: ["data-structures", "pages", "buffer-pool", "heap"],
  indexes: ["btree", "hash-index", "bloom", "lsm", "brin"],
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.flags.has("help") || args.flags.has("list")) {
    for (const [name, s] of Object.entries(SUITES)) console.log(`${name.padEnd(12)} ${s.describe}`);
    for (const [name, parts] of Object.entries(GROUPS)) console.log(`${name.padEnd(12)} all of: ${parts.join(", ")}`);
    return;
  }
  const asked = args.positionals.length > 0 ? args.positionals : Object.keys(SUITES);
  const names = asked.flatMap((n) => GROUPS[n] ?? [n]);
  for (const name of names) {
    if (!SUITES[name]) fail(`no benchmark suite '${name}' (there are: ${[...Object.keys(SUITES), ...Object.keys(GROUPS)].join(", ")})`);
  }
  const out = path.join(CHECKOUT, "build", "bench");
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    console.log(`Running ${name}: ${SUITES[name]!.describe}`);
    const result = await SUITES[name]!.run();
    console.log(table(result.rows, { title: result.title, limit: 1000 }).text);
    writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify({ suite: name, title: result.title, node: process.version, rows: result.rows }, null, 2)}\n`);
    writeFileSync(path.join(out, `${name}.svg`), (await chart(result.chart)).svg);
    console.log(`wrote build/bench/${name}.json and build/bench/${name}.svg\n`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
