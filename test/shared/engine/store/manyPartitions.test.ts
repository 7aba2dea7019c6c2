import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { registerCodecs } from '../../../../shared/engine/decode/index.js';
import { buildEvent, type KafkaRecordInput } from '../../../../shared/engine/event/index.js';
import {
  type HandlerSpec,
  processEvent,
  type WindowedAggregateSpec,
} from '../../../../shared/engine/process/index.js';
import {
  createDocumentClient,
  createPipelineStores,
  readDecimal,
  readNumber,
} from '../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../shared/engine/store/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { rideCodecs } from '../../../../shared/rides/index.js';
import { useEmbeddedDynamo } from '../../../support/embeddedDynamo.js';
import { rideWithTip } from '../../../support/rides.js';

registerCodecs(rideCodecs);

/**
 * A constant-key pipeline (`tips-1h`, key `all`) on a topic with many partitions: one batch
 * brings one item contributions from every partition. Every request must stay within
 * DynamoDB's limits (the embedded store enforces them as AWS does: 4 KB expressions, 300
 * operators), whatever the partition count, or the batch fails on every retry.
 */
const PARTITIONS = 1000;
const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2020, 6, 1);

function spec(aggregations: WindowedAggregateSpec['aggregations'], name: string): HandlerSpec {
  return {
    name,
    description: 'many partitions',
    topic: 'rides',
    pipelines: [
      {
        kind: 'windowed-aggregate',
        name,
        description: 'one key, many partitions',
        topic: 'rides',
        codec: 'ride-json',
        key: { constant: 'all' },
        time: { kafkaTimestamp: true },
        window: tumbling(HOUR_MS, HOUR_MS),
        aggregations,
      },
    ],
  };
}

const ride = (tipCents: number) => rideWithTip(tipCents / 100);

/** `perPartition` records on each partition, offsets from `fromOffset`; tip = partition cents. */
function records(fromOffset: number, perPartition: number): KafkaRecordInput[] {
  const out: KafkaRecordInput[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < perPartition; i++) {
      out.push({
        topic: 'rides',
        partition: p,
        offset: fromOffset + i,
        timestampMs: T0 + i,
        key: null,
        value: ride(p),
      });
    }
  }
  return out;
}

describe(`a constant-key pipeline over ${PARTITIONS} partitions`, () => {
  const tables: TableNames = { aggregates: 'm-agg', deadLetters: 'm-dl', state: 'm-st' };
  const dynamo = useEmbeddedDynamo(tables);

  const item = async (pipeline: string) => {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const { Item } = await doc.send(
      new GetCommand({
        TableName: tables.aggregates,
        Key: { pk: `${pipeline}#all`, sk: new Date(T0).toISOString() },
        ConsistentRead: true,
      }),
    );
    doc.destroy();
    return Item!;
  };
  // Tips 0.00 + 0.01 + ... + 9.99, per record on a partition.
  const tipsOfOneRound = (PARTITIONS * (PARTITIONS - 1)) / 2 / 100;

  it('applies one batch from every partition on the additive fast path, and a retry with other boundaries changes nothing', async () => {
    const handler = spec([{ op: 'sum', field: 'tip_amount' }], 'many-sum');
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    // The first invocation writes every item chunk, then dies before its checkpoints, so the
    // retry cannot skip the old records: only the items' partition marks stop a double count.
    const noCheckpoint = Object.create(doc) as typeof doc;
    noCheckpoint.send = (async (command: {
      constructor: { name: string };
      input: { TableName?: string };
    }) => {
      // The checkpoint is saved with UpdateItem (a Put would drop the partition's gaps).
      if (
        /^(Put|Update)Command$/.test(command.constructor.name) &&
        command.input.TableName === tables.state
      ) {
        throw new Error('invocation crashed');
      }
      return doc.send(command as never);
    }) as typeof doc.send;
    const fastWrites: number[] = [];
    await expect(
      processEvent(handler, buildEvent(records(0, 2)), {
        ...createPipelineStores(noCheckpoint, tables),
        aggregates: {
          applyUpdates: async (s, u) => {
            const applied = await createPipelineStores(doc, tables).aggregates.applyUpdates(s, u);
            fastWrites.push(applied.counts.fastWrites, applied.counts.slowWrites);
            return applied;
          },
          applyGapUpdates: () => Promise.reject(new Error('no gaps in this test')),
        },
      }),
    ).rejects.toBeDefined();
    expect(fastWrites).toEqual([Math.ceil(PARTITIONS / 32), 0]); // split into writes within the limits

    // The retry: the old records again plus one more per partition, in one batch.
    const [retry] = await processEvent(handler, buildEvent(records(0, 3)), createPipelineStores(doc, tables));

    expect(retry!.writes.conflicts).toBeGreaterThan(0); // the marks, not the checkpoints, stopped it
    const stored = await item('many-sum');
    expect(readNumber(stored.count)).toBe(3 * PARTITIONS);
    expect(readDecimal(stored.sum_tip_amount)).toBe(String(3 * tipsOfOneRound));
    doc.destroy();
  });

  it('applies the read-modify-write path (min/max) with every partition mark in one item', async () => {
    const handler = spec(
      [
        { op: 'sum', field: 'tip_amount' },
        { op: 'max', field: 'tip_amount' },
      ],
      'many-max',
    );
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    await processEvent(handler, buildEvent(records(0, 1)), createPipelineStores(doc, tables));
    await processEvent(handler, buildEvent(records(0, 2)), createPipelineStores(doc, tables));
    const stored = await item('many-max');
    expect(readNumber(stored.count)).toBe(2 * PARTITIONS);
    expect(readDecimal(stored.max_tip_amount)).toBe('9.99');
    expect(readDecimal(stored.sum_tip_amount)).toBe(String(2 * tipsOfOneRound));
    doc.destroy();
  });

  it('stays exact when an invocation crashes between the writes of one item', async () => {
    const handler = spec([{ op: 'sum', field: 'tip_amount' }], 'many-crash');
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    let writes = 0;
    const crashing = Object.create(doc) as typeof doc;
    crashing.send = (async (command: { constructor: { name: string } }) => {
      // The second item write lands, then the invocation dies.
      if (command.constructor.name === 'UpdateCommand' && ++writes === 2) {
        await doc.send(command as never);
        throw new Error('invocation crashed');
      }
      return doc.send(command as never);
    }) as typeof doc.send;
    const event = buildEvent(records(0, 1));
    await expect(processEvent(handler, event, createPipelineStores(crashing, tables))).rejects.toMatchObject({
      cause: { message: 'invocation crashed' },
    });
    expect(writes).toBe(2);

    await processEvent(handler, event, createPipelineStores(doc, tables));

    const stored = await item('many-crash');
    expect(readNumber(stored.count)).toBe(PARTITIONS);
    expect(readDecimal(stored.sum_tip_amount)).toBe(String(tipsOfOneRound));
    doc.destroy();
  });
});
