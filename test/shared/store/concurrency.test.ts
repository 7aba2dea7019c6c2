import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../../shared/kafka/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { type HandlerSpec, processEvent } from '../../../shared/pipeline/index.js';
import {
  createDocumentClient,
  createPipelineStores,
  readDecimal,
  readNumber,
} from '../../../shared/store/index.js';
import { allTime } from '../../../shared/windows/index.js';

/**
 * Lambda runs one invocation per partition at a time, but invocations for different
 * partitions run concurrently and can hit the same item (a hot key). The read-modify-write
 * path must not lose an update to such a race.
 */
describe('concurrent invocations on different partitions', () => {
  let dynamo: EmbeddedDynamo;
  const tables = { aggregates: 'c-agg', deadLetters: 'c-dl', state: 'c-st' };
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureTables(dynamo.endpoint, tables);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('lose no update to a shared min/max item', async () => {
    const spec: HandlerSpec = {
      name: 'hot',
      description: '',
      topic: 't',
      pipelines: [
        {
          name: 'hot-key',
          description: '',
          topic: 't',
          codec: 'ride-json',
          key: { constant: 'all' },
          time: { kafkaTimestamp: true },
          window: allTime(),
          aggregations: [
            { op: 'sum', field: 'tip_amount' },
            { op: 'max', field: 'tip_amount' },
          ],
        },
      ],
    };
    const ride = (tip: number) =>
      JSON.stringify({
        VendorID: 1,
        tpep_pickup_datetime: '2020-07-01 00:00:00',
        tpep_dropoff_datetime: '2020-07-01 00:10:00',
        passenger_count: 1,
        trip_distance: 1,
        RatecodeID: 1,
        store_and_fwd_flag: 'N',
        PULocationID: 1,
        DOLocationID: 2,
        payment_type: 1,
        fare_amount: 5,
        extra: 0,
        mta_tax: 0.5,
        tip_amount: tip,
        tolls_amount: 0,
        improvement_surcharge: 0.3,
        total_amount: 5.8 + tip,
        congestion_surcharge: 0,
      });
    const partitions = 40;
    const events = Array.from({ length: partitions }, (_, p) =>
      buildEvent([{ topic: 't', partition: p, offset: 0, timestampMs: 0, key: 'k', value: ride(p / 100) }]),
    );
    // Each invocation with its own client, as separate Lambda instances would be.
    const clients = events.map(() => createDocumentClient({ endpoint: dynamo.endpoint }));

    const outcomes = await Promise.all(
      events.map((e, i) => processEvent(spec, e, createPipelineStores(clients[i]!, tables))),
    );

    const doc = clients[0]!;
    const { Item: item } = await doc.send(
      new GetCommand({
        TableName: tables.aggregates,
        Key: { pk: 'hot-key#all', sk: 'all-time' },
        ConsistentRead: true,
      }),
    );
    expect(readNumber(item!.count)).toBe(partitions);
    // 0.00 + 0.01 + ... + 0.39
    expect(readDecimal(item!.sum_tip_amount)).toBe('7.8');
    expect(readDecimal(item!.max_tip_amount)).toBe('0.39');
    // The race did happen: some writes met a condition that another invocation had changed.
    expect(outcomes.flat().reduce((n, o) => n + o.writes.conflicts, 0)).toBeGreaterThan(0);
    for (const c of clients) c.destroy();
  });
});
