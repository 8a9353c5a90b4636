/**
 * The worker side of `benchIsolated` (isolated.ts): build one contender's task from
 * `workerData`, then answer "warm" and "slice" requests with the same timing loop as
 * `bench()`, until terminated.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type BenchTask, timeSlice, warmUp } from "./bench.js";
import type { IsolatedTaskSpec } from "./isolated.js";

const spec = workerData as IsolatedTaskSpec;
const port = parentPort;

async function makeTask(): Promise<BenchTask> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(spec.module) as Record<string, unknown>)[spec.exportName];
  if (typeof factory !== "function") throw new Error(`${spec.module} exports no function "${spec.exportName}"`);
  const task: unknown = await (factory as (name: string) => unknown)(spec.name);
  if (typeof task !== "function") throw new Error(`${spec.exportName}("${spec.name}") returned ${typeof task}, not a task function`);
  return task as BenchTask;
}

if (port) {
  const ready = makeTask();
  port.on("message", (message: { kind: string; ms: number; minCalls?: number }) => {
    void answer(message).then(
      (reply) => port.postMessage(reply),
      (error: unknown) => port.postMessage({ kind: "error", message: error instanceof Error ? error.message : String(error) }),
    );
  });
  const answer = async (message: { kind: string; ms: number; minCalls?: number }): Promise<object> => {
    const task = await ready;
    if (message.kind === "warm") {
      await warmUp(spec.name, task, message.ms);
      return { kind: "done" };
    }
    const latencies: number[] = [];
    const spent = await timeSlice(spec.name, task, message.ms, message.minCalls ?? 1, latencies);
    return { kind: "slice", calls: spent.calls, ms: spent.ms, latencies };
  };
}
