import { describe, expect, it } from 'vitest';
import type { LambdaKafkaEvent } from '../../../shared/engine/event/index.js';
import {
  EsmCrashedError,
  type LambdaKafkaHandlerFn,
} from '../../../shared/local/eventSourceMapping/index.js';
import {
  committedOffsets,
  createTopic,
  eventually,
  produce,
  readTopic,
  rideMessages,
  tableContents,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

const FUNCTION = 'rides-tumbling-by-pickup';

const recordCount = (e: LambdaKafkaEvent) => Object.values(e.records).reduce((n, rs) => n + rs.length, 0);

describe('local event-source mapping: crashes and shutdown', () => {
  const fixture = useBrokerFixture();

  it('a crash after the handler wrote a batch and before the commit loses nothing and counts nothing twice after a restart', async () => {
    const { kafka, admin, sides } = fixture;
    // Arrange
    const topic = unique('rides');
    await createTopic(admin, topic, 3);
    const messages = rideMessages();
    await produce(kafka, topic, messages);
    const records = await readTopic(kafka, topic, messages.length);
    const group = unique('crash');
    const settings = { functionName: FUNCTION, topic, consumerGroupId: group, batchSize: 40 };
    let commits = 0;
    const asked = new Set<string>();
    const { esm: first } = await testMapping({
      kafka,
      handler: sides.rideHandler(FUNCTION, topic),
      settings,
      hooks: {
        beforeCommit: (targets) => {
          // Count commits of new offsets only: the runner retries a commit that failed or is not
          // confirmed yet (a rebalance, a slow broker), and such a retry is no new batch.
          const fresh = targets.filter((t) => !asked.has(`${t.partition}@${t.offset}`));
          for (const t of targets) asked.add(`${t.partition}@${t.offset}`);
          // The third batch's writes are in DynamoDB; the process "dies" before committing them.
          if (fresh.length > 0 && ++commits === 3) throw new Error('kill -9');
        },
      },
    });

    // Act 1: run until the crash.
    await first.start();
    await expect(first.done).rejects.toBeInstanceOf(EsmCrashedError);
    const delivered = first.stats().recordsDelivered;
    const committedAtCrash = await committedOffsets(admin, group, topic);
    const committedCount = [...committedAtCrash.values()].reduce((a, b) => a + b, 0);

    // Assert 1: the crash was mid-stream, with handled-but-uncommitted records.
    expect(delivered).toBeGreaterThan(committedCount);
    expect(committedCount).toBeLessThan(messages.length);

    // Act 2: a new runner in the same group picks up from the committed offsets.
    const { esm: second } = await testMapping({
      kafka,
      handler: sides.rideHandler(FUNCTION, topic),
      settings,
    });
    await second.start();
    await second.waitUntilCaughtUp({ timeoutMs: 60_000 });
    const summary = await second.stop();
    await sides.replayRecords(records, [FUNCTION]);

    // Assert 2: the uncommitted batch was delivered again, and the tables are still exact.
    expect(committedCount + summary.recordsDelivered).toBe(messages.length);
    expect(delivered + summary.recordsDelivered).toBeGreaterThan(messages.length);
    expect(await tableContents(sides.runner)).toEqual(await tableContents(sides.replay));
  });

  it('stop() finishes the invocation in flight, commits it and leaves the rest for the next consumer', async () => {
    const { kafka, admin } = fixture;
    // Arrange: a slow handler, so stop() arrives while a batch is being processed.
    const topic = unique('slow');
    await createTopic(admin, topic, 1);
    await produce(
      kafka,
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: `v${i}` })),
    );
    const group = unique('stop');
    const finished: number[] = [];
    let inFlight = false;
    const handler: LambdaKafkaHandlerFn = async (event: LambdaKafkaEvent) => {
      inFlight = true;
      await new Promise((r) => setTimeout(r, 400));
      finished.push(recordCount(event));
      inFlight = false;
    };
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: { functionName: 'slow', topic, consumerGroupId: group, batchSize: 10 },
    });
    await esm.start();
    await eventually(() => inFlight, 20_000, 'the first invocation');

    // Act
    const summary = await esm.stop();

    // Assert: the batch in flight completed and is committed; no further batch was started.
    expect(finished).toEqual([10]);
    expect(summary.recordsDelivered).toBe(10);
    expect(await committedOffsets(admin, group, topic)).toEqual(new Map([[0, 10]]));
  });
});
