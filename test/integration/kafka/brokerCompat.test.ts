import { randomUUID } from 'node:crypto';
import {
  type Admin,
  ConfigResourceTypes,
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  Partitioners,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTopicsAndWait, parseBrokerList, waitForTopic } from '../../support/kafkaBroker.js';

/**
 * Guards the kafkajs <-> broker pairing: Kafka 4 removed old protocol versions (KIP-896), and kafkajs 2.2.4
 * only speaks old-ish ones. Every kafkajs call the project relies on is exercised here against the broker
 * from test/support/kafkaGlobalSetup.ts (scripts/kafka/broker.sh, or KAFKA_BROKERS).
 */

const TIMEOUT_MS = 60_000;

const brokers = parseBrokerList(inject('kafkaBrokers'));
const kafka = new Kafka({
  clientId: 'broker-compat-test',
  brokers,
  logLevel: logLevel.NOTHING,
  retry: { retries: 8, initialRetryTime: 100 },
});

const unique = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** Polls `probe` until it returns something other than `undefined`. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v[0] : v)?.toString();
};

describe('kafkajs against the test broker', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  it('admin: createTopics with configs, listTopics, fetchTopicMetadata, describe/alterConfigs, createPartitions, deleteTopics', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const topic = unique('compat-admin');

    // admin.createTopics, then wait until the broker leads every partition (kafkajs' own waitForLeaders can
    // fail on a busy KRaft broker: see waitForTopic in test/support/kafkaBroker.ts).
    const created = await createTopicsAndWait(admin, [
      {
        topic,
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'delete' },
        ],
      },
    ]);
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(topic);

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics).toHaveLength(1);
    const partitions = metadata.topics[0]!.partitions;
    expect(partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    for (const p of partitions) {
      expect(p.partitionErrorCode).toBe(0);
      expect(p.leader).toBeGreaterThanOrEqual(0);
      expect(p.replicas).toHaveLength(1);
      expect(p.isr).toEqual(p.replicas);
    }

    const describeTopicConfigs = async () => {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] },
        ],
      });
      expect(described.resources).toHaveLength(1);
      expect(described.resources[0]!.errorCode).toBe(0);
      return Object.fromEntries(
        described.resources[0]!.configEntries.map((e) => [
          e.configName,
          { value: e.configValue, isDefault: e.isDefault },
        ]),
      );
    };
    expect(await describeTopicConfigs()).toEqual({
      'retention.ms': { value: '3600000', isDefault: false },
      'cleanup.policy': { value: 'delete', isDefault: false },
    });

    // kafkajs alterConfigs is the legacy AlterConfigs API (kafkajs has no IncrementalAlterConfigs): it
    // REPLACES the topic's whole config set, so every non-default entry must be sent again.
    const altered = await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'retention.ms', value: '7200000' },
            { name: 'cleanup.policy', value: 'compact,delete' },
          ],
        },
      ],
    });
    expect(altered.resources.map((r: { errorCode: number }) => r.errorCode)).toEqual([0]);
    expect(await describeTopicConfigs()).toEqual({
      'retention.ms': { value: '7200000', isDefault: false },
      'cleanup.policy': { value: 'compact,delete', isDefault: false },
    });

    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    // The new partitions reach the broker's metadata and leadership asynchronously.
    await waitForTopic(admin, topic, 5);
    const grown = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(grown.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2, 3, 4]);

    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    await waitFor('topic deletion', async () =>
      (await admin.listTopics()).includes(topic) ? undefined : true,
    );
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('idempotent producer (acks=-1) with keys, values and headers; fetchTopicOffsets; group consume from earliest; commit; fetchOffsets; seek; admin setOffsets', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const topic = unique('compat-data');
    const groupId = unique('compat-group');
    await createTopicsAndWait(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);

    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 7}`,
      value: JSON.stringify({ i, at: '2020-07-01T00:00:00Z' }),
      headers: { 'x-seq': String(i), 'x-source': 'compat-test' },
    }));
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    let produced: Awaited<ReturnType<typeof producer.send>>;
    try {
      produced = await producer.send({ topic, acks: -1, messages: sent.slice(0, 20) });
      produced = produced.concat(
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: sent.slice(20) }] }),
      );
    } finally {
      await producer.disconnect();
    }
    for (const r of produced) expect(r.errorCode).toBe(0);

    // Same key -> same partition; the high watermarks add up to what was sent.
    const topicOffsets = await admin.fetchTopicOffsets(topic);
    expect(topicOffsets).toHaveLength(3);
    const high = new Map(topicOffsets.map((o) => [o.partition, Number(o.high)]));
    expect([...high.values()].reduce((a, b) => a + b, 0)).toBe(sent.length);
    for (const o of topicOffsets) expect(o.low).toBe('0');

    const received: { partition: number; message: KafkaMessage }[] = [];
    // A short fetch long-poll: kafkajs applies seek() and disconnect() only after the in-flight fetch returns.
    const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          received.push({ partition, message });
          await consumer.commitOffsets([
            { topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
        },
      });
      await waitFor(`${sent.length} messages`, () => (received.length >= sent.length ? true : undefined));

      // Every message arrives once, with its key, value and headers intact, in offset order per partition.
      const bySeq = new Map(received.map((r) => [headerText(r.message.headers, 'x-seq'), r]));
      expect(bySeq.size).toBe(sent.length);
      for (const [i, m] of sent.entries()) {
        const got = bySeq.get(String(i));
        expect(got, `message ${i}`).toBeDefined();
        expect(got!.message.key?.toString()).toBe(m.key);
        expect(got!.message.value?.toString()).toBe(m.value);
        expect(headerText(got!.message.headers, 'x-source')).toBe('compat-test');
      }
      const keyPartition = new Map<string, number>();
      for (const r of received) {
        const key = r.message.key!.toString();
        expect(keyPartition.get(key) ?? r.partition).toBe(r.partition);
        keyPartition.set(key, r.partition);
      }

      // Committed offsets (fetched through the admin API) equal the high watermarks.
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed).toHaveLength(1);
      const committedByPartition = new Map(
        committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]),
      );
      for (const [partition, h] of high) expect(committedByPartition.get(partition) ?? -1).toBe(h);

      // seek back to the start of the fullest partition re-delivers exactly its messages.
      const [seekPartition, seekCount] = [...high.entries()].sort((a, b) => b[1] - a[1])[0]!;
      const before = received.length;
      consumer.seek({ topic, partition: seekPartition, offset: '0' });
      await waitFor('re-delivery after seek', () =>
        received.length >= before + seekCount ? true : undefined,
      );
      const replayed = received.slice(before);
      expect(replayed.every((r) => r.partition === seekPartition)).toBe(true);
      expect(replayed.map((r) => Number(r.message.offset))).toEqual(
        Array.from({ length: seekCount }, (_, i) => i),
      );

      const groups = await admin.describeGroups([groupId]);
      expect(groups.groups[0]!.state).toBe('Stable');
      expect(groups.groups[0]!.members).toHaveLength(1);
    } finally {
      await consumer.disconnect();
    }

    // Moving an empty group's offsets from outside (admin.setOffsets joins the group with a paused consumer,
    // commits, and leaves: it takes one fetch long-poll, ~5 s, inside kafkajs).
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const afterSet = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(afterSet[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('1');

    await admin.deleteGroups([groupId]);
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  });

  it('fetchTopicOffsetsByTimestamp and a fresh group starting from earliest sees everything', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const topic = unique('compat-ts');
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const t0 = Date.now() - 60_000;
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: 'a', value: 'old', timestamp: String(t0) },
          { key: 'b', value: 'new', timestamp: String(t0 + 30_000) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, t0 + 10_000);
    expect(byTs).toEqual([{ partition: 0, offset: '1' }]);

    const values: string[] = [];
    const consumer = kafka.consumer({ groupId: unique('compat-ts-group'), maxWaitTimeInMs: 250 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      await waitFor('2 messages', () => (values.length >= 2 ? true : undefined));
    } finally {
      await consumer.disconnect();
    }
    expect(values).toEqual(['old', 'new']);
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  });
});
