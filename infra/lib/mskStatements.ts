import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { esmNetworkStatements } from './iamStatements.js';
import type { MskArns } from './mskArns.js';

/**
 * What every MSK event-source mapping needs on the control plane: describe the cluster (V2
 * covers provisioned and serverless; V1 only provisioned) and find its brokers.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
 */
export function mskDescribeStatement(arns: MskArns): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeMskCluster',
    actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
    resources: [arns.cluster],
  });
}

/**
 * MSK IAM data-plane access of an event-source mapping: connect, read one topic, commit the
 * offsets of one consumer group. No other topic or group is reachable with these.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html#msk-iam-permissions
 */
export function mskIamReadStatements(
  arns: MskArns,
  topic: string,
  consumerGroupId: string,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ConnectToCluster',
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      resources: [arns.cluster],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTopic',
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resources: [arns.topic(topic)],
    }),
    new iam.PolicyStatement({
      sid: 'UseConsumerGroup',
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resources: [arns.group(consumerGroupId)],
    }),
  ];
}

/** The whole MSK IAM consumer policy: control plane, data plane and the mapping's interfaces. */
export function mskIamConsumerStatements(
  scope: IConstruct,
  arns: MskArns,
  topic: string,
  consumerGroupId: string,
): iam.PolicyStatement[] {
  return [
    mskDescribeStatement(arns),
    ...mskIamReadStatements(arns, topic, consumerGroupId),
    ...esmNetworkStatements(scope),
  ];
}

/**
 * MSK IAM data-plane access of a function that produces, idempotently, to `topics` and no
 * other: `Connect` and `WriteDataIdempotently` on the cluster (the latter is a cluster-level
 * action: InitProducerId names no topic), `DescribeTopic` (metadata) and `WriteData` on exactly
 * those topics. MSK's "produce data idempotently" use case lists these four actions.
 * Own Sids: the function's policy also holds the mapping's `ConnectToCluster`.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control-use-cases.html
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 */
export function mskIamProducerStatements(arns: MskArns, topics: readonly string[]): iam.PolicyStatement[] {
  if (topics.length === 0) throw new Error('mskIamProducerStatements: no topics to write');
  return [
    new iam.PolicyStatement({
      sid: 'ProduceIdempotently',
      actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      resources: [arns.cluster],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOutputTopics',
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
      resources: [...new Set(topics)].sort().map((t) => arns.topic(t)),
    }),
  ];
}
