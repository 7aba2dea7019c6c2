import { describe, expect, it } from 'vitest';
import {
  decodeEvent,
  type KafkaBatchResponse,
  type LambdaKafkaEvent,
} from '../../../shared/engine/event/index.js';
import { partitionForKey } from '../../../shared/kafka/index.js';
import type { LambdaKafkaHandlerFn } from '../../../shared/local/eventSourceMapping/index.js';
import {
  committedOffsets,
  createTopic,
  eventually,
  produce,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

/** "p@offset" of every record in an event, partitions then offsets ascending. */
const idsOf = (event: LambdaKafkaEvent) =>
  decodeEvent(event).flatMap((g) => g.map((r) => `${r.partition}@${r.offset}`));
/** A key the default partitioner puts on `partition` of `count`. */
const keyOn = (partition: number, count: number) => {
  for (let i = 0; ; i++) if (partitionForKey(`key-${i}`, count) === partition) return `key-${i}`;
};
const valuesOf = (event: LambdaKafkaEvent) =>
  decodeEvent(event).flatMap((g) => g.map((r) => r.value?.toString() ?? null));

describe('local event-source mapping: handler errors', () => {
  const fixture = useBrokerFixture({ stores: false });

  /** A fresh topic holding `values` on one partition (or spread by key over several). */
  async function topicWith(values: string[], partitions = 1, keyOf = (i: number) => `k${i % partitions}`) {
    const { kafka, admin } = fixture;
    const topic = unique('errors');
    await createTopic(admin, topic, partitions);
    await produce(
      kafka,
      topic,
      values.map((value, i) => ({ key: keyOf(i), value })),
    );
    return topic;
  }

  it('retries the whole batch after errors without advancing offsets, then commits once the handler succeeds', async () => {
    const { kafka, admin } = fixture;
    // Arrange: a handler that throws twice, checking the committed offsets on each call.
    const topic = await topicWith(['a', 'b', 'c', 'd', 'e']);
    const group = unique('retry');
    const calls: { ids: string[]; committed: Map<number, number> }[] = [];
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      calls.push({ ids: idsOf(event), committed: await committedOffsets(admin, group, topic) });
      if (calls.length <= 2) throw new Error(`transient failure ${calls.length}`);
    };
    const { esm, onFailure } = await testMapping({
      kafka,
      handler,
      settings: { functionName: 'flaky', topic, consumerGroupId: group, maximumRetryAttempts: 5 },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    const summary = await esm.stop();

    // Assert
    const all = ['0@0', '0@1', '0@2', '0@3', '0@4'];
    expect(calls.map((c) => c.ids)).toEqual([all, all, all]);
    expect(calls.map((c) => c.committed)).toEqual([new Map(), new Map(), new Map()]);
    expect(await committedOffsets(admin, group, topic)).toEqual(new Map([[0, 5]]));
    expect(summary).toMatchObject({
      invocations: 3,
      failedInvocations: 2,
      recordsDelivered: 5,
      recordsDiscarded: 0,
    });
    expect(await onFailure.list()).toEqual([]);
  });

  it('sends a batch that keeps failing to the on-failure destination after maxRetries and goes on past it', async () => {
    const { kafka, admin } = fixture;
    // Arrange: one record per batch; the handler rejects "boom" every time.
    const topic = await topicWith(['ok-1', 'boom', 'ok-2', 'ok-3']);
    const group = unique('dlq');
    const seen: string[] = [];
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      const values = valuesOf(event);
      seen.push(...(values as string[]));
      if (values.includes('boom')) throw new TypeError('cannot handle boom');
    };
    const { esm, onFailure } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'picky',
        topic,
        consumerGroupId: group,
        batchSize: 1,
        maximumRetryAttempts: 2,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    const summary = await esm.stop();

    // Assert: boom tried 1 + 2 times, then recorded as Lambda would and skipped.
    expect(seen).toEqual(['ok-1', 'boom', 'boom', 'boom', 'ok-2', 'ok-3']);
    const failures = await onFailure.list();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
        functionArn: expect.stringMatching(/:function:picky$/),
      },
      responseContext: { functionError: 'Unhandled' },
      KafkaBatchInfo: {
        batchSize: 1,
        recordsInfo: { [`${topic}-0`]: { firstRecordOffset: '1', lastRecordOffset: '1' } },
      },
      error: { name: 'TypeError', message: 'cannot handle boom' },
    });
    expect(failures[0]?.payload).toBeUndefined();
    expect(await committedOffsets(admin, group, topic)).toEqual(new Map([[0, 4]]));
    expect(summary).toMatchObject({ recordsDelivered: 3, recordsDiscarded: 1 });
  });

  it('with bisecting on, narrows a failing batch down to the bad record and delivers the others', async () => {
    const { kafka } = fixture;
    // Arrange
    const values = ['a', 'b', 'c', 'boom', 'd', 'e', 'f', 'g'];
    const topic = await topicWith(values);
    const delivered: string[] = [];
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      const vs = valuesOf(event) as string[];
      if (vs.includes('boom')) throw new Error('boom inside');
      delivered.push(...vs);
    };
    const { esm, onFailure } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'bisect',
        topic,
        consumerGroupId: unique('bisect'),
        maximumRetryAttempts: 0,
        bisectBatchOnFunctionError: true,
        maximumBatchingWindowMs: 1_000,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    await esm.stop();

    // Assert: every good record once, in order; only "boom" in the on-failure file.
    expect(delivered).toEqual(values.filter((v) => v !== 'boom'));
    const failures = await onFailure.list();
    expect(failures.map((f) => f.KafkaBatchInfo.recordsInfo[`${topic}-0`]?.firstRecordOffset)).toEqual(['3']);
  });

  it('honours batchItemFailures: commits before the lowest failed offset and redelivers that partition from there', async () => {
    const { kafka, admin } = fixture;
    // Arrange: two partitions; the first call reports partition 0's third record as failed.
    const topic = await topicWith(
      Array.from({ length: 10 }, (_, i) => `v${i}`),
      2,
      (i) => (i < 6 ? keyOn(0, 2) : keyOn(1, 2)),
    );
    const group = unique('partial');
    const calls: { ids: string[]; committed: Map<number, number> }[] = [];
    let failedAt: { partition: string; offset: number } | undefined;
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent): Promise<KafkaBatchResponse> => {
      calls.push({ ids: idsOf(event), committed: await committedOffsets(admin, group, topic) });
      if (calls.length > 1) return { batchItemFailures: [] };
      const [first] = Object.entries(event.records).filter(([, rs]) => rs.length >= 3);
      failedAt = { partition: first![0], offset: first![1][2]!.offset };
      return { batchItemFailures: [{ itemIdentifier: failedAt }] };
    };
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'partial',
        topic,
        consumerGroupId: group,
        maximumBatchingWindowMs: 1_000,
        reportBatchItemFailures: true,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    const summary = await esm.stop();

    // Assert: the second call holds only the failed partition, from the failed offset on.
    const failedPartition = Number(failedAt!.partition.slice(topic.length + 1));
    const first = calls[0]!.ids;
    const retried = first.filter(
      (id) => id.startsWith(`${failedPartition}@`) && Number(id.split('@')[1]) >= failedAt!.offset,
    );
    expect(first).toHaveLength(10);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.ids).toEqual(retried);
    expect(calls[1]!.committed.get(failedPartition)).toBe(failedAt!.offset);
    expect(summary).toMatchObject({ recordsDelivered: 10, failedInvocations: 1 });
  });

  it('retries the whole batch when batchItemFailures names a record that is not in the batch', async () => {
    const { kafka } = fixture;
    // Arrange
    const topic = await topicWith(['a', 'b', 'c']);
    const calls: string[][] = [];
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      calls.push(idsOf(event));
      return calls.length === 1
        ? { batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: 99 } }] }
        : {};
    };
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: {
        functionName: 'unknown-id',
        topic,
        consumerGroupId: unique('unknown'),
        maximumBatchingWindowMs: 1_000,
        reportBatchItemFailures: true,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    await esm.stop();

    // Assert
    expect(calls).toEqual([
      ['0@0', '0@1', '0@2'],
      ['0@0', '0@1', '0@2'],
    ]);
  });

  it('ignores batchItemFailures when the mapping does not report item failures, as AWS does, and says so', async () => {
    const { kafka, admin } = fixture;
    // Arrange
    const topic = await topicWith(['a', 'b']);
    const group = unique('ignored');
    const calls: string[][] = [];
    const logs: string[] = [];
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      calls.push(idsOf(event));
      return { batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: 1 } }] };
    };
    const { esm } = await testMapping({
      kafka,
      handler,
      log: (line) => logs.push(line),
      settings: { functionName: 'ignored', topic, consumerGroupId: group, maximumBatchingWindowMs: 1_000 },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    await esm.stop();

    // Assert
    expect(calls).toEqual([['0@0', '0@1']]);
    expect(await committedOffsets(admin, group, topic)).toEqual(new Map([[0, 2]]));
    expect(logs.some((l) => l.includes('reportBatchItemFailures is off'))).toBe(true);
  });

  it('does not send records older than maximumRecordAgeInSeconds: they go to the on-failure destination unseen', async () => {
    const { kafka, admin } = fixture;
    // Arrange: two records stamped two hours ago, one fresh.
    const topic = unique('aged');
    await createTopic(admin, topic, 1);
    const old = String(Date.now() - 2 * 3600_000);
    await produce(kafka, topic, [
      { key: 'k', value: 'old-1', timestamp: old },
      { key: 'k', value: 'old-2', timestamp: old },
      { key: 'k', value: 'fresh' },
    ]);
    const seen: string[] = [];
    const { esm, onFailure } = await testMapping({
      kafka,
      handler: async (event: LambdaKafkaEvent) => {
        seen.push(...(valuesOf(event) as string[]));
      },
      settings: {
        functionName: 'aged',
        topic,
        consumerGroupId: unique('aged'),
        maximumRecordAgeInSeconds: 60,
      },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 30_000 });
    await esm.stop();

    // Assert
    expect(seen).toEqual(['fresh']);
    const failures = await onFailure.list();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 0 },
      responseContext: null,
      KafkaBatchInfo: {
        batchSize: 2,
        recordsInfo: { [`${topic}-0`]: { firstRecordOffset: '0', lastRecordOffset: '1' } },
      },
    });
  });

  it('includes the records in on-failure records when asked, as an S3 destination receives them', async () => {
    const { kafka } = fixture;
    // Arrange
    const topic = await topicWith(['x']);
    const { esm, onFailure } = await testMapping({
      kafka,
      handler: async () => {
        throw new Error('no');
      },
      includeRecordsOnFailure: true,
      settings: {
        functionName: 'payload',
        topic,
        consumerGroupId: unique('payload'),
        maximumRetryAttempts: 0,
      },
    });

    // Act
    await esm.start();
    await eventually(async () => (await onFailure.list()).length > 0, 30_000, 'an on-failure record');
    await esm.stop();

    // Assert
    const [failure] = await onFailure.list();
    expect(valuesOf(failure!.payload!)).toEqual(['x']);
  });
});
