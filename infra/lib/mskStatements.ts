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
