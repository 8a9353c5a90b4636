import { describe, expect, it } from "vitest";
import { TupleCodec } from "@workbook/engine";
import { FLIGHTS_SCHEMA, flightRow, loadFlights, loadFlightsIntoPostgres } from "../src/flights.js";
import { pg } from "@workbook/helpers";

describe("flights", () => {
  it("loads the published rows with ids", () => {
    const flights = loadFlights("2k");
    expect(flights).toHaveLength(2000);
    expect(flights[0]).toEqual({ id: 1, date: "2001/01/01 06:55", delay: -19, distance: 1797, origin: "LAX", destination: "BNA" });
  });

  it("round-trips every row through the engine's tuple codec", () => {
    const codec = new TupleCodec(FLIGHTS_SCHEMA);
    for (const f of loadFlights("2k")) expect(codec.decode(codec.encode(flightRow(f)))).toEqual(flightRow(f));
  });

  it("loads the same rows into PostgreSQL", async () => {
    const db = pg();
    const flights = loadFlights("2k");
    await loadFlightsIntoPostgres(db, flights);
    const r = await db.query<{ n: number; total: number }>("select count(*)::int as n, sum(distance)::int as total from flights");
    expect(r.rows[0]).toEqual({ n: 2000, total: flights.reduce((s, f) => s + f.distance, 0) });
    await db.close();
  }, 60_000);
});
