import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pickupLocationsOf } from '../../../../shared/local/datagen/index.js';
import { dataPath, loadRideRows } from '../../../support/rides.js';

describe('pickup-location events from rides', () => {
  it('are each ride pickup, in the rides order, as the course producer writes them', () => {
    expect(
      pickupLocationsOf([
        { PULocationID: '238', tpep_pickup_datetime: '2020-07-01 00:25:32' },
        { PULocationID: '', tpep_pickup_datetime: '2020-07-01 00:26:00' },
        { PULocationID: '7', tpep_pickup_datetime: 'yesterday' },
        { PULocationID: 138, tpep_pickup_datetime: '2020-07-01T00:03:19Z' },
      ]),
    ).toEqual([
      { PULocationID: 238, tpep_pickup_datetime: '2020-07-01 00:25:32' },
      { PULocationID: 138, tpep_pickup_datetime: '2020-07-01 00:03:19' },
    ]);
  });

  it('make data/pickup-locations.jsonl from data/rides.csv (the file cannot drift from its source)', () => {
    const lines = readFileSync(dataPath('pickup-locations.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(pickupLocationsOf(loadRideRows()).map((r) => JSON.stringify(r)));
  });
});
