/**
 * What the supervisor and the kernel it restarts say to each other
 * =================================================================
 *
 *   Jupyter ──starts──▶ supervisor.js ──fork, IPC──▶ main.js (the kernel) ──▶ front (sockets)
 *                          ▲    │                        │
 *                          │    └── on an abnormal exit: fork main.js again, same
 *                          │        connection file, with `--restarted=<RestartInfo>`
 *                          └── ToSupervisor: "ready" (heap limit), "busy" (the request
 *                              being handled, with its ZeroMQ identity), "idle", "stopping"
 *
 * The supervisor never touches the sockets: it only remembers which request the kernel
 * was handling, so that the new kernel can answer it ("the kernel ran out of memory while
 * running this cell…"), and reads the old kernel's stderr to tell why it died.
 */
import type { Header } from "./protocol.js";

/** A shell request as the supervisor remembers it: enough to reply to it from a new process. */
export interface InFlight {
  readonly header: Header;
  /** The ZeroMQ routing identities, base64. */
  readonly identities: readonly string[];
  /** The execution count the kernel had reached. */
  readonly executionCount: number;
}

export type ToSupervisor =
  | { readonly type: "ready"; readonly heapLimitMb: number }
  | { readonly type: "busy"; readonly request: InFlight }
  | { readonly type: "idle"; readonly executionCount: number }
  /** A shutdown was requested: however the process ends now, it is not restarted. */
  | { readonly type: "stopping" };

/** Why the previous kernel process ended, for the one that replaces it. */
export interface RestartInfo {
  /** `OutOfMemory` or `KernelDied`: the `ename` the learner sees. */
  readonly ename: string;
  /** What the kernel did, to follow "The kernel": e.g. "ran out of memory (…)". */
  readonly reason: string;
  /** The request the kernel was handling when it died, if any: the new kernel answers it. */
  readonly lost?: InFlight;
  readonly executionCount: number;
}

const FLAG = "--restarted=";

export function restartArg(info: RestartInfo): string {
  return `${FLAG}${Buffer.from(JSON.stringify(info)).toString("base64")}`;
}

/** The restart info in the kernel's arguments, or `undefined` on a first start. */
export function parseRestartArg(argv: readonly string[]): RestartInfo | undefined {
  const arg = argv.find((a) => a.startsWith(FLAG));
  return arg === undefined ? undefined : (JSON.parse(Buffer.from(arg.slice(FLAG.length), "base64").toString()) as RestartInfo);
}

/**
 * What the learner reads after a restart: what happened, what was lost and what to do.
 * `inLostCell` words it for the output of the cell that was running when the kernel died.
 */
export function restartAdvice(info: RestartInfo, inLostCell = false): string {
  const running = info.lost?.header.msg_type === "execute_request";
  const where = inLostCell ? " while running this cell" : running ? ` while running cell [${info.lost!.executionCount}]` : "";
  return (
    `The kernel ${info.reason}${where} and restarted: every variable, function and import from earlier cells is gone; ` +
    `run the cells above again (Run → Run All Above).`
  );
}
