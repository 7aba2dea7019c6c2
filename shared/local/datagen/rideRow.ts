import { YELLOW_COLUMNS } from '../../rides/schemas/index.js';

/**
 * A yellow-taxi ride as a row of `data/rides.csv`, with cells typed the way the file reader
 * types them (numbers as numbers, datetimes as the TLC's zone-less `YYYY-MM-DD HH:MM:SS`
 * text). Same field names and order as the TLC files, so every codec and pipeline that reads
 * the sample data reads generated rides too.
 */
export type RideRow = {
  readonly VendorID: number;
  readonly tpep_pickup_datetime: string;
  readonly tpep_dropoff_datetime: string;
  readonly passenger_count: number;
  readonly trip_distance: number;
  readonly RatecodeID: number;
  readonly store_and_fwd_flag: 'Y' | 'N';
  readonly PULocationID: number;
  readonly DOLocationID: number;
  readonly payment_type: number;
  readonly fare_amount: number;
  readonly extra: number;
  readonly mta_tax: number;
  readonly tip_amount: number;
  readonly tolls_amount: number;
  readonly improvement_surcharge: number;
  readonly total_amount: number;
  readonly congestion_surcharge: number;
};

/** The CSV header of `data/rides.csv` (yellow columns, TLC order). */
export const RIDE_CSV_HEADER: string = YELLOW_COLUMNS.join(',');

/** Formats epoch ms the way the TLC writes datetimes: UTC wall clock, no zone, whole seconds. */
export function toTlcDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Fields in TLC column order, then any extra ones. Absent columns stay absent (a record
 * with a missing field must not grow a `null`, which would read differently).
 */
export function orderedFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of YELLOW_COLUMNS) if (column in fields) out[column] = fields[column];
  for (const [k, v] of Object.entries(fields)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * One CSV line (no newline) in TLC column order. Distances keep two decimals as in the TLC
 * files (`1.50`); absent or null cells are empty; text with a comma or quote is quoted.
 */
export function toCsvLine(fields: Readonly<Record<string, unknown>>): string {
  return YELLOW_COLUMNS.map((column) => {
    const v = fields[column];
    if (v === undefined || v === null) return '';
    if (column === 'trip_distance' && typeof v === 'number') return v.toFixed(2);
    const text = String(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',');
}
