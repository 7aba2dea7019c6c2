import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecByName, registerCodecs } from '../../../../shared/engine/decode/index.js';
import { InvalidRecordError } from '../../../../shared/engine/errors/index.js';
import {
  CSV_DEFECTS,
  formatRecord,
  type GeneratedRecord,
  generateRides,
  RIDE_CSV_HEADER,
  type RideGeneratorOptions,
  type RideRow,
} from '../../../../shared/local/datagen/index.js';
import { rideCodecs } from '../../../../shared/rides/index.js';
import { loadZones, parseDatetimeMs, yellowRideSchema } from '../../../../shared/rides/schemas/index.js';
import { kafkaRecord } from '../../../support/records.js';
import { dataPath } from '../../../support/rides.js';

registerCodecs(rideCodecs);

const ZONES = [...loadZones(dataPath('taxi_zone_lookup.csv')).values()];
const HOUR_MS = 3_600_000;

function generate(count: number, options: Partial<RideGeneratorOptions> = {}): GeneratedRecord[] {
  return [...generateRides({ seed: 7, zones: ZONES, count, ...options })];
}

function ridesOf(records: readonly GeneratedRecord[]): RideRow[] {
  return records.flatMap((r) => (r.kind === 'ride' ? [r.ride] : []));
}

const cents = (amount: number): number => Math.round(amount * 100);
const pickupMs = (ride: RideRow): number => parseDatetimeMs(ride.tpep_pickup_datetime) as number;
const dropoffMs = (ride: RideRow): number => parseDatetimeMs(ride.tpep_dropoff_datetime) as number;

/** A binomial count is within 5 standard deviations of its mean (fails by chance about never). */
function expectShare(hits: number, n: number, p: number): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(hits - n * p)).toBeLessThanOrEqual(5 * sd + 1);
}

describe('generateRides: reproducibility', () => {
  it('gives byte-identical output for the same seed and options', () => {
    const options = { outOfOrderShare: 0.1, malformedShare: 0.05 };
    const a = generate(2000, options).map((r) => formatRecord(r, 'jsonl'));
    const b = generate(2000, options).map((r) => formatRecord(r, 'jsonl'));
    expect(a).toEqual(b);
  });

  it('gives different rides for different seeds', () => {
    const a = generate(50, { seed: 1 }).map((r) => formatRecord(r, 'jsonl'));
    const b = generate(50, { seed: 2 }).map((r) => formatRecord(r, 'jsonl'));
    expect(a.filter((line, i) => line === b[i]).length).toBe(0);
  });

  it('reads numeric text seeds as the number (--seed 42 on the command line equals seed 42)', () => {
    expect(generate(20, { seed: '42' })).toEqual(generate(20, { seed: 42 }));
  });

  it('yields the first records of a longer run unchanged (a prefix does not depend on count)', () => {
    expect(generate(100)).toEqual(generate(300).slice(0, 100));
  });
});

describe('generateRides: every well-formed ride is a valid yellow ride', () => {
  it('passes yellowRideSchema for any seed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2025, 0, 1) }),
        (seed, startMs) => {
          for (const ride of ridesOf(generate(150, { seed, startMs, outOfOrderShare: 0.2 }))) {
            const parsed = yellowRideSchema.safeParse(ride);
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is decoded by the ride-json and yellow-csv codecs the pipelines use', () => {
    const json = codecByName('ride-json');
    const csv = codecByName('yellow-csv');
    for (const record of generate(500)) {
      const fromJson = json.decode(kafkaRecord({ value: formatRecord(record, 'jsonl') }));
      const fromCsv = csv.decode(kafkaRecord({ value: formatRecord(record, 'csv') }));
      expect(fromCsv).toEqual(fromJson);
    }
  });

  it('writes CSV rows under the header of data/rides.csv', () => {
    const sampleHeader = parse(`${RIDE_CSV_HEADER}\n`)[0];
    const fileHeader = parse(readFileSync(dataPath('rides.csv'), 'utf8').split('\n')[0] as string)[0];
    expect(sampleHeader).toEqual(fileHeader);
  });
});

describe('generateRides: amounts and times are consistent', () => {
  it('makes total_amount exactly the sum of its parts', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        for (const r of ridesOf(generate(200, { seed }))) {
          const parts =
            cents(r.fare_amount) +
            cents(r.extra) +
            cents(r.mta_tax) +
            cents(r.tip_amount) +
            cents(r.tolls_amount) +
            cents(r.improvement_surcharge) +
            cents(r.congestion_surcharge);
          expect(cents(r.total_amount)).toBe(parts);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('drops off after the pickup, at a plausible average speed for the distance', () => {
    for (const r of ridesOf(generate(3000))) {
      const hours = (dropoffMs(r) - pickupMs(r)) / HOUR_MS;
      expect(hours).toBeGreaterThanOrEqual(1 / 60);
      expect(r.trip_distance / hours).toBeLessThan(50);
    }
  });

  it('charges the metered fare (at least $2.50 + $2.50 a mile), or the $52 JFK flat fare for rate code 2', () => {
    for (const r of ridesOf(generate(5000))) {
      if (r.RatecodeID === 2) expect(r.fare_amount).toBe(52);
      else expect(r.fare_amount).toBeGreaterThanOrEqual(2.5 + 2.5 * r.trip_distance - 0.25);
    }
  });

  it('records tips only for card payments, and most card rides tip', () => {
    const rides = ridesOf(generate(5000));
    expect(rides.filter((r) => r.payment_type !== 1 && r.tip_amount !== 0)).toEqual([]);
    const card = rides.filter((r) => r.payment_type === 1);
    expect(card.filter((r) => r.tip_amount > 0).length / card.length).toBeGreaterThan(0.7);
  });

  it('mixes vendors about 1:2 and payments mostly card, then cash', () => {
    const rides = ridesOf(generate(6000));
    expectShare(rides.filter((r) => r.VendorID === 1).length, rides.length, 1 / 3);
    expectShare(rides.filter((r) => r.payment_type === 1).length, rides.length, 0.6);
    expectShare(rides.filter((r) => r.payment_type === 2).length, rides.length, 0.385);
  });

  it('concentrates pickups in a few popular zones (Zipf-like skew)', () => {
    const rides = ridesOf(generate(10_000));
    const perZone = new Map<number, number>();
    for (const r of rides) perZone.set(r.PULocationID, (perZone.get(r.PULocationID) ?? 0) + 1);
    const counts = [...perZone.values()].sort((a, b) => b - a);
    const top10 = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    // Uniform over ~260 zones would put under 4% in the top ten.
    expect(top10 / rides.length).toBeGreaterThan(0.35);
    expect(perZone.size).toBeGreaterThan(100);
  });

  it('uses only known zones (never 264/265 "Unknown")', () => {
    const known = new Set(ZONES.filter((z) => z.borough !== 'Unknown').map((z) => z.locationid));
    for (const r of ridesOf(generate(3000))) {
      expect(known.has(r.PULocationID) && known.has(r.DOLocationID)).toBe(true);
    }
  });
});

describe('generateRides: event time', () => {
  it('advances in-order pickups monotonically from the start time', () => {
    const startMs = Date.UTC(2021, 2, 1, 8);
    const rides = generate(2000, { startMs, outOfOrderShare: 0.1 }).filter(
      (r): r is Extract<GeneratedRecord, { kind: 'ride' }> => r.kind === 'ride' && r.shiftMs === 0,
    );
    const times = rides.map((r) => pickupMs(r.ride));
    expect(times[0]).toBeGreaterThanOrEqual(startMs);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    // 2000 gaps of 500 ms on average: about 17 minutes.
    expect((times.at(-1)! - startMs) / 60_000).toBeGreaterThan(12);
    expect((times.at(-1)! - startMs) / 60_000).toBeLessThan(22);
  });

  it('moves the out-of-order share back in time; late ones beyond the grace, the others within half of it', () => {
    const graceMs = HOUR_MS;
    const records = generate(20_000, { outOfOrderShare: 0.05, lateFraction: 0.3, graceMs });
    const shifted = records.filter((r) => r.kind === 'ride' && r.shiftMs > 0);
    expectShare(shifted.length, records.length, 0.05);
    let clockMs = 0;
    let late = 0;
    for (const r of records) {
      if (r.kind !== 'ride') continue;
      if (r.shiftMs === 0) {
        clockMs = pickupMs(r.ride);
        continue;
      }
      // The stream has reached at least the last in-order pickup when a shifted ride arrives.
      const behindMs = clockMs - pickupMs(r.ride);
      if (r.late) {
        late++;
        expect(r.shiftMs).toBeGreaterThanOrEqual(2 * graceMs);
        expect(behindMs).toBeGreaterThan(graceMs);
      } else {
        expect(r.shiftMs).toBeLessThanOrEqual(graceMs / 2);
      }
    }
    expectShare(late, shifted.length, 0.3);
  });
});

describe('generateRides: malformed records', () => {
  it('emits about the malformed share, and every one of them is rejected by the ride-json codec', () => {
    const json = codecByName('ride-json');
    const records = generate(20_000, { malformedShare: 0.01 });
    const malformed = records.filter((r) => r.kind === 'malformed');
    expectShare(malformed.length, records.length, 0.01);
    expect(new Set(malformed.map((r) => r.defect))).toEqual(
      new Set(['invalid-json', 'missing-field', 'non-numeric', 'bad-datetime']),
    );
    for (const r of malformed) {
      expect(() => json.decode(kafkaRecord({ value: formatRecord(r, 'jsonl') }))).toThrow(InvalidRecordError);
    }
  });

  it('keeps CSV output parseable row by row and every malformed row fails the yellow-csv codec', () => {
    const csv = codecByName('yellow-csv');
    const records = generate(5000, { malformedShare: 0.05, defects: CSV_DEFECTS });
    const text = [RIDE_CSV_HEADER, ...records.map((r) => formatRecord(r, 'csv'))].join('\n');
    expect(parse(text, { columns: true })).toHaveLength(records.length);
    const malformed = records.filter((r) => r.kind === 'malformed');
    expect(malformed.length).toBeGreaterThan(0);
    for (const r of malformed) {
      expect(() => csv.decode(kafkaRecord({ value: formatRecord(r, 'csv') }))).toThrow(InvalidRecordError);
    }
  });

  it('refuses to write broken JSON as CSV', () => {
    const broken = generate(1, { malformedShare: 1, defects: ['invalid-json'] })[0]!;
    expect(() => formatRecord(broken, 'csv')).toThrow(/CSV_DEFECTS/);
  });
});

describe('generateRides: options', () => {
  it.each([
    [{ outOfOrderShare: 1.5 }, /outOfOrderShare must be between 0 and 1/],
    [{ malformedShare: -0.1 }, /malformedShare must be between 0 and 1/],
    [{ outOfOrderShare: 0.6, malformedShare: 0.6 }, /must not exceed 1/],
    [{ count: 1.5 }, /count must be a whole number/],
    [{ defects: [] }, /at least one defect/],
  ] as const)('rejects %j', (options, message) => {
    expect(() => generate(1, options as Partial<RideGeneratorOptions>)).toThrow(message);
  });
});
