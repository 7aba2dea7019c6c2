import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaKafkaHandlerFn } from '../../../shared/local/eventSourceMapping/index.js';
import { ensureKafka, type KafkaForTests } from '../../support/kafkaBroker.js';
import {
  createTopic,
  eventually,
  produce,
  readTopic,
  rideMessages,
  TwoSides,
  tableContents,
  testKafka,
  testMapping,
  unique,
} from './esmTestKit.js';

const FUNCTION = 'rides-hopping-by-vendor';

/**
 * Restarting the broker under a running mapping. This file starts a broker of its own
 * (`ensureKafka({ dedicated: true })`): the shared one must not go away under other test files.
 */
describe('local event-source mapping: broker restart', () => {
  let broker: KafkaForTests;
  let kafka: Kafka;
  let admin: Admin;
  let sides: TwoSides;

  beforeAll(async () => {
    broker = await ensureKafka({ dedicated: true });
    kafka = testKafka(broker.brokers);
    admin = kafka.admin();
    await admin.connect();
    sides = await TwoSides.start();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await sides?.close();
    await broker?.stop();
  });

  it('reconnects after the broker restarts mid-stream and finishes with exact tables', async () => {
    // Arrange: a slowed-down handler and a small fetch buffer, so the broker goes away while
    // records remain to be fetched; the rest of the rides are produced after the restart.
    const topic = unique('rides');
    await createTopic(admin, topic, 3);
    const messages = rideMessages();
    await produce(kafka, topic, messages.slice(0, 150));
    const ride = sides.rideHandler(FUNCTION, topic);
    const handler: LambdaKafkaHandlerFn = async (event, context) => {
      await new Promise((r) => setTimeout(r, 150));
      return ride(event, context);
    };
    const { esm } = await testMapping({
      kafka,
      handler,
      settings: { functionName: FUNCTION, topic, consumerGroupId: unique('restart'), batchSize: 10 },
      maxBufferedRecords: 30,
      // The group waits this long for the member lost in the restart before it rebalances.
      sessionTimeoutMs: 8_000,
    });
    await esm.start();
    await eventually(() => esm.stats().recordsDelivered >= 30, 30_000, 'the first batches');

    // Act
    const deliveredAtRestart = esm.stats().recordsDelivered;
    await broker.restart!();
    await produce(kafka, topic, messages.slice(150));
    await esm.waitUntilCaughtUp({ timeoutMs: 120_000 });
    const summary = await esm.stop();
    const records = await readTopic(kafka, topic, messages.length);
    await sides.replayRecords(records, [FUNCTION]);

    // Assert: the restart really was mid-stream, and nothing was lost or double counted.
    expect(deliveredAtRestart).toBeLessThan(messages.length);
    expect(summary.recordsDelivered).toBe(messages.length); // refetched records were not queued twice
    expect(await tableContents(sides.runner)).toEqual(await tableContents(sides.replay));
  });
});
