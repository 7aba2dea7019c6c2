import { describe, expect, it } from 'vitest';
import { eventSizeBytes, type LambdaKafkaEvent } from '../../../shared/engine/event/index.js';
import type { LambdaKafkaHandlerFn } from '../../../shared/local/eventSourceMapping/index.js';
import { createTopic, eventually, produce, testMapping, unique, useBrokerFixture } from './esmTestKit.js';

const SIX_MB = 6 * 1024 * 1024;

/** What a recording handler saw in one invocation. */
interface Seen {
  readonly atMs: number;
  readonly sizeBytes: number;
  readonly records: number;
  /** Offsets per "topic-partition", in event order. */
  readonly offsets: Record<string, number[]>;
  readonly event: LambdaKafkaEvent;
}

function recorder(): { handler: LambdaKafkaHandlerFn; seen: Seen[] } {
  const seen: Seen[] = [];
  const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
    const offsets = Object.fromEntries(
      Object.entries(event.records).map(([id, rs]) => [id, rs.map((r) => r.offset)]),
    );
    seen.push({
      atMs: Date.now(),
      sizeBytes: eventSizeBytes(event),
      records: Object.values(offsets).reduce((n, o) => n + o.length, 0),
      offsets,
      event,
    });
  };
  return { handler, seen };
}

describe('local event-source mapping: batching', () => {
  const fixture = useBrokerFixture({ stores: false });

  it('never sends more than batchSize records, mixes partitions in one event and keeps each partition in order', async () => {
    const { kafka, admin } = fixture;
    // Arrange: 250 records over 3 partitions, batch size 40, a window long enough not to matter.
    const topic = unique('batch');
    await createTopic(admin, topic, 3);
    await produce(
      kafka,
      topic,
      Array.from({ length: 250 }, (_, i) => ({ key: `k${i % 17}`, value: `v${i}` })),
    );
    const { handler, seen } = recorder();
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'sizes',
        topic,
        consumerGroupId: unique('sizes'),
        batchSize: 40,
        maximumBatchingWindowMs: 2_000,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 60_000 });
    await esm.stop();

    // Assert
    expect(seen.reduce((n, s) => n + s.records, 0)).toBe(250);
    expect(Math.max(...seen.map((s) => s.records))).toBe(40);
    expect(seen.filter((s) => s.records === 40).length).toBe(Math.floor(250 / 40));
    expect(seen.some((s) => Object.keys(s.offsets).length > 1)).toBe(true);
    const perPartition: Record<string, number[]> = {};
    for (const s of seen)
      for (const [id, o] of Object.entries(s.offsets)) (perPartition[id] ??= []).push(...o);
    for (const offsets of Object.values(perPartition)) {
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i));
    }
  });

  it('sends what it has once the batching window has passed since the records arrived', async () => {
    const { kafka, admin } = fixture;
    // Arrange
    const topic = unique('window');
    await createTopic(admin, topic, 1);
    const { handler, seen } = recorder();
    const windowMs = 700;
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'window',
        topic,
        consumerGroupId: unique('window'),
        batchSize: 1_000,
        maximumBatchingWindowMs: windowMs,
      },
    });
    await esm.start();

    // Act: three records, then, after they were delivered, two more.
    await produce(
      kafka,
      topic,
      ['a', 'b', 'c'].map((value) => ({ key: 'k', value })),
    );
    await eventually(() => seen.length === 1, 20_000, 'the first batch');
    const secondProducedAt = Date.now();
    await produce(
      kafka,
      topic,
      ['d', 'e'].map((value) => ({ key: 'k', value })),
    );
    await eventually(() => seen.length === 2, 20_000, 'the second batch');
    await esm.stop();

    // Assert: far below the batch size, each batch waited out the window and no longer than needed.
    expect(seen.map((s) => s.records)).toEqual([3, 2]);
    const waitedMs = seen[1]!.atMs - secondProducedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(windowMs);
    expect(waitedMs).toBeLessThan(windowMs + 3_000);
  });

  it('keeps every event under 6 MB, splitting a batch that would exceed it', async () => {
    const { kafka, admin } = fixture;
    // Arrange: 20 records of 700 KB (about 933 KB each once base64-encoded): 18 MB in all.
    const topic = unique('big');
    await createTopic(admin, topic, 2);
    const value = 'x'.repeat(700 * 1024);
    await produce(
      kafka,
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value })),
      1,
    );
    const { handler, seen } = recorder();
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'big',
        topic,
        consumerGroupId: unique('big'),
        batchSize: 100,
        maximumBatchingWindowMs: 2_000,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 60_000 });
    await esm.stop();

    // Assert
    expect(seen.reduce((n, s) => n + s.records, 0)).toBe(20);
    expect(Math.max(...seen.map((s) => s.sizeBytes))).toBeLessThanOrEqual(SIX_MB);
    expect(Math.max(...seen.map((s) => s.records))).toBe(6);
  });

  it.each([
    [
      'msk',
      { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/c/abc' },
    ],
    ['self-managed', { eventSource: 'SelfManagedKafka' }],
  ] as const)("sends %s events in Lambda's shape", async (source, envelope) => {
    const { kafka, admin } = fixture;
    // Arrange
    const topic = unique(`shape-${source}`);
    await createTopic(admin, topic, 1);
    await produce(kafka, topic, [
      { key: 'k', value: '{"a":1}', headers: { 'content-type': 'application/json' } },
    ]);
    const { handler, seen } = recorder();
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'shape',
        topic,
        consumerGroupId: unique('shape'),
        source,
        ...('eventSourceArn' in envelope ? { eventSourceArn: envelope.eventSourceArn } : {}),
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    await esm.stop();

    // Assert
    const event = seen[0]!.event;
    expect(Object.keys(event).sort()).toEqual(
      Object.keys({ ...envelope, bootstrapServers: '', records: {} }).sort(),
    );
    expect(event).toMatchObject({ ...envelope, bootstrapServers: '127.0.0.1:9092' });
    expect(event.records[`${topic}-0`]).toEqual([
      {
        topic,
        partition: 0,
        offset: 0,
        timestamp: expect.any(Number),
        timestampType: 'CREATE_TIME',
        key: Buffer.from('k').toString('base64'),
        value: Buffer.from('{"a":1}').toString('base64'),
        headers: [{ 'content-type': [...Buffer.from('application/json')] }],
      },
    ]);
  });
});
