/**
 * What the kernel's two threads say to each other
 * ================================================
 *
 *   Jupyter client ══zmq══▶ front (worker thread)  ──ToEngine──▶  engine (main thread)
 *                           shell, control, stdin,               runs cells, completes,
 *                           iopub, heartbeat      ◀──ToFront───  inspects, keeps history
 *
 * The front owns every socket, so heartbeats, `interrupt_request` and `shutdown_request`
 * are answered even while a cell keeps the main thread busy. An interrupt becomes SIGINT
 * to our own process, which `vm`'s `breakOnSigint` turns into an exception in the cell.
 */
import type { Header, Json } from "./protocol.js";

export interface ShellRequest {
  readonly header: Header;
  readonly metadata: Json;
  readonly content: Json;
  /** ZeroMQ routing identities, base64: the supervisor needs them to answer a request lost in a crash. */
  readonly identities: readonly string[];
}

export type ToEngine =
  | { readonly type: "listening" }
  | { readonly type: "shell"; readonly request: ShellRequest }
  | { readonly type: "shutdown" }
  | { readonly type: "closed" };

export type ToFront =
  | { readonly type: "iopub"; readonly parent: Header | null; readonly msgType: string; readonly content: Json }
  | { readonly type: "reply"; readonly parent: Header; readonly content: Json }
  | { readonly type: "close" };

export interface FrontData {
  readonly connectionFile: string;
  readonly kernelInfo: Json;
  /** Shared with the main thread: see SHARED. */
  readonly shared: Int32Array;
  /** Set under the supervisor: the front ends the process if the supervisor goes away. */
  readonly supervisorPid?: number;
  /** After a restart: the reply owed to the request the previous kernel died on. */
  readonly lostReply?: { readonly request: ShellRequest; readonly content: Json };
}

/**
 * Words the two threads share (one SharedArrayBuffer), read and written with Atomics: the
 * main thread can read them in the middle of a synchronous cell, before its event loop
 * would deliver a message or a signal.
 */
export const SHARED = {
  /** The main heap's old-generation limit, MB (memory-watch.ts). */
  heapLimitMb: 0,
  /** Heap use at which the memory watch stopped the cell, MB; 0 when it did not. */
  memoryStopMb: 1,
  /** 1 when an interrupt_request came in for the cell being executed. */
  interruptRequested: 2,
} as const;

export function sharedWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

/** Shell requests the engine answers; the front answers the rest itself. */
export const ENGINE_REQUESTS = new Set([
  "execute_request",
  "complete_request",
  "inspect_request",
  "is_complete_request",
  "history_request",
]);
