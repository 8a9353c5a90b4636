/**
 * The lock manager's golden scripts
 * =================================
 * One handler, two callers: the engine's tests run the scripts of `lock-manager/` against
 * the engine's `LockTable`, the hidden suite of 07.1 against the learner's (with
 * `canRewrite: false`). The scripts live here, under the suites' digests, because a hidden
 * suite reads them.
 *
 *   t1 lock accounts/7 S        → granted | waiting for T2, T3
 *   t1 unlock accounts/7        → granted T2, T3   (the transactions it let through; nothing if none)
 *   t1 release-all              → idem
 *   t1 pending                  → X on accounts/7 | none
 *   show accounts/7 …           → accounts/7: granted T1 S, T2 S · waiting T3 S→X, T4 S
 *   show                        → every resource with requests, one line each
 *   matrix                      → the compatibility matrix, each cell found by asking fresh lock managers
 *   a refused request           → refused (invalid-state)   (the kind, not the message: a learner words their own)
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe } from "vitest";
import { speaksForItself } from "../errors.js";
import { goldenTest, type GoldenCommand, type GoldenHandler, type GoldenTestOptions } from "../golden.js";

const MODES = ["IS", "IX", "S", "SIX", "X"] as const;
type Mode = (typeof MODES)[number];

/** The engine's `LockManager`, structurally (engine/src/txn/lock-manager.ts). */
export interface LockManagerLike {
  lock(txn: number, resource: string, mode: Mode): { readonly kind: "granted" } | { readonly kind: "waiting"; readonly holders: readonly number[] };
  unlock(txn: number, resource: string): number[];
  releaseAll(txn: number): number[];
  held(txn: number, resource: string): Mode | undefined;
  pending(txn: number): { readonly resource: string; readonly mode: Mode } | undefined;
  queue(resource: string): readonly { readonly txn: number; readonly mode: Mode; readonly granted: boolean; readonly upgradeFrom?: Mode }[];
  resources(): string[];
}

export const LOCK_MANAGER_GOLDEN_DIR = path.join(__dirname, "lock-manager");

/** One line: a resource's queue. */
export function showQueue(locks: LockManagerLike, resource: string): string {
  const queue = locks.queue(resource);
  if (queue.length === 0) return `${resource}: no requests`;
  const granted = queue.filter((r) => r.granted).map((r) => `T${r.txn} ${r.mode}`);
  const waiting = queue.filter((r) => !r.granted).map((r) => `T${r.txn} ${r.upgradeFrom === undefined ? "" : `${r.upgradeFrom}→`}${r.mode}`);
  return `${resource}: granted ${granted.join(", ") || "none"}${waiting.length > 0 ? ` · waiting ${waiting.join(", ")}` : ""}`;
}

const names = (txns: readonly number[]) => txns.map((t) => `T${t}`).join(", ");

function txnOf(command: GoldenCommand): number {
  const m = /^t(\d+)$/.exec(command.name);
  if (m === null) throw new Error(`line ${command.lineNumber}: unknown command ${command.name}`);
  return Number(m[1]);
}

/**
 * A refusal prints as `refused (kind)`: the script fixes which request is refused and why,
 * not the wording of the message (a learner's own). Anything else thrown goes to the runner.
 */
export function lockManagerHandler(make: () => LockManagerLike): GoldenHandler {
  const run = commandRunner(make);
  return (command) => {
    try {
      return run(command);
    } catch (error) {
      const e = error as { name?: unknown; kind?: unknown } | null;
      if (speaksForItself(error) || e?.name !== "DbError" || typeof e.kind !== "string") throw error;
      return `refused (${e.kind})`;
    }
  };
}

function commandRunner(make: () => LockManagerLike): GoldenHandler {
  const locks = make();
  return (command) => {
    if (command.name === "show") {
      const resources = command.args.length > 0 ? command.args : locks.resources();
      return resources.length === 0 ? "no requests" : resources.map((r) => showQueue(locks, r));
    }
    if (command.name === "matrix") {
      const lines = [`held↓ asked→ ${MODES.join(" ")}`];
      for (const held of MODES) {
        const cells = MODES.map((asked) => {
          const fresh = make();
          fresh.lock(1, "r", held);
          return `${fresh.lock(2, "r", asked).kind === "granted" ? "✓" : "✗"}${" ".repeat(asked.length - 1)}`;
        });
        lines.push(`${held.padEnd(5)}        ${cells.join(" ")}`);
      }
      return lines;
    }
    const txn = txnOf(command);
    const [verb, resource = "", mode = ""] = command.args;
    switch (verb) {
      case "lock": {
        const answer = locks.lock(txn, resource, mode as Mode);
        return answer.kind === "granted" ? "granted" : `waiting for ${names(answer.holders)}`;
      }
      case "unlock": {
        const granted = locks.unlock(txn, resource);
        return granted.length > 0 ? `granted ${names(granted)}` : undefined;
      }
      case "release-all": {
        const granted = locks.releaseAll(txn);
        return granted.length > 0 ? `granted ${names(granted)}` : undefined;
      }
      case "pending": {
        const p = locks.pending(txn);
        return p === undefined ? "none" : `${p.mode} on ${p.resource}`;
      }
      case "held":
        return locks.held(txn, resource) ?? "nothing";
      default:
        throw new Error(`line ${command.lineNumber}: unknown command ${command.line}`);
    }
  };
}

/** One test per script of `lock-manager/`, in file name order. */
export function lockManagerScripts(prefix: string, make: () => LockManagerLike, options: GoldenTestOptions = {}): void {
  const files = readdirSync(LOCK_MANAGER_GOLDEN_DIR)
    .filter((f) => f.endsWith(".golden"))
    .sort();
  describe(`${prefix}: golden scripts`, () => {
    for (const file of files) goldenTest(`${prefix}: ${file}`, path.join(LOCK_MANAGER_GOLDEN_DIR, file), () => lockManagerHandler(make), options);
  });
}
