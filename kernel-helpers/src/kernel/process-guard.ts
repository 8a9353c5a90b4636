/**
 * Guarding the kernel's process from its cells
 * =============================================
 * Cells run in the kernel's own process, so `process.exit(1)` in a cell would end the
 * kernel, and worse: it tears the ZeroMQ sockets down under the front thread, which aborts
 * with `terminate called after throwing an instance of 'Napi::Error'`. A learner who writes
 * it means "stop here with a failure", which is what an exception does in a notebook.
 *
 * So, once the kernel is up, these become exceptions in the cell that calls them:
 *
 *   process.exit(code)                      →  ProcessExitRefused
 *   process.abort()                         →  ProcessExitRefused
 *   process.kill(<own pid, pid 0, parent>,  →  ProcessExitRefused, for a signal that would end
 *                <SIGTERM, SIGKILL, …>)         the process (SIGINT has a handler: it interrupts)
 *
 * The kernel itself exits through the function `guardProcess()` returns. A real server
 * would run untrusted code in another process; a notebook cell is the learner's own code,
 * so this catches the natural mistakes, not malice (`process.reallyExit` is left alone).
 */
import os from "node:os";

export class ProcessExitRefused extends Error {
  override readonly name = "ProcessExitRefused";
}

/** Signals whose default action does not end the process. */
const HARMLESS = new Set(["SIGCHLD", "SIGCONT", "SIGURG", "SIGWINCH"]);

export interface ProcessGuard {
  /** The real `process.exit`, for the kernel's own shutdown. */
  readonly exit: (code?: number) => never;
}

/** Install the guards on this thread's `process`; call once, from the kernel's main thread. */
export function guardProcess(): ProcessGuard {
  const exit = process.exit.bind(process);
  const kill = process.kill.bind(process);
  const refuse = (what: string): never => {
    throw new ProcessExitRefused(
      `${what} would stop the kernel and lose every variable; throw an error instead (the kernel and your variables are intact)`,
    );
  };
  process.exit = ((code?: number | string | null) => refuse(`process.exit(${code ?? ""})`)) as typeof process.exit;
  process.abort = (() => refuse("process.abort()")) as typeof process.abort;
  process.kill = ((pid: number, signal: string | number = "SIGTERM"): true => {
    const ours = pid === process.pid || pid === 0 || pid === -process.pid || pid === process.ppid;
    if (ours && endsProcess(signal)) refuse(`process.kill(${pid}, ${JSON.stringify(signal)})`);
    return kill(pid, signal);
  }) as typeof process.kill;
  return { exit };
}

function endsProcess(signal: string | number): boolean {
  if (signal === 0) return false;
  const name = typeof signal === "number" ? signalName(signal) : signal;
  if (name === undefined) return true;
  return !HARMLESS.has(name) && process.listenerCount(name as NodeJS.Signals) === 0;
}

function signalName(n: number): string | undefined {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0];
}
