import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ExistingMskCluster } from '../../infra/constructs/ExistingMskCluster.js';
import {
  KafkaPipelineHandler,
  type KafkaPipelineHandlerProps,
} from '../../infra/constructs/KafkaPipelineHandler.js';
import { GENERIC_HANDLER_ENTRY, GENERIC_PRODUCING_HANDLER_ENTRY } from '../../infra/lib/paths.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { tumbling } from '../../shared/engine/windows/index.js';
import { rideEnrichmentHandlers, rideHandlers } from '../../shared/rides/index.js';
import { MSK_PRODUCER_NETWORK } from './support/synth.js';

const CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/demo/abcd1234-0000-4000-8000-000000000000-1';

const pageViews: HandlerSpec = {
  name: 'page-views',
  description: 'Page views per minute',
  topic: 'page-views',
  pipelines: [
    {
      kind: 'windowed-aggregate',
      name: 'page-views-1m',
      description: 'Views per page, 1-minute tumbling windows',
      topic: 'page-views',
      codec: 'json',
      key: { field: 'page' },
      time: { field: 'ts' },
      window: tumbling(60_000, 0),
      aggregations: [],
    },
  ],
};

function userStack(): { stack: Stack; source: ExistingMskCluster } {
  // Stage assets without esbuild: the bundle itself is test/package's and bundle.test.ts's to prove.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'User');
  const source = new ExistingMskCluster(stack, 'Kafka', {
    clusterArn: CLUSTER_ARN,
    network: {
      vpcId: MSK_PRODUCER_NETWORK.vpcId,
      subnetIds: MSK_PRODUCER_NETWORK.subnetIds.split(','),
      securityGroupIds: [MSK_PRODUCER_NETWORK.securityGroupIds],
    },
  });
  return { stack, source };
}

function build(props: Partial<KafkaPipelineHandlerProps> = {}): Template {
  const { stack, source } = userStack();
  new KafkaPipelineHandler(stack, 'PageViews', { handler: pageViews, source, ...props });
  return Template.fromStack(stack);
}

describe('KafkaPipelineHandler', () => {
  it('deploys the generic handler with the spec as JSON in PIPELINE_SPEC', () => {
    const template = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PIPELINE_SPEC: JSON.stringify(pageViews) }) },
    });
  });

  it('maps the handler topic with the handler name as consumer group', () => {
    build().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['page-views'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'page-views' },
      EventSourceArn: CLUSTER_ARN,
    });
  });

  it('creates the tables, the failure bucket and the alarms unless given or turned off', () => {
    const template = build();
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    build({ monitoring: false }).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('resolves the generic handler inside this package, as source here and as JavaScript in dist', () => {
    expect(GENERIC_HANDLER_ENTRY).toMatch(/shared\/engine\/handler\/specHandler\.ts$/);
  });

  it('refuses a codec the generic handler does not know', () => {
    expect(() => build({ handler: rideHandlers[0] })).toThrow(/codec "ride-json".*give an entry/);
  });

  it('refuses an entry that is relative or missing', () => {
    expect(() => build({ entry: 'handler.mjs' })).toThrow(/absolute path/);
    expect(() => build({ entry: '/nonexistent/handler.mjs' })).toThrow(/does not exist/);
  });

  it('gives a handler that writes topics its own entry the producer access: brokers, grant, VPC', () => {
    const route = rideEnrichmentHandlers.find((h) => h.name === 'rides-route-by-amount') as HandlerSpec;
    const template = build({
      handler: route,
      entry: fileURLToPath(new URL('../../functions/rides-route-by-amount/handler.ts', import.meta.url)),
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KAFKA_AUTH: 'aws-iam' }) },
      VpcConfig: { SubnetIds: ['subnet-0aa', 'subnet-0bb'], SecurityGroupIds: ['sg-0feed123'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'WriteOutputTopics',
            Resource: [
              'arn:aws:kafka:us-east-1:123456789012:topic/demo/abcd1234-0000-4000-8000-000000000000-1/rides_high_amount',
              'arn:aws:kafka:us-east-1:123456789012:topic/demo/abcd1234-0000-4000-8000-000000000000-1/rides_low_amount',
            ],
          }),
        ]),
      },
    });
  });

  it('runs a handler that writes topics on the generic handler with a producer, and one that only reads without', () => {
    const route: HandlerSpec = {
      name: 'slow-pages',
      description: 'Slow page views to their own topic',
      topic: 'page-views',
      pipelines: [
        {
          kind: 'route',
          name: 'slow-pages',
          description: 'by load time',
          topic: 'page-views',
          codec: 'json',
          routes: [{ to: 'page-views-slow', when: [{ field: 'ms', op: 'gte', value: 1000 }] }],
        },
      ],
    };
    const { stack, source } = userStack();
    const writes = new KafkaPipelineHandler(stack, 'Writes', { handler: route, source });
    const reads = new KafkaPipelineHandler(stack, 'Reads', { handler: pageViews, source });

    expect(writes.entry).toBe(GENERIC_PRODUCING_HANDLER_ENTRY);
    expect(reads.entry).toBe(GENERIC_HANDLER_ENTRY);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ KAFKA_AUTH: 'aws-iam', PIPELINE_SPEC: JSON.stringify(route) }),
      },
    });
  });

  describe('the source topic partition count of final results (SOURCE_TOPIC_PARTITIONS)', () => {
    const pageViewsFinal: HandlerSpec = {
      ...pageViews,
      pipelines: pageViews.pipelines.map((p) =>
        p.kind === 'windowed-aggregate' ? { ...p, final: { partitions: 3 } } : p,
      ),
    };
    const topic = { partitions: 12, replicationFactor: 3, configs: {}, removalPolicy: 'retain' as const };
    const partitionsVariable = (template: Template): Array<string | undefined> =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties?.Environment?.Variables as Record<string, string> | undefined)
        .filter((v) => v?.PIPELINE_SPEC !== undefined)
        .map((v) => v?.SOURCE_TOPIC_PARTITIONS);

    it('derives it from the topic the construct declares', () => {
      expect(partitionsVariable(build({ handler: pageViewsFinal, topic }))).toEqual(['12']);
    });

    it('takes it from sourceTopicPartitions for a topic that exists already', () => {
      expect(partitionsVariable(build({ handler: pageViewsFinal, sourceTopicPartitions: 6 }))).toEqual(['6']);
    });

    it("leaves it out when neither is given: the pipelines' own final.partitions count", () => {
      expect(partitionsVariable(build({ handler: pageViewsFinal }))).toEqual([undefined]);
    });

    it('leaves it out of a handler without final results, whose pipelines count no partitions', () => {
      expect(partitionsVariable(build({ handler: pageViews, topic, sourceTopicPartitions: 12 }))).toEqual([
        undefined,
      ]);
    });

    it('refuses a count that differs from the declared topic, or is not a positive whole number', () => {
      expect(() => build({ handler: pageViewsFinal, topic, sourceTopicPartitions: 6 })).toThrow(
        /sourceTopicPartitions \(6\) differs from the declared topic's partitions \(12\)/,
      );
      expect(() => build({ handler: pageViewsFinal, sourceTopicPartitions: 0 })).toThrow(
        /positive whole number/,
      );
    });
  });

  it('refuses a spec too large for the environment', () => {
    const big = { ...pageViews, description: 'x'.repeat(4000) };
    expect(() => build({ handler: big })).toThrow(/bytes of JSON/);
  });
});
