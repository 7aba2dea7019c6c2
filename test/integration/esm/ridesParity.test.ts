import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../shared/kafka/index.js';
import type { LocalEventSourceMapping } from '../../../shared/local/eventSourceMapping/index.js';
import {
  committedOffsets,
  createTopic,
  produce,
  RIDE_FUNCTIONS,
  readTopic,
  rideMessages,
  tableContents,
  testMapping,
  unique,
  useBrokerFixture,
} from './esmTestKit.js';

/**
 * The runner's reason to exist: the bundled rides, produced to a real 3-partition topic and
 * consumed by three mappings (one consumer group per function, as in AWS), leave exactly the
 * tables an embedded replay of the same records (same partitions, same offsets) leaves.
 */
describe('local event-source mapping: rides through a real broker', () => {
  const fixture = useBrokerFixture();

  it('leaves the same aggregate and dead-letter tables as an embedded replay of the records read back from Kafka', async () => {
    const { kafka, admin, sides } = fixture;
    // Arrange: 266 rides keyed by DOLocationID on 3 partitions.
    const topic = unique('rides');
    await createTopic(admin, topic, 3);
    const messages = rideMessages();
    await produce(kafka, topic, messages);
    const records = await readTopic(kafka, topic, messages.length);
    const mappings: LocalEventSourceMapping[] = [];
    for (const name of RIDE_FUNCTIONS) {
      const { esm } = await testMapping({
        kafka,
        handler: sides.rideHandler(name, topic),
        settings: { functionName: name, topic, consumerGroupId: unique(name), batchSize: 50 },
      });
      mappings.push(esm);
    }

    // Act
    for (const m of mappings) await m.start();
    await Promise.all(mappings.map((m) => m.waitUntilCaughtUp({ timeoutMs: 90_000 })));
    const summaries = await Promise.all(mappings.map((m) => m.stop()));
    await sides.replayRecords(records, RIDE_FUNCTIONS);

    // Assert: the producer's partitioner is the one the file replay uses.
    for (const r of records) expect(r.partition).toBe(partitionForKey(r.key!, 3));
    const ends = new Map([0, 1, 2].map((p) => [p, records.filter((r) => r.partition === p).length]));
    for (const s of summaries) {
      expect(s.recordsDelivered).toBe(messages.length);
      expect(s.recordsDiscarded).toBe(0);
      expect(await committedOffsets(admin, s.consumerGroupId, topic)).toEqual(ends);
    }
    const runner = await tableContents(sides.runner);
    const replay = await tableContents(sides.replay);
    expect(runner.aggregates.length).toBeGreaterThan(100);
    expect(runner).toEqual(replay);
  });
});
