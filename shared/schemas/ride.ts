import { z } from 'zod';
import { parseDatetimeMs } from './datetime.js';

/**
 * Taxi ride schemas: the TLC yellow (`tpep_*`) and green (`lpep_*`) trip records, with the
 * CSV header names kept as field names so pipeline specs and users speak the TLC's language.
 * Values may arrive as JSON numbers or as CSV strings, so numbers are coerced; empty CSV
 * cells become `null` where the TLC leaves them empty (passenger_count, RatecodeID, ...).
 */

/** A datetime field: zone-less values are UTC (see parseDatetimeMs); parsed to epoch ms. */
const datetimeMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDatetimeMs(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `not a datetime: ${JSON.stringify(v)} (expected "YYYY-MM-DD HH:MM:SS", read as UTC)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** CSV cells are strings: numeric text becomes a number (NaN fails the schema), blanks are null. */
const fromCell = (v: unknown): unknown => {
  if (v === '' || v === null || v === undefined) return null;
  return typeof v === 'string' ? Number(v.trim()) : v;
};
/** A required number; accepts numeric strings from CSV. */
const num = z.preprocess(fromCell, z.number().finite());
/** A required integer id such as a location id. */
const int = z.preprocess(fromCell, z.number().int());
/** An optional number: empty, null or absent become null. */
const optNum = z.preprocess(fromCell, z.number().finite().nullable());
const optInt = z.preprocess(fromCell, z.number().int().nullable());
const flag = z
  .union([z.enum(['Y', 'N']), z.literal(''), z.null(), z.undefined()])
  .transform((v) => (v === '' || v == null ? null : v));

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
export const yellowRideSchema = z.object({
  ...common,
  tpep_pickup_datetime: datetimeMs,
  tpep_dropoff_datetime: datetimeMs,
});
export type YellowRide = z.infer<typeof yellowRideSchema>;

/** A green-taxi trip record (`lpep_*` datetimes, plus ehail_fee and trip_type). */
export const greenRideSchema = z.object({
  ...common,
  lpep_pickup_datetime: datetimeMs,
  lpep_dropoff_datetime: datetimeMs,
  ehail_fee: optNum,
  trip_type: optInt,
});
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
export const rideSchema = z.unknown().transform((value, ctx): Ride => {
  const isGreen = typeof value === 'object' && value !== null && 'lpep_pickup_datetime' in value;
  const result = (isGreen ? greenRideSchema : yellowRideSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});
export type Ride = YellowRide | GreenRide;
