import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { registerCodecs } from '../../../../shared/engine/decode/index.js';
import { buildEvent } from '../../../../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../../../../shared/engine/process/index.js';
import {
  createDocumentClient,
  createPipelineStores,
  readDecimal,
  readNumber,
} from '../../../../shared/engine/store/dynamo/index.js';
import { allTime } from '../../../../shared/engine/windows/index.js';
import { rideCodecs } from '../../../../shared/rides/index.js';
import { useEmbeddedDynamo } from '../../../support/embeddedDynamo.js';
import { rideWithTip } from '../../../support/rides.js';

registerCodecs(rideCodecs);

/**
 * Lambda runs one invocation per partition at a time, but invocations for different
 * partitions run concurrently and can hit the same item (a hot key). The read-modify-write
 * path must not lose an update to such a race.
 */
const ride = rideWithTip;

describe('concurrent invocations on different partitions', () => {
  const tables = { aggregates: 'c-agg', deadLetters: 'c-dl', state: 'c-st' };
  const dynamo = useEmbeddedDynamo(tables);

  it('lose no update to a shared min/max item', async () => {
    const spec: HandlerSpec = {
      name: 'hot',
      description: '',
      topic: 't',
      pipelines: [
        {
          kind: 'windowed-aggregate',
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

  it("a fast-path write landing between another partition's slow-path read and write is kept", async () => {
    // Arrange: an additive pipeline (fast path). Partition 0 applies offsets 0-1.
    const spec: HandlerSpec = {
      name: 'race',
      description: '',
      topic: 't',
      pipelines: [
        {
          kind: 'windowed-aggregate',
          name: 'race-sum',
          description: '',
          topic: 't',
          codec: 'ride-json',
          key: { constant: 'all' },
          time: { kafkaTimestamp: true },
          window: allTime(),
          aggregations: [{ op: 'sum', field: 'tip_amount' }],
        },
      ],
    };
    const rec = (partition: number, offset: number) => ({
      topic: 't',
      partition,
      offset,
      timestampMs: offset,
      key: null,
      value: ride(1),
    });
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    // The invocation dies before its checkpoint: the item holds offsets 0-1, nothing says so
    // outside it, so the retry below must take the read-modify-write path.
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
    await expect(
      processEvent(spec, buildEvent([rec(0, 0), rec(0, 1)]), createPipelineStores(noCheckpoint, tables)),
    ).rejects.toBeDefined();

    // A: partition 0 retried with one more record. Its fast-path condition fails (offsets 0-1
    // are in the item), so it reads the item for a read-modify-write; it is held right after that read.
    let heldRead: () => void = () => {};
    let readDone: () => void = () => {};
    const readSeen = new Promise<void>((r) => {
      readDone = r;
    });
    let holding = false;
    const held = Object.create(doc) as typeof doc;
    held.send = (async (command: { constructor: { name: string }; input: { TableName?: string } }) => {
      const out = await doc.send(command as never);
      if (
        !holding &&
        command.constructor.name === 'GetCommand' &&
        command.input.TableName === tables.aggregates
      ) {
        holding = true; // only the first read: the retry after the conflict goes straight on
        readDone();
        await new Promise<void>((r) => {
          heldRead = r;
        });
      }
      return out;
    }) as typeof doc.send;
    const a = processEvent(
      spec,
      buildEvent([rec(0, 0), rec(0, 1), rec(0, 2)]),
      createPipelineStores(held, tables),
    );
    await readSeen;

    // Act: B, partition 1, writes the same item on the fast path while A holds its read.
    const [b] = await processEvent(spec, buildEvent([rec(1, 0)]), createPipelineStores(doc, tables));
    expect(b!.writes.fastWrites).toBe(1);
    heldRead();
    const [outcomeA] = await a;

    // Assert: A's conditional put saw B's write (a conflict), re-read, and kept it.
    expect(outcomeA!.writes.conflicts).toBeGreaterThanOrEqual(2); // fast-path condition, then the put
    const { Item } = await doc.send(
      new GetCommand({
        TableName: tables.aggregates,
        Key: { pk: 'race-sum#all', sk: 'all-time' },
        ConsistentRead: true,
      }),
    );
    expect(readNumber(Item!.count)).toBe(4);
    expect(readDecimal(Item!.sum_tip_amount)).toBe('4');
    expect(readNumber(Item!['hw:t-1'])).toBe(0);
    doc.destroy();
  });
});
