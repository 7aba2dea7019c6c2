import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rideHandler } from '../../../../shared/rides/index.js';
import { PipelineTestDriver } from '../../../../shared/testing/index.js';
import { loadRideRows, rideJson } from '../../../support/rides.js';

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

describe('stream-time checkpoints', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(rideHandler('rides-count-by-dropoff'));
  });
  afterAll(async () => {
    await driver.close();
  });

  it('only move forward: saving an older checkpoint keeps the newer one', async () => {
    const store = driver.stores.streamTimes;
    await store.save('p', [{ partitionId: 'rides-0', offset: 10, streamTimeMs: 1000 }]);
    await store.save('p', [{ partitionId: 'rides-0', offset: 4, streamTimeMs: 500 }]);
    expect((await store.latest('p', ['rides-0'])).get('rides-0')).toEqual({
      offset: 10,
      streamTimeMs: 1000,
      // The wall-clock time of the write that holds (final results tell idle partitions by it).
      updatedAtMs: expect.any(Number),
      gaps: [],
    });
  });

  it('dead-letter records of a topic the pipeline does not read, instead of dropping them', async () => {
    const [outcome] = await driver.pipe([{ topic: 'not-rides', value: rideJson(loadRideRows()[0]!) }]);
    expect(outcome!.stats).toMatchObject({ records: 1, invalid: 1, aggregated: 0 });
    const [dead] = await driver.deadLetters('dropoff-count');
    expect(dead).toMatchObject({ kind: 'invalid', code: 'WRONG_TOPIC', topic: 'not-rides' });
  });
});
