/**
 * The kernel's front: every ZeroMQ socket, in a worker thread
 * ============================================================
 * Shell requests are handled one at a time, in order, each wrapped in `status: busy` and
 * `status: idle` on iopub, as Jupyter front ends expect. Control requests (interrupt,
 * shutdown, kernel info) never wait for the shell queue.
 *
 * iopub is an XPUB socket, so the front knows when a client has subscribed. That matters
 * after a restart (supervisor.ts): the request the previous kernel died on is answered
 * once the client's sockets have reconnected (iopub subscribed, the shell identity
 * routable), before any new shell request is read. Under the supervisor the front also
 * watches the parent pid: a kernel whose supervisor was killed ends itself. While a cell
 * runs, the front watches memory and stops a cell about to exhaust it (memory-watch.ts).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { type ConnectionInfo, type Header, type Json, type Message, Wire, endpoint, newHeader } from "./protocol.js";
import { MemoryWatch } from "./memory-watch.js";
import { ENGINE_REQUESTS, type FrontData, SHARED, type ToEngine, type ToFront } from "./threads.js";

const { connectionFile, kernelInfo, supervisorPid, lostReply, shared } = workerData as FrontData;
/** How long a restarted kernel waits for the client to reconnect before giving up on the lost reply. */
const RECONNECT_WAIT_MS = 10_000;
const info = JSON.parse(readFileSync(connectionFile, "utf8")) as ConnectionInfo;
const wire = new Wire(info);
const session = randomUUID();
const port = parentPort!;

/** zeromq.js allows one pending send per socket; this queues the rest. */
class Outbox {
  #last: Promise<void> = Promise.resolve();
  constructor(readonly socket: zmq.Writable) {}
  send(frames: (string | Uint8Array)[]): Promise<void> {
    this.#last = this.#last.then(() => this.socket.send(frames)).catch((e: unknown) => log(`send failed: ${String(e)}`));
    return this.#last;
  }
  /** Resolves once everything queued so far has been handed to zeromq. */
  drain(): Promise<void> {
    return this.#last;
  }
}

const shell = new zmq.Router();
const control = new zmq.Router();
const stdin = new zmq.Router();
const iopub = new zmq.XPublisher();
const heartbeat = new zmq.Reply();
const shellOut = new Outbox(shell);
const controlOut = new Outbox(control);
const iopubOut = new Outbox(iopub);

const pendingReplies = new Map<string, (content: Json) => void>();
const memoryWatch = new MemoryWatch(shared, () => process.kill(process.pid, "SIGINT"), log);
/** True while an execute_request is with the engine. */
let executing = false;

function log(text: string): void {
  writeSync(2, `[workbook kernel] ${text}\n`);
}

function publish(msgType: string, content: Json, parent: Header | Json = {}): Promise<void> {
  return iopubOut.send([msgType, ...wire.encode({ header: newHeader(msgType, session), parent_header: parent, metadata: {}, content })]);
}

function replyFrames(request: Pick<Message, "header" | "identities">, content: Json): (string | Uint8Array)[] {
  const msgType = request.header.msg_type.replace(/_request$/, "_reply");
  return wire.encode({
    header: newHeader(msgType, session),
    parent_header: request.header,
    metadata: {},
    content,
    identities: request.identities,
  });
}

function reply(out: Outbox, request: Message, content: Json): Promise<void> {
  return out.send(replyFrames(request, content));
}

function askEngine(request: Message): Promise<Json> {
  return new Promise((resolve) => {
    pendingReplies.set(request.header.msg_id, resolve);
    const identities = request.identities.map((i) => Buffer.from(i).toString("base64"));
    port.postMessage({ type: "shell", request: { header: request.header, metadata: request.metadata, content: request.content, identities } } satisfies ToEngine);
  });
}

/** Resolves when a client subscribes to iopub (XPUB hands us the subscription frames). */
const subscribed = new Promise<void>((resolve) => {
  void (async () => {
    try {
      for await (const [frame] of iopub) if (frame?.[0] === 1) resolve();
    } catch (e) {
      if (!iopub.closed) log(`reading iopub subscriptions failed: ${String(e)}`);
    }
  })();
});

/**
 * After a restart, answer the request the previous kernel died on, as its handler would
 * have: busy, the error on iopub, the reply on shell, idle. The client's sockets reconnect
 * on their own; until they have, a publish is lost and a routed send fails, so wait.
 */
async function answerLost(lost: NonNullable<FrontData["lostReply"]>): Promise<void> {
  const { header, identities } = lost.request;
  const request = { header, identities: identities.map((i) => Buffer.from(i, "base64")) };
  const deadline = Date.now() + RECONNECT_WAIT_MS;
  await Promise.race([subscribed, sleep(RECONNECT_WAIT_MS)]);
  await publish("status", { execution_state: "busy" }, header);
  if (header.msg_type === "execute_request") {
    const { ename, evalue, traceback } = lost.content;
    await publish("error", { ename, evalue, traceback }, header);
  }
  shell.mandatory = true;
  try {
    for (;;) {
      try {
        await shell.send(replyFrames(request, lost.content));
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          log(`the client did not reconnect within ${RECONNECT_WAIT_MS / 1000} s: the reply to the lost ${header.msg_type} is dropped (${String(e)})`);
          break;
        }
        await sleep(100);
      }
    }
  } finally {
    shell.mandatory = false;
  }
  await publish("status", { execution_state: "idle" }, header);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A kernel whose supervisor is gone (killed with SIGKILL) has nobody to restart or stop it. */
function watchSupervisor(pid: number): void {
  setInterval(() => {
    if (process.ppid !== pid) {
      log("the supervisor is gone; exiting");
      process.kill(process.pid, "SIGKILL");
    }
  }, 1000).unref();
}

async function handleShell(request: Message): Promise<void> {
  const type = request.header.msg_type;
  await publish("status", { execution_state: "busy" }, request.header);
  if (type === "kernel_info_request") await reply(shellOut, request, kernelInfo);
  else if (type === "comm_info_request") await reply(shellOut, request, { status: "ok", comms: {} });
  else if (type === "execute_request") {
    memoryWatch.start();
    executing = true;
    const content = await askEngine(request);
    executing = false;
    memoryWatch.stop();
    await reply(shellOut, request, content);
  } else if (ENGINE_REQUESTS.has(type)) await reply(shellOut, request, await askEngine(request));
  else log(`ignoring unknown shell message '${type}'`);
  await publish("status", { execution_state: "idle" }, request.header);
}

async function handleControl(request: Message): Promise<void> {
  const type = request.header.msg_type;
  await publish("status", { execution_state: "busy" }, request.header);
  switch (type) {
    case "kernel_info_request":
      await reply(controlOut, request, kernelInfo);
      break;
    case "interrupt_request":
      // The flag reaches a cell that is still compiling, which the signal would miss.
      if (executing) Atomics.store(shared, SHARED.interruptRequested, 1);
      process.kill(process.pid, "SIGINT");
      await reply(controlOut, request, { status: "ok" });
      break;
    case "shutdown_request": {
      await reply(controlOut, request, { status: "ok", restart: Boolean(request.content["restart"]) });
      await publish("status", { execution_state: "idle" }, request.header);
      port.postMessage({ type: "shutdown" } satisfies ToEngine);
      // A cell that never yields cannot hear the request; end the process regardless.
      setTimeout(() => process.kill(process.pid, "SIGKILL"), 2000).unref();
      return;
    }
    default:
      log(`ignoring unknown control message '${type}'`);
  }
  await publish("status", { execution_state: "idle" }, request.header);
}

async function serve(socket: zmq.Router, handle: (m: Message) => Promise<void>): Promise<void> {
  for await (const frames of socket) {
    let request: Message;
    try {
      request = wire.decode(frames);
    } catch (e) {
      log(`dropping a message: ${(e as Error).message}`);
      continue;
    }
    await handle(request);
  }
}

async function echoHeartbeats(): Promise<void> {
  for await (const frames of heartbeat) await heartbeat.send(frames);
}

/** Close every socket before the process exits: zeromq aborts if they are torn down under it. */
async function closeAll(): Promise<void> {
  memoryWatch.close();
  await Promise.all([shellOut, controlOut, iopubOut].map((o) => o.drain()));
  for (const s of [shell, control, stdin, iopub, heartbeat]) {
    s.linger = 200;
    s.close();
  }
  port.postMessage({ type: "closed" } satisfies ToEngine);
}

port.on("message", (msg: ToFront) => {
  if (msg.type === "close") {
    void closeAll();
  } else if (msg.type === "iopub") {
    void publish(msg.msgType, msg.content, msg.parent ?? {});
  } else {
    const resolve = pendingReplies.get(msg.parent.msg_id);
    pendingReplies.delete(msg.parent.msg_id);
    resolve?.(msg.content);
  }
});

async function main(): Promise<void> {
  await Promise.all([
    shell.bind(endpoint(info, info.shell_port)),
    control.bind(endpoint(info, info.control_port)),
    stdin.bind(endpoint(info, info.stdin_port)),
    iopub.bind(endpoint(info, info.iopub_port)),
    heartbeat.bind(endpoint(info, info.hb_port)),
  ]);
  await publish("status", { execution_state: "starting" });
  port.postMessage({ type: "listening" } satisfies ToEngine);
  if (supervisorPid !== undefined) watchSupervisor(supervisorPid);
  void serve(control, handleControl);
  void echoHeartbeats();
  if (lostReply) await answerLost(lostReply);
  await serve(shell, handleShell);
}

main().catch((e: unknown) => {
  log(`front failed: ${(e as Error).stack ?? String(e)}`);
  process.kill(process.pid, "SIGTERM");
});
