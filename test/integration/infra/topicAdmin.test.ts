import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { handler as topicAdminHandler } from '../../../functions/topic-admin/handler.js';
import {
  readTopic,
  type TopicResourceEvent,
  toTopicResourceProperties,
} from '../../../shared/admin/index.js';
import type { TopicDeclaration } from '../../../shared/admin/topicDeclaration.js';
import { createKafka } from '../../../shared/kafka/index.js';
import { createTopicsAndWait } from '../../../shared/kafka/topicReadiness.js';

/**
 * The topic-admin Lambda handler, driven with CloudFormation Create / Update / Delete events
 * against a real broker: what a `cdk deploy` of a Custom::KafkaTopic does, minus AWS.
 */
describe('topic-admin custom resource against a real broker', () => {
  const brokers = inject('kafkaBrokers').split(',');
  const runPrefix = `infra-${randomUUID().slice(0, 6)}`;
  let admin: Admin;
  let handler: typeof topicAdminHandler;

  beforeAll(async () => {
    // The real Lambda entry point, imported after quieting its INFO logs for the test run.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    ({ handler } = await import('../../../functions/topic-admin/handler.js'));
    admin = createKafka({ brokers, clientId: 'topic-admin-test' }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    const leftovers = (await admin.listTopics()).filter((t) => t.startsWith(runPrefix));
    if (leftovers.length) await admin.deleteTopics({ topics: leftovers });
    await admin.disconnect();
  });

  const declare = (overrides: Partial<TopicDeclaration> = {}): TopicDeclaration => ({
    topicName: `${runPrefix}-${randomUUID().slice(0, 8)}`,
    partitions: 2,
    replicationFactor: -1,
    configs: { 'retention.ms': '3600000' },
    removalPolicy: 'delete',
    cluster: { bootstrapServers: brokers, auth: 'none' },
    ...overrides,
  });

  /** CloudFormation sends every scalar as a string; so do these events. */
  const asCfn = (d: TopicDeclaration): Record<string, unknown> =>
    JSON.parse(
      JSON.stringify(toTopicResourceProperties(d), (_k, v) =>
        typeof v === 'number' || typeof v === 'boolean' ? String(v) : v,
      ),
    );
  const create = (d: TopicDeclaration): TopicResourceEvent => ({
    RequestType: 'Create',
    ResourceProperties: asCfn(d),
  });
  const update = (
    physicalId: string,
    next: TopicDeclaration,
    prev: TopicDeclaration,
  ): TopicResourceEvent => ({
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: asCfn(next),
    OldResourceProperties: asCfn(prev),
  });
  const remove = (physicalId: string, d: TopicDeclaration): TopicResourceEvent => ({
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: asCfn(d),
  });

  it('Create makes the topic with the declared partitions and overrides', async () => {
    const d = declare();

    const result = await handler(create(d));

    expect(result.Data.Action).toBe('created');
    await expect
      .poll(() => readTopic(admin, d.topicName))
      .toEqual({
        partitions: 2,
        replicationFactor: 1,
        overrides: { 'retention.ms': '3600000' },
      });
  });

  it('Create repeated (a CloudFormation retry) returns the same physical id and changes nothing', async () => {
    const d = declare();
    const first = await handler(create(d));

    const second = await handler(create(d));

    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(second.Data.Action).toBe('unchanged');
    expect((await readTopic(admin, d.topicName))?.partitions).toBe(2);
  });

  it('Create adopts an existing topic and brings its partitions and overrides to the declaration', async () => {
    const d = declare({ partitions: 3 });
    await createTopicsAndWait(admin, [{ topic: d.topicName, numPartitions: 1 }]);

    await handler(create(d));

    await expect
      .poll(() => readTopic(admin, d.topicName))
      .toMatchObject({ partitions: 3, overrides: { 'retention.ms': '3600000' } });
  });

  it('Update raises partitions, sets new overrides, drops overrides no longer declared, keeps foreign ones', async () => {
    const before = declare({ configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } });
    const { PhysicalResourceId } = await handler(create(before));
    // An operator's override, set outside the stack: the resource must leave it alone.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2, // TOPIC
          name: before.topicName,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });
    // KRaft applies config changes asynchronously: wait until the broker serves the operator's value.
    await expect
      .poll(async () => (await readTopic(admin, before.topicName))?.overrides['max.message.bytes'])
      .toBe('2000000');
    const after: TopicDeclaration = { ...before, partitions: 4, configs: { 'retention.ms': '7200000' } };

    const result = await handler(update(PhysicalResourceId, after, before));

    expect(result.PhysicalResourceId).toBe(PhysicalResourceId);
    await expect
      .poll(() => readTopic(admin, before.topicName))
      .toEqual({
        partitions: 4,
        replicationFactor: 1,
        overrides: { 'retention.ms': '7200000', 'max.message.bytes': '2000000' },
      });
  });

  it('Update that lowers partitions fails with a message saying what to declare, and leaves the topic', async () => {
    const before = declare({ partitions: 3 });
    const { PhysicalResourceId } = await handler(create(before));

    await expect(handler(update(PhysicalResourceId, { ...before, partitions: 1 }, before))).rejects.toThrow(
      /has 3 partitions and 1 are declared.*declare 3 or more/,
    );
    expect((await readTopic(admin, before.topicName))?.partitions).toBe(3);
  });

  it('Update that renames the topic creates the new one under a new physical id', async () => {
    const before = declare();
    const { PhysicalResourceId } = await handler(create(before));
    const after = { ...before, topicName: `${before.topicName}-v2` };

    const result = await handler(update(PhysicalResourceId, after, before));

    expect(result.PhysicalResourceId).not.toBe(PhysicalResourceId);
    expect((await admin.listTopics()).includes(after.topicName)).toBe(true);
  });

  it('Delete with removal policy retain keeps the topic', async () => {
    const d = declare({ removalPolicy: 'retain' });
    const { PhysicalResourceId } = await handler(create(d));

    const result = await handler(remove(PhysicalResourceId, d));

    expect(result.Data.Action).toBe('retained');
    expect((await admin.listTopics()).includes(d.topicName)).toBe(true);
  });

  it('Delete with removal policy delete deletes the topic, and a repeated Delete succeeds', async () => {
    const d = declare();
    const { PhysicalResourceId } = await handler(create(d));

    const first = await handler(remove(PhysicalResourceId, d));
    const second = await handler(remove(PhysicalResourceId, d));

    expect(first.Data.Action).toBe('deleted');
    expect(second.Data.Action).toBe('absent');
    await expect
      .poll(async () => (await admin.listTopics()).includes(d.topicName), { timeout: 15_000 })
      .toBe(false);
  });

  it('Delete never deletes a topic its physical id does not name', async () => {
    const d = declare();
    await handler(create(d));

    const result = await handler(remove('kafka-topic:elsewhere:other', d));

    expect(result.Data.Action).toBe('retained');
    expect((await admin.listTopics()).includes(d.topicName)).toBe(true);
  });

  it('Create with invalid properties fails naming the property', async () => {
    const bad: TopicResourceEvent = {
      RequestType: 'Create',
      ResourceProperties: { TopicName: 'ok-name', Partitions: '0', Auth: 'none', BootstrapServers: brokers },
    };

    await expect(handler(bad)).rejects.toThrow(/Partitions: /);
  });
});
