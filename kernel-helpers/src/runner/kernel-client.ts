/**
 * A Jupyter client for the headless runner and the tests
 * =======================================================
 * Starts a kernel from its kernel spec (a connection file with fresh loopback ports, the
 * spec's argv with `{connection_file}` filled in), then speaks the messaging protocol
 * over ZeroMQ: DEALER sockets for shell and control, SUB for iopub. `execute()` returns
 * the reply together with the cell's outputs already shaped as nbformat 4 outputs.
 *
 * iopub is a broadcast: a subscriber that connects late misses messages. `start()` sends
 * `kernel_info_request` until an iopub status for it arrives, so by the time it returns no
 * output can be lost.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { type KernelSpec, findKernelSpec } from "../kernel/kernelspec.js";
import { type ConnectionInfo, type Json, type Message, Wire, endpoint, newHeader } from "../kernel/protocol.js";

export type NbOutput =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: Json; metadata: Json; transient?: Json }
  | { output_type: "execute_result"; data: Json; metadata: Json; execution_count: number | null }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface ExecuteResult {
  readonly reply: Json;
  readonly outputs: NbOutput[];
  /** Every iopub message of this request, in order (tests look at raw protocol). */
  readonly messages: Message[];
  readonly ms: number;
}

export class KernelTimeoutError extends Error {
  override readonly name = "KernelTimeoutError";
}

export class KernelDiedError extends Error {
  override readonly name = "KernelDiedError";
}

export interface StartOptions {
  readonly kernelName?: string;
  readonly spec?: KernelSpec;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
}

interface Waiter {
  readonly msgId: string;
  readonly messages: Message[];
  reply?: Message;
  idle: boolean;
  resolve(): void;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.on("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly #wire: Wire;
  readonly #shell = new zmq.Dealer();
  readonly #control = new zmq.Dealer();
  readonly #iopub = new zmq.Subscriber();
  readonly #waiters = new Map<string, Waiter>();
  readonly #stderr: string[] = [];
  #exited: string | undefined;
  #closed = false;

  private constructor(
    readonly process: ChildProcess,
    readonly info: ConnectionInfo,
    private readonly tmpDir: string,
  ) {
    this.#wire = new Wire(info);
    process.stderr?.on("data", (d: Buffer) => {
      this.#stderr.push(d.toString());
      if (this.#stderr.length > 200) this.#stderr.shift();
    });
    process.on("exit", (code, signal) => {
      this.#exited = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const w of this.#waiters.values()) w.resolve();
    });
  }

  /** What the kernel wrote to stderr lately: the first place to look when it dies. */
  get stderr(): string {
    return this.#stderr.join("");
  }

  get alive(): boolean {
    return this.#exited === undefined;
  }

  static async start(options: StartOptions = {}): Promise<KernelClient> {
    const spec = options.spec ?? findKernelSpec(options.kernelName, options.env).spec;
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const info: ConnectionInfo = {
      ip: "127.0.0.1",
      transport: "tcp",
      shell_port: shell!,
      iopub_port: iopub!,
      stdin_port: stdin!,
      control_port: control!,
      hb_port: hb!,
      key: randomBytes(16).toString("hex"),
      signature_scheme: "hmac-sha256",
      kernel_name: options.kernelName ?? "",
    };
    const tmpDir = mkdtempSync(path.join(os.tmpdir(), "workbook-kernel-"));
    const connectionFile = path.join(tmpDir, "connection.json");
    writeFileSync(connectionFile, JSON.stringify(info));
    const [cmd, ...args] = spec.argv.map((a) => a.replace("{connection_file}", connectionFile));
    const child = spawn(cmd!, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...(options.env ?? process.env), ...spec.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const client = new KernelClient(child, info, tmpDir);
    await client.#connect(options.startTimeoutMs ?? 60_000);
    return client;
  }

  async #connect(timeoutMs: number): Promise<void> {
    const routing = randomUUID();
    this.#shell.routingId = `${routing}-shell`;
    this.#control.routingId = `${routing}-control`;
    this.#shell.connect(endpoint(this.info, this.info.shell_port));
    this.#control.connect(endpoint(this.info, this.info.control_port));
    this.#iopub.connect(endpoint(this.info, this.info.iopub_port));
    this.#iopub.subscribe();
    void this.#listen(this.#iopub, (m) => this.#onIopub(m));
    void this.#listen(this.#shell, (m) => this.#onReply(m));
    void this.#listen(this.#control, (m) => this.#onReply(m));

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new KernelDiedError(`the kernel exited while starting (${this.#exited}):\n${this.stderr}`);
      const waiter = this.#send(this.#shell, "kernel_info_request", {});
      await Promise.race([waiter.done, sleep(500)]);
      // A reply without its iopub idle means iopub is not connected yet: ask again.
      if (waiter.state.idle && waiter.state.reply) return;
      this.#waiters.delete(waiter.state.msgId);
    }
    this.close();
    throw new KernelTimeoutError(`the kernel did not answer within ${timeoutMs / 1000} s:\n${this.stderr}`);
  }

  async #listen(socket: zmq.Dealer | zmq.Subscriber, handle: (m: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        // iopub carries a topic frame in front of the delimiter; decode() skips identities.
        handle(this.#wire.decode(frames));
      }
    } catch (e) {
      if (!this.#closed) throw e;
    }
  }

  #onIopub(m: Message): void {
    const parent = (m.parent_header as { msg_id?: string }).msg_id;
    const waiter = parent === undefined ? undefined : this.#waiters.get(parent);
    if (!waiter) return;
    waiter.messages.push(m);
    if (m.header.msg_type === "status" && m.content["execution_state"] === "idle") {
      waiter.idle = true;
      if (waiter.reply) waiter.resolve();
    }
  }

  #onReply(m: Message): void {
    const parent = (m.parent_header as { msg_id?: string }).msg_id;
    const waiter = parent === undefined ? undefined : this.#waiters.get(parent);
    if (!waiter) return;
    waiter.reply = m;
    // Control replies come without a guarantee of ordering against iopub; shell waits for idle.
    if (waiter.idle || m.header.msg_type === "interrupt_reply" || m.header.msg_type === "shutdown_reply") waiter.resolve();
  }

  #send(socket: zmq.Dealer, msgType: string, content: Json): { state: Waiter; done: Promise<void> } {
    const header = newHeader(msgType, this.session);
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const state: Waiter = { msgId: header.msg_id, messages: [], idle: false, resolve };
    this.#waiters.set(header.msg_id, state);
    void socket.send(this.#wire.encode({ header, parent_header: {}, metadata: {}, content }));
    return { state, done };
  }

  /** Send a request and wait for its reply (and, on shell, for the kernel to go idle). */
  async request(channel: "shell" | "control", msgType: string, content: Json, timeoutMs = 60_000): Promise<{ reply: Message; messages: Message[] }> {
    if (!this.alive) throw new KernelDiedError(`the kernel is not running (${this.#exited})`);
    const { state, done } = this.#send(channel === "shell" ? this.#shell : this.#control, msgType, content);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const outcome = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    this.#waiters.delete(state.msgId);
    if (!state.reply) {
      if (!this.alive) throw new KernelDiedError(`the kernel died (${this.#exited}) while handling ${msgType}:\n${this.stderr}`);
      if (outcome === "timeout") throw new KernelTimeoutError(`no ${msgType.replace("_request", "_reply")} within ${timeoutMs / 1000} s`);
    }
    return { reply: state.reply!, messages: state.messages };
  }

  /** Run code and collect what it printed, displayed, returned or threw. */
  async execute(code: string, options: { timeoutMs?: number; silent?: boolean; storeHistory?: boolean } = {}): Promise<ExecuteResult> {
    const started = performance.now();
    const { reply, messages } = await this.request(
      "shell",
      "execute_request",
      { code, silent: options.silent ?? false, store_history: options.storeHistory ?? true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      options.timeoutMs,
    );
    return { reply: reply.content, outputs: toOutputs(messages), messages, ms: performance.now() - started };
  }

  interrupt(): Promise<{ reply: Message }> {
    return this.request("control", "interrupt_request", {}, 10_000);
  }

  /** Ask the kernel to exit; kill it if it has not within `graceMs`. */
  async shutdown(graceMs = 5_000): Promise<void> {
    if (this.alive) {
      const exited = new Promise((r) => this.process.once("exit", r));
      await this.request("control", "shutdown_request", { restart: false }, graceMs).catch(() => {});
      const t = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(t);
    }
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.alive) this.process.kill("SIGKILL");
    for (const s of [this.#shell, this.#control, this.#iopub]) s.close();
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** iopub messages of one request → nbformat outputs, as Jupyter's own clients build them. */
export function toOutputs(messages: readonly Message[]): NbOutput[] {
  const outputs: NbOutput[] = [];
  let clearOnNext = false;
  const add = (o: NbOutput) => {
    if (clearOnNext) {
      outputs.length = 0;
      clearOnNext = false;
    }
    const last = outputs[outputs.length - 1];
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) last.text += o.text;
    else outputs.push(o);
  };
  for (const m of messages) {
    const c = m.content;
    switch (m.header.msg_type) {
      case "stream":
        add({ output_type: "stream", name: String(c["name"]), text: String(c["text"]) });
        break;
      case "display_data":
        add({ output_type: "display_data", data: c["data"] as Json, metadata: (c["metadata"] ?? {}) as Json, transient: c["transient"] as Json });
        break;
      case "update_display_data": {
        const id = (c["transient"] as Json | undefined)?.["display_id"];
        for (const o of outputs) {
          if (o.output_type === "display_data" && o.transient?.["display_id"] === id) {
            o.data = c["data"] as Json;
            o.metadata = (c["metadata"] ?? {}) as Json;
          }
        }
        break;
      }
      case "execute_result":
        add({ output_type: "execute_result", data: c["data"] as Json, metadata: (c["metadata"] ?? {}) as Json, execution_count: c["execution_count"] as number });
        break;
      case "error":
        add({ output_type: "error", ename: String(c["ename"]), evalue: String(c["evalue"]), traceback: c["traceback"] as string[] });
        break;
      case "clear_output":
        if (c["wait"]) clearOnNext = true;
        else outputs.length = 0;
        break;
    }
  }
  return outputs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
