/**
 * Schedules: interleavings written down
 * =====================================
 * A schedule is the order in which the steps of several transactions reach the database,
 * written the way the textbooks do, one step per line or `;`-separated:
 *
 *   T1: r(x)          read x
 *   T2: w(x, 5)       write 5 to x          w(x) writes a marker unique to the write: "T2.x"
 *   T2: c             commit                (a second w(x) of T2 writes "T2.x.2")
 *   T1: a             abort                 w(x, -) deletes x
 *   T1: s(acc/)       scan: every key starting with "acc/", in key order (a predicate
 *                     read, where phantoms live; s() scans everything)
 *   # a comment runs to the end of the line
 *
 * A transaction begins implicitly at its first step, and transactions must begin in the
 * order of their numbers (T1 before T2): the contract's ids are begin order, and protocols
 * that rank transactions by age (wait-die, wound-wait) read the id as the age. After `c`
 * or `a` a transaction has no more steps.
 *
 * Values are integers (`w(x, -3)`) or strings, quoted (`w(x, "a b")`) or bare words
 * (`w(x, blue)`). Keys are words of letters, digits, `_ / . -`.
 *
 * Bad input is refused with `DbError("invalid-argument")` naming the line and column, and
 * nothing is returned: a schedule either parses whole or not at all.
 *
 * Costs: one pass over the text. PostgreSQL has no such language; its isolation tester
 * (`src/test/isolation/`, specs of sessions and "permutation" lines) plays the same role
 * for its own test suite, and the permutation lines are what this notation writes inline.
 */
import { DbError } from "../common/errors.js";
import type { TxnId, TxnKey, TxnValue } from "./concurrency-control.js";

/** One request a transaction makes (begin is implicit). */
export type TxnOp =
  | { readonly kind: "read"; readonly key: TxnKey }
  /** Read every key starting with `prefix`, in key order (`ConcurrencyControl.scan`). */
  | { readonly kind: "scan"; readonly prefix: TxnKey }
  | { readonly kind: "write"; readonly key: TxnKey; readonly value: TxnValue | undefined }
  | { readonly kind: "commit" }
  | { readonly kind: "abort" };

/** One step of a schedule: who, what, and where it was written (1-based). */
export interface ScheduleStep {
  readonly txn: TxnId;
  readonly op: TxnOp;
  readonly line: number;
  readonly column: number;
}

/** Constructors for scripts written in code: `[read("x"), write("x", 5), commit()]`. */
export const read = (key: TxnKey): TxnOp => ({ kind: "read", key });
export const scan = (prefix: TxnKey): TxnOp => ({ kind: "scan", prefix });
export const write = (key: TxnKey, value: TxnValue | undefined): TxnOp => ({ kind: "write", key, value });
export const commit = (): TxnOp => ({ kind: "commit" });
export const abort = (): TxnOp => ({ kind: "abort" });

/** A step as the schedule language writes it: `r(x)`, `w(x, 5)`, `w(x, "a b")`, `c`, `a`. */
export function formatOp(op: TxnOp): string {
  switch (op.kind) {
    case "read":
      return `r(${op.key})`;
    case "scan":
      return `s(${op.prefix})`;
    case "write":
      return op.value === undefined ? `w(${op.key}, -)` : `w(${op.key}, ${formatValue(op.value)})`;
    case "commit":
      return "c";
    case "abort":
      return "a";
  }
}

/** A value as a schedule or a timeline shows it: numbers and plain words bare, other strings quoted. */
export function formatValue(value: TxnValue | undefined): string {
  if (value === undefined) return "-";
  if (typeof value === "number") return String(value);
  return /^[A-Za-z_][\w./-]*$/.test(value) ? value : JSON.stringify(value);
}

/** A schedule back as text, one `T1: r(x)` per step, `; `-separated. */
export function formatSchedule(steps: readonly ScheduleStep[]): string {
  return steps.map((s) => `T${s.txn}: ${formatOp(s.op)}`).join("; ");
}

const KEY = /^[A-Za-z0-9_][\w./-]*/;

/** Parse a schedule. Throws `invalid-argument` with the line and column of the first mistake. */
export function parseSchedule(text: string): ScheduleStep[] {
  if (typeof text !== "string") throw new DbError("invalid-argument", `a schedule must be a string, got ${typeof text}`, {});
  const steps: ScheduleStep[] = [];
  const finished = new Set<TxnId>();
  const begun = new Set<TxnId>();
  const writes = new Map<string, number>();
  let highest = 0;
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((raw, index) => {
    const line = index + 1;
    // Scan piece by piece so columns stay exact; `;` and `#` inside quotes are text.
    let pos = 0;
    const fail = (message: string, at = pos): never => {
      throw new DbError("invalid-argument", `schedule line ${line}, column ${at + 1}: ${message}`, { line, column: at + 1, text: raw });
    };
    const skipSpace = () => {
      while (pos < raw.length && (raw[pos] === " " || raw[pos] === "\t")) pos++;
    };
    for (;;) {
      skipSpace();
      if (pos >= raw.length || raw[pos] === "#") return;
      if (raw[pos] === ";") {
        pos++;
        continue;
      }
      const start = pos;
      const name = /^T(\d+)\s*:/.exec(raw.slice(pos));
      if (name === null) fail(`expected a step such as "T1: r(x)", found "${raw.slice(pos, pos + 12)}"`);
      const txn = Number(name![1]);
      if (txn < 1 || !Number.isSafeInteger(txn)) fail(`transaction numbers start at 1, got T${name![1]}`);
      if (finished.has(txn)) fail(`T${txn} already committed or aborted: it has no more steps`);
      if (!begun.has(txn)) {
        if (txn <= highest) fail(`T${txn} begins after T${highest}: number transactions in the order they begin`);
        begun.add(txn);
        highest = txn;
      }
      pos += name![0].length;
      skipSpace();
      const opAt = pos;
      const word = /^[a-z]+/.exec(raw.slice(pos))?.[0] ?? "";
      pos += word.length;
      let op: TxnOp;
      if (word === "c" || word === "commit" || word === "a" || word === "abort") {
        op = word.startsWith("c") ? commit() : abort();
        finished.add(txn);
      } else if (word === "r" || word === "w") {
        skipSpace();
        if (raw[pos] !== "(") fail(`expected "(" after ${word}`);
        pos++;
        skipSpace();
        const key = KEY.exec(raw.slice(pos))?.[0];
        if (key === undefined) fail("expected a key (letters, digits, _ / . -)");
        pos += key!.length;
        skipSpace();
        let value: TxnValue | undefined;
        let given = false;
        if (raw[pos] === ",") {
          if (word === "r") fail("a read takes one key: r(x)");
          pos++;
          skipSpace();
          // `w(x, -)` deletes x.
          if (raw[pos] === "-" && !/[\d]/.test(raw[pos + 1] ?? "")) {
            pos++;
            value = undefined;
          } else value = parseValue();
          given = true;
          skipSpace();
        }
        if (raw[pos] !== ")") fail(`expected ")"`);
        pos++;
        if (word === "r") op = read(key!);
        else {
          const id = `T${txn}.${key!}`;
          const n = (writes.get(id) ?? 0) + 1;
          writes.set(id, n);
          op = write(key!, given ? value : n === 1 ? id : `${id}.${n}`);
        }
      } else if (word === "s") {
        skipSpace();
        if (raw[pos] !== "(") fail(`expected "(" after s`);
        pos++;
        skipSpace();
        const prefix = KEY.exec(raw.slice(pos))?.[0] ?? "";
        pos += prefix.length;
        skipSpace();
        if (raw[pos] !== ")") fail(`expected ")"`);
        pos++;
        op = scan(prefix);
      } else {
        fail(`unknown step "${word || raw.slice(opAt, opAt + 1)}": use r(key), s(prefix), w(key), w(key, value), c or a`, opAt);
      }
      steps.push({ txn, op: op!, line, column: start + 1 });
      skipSpace();
      if (pos < raw.length && raw[pos] !== ";" && raw[pos] !== "#") fail(`expected ";" or the end of the line after a step`);
    }

    function parseValue(): TxnValue {
      if (raw[pos] === '"') {
        const end = raw.indexOf('"', pos + 1);
        if (end < 0) fail("a quoted value has no closing quote");
        const v = raw.slice(pos + 1, end);
        pos = end + 1;
        return v;
      }
      const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(raw.slice(pos));
      if (num !== null) {
        pos += num[0].length;
        return Number(num[0]);
      }
      const bare = /^[A-Za-z_][\w./-]*/.exec(raw.slice(pos));
      if (bare === null) fail('expected a value: a number, a word, or "quoted text"');
      pos += bare![0].length;
      return bare![0];
    }
  });
  return steps;
}
