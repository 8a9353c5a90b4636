/**
 * The kernel's supervisor: a kernel that dies comes back and says why
 * ====================================================================
 * Some failures cannot be caught inside the kernel's process: V8 aborts the whole process
 * when the JavaScript heap is full (`new Array(2**31).fill(0)`), and a native crash is a
 * crash. The kernel spec therefore starts this small process, which forks the real kernel
 * (main.js) with an IPC channel and watches it (the protocol is in supervision.ts):
 *
 *   exit code 0, or any exit    the kernel shut down on request: the supervisor exits with it
 *   after "stopping"
 *   SIGTERM/SIGHUP to us        passed on; when the kernel exits, so do we
 *   SIGINT to us                passed on (an interrupt, as for a kernel without us)
 *   any other exit, after the   fork main.js again on the same connection file, with why
 *   kernel had started          (out of memory, read from its stderr) and which request it
 *                               was handling; the new kernel answers that request with the
 *                               reason and tells the next cell what was lost
 *   died before it started,     give up and exit with its code: a restart would fail the
 *   or 3 restarts in a minute   same way, or nobody is listening
 *   or the connection file is gone
 *
 * The kernel's stdout is inherited; its stderr passes through us (we keep the last 16 kB
 * to find V8's "heap out of memory"). The kernel polls its parent pid, so it does not
 * outlive a supervisor killed with SIGKILL; we poll ours, so a kernel whose Jupyter (or
 * test) died does not linger. What is lost on a restart is the JavaScript
 * heap: variables, imports, history. Jupyter itself never sees the kernel die.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, writeSync } from "node:fs";
import path from "node:path";
import { type InFlight, type RestartInfo, type ToSupervisor, restartArg } from "./supervision.js";

const RESTARTS_PER_MINUTE = 3;
const STDERR_TAIL = 16 * 1024;
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/;

const connectionFile = process.argv[2];
if (!connectionFile) {
  writeSync(2, "usage: node kernel/supervisor.js <connection-file>\n");
  process.exit(2);
}

let child: ChildProcess;
let stopping = false;
const restarts: number[] = [];

function log(text: string): void {
  writeSync(2, `[workbook kernel supervisor] ${text}\n`);
}

function start(restart?: RestartInfo): void {
  let ready = false;
  let heapLimitMb = 0;
  let inFlight: InFlight | undefined;
  let executionCount = restart?.executionCount ?? 0;
  let tail = "";
  child = fork(path.join(__dirname, "main.js"), [connectionFile!, ...(restart ? [restartArg(restart)] : [])], {
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  child.stderr!.on("data", (d: Buffer) => {
    process.stderr.write(d);
    tail = (tail + d.toString()).slice(-STDERR_TAIL);
  });
  child.on("message", (m: ToSupervisor) => {
    if (m.type === "ready") {
      ready = true;
      heapLimitMb = m.heapLimitMb;
    } else if (m.type === "stopping") {
      stopping = true;
    } else if (m.type === "busy") {
      inFlight = m.request;
      executionCount = m.request.executionCount;
    } else {
      inFlight = undefined;
      executionCount = m.executionCount;
    }
  });
  // "close", not "exit": by then the kernel's last words on stderr have been read.
  child.once("close", (code, signal) => {
    if (stopping || code === 0) process.exit(code ?? 0);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!ready) {
      log(`the kernel exited (${how}) before it started; not restarting it`);
      process.exit(code ?? 1);
    }
    if (!existsSync(connectionFile!)) {
      log(`the kernel died (${how}) and its connection file is gone (the client has left); not restarting it`);
      process.exit(code ?? 1);
    }
    const now = Date.now();
    restarts.push(now);
    if (restarts.filter((t) => now - t < 60_000).length > RESTARTS_PER_MINUTE) {
      log(`the kernel died (${how}) ${RESTARTS_PER_MINUTE + 1} times within a minute; not restarting it again`);
      process.exit(code ?? 1);
    }
    const info = whyItDied(how, signal, tail, heapLimitMb);
    log(`the kernel ${info.reason}; restarting it`);
    start({ ...info, executionCount, ...(inFlight ? { lost: inFlight } : {}) });
  });
}

function whyItDied(how: string, signal: NodeJS.Signals | null, stderr: string, heapLimitMb: number): Pick<RestartInfo, "ename" | "reason"> {
  if (OUT_OF_MEMORY.test(stderr)) {
    return {
      ename: "OutOfMemory",
      reason: `ran out of memory (JavaScript's heap is limited to ${Math.round(heapLimitMb)} MB)`,
    };
  }
  if (signal === "SIGKILL") {
    return { ename: "KernelDied", reason: "was killed (SIGKILL), perhaps by the system when memory ran out" };
  }
  const last = stderr.trim().split("\n").filter((l) => !l.startsWith("[workbook kernel")).pop()?.trim();
  return { ename: "KernelDied", reason: `stopped (${how}${last ? `: ${last.slice(0, 200)}` : ""})` };
}

/** Like ipykernel's parent poller: when whoever started us is gone, nobody can use this kernel. */
function watchParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    log("the process that started the kernel is gone; stopping it");
    stopping = true;
    child.kill("SIGTERM");
  }, 2000).unref();
}

process.on("SIGINT", () => child.kill("SIGINT"));
for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopping = true;
    child.kill(signal);
  });
}

start();
watchParent();
