/**
 * The workbook kernel: entry point and main thread
 * =================================================
 * Started in the notebook's folder as `node kernel/main.js <connection-file>`, by the
 * supervisor that the kernel spec names (supervisor.js), or directly.
 * The main thread runs cells (see executor.ts); the worker thread (front.ts) owns the
 * sockets. Everything a cell prints, displays, returns or throws becomes an iopub message
 * whose parent is the request that ran the cell:
 *
 *   console.log / process.stdout.write  →  stream (stdout)   buffered, flushed in order
 *   display(x), progress bars           →  display_data / update_display_data
 *   last expression                     →  execute_result    (its MIME bundle)
 *   throw, type error, interrupt        →  error + execute_reply { status: "error" }
 *
 * Jupyter starts it through supervisor.js, which restarts it when the process dies (out of
 * memory); then `--restarted=…` says why, the front answers the request that was lost, and
 * the next cell hears what was lost. `process.exit` in a cell is refused (process-guard.ts)
 * and built-ins a cell replaced are put back (builtins.ts), each with a message in the cell.
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { EXECUTED_CELLS, type ExecutedCell, KERNEL_CHANNEL, type KernelChannel, type MimeBundle, toBundle } from "../display/bundle.js";
import { describeRepair } from "./builtins.js";
import { type CellOutcome, Executor, red } from "./executor.js";
import { History } from "./history.js";
import { type Header, type Json, codePointToUtf16, utf16ToCodePoint } from "./protocol.js";
import { heapLimitMb, shareHeapLimit, takeMemoryStop } from "./memory-watch.js";
import { guardProcess } from "./process-guard.js";
import { type InFlight, type RestartInfo, type ToSupervisor, parseRestartArg, restartAdvice } from "./supervision.js";
import { type FrontData, SHARED, type ShellRequest, type ToEngine, type ToFront, sharedWords } from "./threads.js";
import { kernelInfo } from "./info.js";
import { isComplete } from "./is-complete.js";

const connectionFile = process.argv[2];
if (!connectionFile) {
  writeSync(2, "usage: node kernel/main.js <connection-file>\n");
  process.exit(2);
}
const restart = parseRestartArg(process.argv.slice(3));

const LARGE_DATA_HINT = "  Large data: prefer typed arrays (an Int32Array of n numbers takes 4n bytes) or process it in pieces.";

/** Tell the supervisor (if we run under one) what we are doing, so it can speak for us if we die. */
function tell(msg: ToSupervisor): void {
  process.send?.(msg);
}

const shared = sharedWords();
shareHeapLimit(shared);
const executor = new Executor(process.cwd(), { interruptRequested: () => Atomics.load(shared, SHARED.interruptRequested) === 1 });
const history = new History();
const front = new Worker(path.join(__dirname, "front.js"), {
  workerData: {
    connectionFile,
    kernelInfo: kernelInfo(),
    shared,
    ...(process.send ? { supervisorPid: process.ppid } : {}),
    ...(restart?.lost ? { lostReply: lostReply(restart, restart.lost) } : {}),
  } satisfies FrontData,
  stdout: false,
  stderr: false,
});
const { exit } = guardProcess();
let executionCount = restart?.executionCount ?? 0;
/** After a restart, the first cell starts with what was lost. */
let restartNote = restart ? `${restartAdvice(restart)}\n` : undefined;
/** The request whose cell is running, or ran last: late output (timers) belongs to it. */
let current: Header | null = null;

function send(msg: ToFront): void {
  front.postMessage(msg);
}

function publish(msgType: string, content: Json): void {
  streams.flush();
  send({ type: "iopub", parent: current, msgType, content });
}

/** stdout and stderr, coalesced so a loop of console.log calls is not a message per line. */
const streams = new (class {
  #pending: { name: "stdout" | "stderr"; text: string } | null = null;
  #lastFlush = Date.now();
  #timer: NodeJS.Timeout | undefined;

  write(name: "stdout" | "stderr", text: string): void {
    if (this.#pending && this.#pending.name !== name) this.flush();
    this.#pending ??= { name, text: "" };
    this.#pending.text += text;
    // A busy synchronous loop never lets the timer fire, so also flush by age and size.
    if (this.#pending.text.length > 64 * 1024 || Date.now() - this.#lastFlush > 200) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), 20);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastFlush = Date.now();
    const pending = this.#pending;
    this.#pending = null;
    if (pending && pending.text !== "") send({ type: "iopub", parent: current, msgType: "stream", content: pending });
  }
})();

function capture(stream: NodeJS.WriteStream, name: "stdout" | "stderr"): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    streams.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
}
capture(process.stdout, "stdout");
capture(process.stderr, "stderr");

const channel: KernelChannel = {
  display(bundle: MimeBundle, { displayId, update }): void {
    const transient = displayId ? { display_id: displayId } : {};
    publish(update ? "update_display_data" : "display_data", { data: bundle, metadata: {}, transient });
  },
  clearOutput(wait: boolean): void {
    publish("clear_output", { wait });
  },
};
(globalThis as Record<symbol, unknown>)[KERNEL_CHANNEL] = channel;

// Cells that `import * as tslab from "tslab"` keep working: route tslab.display to us.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown }).lastWriteDisplayData = (
  data: { data: Record<string, string>; transient?: { display_id?: string } },
  update: boolean,
) => channel.display({ "text/plain": "", ...data.data }, { displayId: data.transient?.display_id, update });

/** The error reply owed to the request the previous kernel process died on. */
function lostReply(info: RestartInfo, lost: InFlight): NonNullable<FrontData["lostReply"]> {
  const evalue = restartAdvice(info, true);
  const hint = info.ename === "OutOfMemory" ? [LARGE_DATA_HINT] : [];
  return {
    request: { header: lost.header, identities: lost.identities, metadata: {}, content: {} },
    content: {
      status: "error",
      execution_count: lost.executionCount,
      ename: info.ename,
      evalue,
      traceback: [red(`${info.ename}: ${evalue}`), ...hint],
    },
  };
}

/** An interrupt the memory watch sent is an out-of-memory failure, not the learner's ■. */
function stoppedForMemory(outcome: CellOutcome): CellOutcome {
  const usedMb = takeMemoryStop(shared);
  if (outcome.kind !== "interrupted" || usedMb === 0) return outcome;
  const evalue =
    `this cell was stopped when the kernel's memory reached ${usedMb} MB of the ${heapLimitMb()} MB JavaScript may use, ` +
    `before it ran out; the kernel and your variables are intact`;
  return {
    ...outcome,
    kind: "runtime-error",
    ename: "OutOfMemory",
    evalue,
    traceback: [
      red(`OutOfMemory: ${evalue}`),
      "  What this cell declared is dropped; what it added to variables of earlier cells is still held by them.",
      LARGE_DATA_HINT,
    ],
  };
}

function errorContent(outcome: Exclude<CellOutcome, { kind: "ok" }>): Json {
  return { ename: outcome.ename, evalue: outcome.evalue, traceback: [...outcome.traceback] };
}

/** What ran, for `grade()`: it grades the code last executed in an exercise cell. */
const executedCells: ExecutedCell[] = [];
(globalThis as Record<symbol, unknown>)[EXECUTED_CELLS] = executedCells;

async function execute(content: Json, metadata: Json): Promise<Json> {
  const code = String(content["code"] ?? "");
  const silent = Boolean(content["silent"]);
  const storeHistory = !silent && content["store_history"] !== false;
  if (storeHistory) executionCount++;
  if (!silent) {
    // JupyterLab names the cell in the request's metadata; other clients do not.
    const cellId = typeof metadata["cellId"] === "string" ? metadata["cellId"] : undefined;
    executedCells.push({ source: code, executionCount, ...(cellId === undefined ? {} : { cellId }) });
  }
  const entry = storeHistory ? history.record(executionCount, code) : undefined;
  if (!silent) publish("execute_input", { code, execution_count: executionCount });
  if (restartNote !== undefined && !silent) {
    streams.write("stderr", restartNote);
    restartNote = undefined;
  }

  const outcome = stoppedForMemory(await executor.execute(code));
  Atomics.store(shared, SHARED.interruptRequested, 0);
  if (outcome.repair) streams.write("stderr", describeRepair(outcome.repair));
  streams.flush();
  if (outcome.kind !== "ok") {
    if (!silent) publish("error", errorContent(outcome));
    return { status: "error", execution_count: executionCount, ...errorContent(outcome) };
  }
  if (outcome.hasValue && !silent) {
    let data: MimeBundle;
    try {
      data = toBundle(outcome.value);
    } catch (e) {
      data = { "text/plain": `(this value could not be displayed: ${(e as Error).message})` };
    }
    if (entry) entry.output = data["text/plain"];
    publish("execute_result", { execution_count: executionCount, data, metadata: {} });
  }
  const userExpressions: Json = {};
  for (const [name, expr] of Object.entries((content["user_expressions"] ?? {}) as Record<string, string>)) {
    const result = await executor.execute(expr);
    userExpressions[name] =
      result.kind === "ok"
        ? { status: "ok", data: toBundle(result.value), metadata: {} }
        : { status: "error", ...errorContent(result) };
  }
  return { status: "ok", execution_count: executionCount, payload: [], user_expressions: userExpressions };
}

async function handle(request: ShellRequest): Promise<Json> {
  const { content } = request;
  const code = String(content["code"] ?? "");
  const cursor = codePointToUtf16(code, Number(content["cursor_pos"] ?? code.length));
  switch (request.header.msg_type) {
    case "execute_request":
      return execute(content, request.metadata);
    case "complete_request": {
      const c = executor.complete(code, cursor);
      return {
        status: "ok",
        matches: [...c.matches],
        cursor_start: utf16ToCodePoint(code, c.start),
        cursor_end: utf16ToCodePoint(code, c.end),
        metadata: {},
      };
    }
    case "inspect_request": {
      const text = executor.inspect(code, cursor);
      return { status: "ok", found: text !== undefined, data: text === undefined ? {} : { "text/plain": text }, metadata: {} };
    }
    case "is_complete_request":
      return { ...isComplete(code) };
    case "history_request":
      return history.query(content);
    default:
      return { status: "error", ename: "UnknownRequest", evalue: request.header.msg_type, traceback: [] };
  }
}

// Requests arrive one at a time from the front (it waits for each reply), so cells never overlap.
front.on("message", (msg: ToEngine) => {
  if (msg.type === "shutdown") {
    tell({ type: "stopping" });
    executor.close();
    streams.flush();
    send({ type: "close" });
    setTimeout(() => exit(0), 2000).unref();
    return;
  }
  if (msg.type === "closed") return exit(0);
  if (msg.type === "listening") {
    tell({ type: "ready", heapLimitMb: heapLimitMb() });
    return;
  }
  const { request } = msg;
  current = request.header;
  const counts = request.header.msg_type === "execute_request" && !request.content["silent"] && request.content["store_history"] !== false;
  tell({ type: "busy", request: { header: request.header, identities: request.identities, executionCount: executionCount + (counts ? 1 : 0) } });
  handle(request)
    .catch((e: unknown): Json => ({ status: "error", ename: "KernelError", evalue: String(e), traceback: [String((e as Error).stack)] }))
    .then((content) => {
      streams.flush();
      send({ type: "reply", parent: request.header, content });
      tell({ type: "idle", executionCount });
    });
});
front.on("error", (e) => {
  try {
    writeSync(2, `[workbook kernel] front thread failed: ${e.stack ?? String(e)}\n`);
  } finally {
    // stderr may be a pipe to a supervisor that is gone (EPIPE): exit regardless.
    exit(1);
  }
});
// Under a supervisor: when it is gone, nobody can reach or stop this kernel.
process.on("disconnect", () => exit(1));

process.on("SIGINT", () => executor.interrupt());
// A promise rejected after its cell finished must not take the kernel down with it.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`Unhandled promise rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});
process.on("uncaughtException", (e) => {
  process.stderr.write(`Uncaught exception: ${e.stack ?? String(e)}\n`);
});
