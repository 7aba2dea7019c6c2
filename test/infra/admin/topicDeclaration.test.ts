import { describe, expect, it } from 'vitest';
import {
  parseTopicDeclaration,
  type TopicDeclaration,
  topicPhysicalId,
  toTopicResourceProperties,
} from '../../../shared/admin/topicDeclaration.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:confluent-AbCdEf';
const CLUSTER =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/rides-kafka/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-s1';

describe('parseTopicDeclaration', () => {
  it('reads the strings CloudFormation sends back into numbers and booleans', () => {
    const d = parseTopicDeclaration({
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:x',
      TopicName: 'rides',
      Partitions: '6',
      ReplicationFactor: '-1',
      Configs: { 'retention.ms': '604800000' },
      RemovalPolicy: 'delete',
      BootstrapServers: ['pkc-1.confluent.cloud:9092'],
      Auth: 'plain',
      SecretArn: SECRET,
      Ssl: 'true',
    });

    expect(d).toEqual({
      topicName: 'rides',
      partitions: 6,
      replicationFactor: -1,
      configs: { 'retention.ms': '604800000' },
      removalPolicy: 'delete',
      cluster: {
        bootstrapServers: ['pkc-1.confluent.cloud:9092'],
        auth: 'plain',
        secretArn: SECRET,
        ssl: true,
      },
    });
  });

  it('round-trips what the CDK construct writes', () => {
    const d: TopicDeclaration = {
      topicName: 'rides',
      partitions: 3,
      replicationFactor: 3,
      configs: {},
      removalPolicy: 'retain',
      cluster: { clusterArn: CLUSTER, auth: 'aws-iam' },
    };

    expect(parseTopicDeclaration(toTopicResourceProperties(d))).toEqual(d);
  });

  it.each([
    [
      { TopicName: 'bad name', Partitions: 1, Auth: 'none', BootstrapServers: ['b:1'] },
      /TopicName: a Kafka topic name/,
    ],
    [{ TopicName: 't', Partitions: 'x', Auth: 'none', BootstrapServers: ['b:1'] }, /Partitions: /],
    [
      { TopicName: 't', Partitions: 1, ReplicationFactor: 0, Auth: 'none', BootstrapServers: ['b:1'] },
      /ReplicationFactor: not 0/,
    ],
    [{ TopicName: 't', Partitions: 1, Auth: 'none' }, /exactly one of BootstrapServers and ClusterArn/],
    [
      { TopicName: 't', Partitions: 1, Auth: 'plain', BootstrapServers: ['b:1'] },
      /plain auth needs SecretArn/,
    ],
    [
      { TopicName: 't', Partitions: 1, Auth: 'aws-iam', ClusterArn: CLUSTER, SecretArn: SECRET },
      /aws-iam auth takes no SecretArn/,
    ],
  ])('rejects %j naming the property', (raw, message) => {
    expect(() => parseTopicDeclaration(raw)).toThrow(message);
  });
});

describe('topicPhysicalId', () => {
  const base: TopicDeclaration = {
    topicName: 'rides',
    partitions: 1,
    replicationFactor: -1,
    configs: {},
    removalPolicy: 'retain',
    cluster: { bootstrapServers: ['b2:9092', 'b1:9092'], auth: 'none' },
  };

  it('names the topic within its cluster, whatever the broker order', () => {
    const reordered = { ...base, cluster: { ...base.cluster, bootstrapServers: ['b1:9092', 'b2:9092'] } };

    expect(topicPhysicalId(base)).toBe(topicPhysicalId(reordered));
    expect(topicPhysicalId(base)).toBe('kafka-topic:b1:9092,b2:9092:rides');
  });

  it('changes with the topic name or the cluster, and not with partitions or overrides', () => {
    expect(topicPhysicalId({ ...base, topicName: 'rides-v2' })).not.toBe(topicPhysicalId(base));
    expect(topicPhysicalId({ ...base, cluster: { clusterArn: CLUSTER, auth: 'aws-iam' } })).not.toBe(
      topicPhysicalId(base),
    );
    expect(topicPhysicalId({ ...base, partitions: 9, configs: { a: 'b' } })).toBe(topicPhysicalId(base));
  });
});
