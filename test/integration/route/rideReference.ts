import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { dataPath } from '../../support/rides.js';

/**
 * What the route, enrich and borough-count pipelines must produce for the bundled rides,
 * computed here from the data files and the semantics as the course states them, without
 * any of the product's code (no codec, no enrich step, no window helper): a mistake in the
 * engine cannot hide in both.
 */

/** The course's Faust `branch_price`: total_amount >= 40.0 is a high amount. */
export const HIGH_AMOUNT_USD = 40;
/** `pickup-borough-15m`: tumbling 15-minute windows, 60 minutes of grace. */
export const BOROUGH_WINDOW_MS = 15 * 60_000;
export const BOROUGH_GRACE_MS = 60 * 60_000;

/** A zone's fields as data/taxi_zone_lookup.csv states them. */
export interface ZoneFields {
  readonly borough: string;
  readonly zone: string;
  readonly service_zone: string;
}

/** The zones file by LocationID, read with a CSV parser (the file quotes its text cells). */
export function loadZoneLookup(): Map<string, ZoneFields> {
  const rows = parse(readFileSync(dataPath('taxi_zone_lookup.csv')), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  return new Map(
    rows.map((r) => [
      String(Number(r.locationid)),
      { borough: r.borough!, zone: r.zone!, service_zone: r.service_zone! },
    ]),
  );
}

/** A ride as the test produced it: a JSON object with the CSV's field names. */
export type RideValue = Record<string, unknown>;

/** Where a ride sits on the input topic, and its value. */
export interface PlacedRide {
  readonly partition: number;
  readonly offset: number;
  readonly ride: RideValue;
}

/** The zone fields a location id names, or null when the lookup has none (a left join). */
export function zoneOf(zones: ReadonlyMap<string, ZoneFields>, locationId: unknown): ZoneFields | null {
  return zones.get(String(locationId)) ?? null;
}

/** True when the ride goes to the high-amount topic. */
export function isHighAmount(ride: RideValue): boolean {
  return Number(ride.total_amount) >= HIGH_AMOUNT_USD;
}

/** Zone-less TLC datetimes ("2020-07-01 00:25:32") are UTC. */
export function pickupMs(ride: RideValue): number {
  return Date.parse(`${String(ride.tpep_pickup_datetime).replace(' ', 'T')}Z`);
}

/**
 * Rides per (pickup borough, 15-minute window start), and how many were late, modelled as
 * Kafka Streams' `KStreamWindowAggregate` does it: each source partition in offset order,
 * stream time the largest pickup time seen so far in that partition (the record's own
 * included), a record dropped when its window's end + grace <= stream time. Stream time is
 * per partition, so how the runner cut batches, crashed or retried cannot change the result.
 */
export function boroughCounts15m(
  rides: readonly PlacedRide[],
  zones: ReadonlyMap<string, ZoneFields>,
): { counts: Map<string, number>; late: number } {
  const counts = new Map<string, number>();
  const streamTimeMs = new Map<number, number>();
  let late = 0;
  const inOffsetOrder = [...rides].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const { partition, offset, ride } of inOffsetOrder) {
    const t = pickupMs(ride);
    const streamTime = Math.max(streamTimeMs.get(partition) ?? Number.NEGATIVE_INFINITY, t);
    streamTimeMs.set(partition, streamTime);
    const startMs = Math.floor(t / BOROUGH_WINDOW_MS) * BOROUGH_WINDOW_MS;
    if (startMs + BOROUGH_WINDOW_MS + BOROUGH_GRACE_MS <= streamTime) {
      late++;
      continue;
    }
    const borough = zoneOf(zones, ride.PULocationID)?.borough;
    if (borough === undefined) throw new Error(`ride at ${partition}@${offset} has an unknown pickup zone`);
    const key = countKey(borough, startMs);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, late };
}

/** How {@link boroughCounts15m} keys its counts: `<borough>@<window start, ISO>`. */
export function countKey(borough: string, windowStartMs: number): string {
  return `${borough}@${new Date(windowStartMs).toISOString()}`;
}
