/**
 * Flights: a real dataset, shipped by a registry package
 * ======================================================
 * US domestic flights of 2001 from the `vega-datasets` package (date, departure delay in
 * minutes, distance in miles, origin and destination airport). The same rows load into
 * the engine (encoded with a schema, for the heap and the indexes) and into PostgreSQL,
 * so a notebook can measure both on identical data.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Row, Schema } from "@workbook/engine";

export type FlightsSize = "2k" | "5k" | "10k" | "20k" | "200k";

export interface Flight {
  readonly id: number;
  /** "2001/01/01 06:55" as published. */
  readonly date: string;
  /** Departure delay in minutes; negative when early. */
  readonly delay: number;
  /** Miles. */
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

export const FLIGHTS_SCHEMA: Schema = [
  { name: "id", type: "int4", nullable: false },
  { name: "date", type: "text", nullable: false },
  { name: "delay", type: "int4", nullable: false },
  { name: "distance", type: "int4", nullable: false },
  { name: "origin", type: "text", nullable: false },
  { name: "destination", type: "text", nullable: false },
];

/** The same table in PostgreSQL. */
export const FLIGHTS_DDL = `create table flights (
  id int primary key, date text not null, delay int not null, distance int not null,
  origin text not null, destination text not null)`;

export function loadFlights(size: FlightsSize = "10k"): Flight[] {
  // The package's exports map offers only its entry point (build/index.js); data/ sits beside build/.
  const file = path.join(path.dirname(require.resolve("vega-datasets")), "..", "data", `flights-${size}.json`);
  const raw = JSON.parse(readFileSync(file, "utf8")) as Omit<Flight, "id">[];
  return raw.map((f, i) => ({ id: i + 1, date: f.date, delay: f.delay, distance: f.distance, origin: f.origin, destination: f.destination }));
}

/** A flight as a row of `FLIGHTS_SCHEMA`, for the engine's tuple codec. */
export function flightRow(f: Flight): Row {
  return [f.id, f.date, f.delay, f.distance, f.origin, f.destination];
}

/** The little a loader needs of a PostgreSQL connection (the helpers' `pg()` has it). */
export interface SqlRunner {
  exec(sql: string): Promise<unknown>;
}

/** (Re)create `flights` in PostgreSQL and insert the rows, in batches of 1000. */
export async function loadFlightsIntoPostgres(db: SqlRunner, flights: readonly Flight[]): Promise<void> {
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await db.exec(`drop table if exists flights; ${FLIGHTS_DDL};`);
  for (let i = 0; i < flights.length; i += 1000) {
    const values = flights
      .slice(i, i + 1000)
      .map((f) => `(${f.id}, ${quote(f.date)}, ${f.delay}, ${f.distance}, ${quote(f.origin)}, ${quote(f.destination)})`);
    await db.exec(`insert into flights values ${values.join(", ")};`);
  }
}
