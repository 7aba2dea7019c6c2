import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropoffCount, rideHandler } from '../../shared/rides/index.js';
import { PipelineTestDriver } from '../../shared/testing/index.js';
import { loadRideRows, rideJson } from '../support/rides.js';

/**
 * The course's JsonKStream tests, ported: rides keyed by DOLocationID, counted all-time.
 * Each ride's DOLocationID is set to the key the original test used.
 */
describe('rides-count-by-dropoff (JsonKStream)', () => {
  let driver: PipelineTestDriver;
  const ride = (dropoff: number) => {
    const row = { ...loadRideRows()[0]!, DOLocationID: String(dropoff) };
    return { key: String(dropoff), value: rideJson(row), timestampMs: Date.parse('2020-07-01T00:00:00Z') };
  };

  beforeEach(async () => {
    driver = await PipelineTestDriver.start(rideHandler('rides-count-by-dropoff'));
  });
  afterEach(async () => {
    await driver.close();
  });

  it('counts one ride keyed 75 as 1', async () => {
    await driver.pipe([ride(75)]);
    expect(await driver.count(dropoffCount.name, '75')).toBe(1);
  });

  it('counts rides keyed 100 and 200 as 1 each', async () => {
    await driver.pipe([ride(100), ride(200)]);
    expect(await driver.count(dropoffCount.name, '100')).toBe(1);
    expect(await driver.count(dropoffCount.name, '200')).toBe(1);
  });

  it('counts two rides keyed 100 as 2', async () => {
    await driver.pipe([ride(100), ride(100)]);
    expect(await driver.count(dropoffCount.name, '100')).toBe(2);
  });

  it('counts two rides keyed 100 in separate batches as 2, and a redelivery of both changes nothing', async () => {
    const first = driver.eventOf([ride(100)]);
    const second = driver.eventOf([ride(100)]);
    await driver.pipeEvent(first);
    await driver.pipeEvent(second);
    await driver.pipeEvent(first);
    await driver.pipeEvent(second);
    expect(await driver.count(dropoffCount.name, '100')).toBe(2);
  });
});
