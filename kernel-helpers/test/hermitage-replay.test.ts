import { describe, expect, it } from "vitest";
import { HERMITAGE_ANOMALIES, type HermitageLevel } from "@workbook/engine";
import { replayOnServer } from "../src/pg/hermitage-replay.js";

const url = process.env["DATABASE_URL"];
const LEVELS: HermitageLevel[] = ["read committed", "repeatable read", "serializable"];

// Needs a PostgreSQL server (two sessions at once); skipped without DATABASE_URL.
describe.skipIf(url === undefined || url === "")("the anomaly catalogue replayed on the server at DATABASE_URL", () => {
  for (const a of HERMITAGE_ANOMALIES) {
    it(`${a.id}: the server's outcome is PostgreSQL's documented one at every level`, async () => {
      for (const level of LEVELS) {
        const { history } = await replayOnServer(url!, a, level);
        const got = a.happened(history) ? "allowed" : "prevented";
        expect(got, `${a.id} at ${level}: expected ${a.postgres[level]}, received ${got}`).toBe(a.postgres[level]);
      }
    }, 30_000);
  }
});
