import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rideHandler } from '../../../shared/pipelines/index.js';
import { PipelineTestDriver } from '../../../shared/testing/index.js';
import { loadRideRows, rideJson } from '../../support/rides.js';

describe('redelivery of a completed batch', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(rideHandler('rides-tumbling-by-pickup'));
  });
  afterAll(async () => {
    await driver.close();
  });

  it('skips every record without writing and leaves the tables as they were', async () => {
    const rows = loadRideRows().slice(0, 50);
    const event = driver.eventOf(rows.map((r, i) => ({ value: rideJson(r), partition: i % 3 })));
    const first = await driver.pipeEvent(event);
    const before = await driver.rows();

    const again = await driver.pipeEvent(event);

    expect(first.every((o) => o.stats.alreadyApplied === 0)).toBe(true);
    for (const o of again) {
      expect(o.stats.alreadyApplied).toBe(50);
      expect(o.writes).toMatchObject({ fastWrites: 0, slowWrites: 0, conflicts: 0 });
      expect(o.deadLettersWritten).toBe(0);
    }
    expect(await driver.rows()).toEqual(before);
  });
});
