import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** Path of a file in the repo's `data/` folder. */
export function dataPath(name: string): string {
  return fileURLToPath(new URL(`../../data/${name}`, import.meta.url));
}

/** The bundled rides as CSV rows (strings), in file order. */
export function loadRideRows(): Record<string, string>[] {
  return parse(readFileSync(dataPath('rides.csv')), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
}

/** A ride row as the JSON value the course's producer sends (numbers as numbers). */
export function rideJson(row: Record<string, string>): string {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = k.endsWith('_datetime') || k === 'store_and_fwd_flag' ? v : v === '' ? null : Number(v);
  }
  return JSON.stringify(out);
}

/** A yellow-taxi ride as the JSON value a producer sends, with the given tip in dollars. */
export function rideWithTip(tip: number): string {
  return JSON.stringify({
    VendorID: 1,
    tpep_pickup_datetime: '2020-07-01 00:00:00',
    tpep_dropoff_datetime: '2020-07-01 00:10:00',
    passenger_count: 1,
    trip_distance: 1,
    RatecodeID: 1,
    store_and_fwd_flag: 'N',
    PULocationID: 1,
    DOLocationID: 2,
    payment_type: 1,
    fare_amount: 5,
    extra: 0,
    mta_tax: 0.5,
    tip_amount: tip,
    tolls_amount: 0,
    improvement_surcharge: 0.3,
    total_amount: 5.8 + tip,
    congestion_surcharge: 0,
  });
}
