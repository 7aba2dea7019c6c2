import type { SeededRandom } from './random.js';
import type { RideRow } from './rideRow.js';

/**
 * The ways a generated record is broken on purpose, to exercise dead-letter handling:
 * - `invalid-json`: the JSON text is cut short (JSON lines only: a broken CSV row would stop
 *   the whole file from parsing, not just one record);
 * - `missing-field`: a required field is absent (an empty cell in CSV);
 * - `non-numeric`: an amount or distance is text such as `N/A`;
 * - `bad-datetime`: a pickup or drop-off time that is not a datetime.
 */
export type MalformedDefect = 'invalid-json' | 'missing-field' | 'non-numeric' | 'bad-datetime';

/** Every defect, for JSON lines output. */
export const ALL_DEFECTS: readonly MalformedDefect[] = [
  'invalid-json',
  'missing-field',
  'non-numeric',
  'bad-datetime',
];
/** The defects a CSV file can carry without breaking the rows after it. */
export const CSV_DEFECTS: readonly MalformedDefect[] = ['missing-field', 'non-numeric', 'bad-datetime'];

/** A broken record: the fields as they will be written, or the broken text itself. */
export interface Malformation {
  readonly defect: MalformedDefect;
  /** Which field was damaged (for `invalid-json`, none). */
  readonly field?: string;
  /** The record's fields after the damage (for `invalid-json`, the intact ride). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** For `invalid-json`: the truncated JSON text. */
  readonly text?: string;
}

const REQUIRED_FIELDS = [
  'VendorID',
  'tpep_pickup_datetime',
  'PULocationID',
  'DOLocationID',
  'trip_distance',
  'fare_amount',
  'total_amount',
] as const;
const NUMERIC_FIELDS = [
  'trip_distance',
  'fare_amount',
  'tip_amount',
  'total_amount',
  'PULocationID',
] as const;
const NOT_NUMBERS = ['N/A', '12,50', 'twelve', '$9.30', '-'] as const;
const DATETIME_FIELDS = ['tpep_pickup_datetime', 'tpep_dropoff_datetime'] as const;
const NOT_DATETIMES = [
  '2020-07-01 25:61:00',
  '2020-02-30 10:00:00',
  '07/01/2020 12:25 AM',
  'yesterday',
] as const;

/** Damages a well-formed ride with one of the given defects. */
export function malform(
  random: SeededRandom,
  ride: RideRow,
  defects: readonly MalformedDefect[],
): Malformation {
  const defect = random.pick(defects);
  const fields: Record<string, unknown> = { ...ride };
  switch (defect) {
    case 'invalid-json': {
      const json = JSON.stringify(ride);
      // Cut before the closing brace: an unterminated object is never valid JSON.
      return { defect, fields, text: json.slice(0, random.int(1, json.length - 2)) };
    }
    case 'missing-field': {
      const field = random.pick(REQUIRED_FIELDS);
      delete fields[field];
      return { defect, field, fields };
    }
    case 'non-numeric': {
      const field = random.pick(NUMERIC_FIELDS);
      fields[field] = random.pick(NOT_NUMBERS);
      return { defect, field, fields };
    }
    case 'bad-datetime': {
      const field = random.pick(DATETIME_FIELDS);
      fields[field] = random.pick(NOT_DATETIMES);
      return { defect, field, fields };
    }
  }
}
