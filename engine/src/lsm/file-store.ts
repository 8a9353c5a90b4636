/**
 * File store
 * ==========
 * The LSM tree's disk: a directory of named files that are written once, whole, and never
 * changed afterwards (SSTables), plus one small file replaced atomically (the manifest).
 *
 *   dir/
 *     000007.sst   written whole + fsync, then only read (offset, length), then deleted
 *     000009.sst
 *     MANIFEST     replaced atomically: write MANIFEST.tmp, fsync, rename over, fsync dir
 *
 * Two implementations keep the same contract: `NodeFileStore` over a real directory (one
 * file descriptor per open file, positional reads), and `MemoryFileStore`, a map of byte
 * arrays for fast tests. Both count what the measurements of notebook 06 need: bytes and
 * calls written and read, fsyncs, and the files and bytes on disk now.
 *
 * Durability, step by step (NodeFileStore with `sync: true`, the default): `write` creates
 * the file, writes every byte, fsyncs the file and then the directory (a new file's
 * directory entry is unsynced metadata on Linux: without that second fsync a crash can
 * lose a file whose contents were fsynced). `replace` writes `name.tmp` the same way and
 * renames it over `name`, then fsyncs the directory: a reader sees the old file or the new
 * one, never a mix. `sync: false` skips every fsync (benchmarks that compare with a peer
 * run without fsync, and say so).
 *
 * LevelDB's `Env` is the same abstraction: `NewWritableFile` + `Sync`, `NewRandomAccessFile`,
 * `RenameFile` for CURRENT, and an in-memory Env (`NewMemEnv`) for tests. RocksDB adds
 * direct I/O and rate limiting; PostgreSQL has no equivalent because it updates pages in
 * place (its `smgr` writes blocks of one relation file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DbError } from "../common/errors.js";

/** One immutable file opened for reading: what an SSTable reader reads from. */
export interface StoredFile {
  readonly name: string;
  /** Its length in bytes. */
  readonly size: number;
  /** `length` bytes from `offset` (a copy). Throws `out-of-range` past the end of the file. */
  read(offset: number, length: number): Uint8Array;
}

/** Counters since creation or `resetStats()`, except `files` and `bytesOnDisk`, which are now. */
export interface FileStoreStats {
  readonly bytesWritten: number;
  readonly bytesRead: number;
  readonly writes: number;
  readonly reads: number;
  readonly syncs: number;
  /** Files in the store now (the manifest included). */
  readonly files: number;
  /** Bytes of every file in the store now. */
  readonly bytesOnDisk: number;
}

export interface FileStore {
  /**
   * Create `name` holding `bytes`, durable when this returns (unless the store runs without
   * sync). Throws `invalid-argument` for a bad name, `invalid-state` if `name` exists or the
   * store is closed, `io` if the OS fails (no file is left behind then).
   */
  write(name: string, bytes: Uint8Array): void;
  /**
   * Put `bytes` in place of `name` (created when absent) atomically: after a crash the file
   * holds the old bytes or the new ones. Errors as for `write`, except that `name` may exist.
   */
  replace(name: string, bytes: Uint8Array): void;
  /** The file `name` for reading. Throws `invalid-argument` when it does not exist. */
  open(name: string): StoredFile;
  /** `length` bytes of `name` from `offset` (`open(name).read(offset, length)`). */
  read(name: string, offset: number, length: number): Uint8Array;
  /** The whole file `name`. */
  readAll(name: string): Uint8Array;
  /** The length of `name`, or `undefined` when it does not exist. */
  size(name: string): number | undefined;
  exists(name: string): boolean;
  /** Remove `name`; false when it did not exist. */
  delete(name: string): boolean;
  /** Every file name, sorted. */
  list(): string[];
  readonly stats: FileStoreStats;
  resetStats(): void;
  /** Release open files. Later calls throw `invalid-state`; a second close does nothing. */
  close(): void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function checkName(name: string): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new DbError("invalid-argument", `bad file name ${JSON.stringify(name)}: letters, digits, '.', '_' and '-' only`, { name });
  }
}

function checkBytes(name: string, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new DbError("invalid-argument", `the contents of ${name} must be a Uint8Array`, { name });
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new DbError("out-of-range", `read of ${length} bytes at ${offset} is outside ${name} (${size} bytes)`, { name, offset, length, size });
  }
}

class Counters {
  bytesWritten = 0;
  bytesRead = 0;
  writes = 0;
  reads = 0;
  syncs = 0;
  reset(): void {
    this.bytesWritten = this.bytesRead = this.writes = this.reads = this.syncs = 0;
  }
}

/** What every store does the same way: `read` and `readAll` through `open`. */
abstract class FileStoreReads {
  abstract open(name: string): StoredFile;

  read(name: string, offset: number, length: number): Uint8Array {
    return this.open(name).read(offset, length);
  }

  readAll(name: string): Uint8Array {
    const file = this.open(name);
    return file.read(0, file.size);
  }
}

/** A file store in memory: the same contract, nothing durable. */
export class MemoryFileStore extends FileStoreReads implements FileStore {
  readonly #files = new Map<string, Uint8Array>();
  readonly #counters = new Counters();
  #closed = false;

  write(name: string, bytes: Uint8Array): void {
    this.#check();
    checkName(name);
    checkBytes(name, bytes);
    if (this.#files.has(name)) throw new DbError("invalid-state", `file ${name} exists (files are written once)`, { name });
    this.#put(name, bytes);
  }

  replace(name: string, bytes: Uint8Array): void {
    this.#check();
    checkName(name);
    checkBytes(name, bytes);
    this.#put(name, bytes);
  }

  open(name: string): StoredFile {
    const bytes = this.#get(name);
    const counters = this.#counters;
    const store = this;
    return {
      name,
      size: bytes.length,
      read(offset: number, length: number): Uint8Array {
        store.#check();
        checkRange(name, bytes.length, offset, length);
        counters.reads++;
        counters.bytesRead += length;
        return bytes.slice(offset, offset + length);
      },
    };
  }

  size(name: string): number | undefined {
    this.#check();
    return this.#files.get(name)?.length;
  }

  exists(name: string): boolean {
    this.#check();
    return this.#files.has(name);
  }

  delete(name: string): boolean {
    this.#check();
    return this.#files.delete(name);
  }

  list(): string[] {
    this.#check();
    return [...this.#files.keys()].sort();
  }

  get stats(): FileStoreStats {
    let bytesOnDisk = 0;
    for (const bytes of this.#files.values()) bytesOnDisk += bytes.length;
    const c = this.#counters;
    return { bytesWritten: c.bytesWritten, bytesRead: c.bytesRead, writes: c.writes, reads: c.reads, syncs: c.syncs, files: this.#files.size, bytesOnDisk };
  }

  resetStats(): void {
    this.#counters.reset();
  }

  /** Closing a memory store only stops its use: a test may reopen a tree over `reopen()`. */
  close(): void {
    this.#closed = true;
  }

  /** The same files as a store that is open again (what reopening a directory gives). */
  reopen(): MemoryFileStore {
    const store = new MemoryFileStore();
    for (const [name, bytes] of this.#files) store.#files.set(name, bytes);
    return store;
  }

  #put(name: string, bytes: Uint8Array): void {
    this.#files.set(name, bytes.slice());
    this.#counters.writes++;
    this.#counters.bytesWritten += bytes.length;
  }

  #get(name: string): Uint8Array {
    this.#check();
    const bytes = this.#files.get(name);
    if (bytes === undefined) throw new DbError("invalid-argument", `no file ${name} in the store`, { name });
    return bytes;
  }

  #check(): void {
    if (this.#closed) throw new DbError("invalid-state", "the file store is closed", {});
  }
}

export interface NodeFileStoreOptions {
  /** fsync files and the directory on every write and replace (default true). */
  readonly sync?: boolean;
}

/** A file store over a real directory (created when absent). */
export class NodeFileStore extends FileStoreReads implements FileStore {
  readonly dir: string;
  readonly sync: boolean;
  readonly #fds = new Map<string, { fd: number; size: number }>();
  readonly #counters = new Counters();
  #closed = false;

  /** Throws `io` when the directory cannot be created or read. */
  constructor(dir: string, options: NodeFileStoreOptions = {}) {
    super();
    this.dir = dir;
    this.sync = options.sync ?? true;
    this.#io("mkdir", dir, () => fs.mkdirSync(dir, { recursive: true }));
    // A crash between writing a temporary file and its rename leaves it behind: not ours.
    for (const name of this.#io("readdir", dir, () => fs.readdirSync(dir))) {
      if (name.endsWith(".tmp")) fs.rmSync(path.join(dir, name), { force: true });
    }
  }

  write(name: string, bytes: Uint8Array): void {
    this.#check();
    checkName(name);
    checkBytes(name, bytes);
    if (fs.existsSync(this.#path(name))) throw new DbError("invalid-state", `file ${name} exists (files are written once)`, { name });
    this.#writeFile(name, bytes);
    this.#syncDirectory();
  }

  replace(name: string, bytes: Uint8Array): void {
    this.#check();
    checkName(name);
    checkBytes(name, bytes);
    const tmp = `${name}.tmp`;
    this.#writeFile(tmp, bytes);
    this.#closeFd(name);
    this.#io("rename", tmp, () => fs.renameSync(this.#path(tmp), this.#path(name)));
    this.#syncDirectory();
  }

  open(name: string): StoredFile {
    const { fd, size } = this.#fd(name);
    const counters = this.#counters;
    const store = this;
    return {
      name,
      size,
      read(offset: number, length: number): Uint8Array {
        store.#check();
        checkRange(name, size, offset, length);
        const into = new Uint8Array(length);
        let done = 0;
        store.#io("read", name, () => {
          while (done < length) {
            const n = fs.readSync(fd, into, done, length - done, offset + done);
            if (n === 0) break;
            done += n;
          }
        });
        if (done < length) throw new DbError("io", `short read of ${name}: ${done} of ${length} bytes at ${offset}`, { name, offset, length });
        counters.reads++;
        counters.bytesRead += length;
        return into;
      },
    };
  }

  size(name: string): number | undefined {
    this.#check();
    const open = this.#fds.get(name);
    if (open !== undefined) return open.size;
    try {
      return fs.statSync(this.#path(name)).size;
    } catch {
      return undefined;
    }
  }

  exists(name: string): boolean {
    return this.size(name) !== undefined;
  }

  delete(name: string): boolean {
    this.#check();
    checkName(name);
    this.#closeFd(name);
    if (!fs.existsSync(this.#path(name))) return false;
    this.#io("unlink", name, () => fs.unlinkSync(this.#path(name)));
    return true;
  }

  list(): string[] {
    this.#check();
    return this.#io("readdir", this.dir, () => fs.readdirSync(this.dir))
      .filter((n) => NAME.test(n) && !n.endsWith(".tmp"))
      .sort();
  }

  get stats(): FileStoreStats {
    let bytesOnDisk = 0;
    const names = this.#closed ? [] : this.list();
    for (const name of names) bytesOnDisk += this.size(name) ?? 0;
    const c = this.#counters;
    return { bytesWritten: c.bytesWritten, bytesRead: c.bytesRead, writes: c.writes, reads: c.reads, syncs: c.syncs, files: names.length, bytesOnDisk };
  }

  resetStats(): void {
    this.#counters.reset();
  }

  close(): void {
    if (this.#closed) return;
    for (const name of [...this.#fds.keys()]) this.#closeFd(name);
    this.#closed = true;
  }

  #path(name: string): string {
    return path.join(this.dir, name);
  }

  #fd(name: string): { fd: number; size: number } {
    this.#check();
    checkName(name);
    let open = this.#fds.get(name);
    if (open === undefined) {
      if (!fs.existsSync(this.#path(name))) throw new DbError("invalid-argument", `no file ${name} in ${this.dir}`, { name, dir: this.dir });
      const fd = this.#io("open", name, () => fs.openSync(this.#path(name), "r"));
      open = { fd, size: fs.fstatSync(fd).size };
      this.#fds.set(name, open);
    }
    return open;
  }

  #closeFd(name: string): void {
    const open = this.#fds.get(name);
    if (open === undefined) return;
    this.#fds.delete(name);
    fs.closeSync(open.fd);
  }

  #writeFile(name: string, bytes: Uint8Array): void {
    const file = this.#path(name);
    const fd = this.#io("open", name, () => fs.openSync(file, "w"));
    try {
      this.#io("write", name, () => {
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
        if (this.sync) fs.fsyncSync(fd);
      });
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    this.#counters.writes++;
    this.#counters.bytesWritten += bytes.length;
    if (this.sync) this.#counters.syncs++;
  }

  #syncDirectory(): void {
    if (!this.sync) return;
    this.#io("fsync", this.dir, () => {
      const fd = fs.openSync(this.dir, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
    this.#counters.syncs++;
  }

  #check(): void {
    if (this.#closed) throw new DbError("invalid-state", `the file store over ${this.dir} is closed`, { dir: this.dir });
  }

  #io<T>(operation: string, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof DbError) throw error;
      throw new DbError("io", `${operation} of ${what} failed: ${(error as Error).message}`, { operation, what, dir: this.dir });
    }
  }
}
