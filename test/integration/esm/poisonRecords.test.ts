import { describe, expect, it } from 'vitest';
import {
  createTopic,
  produce,
  readTopic,
  rideMessages,
  tableContents,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

const FUNCTION = 'rides-count-by-dropoff';

describe('local event-source mapping: poison records', () => {
  const fixture = useBrokerFixture();

  it('an invalid JSON value and a tombstone end in the dead-letter table, the rest is aggregated, nothing blocks', async () => {
    const { kafka, admin, sides } = fixture;
    // Arrange: rides with two poison records in the middle, on the key of a real ride.
    const topic = unique('poison');
    await createTopic(admin, topic, 3);
    const rides = rideMessages();
    const messages = [
      ...rides.slice(0, 100),
      { key: '75', value: '{"VendorID": 1, "tpep_pickup_datetime": ' },
      { key: '75', value: null },
      ...rides.slice(100),
    ];
    await produce(kafka, topic, messages);
    const records = await readTopic(kafka, topic, messages.length);
    const poison = records.filter((r) => r.value === null || r.value.toString().endsWith(': '));
    const { esm, onFailure } = await testMapping({
      kafka,
      handler: sides.rideHandler(FUNCTION, topic),
      settings: { functionName: FUNCTION, topic, consumerGroupId: unique('poison') },
    });

    // Act
    await esm.start();
    await esm.waitUntilCaughtUp({ timeoutMs: 60_000 });
    const summary = await esm.stop();
    await sides.replayRecords(records, [FUNCTION]);

    // Assert: the handler turned the poison into dead letters, so no invocation failed.
    expect(poison).toHaveLength(2);
    expect(summary).toMatchObject({
      recordsDelivered: messages.length,
      failedInvocations: 0,
      recordsDiscarded: 0,
    });
    expect(await onFailure.list()).toEqual([]);
    const deadLetters = await sides.runner.deadLetters('dropoff-count');
    expect(deadLetters.map((d) => [d.partition, d.offset, d.code]).sort()).toEqual(
      poison.map((r) => [r.partition, r.offset, r.value === null ? 'TOMBSTONE' : 'NOT_JSON']).sort(),
    );
    const counted = (await sides.runner.rows('dropoff-count')).reduce((n, r) => n + r.count, 0);
    expect(counted).toBe(rides.length);
    expect(await tableContents(sides.runner)).toEqual(await tableContents(sides.replay));
  });
});
