import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PICKUP_LOCATIONS_TOPIC,
  RIDES_TOPIC,
  rideJoinHandlers,
  ridePickupJoin,
} from '../../../shared/rides/index.js';
import { PipelineTestDriver } from '../../../shared/testing/index.js';

/**
 * The course's `JsonKStreamJoinsTest`, ported: a ride keyed by its DOLocationID and a
 * pickup-location event at that location within 10 minutes of the drop-off give one
 * `VendorInfo` (VendorID, PULocationID, pickup time, last drop-off time) under that key.
 */

const ride = (o: { VendorID: number; DOLocationID: number; dropoff: string }) => ({
  VendorID: o.VendorID,
  tpep_pickup_datetime: '2020-07-01 00:00:00',
  tpep_dropoff_datetime: o.dropoff,
  passenger_count: 1,
  trip_distance: 1,
  RatecodeID: 1,
  store_and_fwd_flag: 'N',
  PULocationID: 1,
  DOLocationID: o.DOLocationID,
  payment_type: 1,
  fare_amount: 5,
  extra: 0,
  mta_tax: 0.5,
  tip_amount: 0,
  tolls_amount: 0,
  improvement_surcharge: 0.3,
  total_amount: 5.8,
  congestion_surcharge: 0,
});
const pickup = (PULocationID: number, at: string) => ({ PULocationID, tpep_pickup_datetime: at });
const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);

describe("the course's JsonKStreamJoins (rides x pickup locations)", () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(rideJoinHandlers);
  });
  afterAll(() => driver.close());

  it('joins a ride with a pickup at its drop-off location and gives the vendor info', async () => {
    await driver.pipe([
      {
        topic: RIDES_TOPIC,
        key: '75',
        value: ride({ VendorID: 2, DOLocationID: 75, dropoff: '2020-07-01 00:20:00' }),
      },
    ]);
    await driver.pipe([
      { topic: PICKUP_LOCATIONS_TOPIC, key: '75', value: pickup(75, '2020-07-01 00:24:00') },
    ]);

    const pairs = await driver.joinPairs(ridePickupJoin.name);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.key).toBe('75');
    expect(pairs[0]!.value).toEqual({
      VendorID: 2,
      PULocationID: 75,
      pickupTime: ms('2020-07-01 00:24:00'),
      lastDropoffTime: ms('2020-07-01 00:20:00'),
    });
  });

  it.each([
    ['10 minutes after the drop-off (the joiner keeps it)', 10, 1],
    ['11 minutes after (in the 20-minute window, but the joiner drops it)', 11, 0],
    ['10 minutes before the drop-off', -10, 1],
  ])('a pickup %s', async (_name, minutes, expected) => {
    const loc = 100 + minutes + 20; // a location of its own per case
    const dropoffMs = ms('2020-07-01 01:00:00');
    await driver.pipe([
      { topic: RIDES_TOPIC, value: ride({ VendorID: 1, DOLocationID: loc, dropoff: '2020-07-01 01:00:00' }) },
      {
        topic: PICKUP_LOCATIONS_TOPIC,
        value: pickup(loc, new Date(dropoffMs + minutes * 60_000).toISOString()),
      },
    ]);
    const pairs = (await driver.joinPairs(ridePickupJoin.name)).filter((p) => p.key === String(loc));
    expect(pairs).toHaveLength(expected);
  });

  it('does not join a pickup at another location', async () => {
    await driver.pipe([
      { topic: RIDES_TOPIC, value: ride({ VendorID: 1, DOLocationID: 200, dropoff: '2020-07-01 02:00:00' }) },
      { topic: PICKUP_LOCATIONS_TOPIC, value: pickup(201, '2020-07-01 02:01:00') },
    ]);
    const keys = (await driver.joinPairs(ridePickupJoin.name)).map((p) => p.key);
    expect(keys).not.toContain('200');
    expect(keys).not.toContain('201');
  });
});
