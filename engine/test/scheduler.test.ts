/**
 * The scheduler (notebook 07): schedule order, blocking and retrying, blocked runs with
 * their waits-for edges, seeded random interleavings with restarts, step by step, the
 * history and its timeline; and the golden scripts of the classic anomalies under no
 * control, OCC and strict 2PL at each isolation level.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import * as engine from "../src/index.js";
import {
  NoConcurrencyControl,
  OptimisticConcurrencyControl,
  Random,
  Scheduler,
  TwoPhaseLocking,
  commit,
  formatTimeline,
  read,
  runRandom,
  runSchedule,
  timelineTable,
  write,
  type ConcurrencyControl,
  type DeadlockPolicy,
  type IsolationLevel,
  type Step,
  type TxnId,
} from "../src/index.js";
import { expectDbError } from "../../test-support/errors.js";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";

const golden = (file: string) => path.join(import.meta.dirname, "golden", "schedules", file);

export function makeProtocol(c: ProtocolChoice): ConcurrencyControl {
  switch (c.name) {
    case "none":
      return new NoConcurrencyControl(c.initial);
    case "occ":
      return new OptimisticConcurrencyControl({ initial: c.initial });
    case "2pl": {
      const isolation = (c.options["isolation"] ?? "serializable").replace(/-/g, " ") as IsolationLevel;
      const d = c.options["deadlock"] ?? "detect";
      const deadlock: DeadlockPolicy = d.startsWith("timeout-") ? { timeout: Number(d.slice("timeout-".length)) } : (d as DeadlockPolicy);
      return new TwoPhaseLocking({ isolation, deadlock, initial: c.initial });
    }
    default:
      throw new Error(`unknown protocol "${c.name}" (none, occ, 2pl)`);
  }
}

describe("07 schedules: golden scripts", () => {
  scheduleGoldenTest("07 no control: the anomalies (no-control.golden)", golden("no-control.golden"), engine, makeProtocol);
  scheduleGoldenTest("07 OCC: the anomalies (optimistic.golden)", golden("optimistic.golden"), engine, makeProtocol);
  scheduleGoldenTest("07 2PL: the anomalies at each isolation level (two-phase-locking.golden)", golden("two-phase-locking.golden"), engine, makeProtocol);
});
