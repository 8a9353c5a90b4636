/**
 * The anomaly catalogue as golden scripts (notebooks 07 and 08): one file per Hermitage
 * case (golden/hermitage/<id>.golden), each running the case's schedule under MVCC at read
 * committed, repeatable read and serializable, and under strict 2PL at serializable for
 * contrast. Each run prints the timeline, the outcome with a line computed from the
 * catalogue (whether the anomaly happened or how it was prevented, beside PostgreSQL's
 * documented outcome), then the serializability verdict (MVCC's on its multiversion history).
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import * as engine from "@workbook/engine";
import { HERMITAGE_ANOMALIES, MvccConcurrencyControl, TwoPhaseLocking, howPrevented, type ConcurrencyControl, type HermitageLevel, type History, type IsolationLevel } from "@workbook/engine";
import { scheduleGoldenTest, type ProtocolChoice } from "../../test-support/contracts/schedules.js";

const levelOf = (o: string | undefined, fallback: IsolationLevel): IsolationLevel => (o ?? fallback).replace(/-/g, " ") as IsolationLevel;

function makeProtocol(c: ProtocolChoice): ConcurrencyControl {
  switch (c.name) {
    case "mvcc":
      return new MvccConcurrencyControl({ isolation: levelOf(c.options["isolation"], "read committed"), initial: c.initial });
    case "2pl":
      return new TwoPhaseLocking({ isolation: levelOf(c.options["isolation"], "serializable"), initial: c.initial });
    default:
      throw new Error(`unknown protocol "${c.name}" (mvcc, 2pl)`);
  }
}

type Run = History & { readonly verdict: string };

/** The engine's kit, with MVCC judged on its multiversion history and the anomaly's verdict added. */
const kit = {
  ...engine,
  runSchedule(cc: ConcurrencyControl, schedule: string): Run {
    const h = engine.runSchedule(cc, schedule);
    const a = HERMITAGE_ANOMALIES.find((x) => x.schedule === schedule);
    if (a === undefined) throw new Error(`not a Hermitage schedule: ${schedule}`);
    const got = a.happened(h) ? "happened" : `prevented (${howPrevented(h)})`;
    let verdict = `${a.id}: ${got}`;
    if (cc instanceof MvccConcurrencyControl) {
      const level = cc.isolation as HermitageLevel;
      verdict += `; PostgreSQL at ${level}: ${a.postgres[level]}`;
      return { ...h, operations: cc.multiversionHistory(), verdict };
    }
    return { ...h, verdict };
  },
  formatOutcome: (h: Run) => [...engine.formatOutcome(h), h.verdict],
};

const file = (id: string) => path.join(import.meta.dirname, "golden", "hermitage", `${id}.golden`);

describe("07/08 the Hermitage catalogue: golden scripts, one per anomaly", () => {
  for (const a of HERMITAGE_ANOMALIES) {
    scheduleGoldenTest(`${a.id} (${a.name}): MVCC at each level, 2PL for contrast (golden/hermitage/${a.id}.golden)`, file(a.id), kit, makeProtocol);
  }

  test("every MVCC verdict in the scripts agrees with PostgreSQL's documented outcome", async () => {
    const { readFileSync } = await import("node:fs");
    for (const a of HERMITAGE_ANOMALIES) {
      const lines = readFileSync(file(a.id), "utf8").split("\n").filter((l) => l.startsWith(`${a.id}: `));
      expect(lines.length, `${a.id}.golden: expected 4 verdict lines, received ${lines.length}`).toBe(4);
      for (const l of lines.filter((x) => x.includes("PostgreSQL"))) {
        const ours = l.slice(a.id.length + 2).startsWith("happened") ? "allowed" : "prevented";
        expect(l.endsWith(`: ${ours}`), `${a.id}.golden: ${l}`).toBe(true);
      }
      expect(lines.at(-1), `${a.id}.golden: 2PL serializable`).toMatch(/: prevented/);
    }
  });
});
