import * as z from 'zod/mini';
import { jitObject } from '../../engine/decode/jitObject.js';
import '../../engine/zodLocale.js';
import { parseDatetimeMs } from './datetime.js';

/**
 * Taxi ride schemas: the TLC yellow (`tpep_*`) and green (`lpep_*`) trip records, with the
 * CSV header names kept as field names so pipeline specs and users speak the TLC's language.
 * Values may arrive as JSON numbers or as CSV strings (see coerceCells); empty CSV cells
 * become `null` where the TLC leaves them empty (passenger_count, RatecodeID, ...).
 */

/** A datetime field: zone-less values are UTC (see parseDatetimeMs); parsed to epoch ms. */
const datetimeMs = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((v: string | number, ctx) => {
    const ms = parseDatetimeMs(v);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        message: `not a datetime: ${JSON.stringify(v)} (expected "YYYY-MM-DD HH:MM:SS", read as UTC)`,
        input: v,
      });
      return z.NEVER;
    }
    return ms;
  }),
);

/** A required number. */
const num = z.number();
/** A required integer id such as a location id. */
const int = z.number().check(z.int());
/** An optional number: null or absent become null. */
const optNum = z._default(z.nullable(z.number()), null);
const optInt = z._default(z.nullable(z.number().check(z.int())), null);
const flag = z._default(z.nullable(z.enum(['Y', 'N'])), null);

/**
 * CSV cells (and JSON producers that send numbers as strings) arrive as text. One pass over
 * the object turns numeric text into numbers (text that is not a number becomes NaN, which
 * the schema rejects naming the field) and blank cells into null, before validation.
 * Done once per object rather than as a zod preprocess per field: that is 2-3x slower, and
 * this runs for every record.
 */
function coerceCells(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v !== 'string' || k.endsWith('_datetime')) continue;
    out ??= { ...obj };
    if (v.trim() === '') out[k] = null;
    else if (k !== 'store_and_fwd_flag') out[k] = Number(v);
  }
  return out ?? obj;
}

const common = {
  VendorID: int,
  passenger_count: optInt,
  trip_distance: num,
  RatecodeID: optInt,
  store_and_fwd_flag: flag,
  PULocationID: int,
  DOLocationID: int,
  payment_type: optInt,
  fare_amount: num,
  extra: num,
  mta_tax: num,
  tip_amount: num,
  tolls_amount: num,
  improvement_surcharge: num,
  total_amount: num,
  congestion_surcharge: optNum,
};

/** A yellow-taxi trip record (columns of `data/rides.csv`). */
export const yellowRideSchema = z.pipe(
  z.transform(coerceCells),
  jitObject({
    ...common,
    tpep_pickup_datetime: datetimeMs,
    tpep_dropoff_datetime: datetimeMs,
  }),
);
export type YellowRide = z.infer<typeof yellowRideSchema>;

/** A green-taxi trip record (`lpep_*` datetimes, plus ehail_fee and trip_type). */
export const greenRideSchema = z.pipe(
  z.transform(coerceCells),
  jitObject({
    ...common,
    lpep_pickup_datetime: datetimeMs,
    lpep_dropoff_datetime: datetimeMs,
    ehail_fee: optNum,
    trip_type: optInt,
  }),
);
export type GreenRide = z.infer<typeof greenRideSchema>;

/** Column order of the yellow CSV files, used to read header-less CSV lines. */
export const YELLOW_COLUMNS = [
  'VendorID',
  'tpep_pickup_datetime',
  'tpep_dropoff_datetime',
  'passenger_count',
  'trip_distance',
  'RatecodeID',
  'store_and_fwd_flag',
  'PULocationID',
  'DOLocationID',
  'payment_type',
  'fare_amount',
  'extra',
  'mta_tax',
  'tip_amount',
  'tolls_amount',
  'improvement_surcharge',
  'total_amount',
  'congestion_surcharge',
] as const;

/** Column order of the green CSV files. */
export const GREEN_COLUMNS = [
  'VendorID',
  'lpep_pickup_datetime',
  'lpep_dropoff_datetime',
  'store_and_fwd_flag',
  'RatecodeID',
  'PULocationID',
  'DOLocationID',
  'passenger_count',
  'trip_distance',
  'fare_amount',
  'extra',
  'mta_tax',
  'tip_amount',
  'tolls_amount',
  'ehail_fee',
  'improvement_surcharge',
  'total_amount',
  'payment_type',
  'trip_type',
  'congestion_surcharge',
] as const;

/**
 * Either colour, chosen by the datetime field present (`lpep_pickup_datetime` means green),
 * so a bad yellow ride reports its own failing field instead of a vague "invalid union".
 */
export const rideSchema = z.pipe(
  z.unknown(),
  z.transform((value, ctx): Ride => {
    const isGreen = typeof value === 'object' && value !== null && 'lpep_pickup_datetime' in value;
    const result = (isGreen ? greenRideSchema : yellowRideSchema).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: value });
    }
    return z.NEVER;
  }),
);
export type Ride = YellowRide | GreenRide;
