import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerSpec, TableSpec } from '../../../../../shared/engine/process/index.js';
import { isNewer } from '../../../../../shared/engine/processors/index.js';
import { PipelineTestDriver } from '../../../../../shared/testing/index.js';

const table: TableSpec = {
  kind: 'table',
  name: 'zones',
  description: 'zones',
  topic: 'zones',
  codec: 'json',
};
const handler: HandlerSpec = { name: 'zones-table', description: '', topic: 'zones', pipelines: [table] };

describe('a table pipeline (a KTable over a compacted topic)', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(handler);
  });
  afterAll(() => driver.close());

  const values = async () =>
    Object.fromEntries((await driver.tableRows('zones')).map((r) => [r.key, r.value]));

  it('keeps the latest value per key and deletes a key on a tombstone', async () => {
    await driver.pipe([
      { key: '1', value: { borough: 'EWR' }, offset: 0 },
      { key: '2', value: { borough: 'Queens' }, offset: 1 },
      { key: '1', value: { borough: 'Newark' }, offset: 2 },
      { key: '3', value: { borough: 'Bronx' }, offset: 3 },
    ]);
    await driver.pipe([
      { key: '2', value: null, offset: 4 },
      { key: '3', value: { borough: 'Brooklyn' }, offset: 5 },
    ]);

    expect(await values()).toEqual({ '1': { borough: 'Newark' }, '3': { borough: 'Brooklyn' } });
  });

  it('changes nothing when older records are delivered again, in other batches (a tombstone stays a delete)', async () => {
    const before = await values();
    const outcomes = await driver.pipeEvent(
      driver.eventOf([
        { key: '2', value: { borough: 'Queens' }, offset: 1 },
        { key: '1', value: { borough: 'EWR' }, offset: 0 },
      ]),
    );

    expect(await values()).toEqual(before);
    // Below the checkpoint: skipped without a write.
    expect(outcomes[0]!.stats.alreadyApplied).toBe(2);
  });

  it('writes once per distinct key of a batch: the newest change wins inside the batch', async () => {
    const [outcome] = await driver.pipe([
      { key: '7', value: { v: 1 } },
      { key: '7', value: { v: 2 } },
      { key: '7', value: null },
      { key: '7', value: { v: 4 } },
    ]);

    expect(outcome!.writes.itemWrites).toBe(1);
    expect((await values())['7']).toEqual({ v: 4 });
    expect(outcome!.stats).toMatchObject({ records: 4, aggregated: 4, invalid: 0 });
  });

  it('dead-letters a record without a key or with a value that is no JSON object, and counts it', async () => {
    const [outcome] = await driver.pipe([
      { key: null, value: { v: 1 } },
      { key: '8', value: 'not json' },
    ]);
    const letters = await driver.deadLetters('zones');

    expect(outcome!.stats).toMatchObject({ records: 2, aggregated: 0, invalid: 2 });
    expect(letters.map((d) => d.code).sort()).toEqual(['NOT_JSON', 'NO_KEY']);
  });

  it('orders changes of one key from two partitions by timestamp, the higher partition on a tie', () => {
    const change = (partition: number, offset: number, timestampMs: number) => ({
      key: 'k',
      value: {},
      partition,
      offset,
      timestampMs,
    });

    expect(isNewer(change(0, 9, 100), change(0, 3, 500))).toBe(true); // same partition: offset decides
    expect(isNewer(change(1, 0, 200), change(0, 9, 100))).toBe(true);
    expect(isNewer(change(0, 9, 100), change(1, 0, 200))).toBe(false);
    expect(isNewer(change(1, 0, 100), change(0, 9, 100))).toBe(true);
  });

  it('lets the stored order decide across partitions too: an older record of another partition is not applied', async () => {
    await driver.pipe([{ key: '9', value: { v: 'new' }, partition: 1, timestampMs: 2000 }]);
    await driver.pipe([{ key: '9', value: { v: 'old' }, partition: 0, timestampMs: 1000 }]);

    expect((await values())['9']).toEqual({ v: 'new' });
  });
});
