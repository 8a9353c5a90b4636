/**
 * Jupyter messaging protocol, version 5.3: the wire format
 * =========================================================
 * One message on a ZeroMQ socket is a list of frames:
 *
 *   | identity … | "<IDS|MSG>" | hmac | header | parent_header | metadata | content | buffer … |
 *
 * The four JSON frames are signed with HMAC-SHA256 over their bytes, keyed by the
 * connection file's `key`; a message whose signature does not match is refused. Both the
 * kernel and the headless runner's client speak through this one module, so the two ends
 * cannot drift apart.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = "<IDS|MSG>";

export interface Header {
  readonly msg_id: string;
  readonly session: string;
  readonly username: string;
  readonly date: string;
  readonly msg_type: string;
  readonly version: string;
}

export type Json = Record<string, unknown>;

export interface Message<C extends Json = Json> {
  readonly header: Header;
  readonly parent_header: Header | Json;
  readonly metadata: Json;
  readonly content: C;
  readonly buffers: readonly Uint8Array[];
  /** ZeroMQ routing identities that came in front of the delimiter (shell, control, stdin). */
  readonly identities: readonly Uint8Array[];
}

/** The contents of a Jupyter connection file. */
export interface ConnectionInfo {
  readonly ip: string;
  readonly transport: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly key: string;
  readonly signature_scheme: string;
  readonly kernel_name?: string;
}

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

export function endpoint(info: ConnectionInfo, port: number): string {
  return `${info.transport}://${info.ip}:${port}`;
}

export function newHeader(msgType: string, session: string, username = "workbook"): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Signs, encodes and decodes messages for one connection (one key). */
export class Wire {
  readonly #key: string;

  constructor(info: Pick<ConnectionInfo, "key" | "signature_scheme">) {
    if (info.key !== "" && info.signature_scheme !== "hmac-sha256") {
      throw new ProtocolError(
        `unsupported signature scheme '${info.signature_scheme}' (only hmac-sha256 is implemented)`,
      );
    }
    this.#key = info.key;
  }

  sign(parts: readonly (string | Uint8Array)[]): string {
    if (this.#key === "") return "";
    const hmac = createHmac("sha256", this.#key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  encode(
    msg: Pick<Message, "header" | "parent_header" | "metadata" | "content"> & {
      buffers?: readonly Uint8Array[];
      identities?: readonly Uint8Array[];
    },
  ): (string | Uint8Array)[] {
    const parts = [
      JSON.stringify(msg.header),
      JSON.stringify(msg.parent_header),
      JSON.stringify(msg.metadata),
      JSON.stringify(wellFormed(msg.content)),
    ];
    return [...(msg.identities ?? []), DELIMITER, this.sign(parts), ...parts, ...(msg.buffers ?? [])];
  }

  decode(frames: readonly Uint8Array[]): Message {
    const at = frames.findIndex((f) => Buffer.from(f).toString() === DELIMITER);
    if (at < 0) throw new ProtocolError("message has no <IDS|MSG> delimiter");
    if (frames.length < at + 6) throw new ProtocolError(`message has ${frames.length - at - 2} of its 4 JSON frames`);
    const signature = Buffer.from(frames[at + 1]!).toString();
    const parts = frames.slice(at + 2, at + 6);
    const expected = this.sign(parts);
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ProtocolError("message signature does not match the connection key");
    }
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(Buffer.from(p).toString()) as Json);
    return {
      header: header as unknown as Header,
      parent_header: parent!,
      metadata: metadata!,
      content: content!,
      buffers: frames.slice(at + 6),
      identities: frames.slice(0, at),
    };
  }
}

/**
 * A lone UTF-16 surrogate (from `"\ud800"` in a cell, or bytes decoded as UTF-16) is legal
 * in a JavaScript string but not in UTF-8: Jupyter's Python side accepts the message and
 * then fails writing the notebook. Outputs are text for people, so such a half character
 * becomes U+FFFD, as a UTF-8 decoder would show it.
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === "string") return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wellFormed(v)])) as T;
  }
  return value;
}

/**
 * Jupyter counts `cursor_pos` in Unicode code points; JavaScript strings index UTF-16
 * units. These two convert between them so that completion works after an emoji.
 */
export function codePointToUtf16(text: string, codePoints: number): number {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === codePoints) break;
    units += ch.length;
    seen++;
  }
  return units;
}

export function utf16ToCodePoint(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}
