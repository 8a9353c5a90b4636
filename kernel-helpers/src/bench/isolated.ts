/**
 * Contenders in worker threads of their own
 * =========================================
 * V8 optimises a call site for the classes it has seen there. Time a buffer pool with an
 * LRU replacer, then with a clock, then with LRU-K, in one process, and the pool's own
 * `replacer.recordAccess(…)` site has seen three classes: it is polymorphic, slower for
 * all three, and the first contender was timed before the others made it so. Each worker
 * thread is a separate V8 isolate with its own optimised code, so
 *
 *   benchIsolated(require.resolve("./pool-hit-tasks.js"), "poolHitTask", ["Map.get", "pool + LRU", …])
 *
 * loads that module in one worker per name, asks `poolHitTask(name)` for the task there,
 * and times the workers in the same interleaved rounds as `bench()` (A B, B A, …), so the
 * result compares the same way (`compare()`). The module must be a built file that a
 * worker can `require`; a notebook's own classes cannot travel to a worker, which is why
 * the notebook times its contenders in process and `npm run bench` isolates them.
 *
 * Protocol (main → worker → main), one message at a time:
 *   { kind: "warm", ms }               → { kind: "done" }
 *   { kind: "slice", ms, minCalls }    → { kind: "slice", calls, ms, latencies }
 *   any failure                        → { kind: "error", message }
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { BenchError, type BenchOptions, type BenchResult, benchContenders, type Contender } from "./bench.js";

/** What a worker receives: which module's factory to call, for which contender. */
export interface IsolatedTaskSpec {
  readonly module: string;
  readonly exportName: string;
  readonly name: string;
}

type Reply =
  | { readonly kind: "done" }
  | { readonly kind: "slice"; readonly calls: number; readonly ms: number; readonly latencies: readonly number[] }
  | { readonly kind: "error"; readonly message: string };

/** Time `names`, each in its own worker thread, in interleaved rounds; see the module header. */
export async function benchIsolated(module: string, exportName: string, names: readonly string[], options: BenchOptions = {}): Promise<BenchResult> {
  if (!path.isAbsolute(module)) throw new BenchError(`benchIsolated(): module must be an absolute path to a built file, got "${module}"`);
  const workers = names.map((name) => isolatedContender({ module, exportName, name }));
  try {
    return await benchContenders(workers, options);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** The built worker script; from dist/bench and from src/bench (under vitest) alike. */
const WORKER_SCRIPT = path.join(__dirname, "..", "..", "dist", "bench", "isolated-worker.js");

function isolatedContender(spec: IsolatedTaskSpec): Contender & { stop(): Promise<number> } {
  const worker = new Worker(WORKER_SCRIPT, { workerData: spec });
  let failure: Error | undefined;
  worker.on("error", (error) => (failure = error));
  const ask = (message: object): Promise<Reply> => {
    if (failure) return Promise.reject(new BenchError(`bench(): worker for "${spec.name}" failed: ${failure.message}`, { cause: failure }));
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(new BenchError(`bench(): worker for "${spec.name}" failed: ${error.message}`, { cause: error }));
      worker.once("error", onError);
      worker.once("message", (reply: Reply) => {
        worker.off("error", onError);
        if (reply.kind === "error") reject(new BenchError(`bench(): task "${spec.name}" threw: ${reply.message}`));
        else resolve(reply);
      });
      worker.postMessage(message);
    });
  };
  return {
    name: spec.name,
    async warmUp(ms) {
      await ask({ kind: "warm", ms });
    },
    async slice(ms, minCalls, into) {
      const reply = await ask({ kind: "slice", ms, minCalls });
      if (reply.kind !== "slice") throw new BenchError(`bench(): worker for "${spec.name}" answered ${reply.kind} to a slice`);
      for (const latency of reply.latencies) into.push(latency);
      return { calls: reply.calls, ms: reply.ms };
    },
    stop: () => worker.terminate(),
  };
}
