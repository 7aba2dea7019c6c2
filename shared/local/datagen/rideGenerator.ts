import type { Zone } from '../../rides/schemas/index.js';
import { ALL_DEFECTS, type Malformation, type MalformedDefect, malform } from './malformed.js';
import { seededRandom } from './random.js';
import { makeRide, type RideZones } from './rideModel.js';
import { orderedFields, type RideRow, toCsvLine } from './rideRow.js';
import { zonePopularity } from './zonePopularity.js';

const MINUTE_MS = 60_000;
/** Calibrated on data/rides.csv: 82% of pickups and 52% of drop-offs in Manhattan's core or at an airport. */
const PICKUP_CORE_WEIGHT = 2.7;
const DROPOFF_CORE_WEIGHT = 0.65;

/** Options of {@link generateRides}. Defaults are here and nowhere else. */
export interface RideGeneratorOptions {
  /** Same seed, same options, same zones: the same records, byte for byte. */
  readonly seed: number | string;
  /** The taxi zones (`loadZones('data/taxi_zone_lookup.csv').values()`). */
  readonly zones: Iterable<Zone>;
  /** How many records; omit for an endless stream. */
  readonly count?: number;
  /** Event time of the first pickup. @default 2020-07-01T00:00:00Z (the month of data/rides.csv) */
  readonly startMs?: number;
  /**
   * Mean gap between pickups (exponential gaps, i.e. a Poisson process). 500 ms matches the
   * course's producer (one ride every 500 ms) and roughly the city's July 2020 yellow-cab volume.
   * @default 500
   */
  readonly meanGapMs?: number;
  /** Share of records whose pickup time is shifted back (out of order). @default 0 */
  readonly outOfOrderShare?: number;
  /**
   * Of the out-of-order records, the share shifted back by 2 to 3 times `graceMs`, so that any
   * window of up to `graceMs` closes before they arrive (late records); the others are shifted
   * by 1 s to `graceMs / 2` and stay within grace.
   * @default 0.3
   */
  readonly lateFraction?: number;
  /** The allowed lateness the shifts are measured against (the ride pipelines' grace). @default 60 minutes */
  readonly graceMs?: number;
  /** Share of malformed records (for dead-letter tests). @default 0 */
  readonly malformedShare?: number;
  /** Which defects malformed records get. @default every defect ({@link ALL_DEFECTS}) */
  readonly defects?: readonly MalformedDefect[];
  /** Zipf exponent of zone popularity. @default 0.8 */
  readonly zoneExponent?: number;
}

/** The defaults of {@link RideGeneratorOptions}, in one place. */
export const RIDE_GENERATOR_DEFAULTS: Readonly<Required<Pick<RideGeneratorOptions, DefaultedOption>>> = {
  startMs: Date.parse('2020-07-01T00:00:00Z'),
  meanGapMs: 500,
  outOfOrderShare: 0,
  lateFraction: 0.3,
  graceMs: 60 * MINUTE_MS,
  malformedShare: 0,
};

type DefaultedOption =
  | 'startMs'
  | 'meanGapMs'
  | 'outOfOrderShare'
  | 'lateFraction'
  | 'graceMs'
  | 'malformedShare';
type ResolvedOptions = RideGeneratorOptions & Required<Pick<RideGeneratorOptions, DefaultedOption>>;

/** A well-formed generated ride and how its time was placed. */
export interface GeneratedRide {
  readonly kind: 'ride';
  /** 0-based position in the output. */
  readonly index: number;
  readonly ride: RideRow;
  /** How far the pickup was moved back from the stream's clock (0 for in-order rides). */
  readonly shiftMs: number;
  /** Shifted back beyond the grace period: windows it belongs to are closed when it arrives. */
  readonly late: boolean;
}

/** A record broken on purpose. */
export interface GeneratedMalformed extends Malformation {
  readonly kind: 'malformed';
  readonly index: number;
}

/** What the generator yields. */
export type GeneratedRecord = GeneratedRide | GeneratedMalformed;

/**
 * Synthetic yellow-taxi rides, the role Confluent's Datagen connector plays in the course: an
 * endless, realistic, reproducible stream (see `makeRide` for the fare model). Pickup times
 * advance from `startMs` with random gaps; a share of records is moved back in time or broken.
 * Pure apart from its own seeded PRNG.
 */
export function* generateRides(options: RideGeneratorOptions): Generator<GeneratedRecord> {
  const o: ResolvedOptions = { ...RIDE_GENERATOR_DEFAULTS, ...withoutUndefined(options) };
  validate(o);
  const random = seededRandom(o.seed);
  const zoneList = [...o.zones];
  const exponent = o.zoneExponent === undefined ? {} : { exponent: o.zoneExponent };
  const zones: RideZones = {
    pickups: zonePopularity(zoneList, { ...exponent, coreWeight: PICKUP_CORE_WEIGHT }),
    dropoffs: zonePopularity(zoneList, { ...exponent, coreWeight: DROPOFF_CORE_WEIGHT }),
  };
  const defects = o.defects ?? ALL_DEFECTS;
  let clockMs = o.startMs;
  for (let index = 0; o.count === undefined || index < o.count; index++) {
    clockMs += o.meanGapMs > 0 ? random.exponential(o.meanGapMs) : 0;
    const roll = random.float();
    if (roll < o.malformedShare) {
      const ride = makeRide(random, clockMs, zones);
      yield { kind: 'malformed', index, ...malform(random, ride, defects) };
    } else if (roll < o.malformedShare + o.outOfOrderShare) {
      const late = random.chance(o.lateFraction);
      const shiftMs = Math.round(
        late ? o.graceMs * (2 + random.float()) : 1000 + random.float() * Math.max(0, o.graceMs / 2 - 1000),
      );
      yield { kind: 'ride', index, ride: makeRide(random, clockMs - shiftMs, zones), shiftMs, late };
    } else {
      yield { kind: 'ride', index, ride: makeRide(random, clockMs, zones), shiftMs: 0, late: false };
    }
  }
}

/** Output formats of generated records. */
export type RideFormat = 'jsonl' | 'csv';

/**
 * A record as one line of output (no newline): a JSON object in TLC column order, or a CSV
 * row under {@link RIDE_CSV_HEADER}. Broken JSON stays broken; in CSV it cannot be written.
 */
export function formatRecord(record: GeneratedRecord, format: RideFormat): string {
  const fields = record.kind === 'ride' ? record.ride : record.fields;
  if (record.kind === 'malformed' && record.text !== undefined) {
    if (format === 'csv') {
      throw new RangeError('an invalid-json record cannot be written as CSV: generate CSV with CSV_DEFECTS');
    }
    return record.text;
  }
  return format === 'csv' ? toCsvLine(fields) : JSON.stringify(orderedFields(fields));
}

function validate(o: ResolvedOptions): void {
  const share = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`);
  };
  share('outOfOrderShare', o.outOfOrderShare);
  share('malformedShare', o.malformedShare);
  share('lateFraction', o.lateFraction);
  if (o.outOfOrderShare + o.malformedShare > 1) {
    throw new RangeError(
      `outOfOrderShare + malformedShare must not exceed 1, got ${o.outOfOrderShare} + ${o.malformedShare}`,
    );
  }
  if (o.count !== undefined && !(Number.isInteger(o.count) && o.count >= 0)) {
    throw new RangeError(`count must be a whole number >= 0, got ${o.count}`);
  }
  if (!(o.meanGapMs >= 0 && Number.isFinite(o.meanGapMs)))
    throw new RangeError(`meanGapMs must be >= 0, got ${o.meanGapMs}`);
  if (!Number.isFinite(o.startMs))
    throw new RangeError(`startMs must be a finite epoch ms, got ${o.startMs}`);
  if (!(o.graceMs > 0)) throw new RangeError(`graceMs must be > 0, got ${o.graceMs}`);
  if (o.defects !== undefined && o.defects.length === 0)
    throw new RangeError('defects must list at least one defect');
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
