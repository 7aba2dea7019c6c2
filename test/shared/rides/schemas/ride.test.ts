import { describe, expect, it } from 'vitest';
import {
  greenRideSchema,
  parseDatetimeMs,
  rideSchema,
  yellowRideSchema,
} from '../../../../shared/rides/schemas/index.js';
import { loadRideRows } from '../../../support/rides.js';

describe('parseDatetimeMs', () => {
  it('reads zone-less TLC datetimes as UTC', () => {
    expect(parseDatetimeMs('2020-07-01 00:25:32')).toBe(Date.UTC(2020, 6, 1, 0, 25, 32));
  });
  it('honours an explicit offset', () => {
    expect(parseDatetimeMs('2020-07-01T02:25:32+02:00')).toBe(Date.UTC(2020, 6, 1, 0, 25, 32));
  });
  it.each(['2020-02-31 00:00:00', 'yesterday', '', '2020-07-01'])('rejects %j', (v) => {
    expect(parseDatetimeMs(v)).toBeUndefined();
  });
});

describe('yellowRideSchema', () => {
  it('accepts every row of the bundled rides.csv as strings, coercing numbers', () => {
    const rows = loadRideRows();
    expect(rows).toHaveLength(266);
    for (const row of rows) {
      const ride = yellowRideSchema.parse(row);
      expect(typeof ride.PULocationID).toBe('number');
      expect(typeof ride.tpep_pickup_datetime).toBe('number');
    }
  });

  it('names the failing field', () => {
    const row = { ...loadRideRows()[0]!, tip_amount: 'abc' };
    const result = yellowRideSchema.safeParse(row);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['tip_amount']);
  });

  it('turns empty optional cells into null', () => {
    const ride = yellowRideSchema.parse({ ...loadRideRows()[0]!, passenger_count: '', RatecodeID: '' });
    expect(ride.passenger_count).toBeNull();
    expect(ride.RatecodeID).toBeNull();
  });
});

describe('rideSchema (yellow or green)', () => {
  it('accepts a green lpep_* ride', () => {
    const green = {
      VendorID: 2,
      lpep_pickup_datetime: '2019-01-01 00:10:16',
      lpep_dropoff_datetime: '2019-01-01 00:16:32',
      store_and_fwd_flag: 'N',
      RatecodeID: 1,
      PULocationID: 97,
      DOLocationID: 49,
      passenger_count: 2,
      trip_distance: 0.86,
      fare_amount: 6,
      extra: 0.5,
      mta_tax: 0.5,
      tip_amount: 1.36,
      tolls_amount: 0,
      ehail_fee: null,
      improvement_surcharge: 0.3,
      total_amount: 8.66,
      payment_type: 1,
      trip_type: 1,
      congestion_surcharge: null,
    };
    expect(greenRideSchema.parse(green).lpep_pickup_datetime).toBe(Date.UTC(2019, 0, 1, 0, 10, 16));
    expect(rideSchema.safeParse(green).success).toBe(true);
  });
});

describe('parseDatetimeMs fast path', () => {
  it('agrees with Date.parse on every datetime of rides.csv', () => {
    for (const row of loadRideRows()) {
      for (const v of [row.tpep_pickup_datetime!, row.tpep_dropoff_datetime!]) {
        expect(parseDatetimeMs(v)).toBe(Date.parse(`${v.replace(' ', 'T')}Z`));
      }
    }
  });
  it.each([
    '2021-02-29 00:00:00',
    '2020-13-01 00:00:00',
    '2020-01-01 24:00:00',
    '2020-01-01 00:60:00',
    '2020-0a-01 00:00:00',
  ])('rejects the impossible %j', (v) => {
    expect(parseDatetimeMs(v)).toBeUndefined();
  });
  it('accepts 29 February of a leap year', () => {
    expect(parseDatetimeMs('2020-02-29 12:00:00')).toBe(Date.UTC(2020, 1, 29, 12));
  });
});
