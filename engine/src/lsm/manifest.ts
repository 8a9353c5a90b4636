/**
 * Manifest
 * ========
 * Which SSTables make up the tree, at which level, plus the counters that must survive a
 * restart (the next file number, the last sequence number). The tables themselves never
 * change; a flush or a compaction changes the tree by writing its new tables first and
 * then a new manifest, atomically (`FileStore.replace`: temporary file, fsync, rename,
 * fsync the directory). A crash before the rename leaves the old manifest, whose tables
 * are all still there; the new tables are orphans, deleted on the next open. Old tables
 * are deleted only after the new manifest is durable.
 *
 *   MANIFEST
 *   offset 0         4            8
 *          | crc32c  | length n   | JSON, n bytes (UTF-8)                                  |
 *            u32 LE    u32 LE       { strategy, nextFileNumber, lastSeq,
 *                                     levels: [[{ fileNumber, smallest (hex), largest (hex),
 *                                                 size, entries }, …], …] }
 *
 * A file whose checksum or length does not match is `corrupt`: we refuse to guess.
 *
 * LevelDB's MANIFEST is a log of *version edits* (add file, delete file, next file
 * number…), appended to, with a CURRENT file naming the live manifest; a restart replays
 * the edits. Rewriting the whole (small) state each time is simpler and costs a few
 * hundred bytes per flush or compaction here. RocksDB keeps LevelDB's scheme.
 */
import { crc32c } from "../common/crc32c.js";
import { DbError } from "../common/errors.js";
import type { TableInfo } from "./compaction.js";
import type { FileStore } from "./file-store.js";

export const MANIFEST_NAME = "MANIFEST";

/** A live SSTable as the manifest records it. */
export interface ManifestTable extends TableInfo {
  /** Entries in the table, tombstones included. */
  readonly entries: number;
}

export type LsmStrategy = "leveled" | "size-tiered";

export interface ManifestState {
  readonly strategy: LsmStrategy;
  /** The number the next new table's file gets (file names are `tableFileName(n)`). */
  readonly nextFileNumber: number;
  /** The largest sequence number in any table. */
  readonly lastSeq: number;
  /** levels[0]: newest table first, ranges may overlap; levels[i ≥ 1]: sorted by key, disjoint. Size-tiered keeps every run in levels[0]. */
  readonly levels: readonly (readonly ManifestTable[])[];
}

/** The file name of table `n`: six digits and `.sst`, as LevelDB names its `.ldb` files. */
export function tableFileName(fileNumber: number): string {
  return `${String(fileNumber).padStart(6, "0")}.sst`;
}

/** The table number in a file name made by `tableFileName`, or `undefined` for other files. */
export function tableFileNumber(name: string): number | undefined {
  const m = /^(\d{6,})\.sst$/.exec(name);
  return m === null ? undefined : Number(m[1]);
}

const HEADER = 8;

export function encodeManifest(state: ManifestState): Uint8Array {
  const json = JSON.stringify({
    strategy: state.strategy,
    nextFileNumber: state.nextFileNumber,
    lastSeq: state.lastSeq,
    levels: state.levels.map((level) => level.map((t) => ({ fileNumber: t.fileNumber, smallest: hex(t.smallest), largest: hex(t.largest), size: t.size, entries: t.entries }))),
  });
  const body = new TextEncoder().encode(json);
  const bytes = new Uint8Array(HEADER + body.length);
  const view = new DataView(bytes.buffer);
  bytes.set(body, HEADER);
  view.setUint32(4, body.length, true);
  view.setUint32(0, crc32c(bytes.subarray(4)), true);
  return bytes;
}

/** The state in `bytes`; throws `corrupt` when the checksum, the length or the shape is wrong. */
export function decodeManifest(bytes: Uint8Array): ManifestState {
  const corrupt = (why: string): DbError => new DbError("corrupt", `the manifest is corrupt: ${why}`, { size: bytes.length });
  if (bytes.length < HEADER) throw corrupt(`${bytes.length} bytes, shorter than its 8-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(4, true);
  if (length !== bytes.length - HEADER) throw corrupt(`the header says ${length} bytes of state, the file has ${bytes.length - HEADER}`);
  if (view.getUint32(0, true) !== crc32c(bytes.subarray(4))) throw corrupt("checksum mismatch");
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER)));
  } catch {
    throw corrupt("the state is not JSON");
  }
  const s = raw as { strategy?: unknown; nextFileNumber?: unknown; lastSeq?: unknown; levels?: unknown };
  if ((s.strategy !== "leveled" && s.strategy !== "size-tiered") || !Number.isInteger(s.nextFileNumber) || !Number.isInteger(s.lastSeq) || !Array.isArray(s.levels)) {
    throw corrupt("missing fields");
  }
  const levels = (s.levels as unknown[]).map((level) => {
    if (!Array.isArray(level)) throw corrupt("a level is not a list");
    return level.map((t: { fileNumber: number; smallest: string; largest: string; size: number; entries: number }) => ({
      fileNumber: t.fileNumber,
      smallest: unhex(t.smallest),
      largest: unhex(t.largest),
      size: t.size,
      entries: t.entries,
    }));
  });
  return { strategy: s.strategy, nextFileNumber: s.nextFileNumber as number, lastSeq: s.lastSeq as number, levels };
}

/** Write `state` as the store's manifest, atomically. */
export function saveManifest(store: FileStore, state: ManifestState): void {
  store.replace(MANIFEST_NAME, encodeManifest(state));
}

/** The store's manifest, or `undefined` when the store has none (a new tree). */
export function loadManifest(store: FileStore): ManifestState | undefined {
  if (!store.exists(MANIFEST_NAME)) return undefined;
  return decodeManifest(store.readAll(MANIFEST_NAME));
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function unhex(s: string): Uint8Array {
  if (typeof s !== "string" || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new DbError("corrupt", "the manifest is corrupt: a key is not hex", {});
  const bytes = new Uint8Array(s.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
