import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../infra/constructs/AlarmTopic.js';
import { ExistingMskCluster } from '../../infra/constructs/ExistingMskCluster.js';
import { FailureBucket } from '../../infra/constructs/FailureBucket.js';
import { MskServerlessCluster } from '../../infra/constructs/MskServerlessCluster.js';
import { PipelineEventSource } from '../../infra/constructs/PipelineEventSource.js';
import { PipelineFunction } from '../../infra/constructs/PipelineFunction.js';
import { PipelineMonitoring } from '../../infra/constructs/PipelineMonitoring.js';
import { PipelineTables } from '../../infra/constructs/PipelineTables.js';
import { SelfManagedKafkaCluster } from '../../infra/constructs/SelfManagedKafkaCluster.js';
import { TopicAdminProvider } from '../../infra/constructs/TopicAdminProvider.js';
import { rideHandler } from '../../shared/rides/index.js';
import { CLUSTER_ARN, resourcesOf } from './support/synth.js';

/** A stack of someone else's app, bundling skipped as in every unit test. */
function hostStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return new Stack(app, 'Host');
}

describe('the constructs in an existing CDK app', () => {
  it('consume an existing cluster into an existing aggregates table with one function, mapping and dashboard', () => {
    const stack = hostStack();
    const aggregates = dynamodb.Table.fromTableName(stack, 'Aggregates', 'prod-aggregates');
    const tables = new PipelineTables(stack, 'Tables', { existing: { aggregates } });
    const failures = new FailureBucket(stack, 'Failures');
    const kafka = new ExistingMskCluster(stack, 'Kafka', { clusterArn: CLUSTER_ARN });
    const fn = new PipelineFunction(stack, 'Counts', {
      handler: rideHandler('rides-count-by-dropoff'),
      tables,
    });
    const source = new PipelineEventSource(stack, 'CountsSource', {
      target: fn,
      source: kafka,
      topic: 'rides',
      consumerGroupId: 'analytics-dropoff-counts',
      failureBucket: failures,
    });
    new PipelineMonitoring(stack, 'Monitoring', { consumers: [{ fn, source }], tables });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { AGGREGATES_TABLE: 'prod-aggregates' } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER_ARN,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'analytics-dropoff-counts' },
    });
    const grants = JSON.stringify(
      resourcesOf(template, 'AWS::IAM::Policy').map(([, p]) => p.Properties.PolicyDocument),
    );
    expect(grants).toContain(':table/prod-aggregates');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('MskServerlessCluster validation', () => {
  it.each([
    [
      'one AZ for the new VPC',
      { availabilityZones: ['eu-west-1a'] },
      /Host\/Kafka: availabilityZones needs at least two distinct AZs/,
    ],
    [
      'AZs and an existing network',
      {
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        network: { vpcId: 'vpc-0abc', subnetIds: ['subnet-0a', 'subnet-0b'], securityGroupIds: [] },
      },
      /Host\/Kafka: availabilityZones is for the new VPC/,
    ],
  ] as const)('refuses %s', (_case, props, message) => {
    const stack = hostStack();

    expect(() => new MskServerlessCluster(stack, 'Kafka', { clusterName: 'rides', ...props })).toThrow(
      message,
    );
  });
});

describe('AlarmTopic on its own', () => {
  it('lets any CloudWatch alarm of the account and region publish until alarms are named', () => {
    const stack = hostStack();
    new AlarmTopic(stack, 'Alarms');

    Template.fromStack(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': [
                  {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':cloudwatch:',
                        { Ref: 'AWS::Region' },
                        ':',
                        { Ref: 'AWS::AccountId' },
                        ':alarm:*',
                      ],
                    ],
                  },
                ],
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('construct validation fails at synth, naming the construct', () => {
  const fixture = () => {
    const stack = hostStack();
    const tables = new PipelineTables(stack, 'Tables');
    const fn = new PipelineFunction(stack, 'Counts', {
      handler: rideHandler('rides-count-by-dropoff'),
      tables,
    });
    const kafka = new ExistingMskCluster(stack, 'Kafka', { clusterArn: CLUSTER_ARN });
    const failureBucket = new FailureBucket(stack, 'Failures');
    return { stack, tables, fn, kafka, failureBucket };
  };

  it.each([
    ['batch size 0', { batchSize: 0 }, /Host\/Source: batchSize must be 1 to 10000/],
    [
      'a window over 5 minutes',
      { maxBatchingWindow: Duration.minutes(6) },
      /maxBatchingWindow must be at most 5 minutes/,
    ],
    [
      'a window of 500 ms (Lambda takes whole seconds)',
      { maxBatchingWindow: Duration.millis(500) },
      /Host\/Source: maxBatchingWindow must be whole seconds \(0 to 300\), got 500 ms/,
    ],
    ['a consumer group with spaces', { consumerGroupId: 'my group' }, /consumerGroupId "my group"/],
    [
      'min pollers above max',
      { pollers: { mode: 'provisioned', min: 4, max: 2 } },
      /provisioned pollers need/,
    ],
    ['retry attempts of -2', { retryAttempts: -2 }, /retryAttempts must be -1 or 0 to 10000/],
    [
      'enhanced metrics with on-demand pollers',
      { enhancedMetrics: true },
      /Host\/Source: enhancedMetrics needs provisioned pollers/,
    ],
  ] as const)('a mapping with %s', (_case, overrides, message) => {
    const { stack, fn, kafka, failureBucket } = fixture();

    expect(
      () =>
        new PipelineEventSource(stack, 'Source', {
          target: fn,
          source: kafka,
          topic: 'rides',
          consumerGroupId: 'group',
          failureBucket,
          ...overrides,
        }),
    ).toThrow(message);
  });

  it('a function whose pipeline spec is invalid (the handler would fail at cold start)', () => {
    const { stack, tables } = fixture();
    const spec = rideHandler('rides-count-by-dropoff');
    const broken = { ...spec, pipelines: [{ ...spec.pipelines[0]!, name: 'Not Valid' }] };

    expect(() => new PipelineFunction(stack, 'Broken', { handler: broken, tables })).toThrow(
      /Host\/Broken: handler spec rides-count-by-dropoff is invalid:[\s\S]*Not Valid: name/,
    );
  });

  it('an MSK topic without an explicit replication factor', () => {
    const { kafka } = fixture();

    expect(() =>
      kafka.addTopic('T', {
        name: 'rides',
        partitions: 3,
        replicationFactor: -1,
        configs: {},
        removalPolicy: 'retain',
      }),
    ).toThrow(/AWS::MSK::Topic needs an explicit replicationFactor/);
  });

  it('a topic name Kafka would refuse', () => {
    const stack = hostStack();
    const kafka = new SelfManagedKafkaCluster(stack, 'Kafka', {
      bootstrapServers: ['broker:9092'],
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
    });

    expect(() =>
      kafka.addTopic('T', {
        name: 'no spaces',
        partitions: 3,
        replicationFactor: -1,
        configs: {},
        removalPolicy: 'retain',
      }),
    ).toThrow(/"no spaces" is not a Kafka topic name/);
  });

  it('an MSK Serverless cluster name with underscores, or one subnet', () => {
    expect(() => new MskServerlessCluster(hostStack(), 'Kafka', { clusterName: 'bad_name' })).toThrow(
      /clusterName "bad_name"/,
    );
    expect(
      () =>
        new MskServerlessCluster(hostStack(), 'Kafka', {
          clusterName: 'ok',
          network: { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: [] },
        }),
    ).toThrow(/at least two subnets/);
  });

  it('a topic admin in a VPC without security groups', () => {
    const stack = hostStack();
    const { vpc } = new MskServerlessCluster(stack, 'Kafka', { clusterName: 'ok' });

    expect(() => new TopicAdminProvider(stack, 'Admin', { statements: [], vpc })).toThrow(
      /securityGroups are required with vpc/,
    );
  });
});
