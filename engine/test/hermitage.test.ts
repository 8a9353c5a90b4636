import { describe, expect, test } from "vitest";
import { HERMITAGE_ANOMALIES, MvccConcurrencyControl, TwoPhaseLocking, howPrevented, runSchedule, type HermitageLevel } from "@workbook/engine";

const LEVELS: HermitageLevel[] = ["read committed", "repeatable read", "serializable"];

describe("the anomaly catalogue (Hermitage)", () => {
  for (const a of HERMITAGE_ANOMALIES) {
    test(`${a.id} (${a.name}): our MVCC agrees with PostgreSQL's documented outcome at every level`, () => {
      for (const level of LEVELS) {
        const h = runSchedule(new MvccConcurrencyControl({ isolation: level, initial: a.initial }), a.schedule);
        expect(h.outcome, `${a.id} at ${level}`).toBe("finished");
        const got = a.happened(h) ? "allowed" : "prevented";
        expect(got, `${a.id} at ${level}: expected ${a.postgres[level]}, received ${got} (${howPrevented(h)})`).toBe(a.postgres[level]);
      }
    });
  }

  test("serializable 2PL prevents every anomaly of the catalogue", () => {
    for (const a of HERMITAGE_ANOMALIES) {
      const h = runSchedule(new TwoPhaseLocking({ isolation: "serializable", initial: a.initial }), a.schedule);
      expect(a.happened(h), `${a.id}: ${howPrevented(h)}`).toBe(false);
    }
  });

  test("the catalogue names eleven anomalies, each with a schedule that parses and a level where it is prevented", () => {
    expect(HERMITAGE_ANOMALIES.map((a) => a.id)).toEqual(["G0", "G1a", "G1b", "G1c", "OTV", "PMP", "P4", "G-single", "G2-item", "G2", "read-only"]);
    for (const a of HERMITAGE_ANOMALIES) expect(Object.values(a.postgres)).toContain("prevented");
  });
});
