import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { outputTopicsOf } from '../../shared/engine/catalog.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { HIGH_AMOUNT_TOPIC, ridesByAmount, zonesTable } from '../../shared/rides/rideEnrichment.js';
import {
  CLUSTER_ARN,
  CLUSTER_UUID,
  CONFLUENT,
  KMS_KEY_ARN,
  MSK_PRODUCER_NETWORK,
  only,
  policyStatements,
  type ResourceJson,
  resourcesOf,
  SECRET_ARN,
  SELF_MANAGED_VPC,
  synth,
} from './support/synth.js';

/** The handlers of the catalog that write topics, and the ones that do not. */
const PRODUCERS = catalog.handlers.filter((h) => outputTopicsOf(h).length > 0);
const READERS = catalog.handlers.filter((h) => outputTopicsOf(h).length === 0);

/** Logical-id prefix of a handler's constructs (the stack names them in PascalCase). */
function idOf(handler: HandlerSpec): string {
  return handler.name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function functionOf(template: Template, handler: HandlerSpec): ResourceJson {
  const [, fn] = only(
    resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith(`${idOf(handler)}Function`),
    ),
    `function of ${handler.name}`,
  );
  return fn;
}

function variablesOf(template: Template, handler: HandlerSpec): Record<string, unknown> {
  return (functionOf(template, handler).Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;
}

function statementsOf(template: Template, handler: HandlerSpec): Array<Record<string, unknown>> {
  return policyStatements(template, `${idOf(handler)}Policy`);
}

function statement(template: Template, handler: HandlerSpec, sid: string): Record<string, unknown> {
  return only(
    statementsOf(template, handler).filter((s) => s.Sid === sid),
    `${sid} of ${handler.name}`,
  );
}

const ROUTE = catalog.handlers.find((h) => h.name === 'rides-route-by-amount') as HandlerSpec;
const ENRICH = catalog.handlers.find((h) => h.name === 'rides-enrich-zones') as HandlerSpec;

describe('the catalog this file checks', () => {
  it('has three handlers that write topics, with four outputs between them', () => {
    expect(PRODUCERS.map((h) => [h.name, outputTopicsOf(h)])).toEqual([
      // tips-15m's final results.
      ['rides-tips-final', ['tips-15m-final']],
      ['rides-route-by-amount', ['rides_high_amount', 'rides_low_amount']],
      ['rides-enrich-zones', ['rides_enriched']],
    ]);
  });
});

describe('topics the stack declares (msk-serverless, topic admin)', () => {
  const { template } = synth({ topicPartitions: '12' });
  const topics = resourcesOf(template, 'Custom::KafkaTopic').map(([, t]) => t.Properties);

  it('are every input and every output topic, each once', () => {
    const expected = new Set([...catalog.handlers.map((h) => h.topic), ...PRODUCERS.flatMap(outputTopicsOf)]);

    expect(topics.map((t) => t.TopicName).sort()).toEqual([...expected].sort());
    expect(topics.map((t) => t.TopicName)).toEqual(
      expect.arrayContaining(['rides_high_amount', 'rides_low_amount', 'rides_enriched']),
    );
  });

  it('give output topics the partitions, replication and retention of the input topics', () => {
    const rides = topics.find((t) => t.TopicName === 'rides');
    for (const name of ['rides_high_amount', 'rides_low_amount', 'rides_enriched']) {
      const topic = topics.find((t) => t.TopicName === name);
      expect(topic, name).toMatchObject({
        Partitions: 12,
        ReplicationFactor: rides?.ReplicationFactor,
        Configs: { 'retention.ms': '604800000' },
        RemovalPolicy: 'retain',
      });
    }
  });

  it('tell a handler with final results how many partitions its topic has, and no other handler', () => {
    const envs = resourcesOf(template, 'AWS::Lambda::Function').map(
      ([, f]) =>
        (f.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {},
    );
    const told = envs.filter((v) => v.SOURCE_TOPIC_PARTITIONS !== undefined);

    expect(told.map((v) => [v.POWERTOOLS_SERVICE_NAME, v.SOURCE_TOPIC_PARTITIONS])).toEqual([
      ['rides-tips-final', '12'],
    ]);
  });

  it('compact the topic a table pipeline reads (zones), with no time retention', () => {
    const zones = topics.find((t) => t.TopicName === 'zones');

    expect(zones?.Configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(
      topics
        .filter((t) => t.TopicName !== 'zones')
        .map((t) => (t.Configs as Record<string, string>)['cleanup.policy']),
    ).toEqual(topics.filter((t) => t.TopicName !== 'zones').map(() => undefined));
  });

  it('make a producer’s mapping wait for the topics it writes, not only the one it reads', () => {
    const topicIds = Object.fromEntries(
      resourcesOf(template, 'Custom::KafkaTopic').map(([id, t]) => [t.Properties.TopicName, id]),
    );
    const [, mapping] = only(
      resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(([id]) => id.startsWith(idOf(ROUTE))),
    );

    expect(mapping.DependsOn).toEqual(
      expect.arrayContaining([topicIds.rides, topicIds.rides_high_amount, topicIds.rides_low_amount]),
    );
    expect(mapping.DependsOn).not.toContain(topicIds.rides_enriched);
  });
});

describe('topics derived from the handlers, not from names', () => {
  // A table over the high-amount output: that topic is both an output and an input, and compacted.
  // (Names of existing function folders: the stack bundles functions/<name>/handler.ts.)
  const router: HandlerSpec = {
    name: 'rides-route-by-amount',
    description: 'routes rides by amount',
    topic: 'rides',
    pipelines: [ridesByAmount],
  };
  const highTable: HandlerSpec = {
    name: 'zones-table',
    description: 'the high-amount rides as a table',
    topic: HIGH_AMOUNT_TOPIC,
    pipelines: [{ ...zonesTable, name: 'high-rides', topic: HIGH_AMOUNT_TOPIC }],
  };
  const { template } = synth({}, [router, highTable]);
  const topics = resourcesOf(template, 'Custom::KafkaTopic').map(([, t]) => t.Properties);

  it('declare a topic that is one handler’s output and another’s input once', () => {
    expect(topics.map((t) => t.TopicName).sort()).toEqual(['rides', 'rides_high_amount', 'rides_low_amount']);
  });

  it('compact whatever topic a table pipeline reads', () => {
    expect(topics.find((t) => t.TopicName === HIGH_AMOUNT_TOPIC)?.Configs).toEqual({
      'cleanup.policy': 'compact',
    });
    expect(topics.find((t) => t.TopicName === 'rides_low_amount')?.Configs).toEqual({
      'retention.ms': '604800000',
    });
  });
});

describe('msk-serverless: producing functions', () => {
  const { template } = synth({});

  it('may write exactly their own output topics, with the ARNs built like the read grant', () => {
    for (const [handler, outputs] of [
      [ROUTE, ['rides_high_amount', 'rides_low_amount']],
      [ENRICH, ['rides_enriched']],
    ] as const) {
      const read = JSON.stringify(statement(template, handler, 'ReadTopic').Resource);
      const write = statement(template, handler, 'WriteOutputTopics');

      expect(write.Action).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
      // The same cluster name/uuid tokens as the read grant on `rides`, with the output's name.
      const expected = outputs.map((t) => JSON.parse(read.replace('/rides"', `/${t}"`)));
      // CloudFormation's JSON holds a lone resource as itself, several as a list.
      expect(write.Resource).toEqual(expected.length === 1 ? expected[0] : expected);
    }
  });

  it('connect and write idempotently on the cluster itself (a cluster-level action)', () => {
    for (const handler of PRODUCERS) {
      expect(statement(template, handler, 'ProduceIdempotently')).toEqual({
        Sid: 'ProduceIdempotently',
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KafkaCluster/), 'Arn'] },
      });
    }
  });

  it('are the only functions allowed to write any topic, with the final-results sweeper', () => {
    const writers = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => /kafka-cluster:WriteData/.test(JSON.stringify(p.Properties.PolicyDocument)))
      .map(([id]) => id.replace(/Policy[0-9A-F]{8}$/, ''));

    expect(writers.sort()).toEqual([...PRODUCERS.map(idOf), 'FinalResultsSweeper'].sort());
  });

  it('run in the cluster’s subnets with their own security group; readers stay outside the VPC', () => {
    const [producerSgId] = only(
      resourcesOf(template, 'AWS::EC2::SecurityGroup').filter(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('Lambda functions that write Kafka topics'),
      ),
    );
    for (const handler of PRODUCERS) {
      expect(functionOf(template, handler).Properties.VpcConfig, handler.name).toEqual({
        SubnetIds: [
          { Ref: expect.stringMatching(/kafkaSubnet1/) },
          { Ref: expect.stringMatching(/kafkaSubnet2/) },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': [producerSgId, 'GroupId'] }],
      });
      expect(statementsOf(template, handler).map((s) => s.Sid)).toContain('ManageFunctionEnis');
    }
    for (const handler of READERS) {
      expect(functionOf(template, handler).Properties.VpcConfig, handler.name).toBeUndefined();
      expect(statementsOf(template, handler).map((s) => s.Sid)).not.toContain('ManageFunctionEnis');
    }
  });

  it('reach the brokers on 9098 because the cluster’s group admits theirs, and 443 for DynamoDB', () => {
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const [producerSgId, producerSg] = only(
      groups.filter(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('Lambda functions that write'),
      ),
    );
    const [clusterSgId] = only(
      groups.filter(([, r]) => String(r.Properties.GroupDescription).startsWith('MSK Serverless brokers')),
    );

    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [clusterSgId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [producerSgId, 'GroupId'] },
      FromPort: 9098,
      ToPort: 9098,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [producerSgId, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [clusterSgId, 'GroupId'] },
      FromPort: 9098,
    });
    expect(producerSg.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
  });

  it('get the IAM bootstrap brokers from a GetBootstrapBrokers lookup, and aws-iam auth', () => {
    const [lookupId, lookup] = only(resourcesOf(template, 'Custom::MskBootstrapBrokers'));
    const create = JSON.stringify(lookup.Properties.Create);

    expect(create).toContain('getBootstrapBrokers');
    expect(create).toContain('BootstrapBrokerStringSaslIam');
    expect(create).toMatch(/KafkaCluster[0-9A-F]{8}/);
    for (const handler of PRODUCERS) {
      expect(variablesOf(template, handler)).toMatchObject({
        KAFKA_BROKERS: { 'Fn::GetAtt': [lookupId, 'BootstrapBrokerStringSaslIam'] },
        KAFKA_AUTH: 'aws-iam',
      });
      expect(variablesOf(template, handler).KAFKA_SECRET_ARN).toBeUndefined();
    }
    for (const handler of READERS) {
      expect(Object.keys(variablesOf(template, handler)).filter((k) => k.startsWith('KAFKA_'))).toEqual([]);
    }
  });

  it('let the broker lookup call GetBootstrapBrokers on this cluster and nothing else', () => {
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('KafkaBootstrapBrokers'))
      .flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      );

    expect(statements.map((s) => [s.Action, s.Resource])).toEqual(
      expect.arrayContaining([
        ['kafka:GetBootstrapBrokers', { 'Fn::GetAtt': [expect.stringMatching(/^KafkaCluster/), 'Arn'] }],
      ]),
    );
    expect(statements.map((s) => JSON.stringify(s.Action)).sort()).toEqual([
      '"kafka:GetBootstrapBrokers"',
      '["logs:CreateLogStream","logs:PutLogEvents"]',
    ]);
  });
});

describe.each([
  ['with NAT', {}],
  ['without NAT', { natGateways: '0' }],
])('msk-serverless new VPC %s', (_name, raw) => {
  it('has a DynamoDB gateway endpoint on the routes of the subnets producers run in', () => {
    const { template } = synth(raw);
    const [, endpoint] = only(
      resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(([, e]) =>
        JSON.stringify(e.Properties.ServiceName).includes('.dynamodb'),
      ),
    );

    expect(endpoint.Properties.VpcEndpointType).toBe('Gateway');
    expect(endpoint.Properties.RouteTableIds).toEqual(
      expect.arrayContaining([
        { Ref: expect.stringMatching(/kafkaSubnet1RouteTable/) },
        { Ref: expect.stringMatching(/kafkaSubnet2RouteTable/) },
      ]),
    );
  });
});

describe('msk (existing cluster), IAM: producing functions', () => {
  const { template } = synth({ mode: 'msk', clusterArn: CLUSTER_ARN, ...MSK_PRODUCER_NETWORK });
  const topicArn = (t: string) => `arn:aws:kafka:eu-west-1:123456789012:topic/prod/${CLUSTER_UUID}/${t}`;

  it('may write exactly their own output topics and write idempotently on the cluster', () => {
    expect(statement(template, ROUTE, 'WriteOutputTopics').Resource).toEqual([
      topicArn('rides_high_amount'),
      topicArn('rides_low_amount'),
    ]);
    expect(statement(template, ENRICH, 'WriteOutputTopics').Resource).toBe(topicArn('rides_enriched'));
    for (const handler of PRODUCERS) {
      expect(statement(template, handler, 'ProduceIdempotently').Resource).toBe(CLUSTER_ARN);
    }
  });

  it('run in the configured subnets with the configured security groups; readers do not', () => {
    for (const handler of PRODUCERS) {
      expect(functionOf(template, handler).Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0aa', 'subnet-0bb'],
        SecurityGroupIds: ['sg-0feed123'],
      });
    }
    for (const handler of READERS) expect(functionOf(template, handler).Properties.VpcConfig).toBeUndefined();
  });

  it('look the IAM brokers up by the literal cluster ARN', () => {
    const [lookupId, lookup] = only(resourcesOf(template, 'Custom::MskBootstrapBrokers'));

    expect(JSON.parse(String(lookup.Properties.Create))).toMatchObject({
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: CLUSTER_ARN },
      outputPaths: ['BootstrapBrokerStringSaslIam'],
    });
    expect(variablesOf(template, ROUTE).KAFKA_BROKERS).toEqual({
      'Fn::GetAtt': [lookupId, 'BootstrapBrokerStringSaslIam'],
    });
  });

  it('need the network to run in: without it the synth fails and says what to give', () => {
    expect(() => synth({ mode: 'msk', clusterArn: CLUSTER_ARN })).toThrow(
      /functions that write topics \(tips-15m-final\) run in the cluster's VPC: give its network \(vpcId, subnetIds, securityGroupIds/,
    );
  });
});

describe('msk (existing cluster), SASL/SCRAM: producing functions', () => {
  const { template } = synth({
    mode: 'msk',
    clusterArn: CLUSTER_ARN,
    auth: 'scram-512',
    secretArn: SECRET_ARN,
    secretKmsKeyArn: KMS_KEY_ARN,
    ...MSK_PRODUCER_NETWORK,
  });

  it('use the SCRAM listener, scram-sha-512 and the mapping’s secret by ARN', () => {
    const [lookupId, lookup] = only(resourcesOf(template, 'Custom::MskBootstrapBrokers'));

    expect(JSON.parse(String(lookup.Properties.Create)).outputPaths).toEqual([
      'BootstrapBrokerStringSaslScram',
    ]);
    for (const handler of PRODUCERS) {
      expect(variablesOf(template, handler)).toMatchObject({
        KAFKA_BROKERS: { 'Fn::GetAtt': [lookupId, 'BootstrapBrokerStringSaslScram'] },
        KAFKA_AUTH: 'scram-sha-512',
        KAFKA_SECRET_ARN: SECRET_ARN,
      });
    }
  });

  it('may read and decrypt that secret (through Secrets Manager only), and get no kafka-cluster grant', () => {
    for (const handler of PRODUCERS) {
      expect(statement(template, handler, 'ProducerReadsKafkaSecret')).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRET_ARN,
      });
      const decrypt = statement(template, handler, 'ProducerDecryptsKafkaSecret');
      expect(decrypt).toMatchObject({ Action: 'kms:Decrypt', Resource: KMS_KEY_ARN });
      // secretsmanager.<region>.amazonaws.com, the region a token in this env-agnostic stack.
      expect(JSON.stringify(decrypt.Condition)).toMatch(
        /"StringEquals":\{"kms:ViaService":.*secretsmanager\./,
      );
      expect(JSON.stringify(statementsOf(template, handler))).not.toContain('kafka-cluster:WriteData');
    }
    for (const handler of READERS) {
      expect(statementsOf(template, handler).map((s) => s.Sid)).not.toContain('ProducerReadsKafkaSecret');
    }
  });
});

describe('self-managed (Confluent Cloud, internet): producing functions', () => {
  const { template } = synth({ ...CONFLUENT });

  it('get the configured brokers, SASL/PLAIN and the mapping’s secret by ARN, and stay outside any VPC', () => {
    for (const handler of PRODUCERS) {
      expect(variablesOf(template, handler)).toMatchObject({
        KAFKA_BROKERS: CONFLUENT.bootstrapServers,
        KAFKA_AUTH: 'plain',
        KAFKA_SECRET_ARN: CONFLUENT.secretArn,
      });
      expect(functionOf(template, handler).Properties.VpcConfig).toBeUndefined();
      expect(statement(template, handler, 'ProducerReadsKafkaSecret').Resource).toBe(CONFLUENT.secretArn);
    }
    template.resourceCountIs('Custom::MskBootstrapBrokers', 0);
  });
});

describe('self-managed in a VPC with SCRAM-512: producing functions', () => {
  const { template } = synth(SELF_MANAGED_VPC);

  it('run in the mapping’s subnets and security groups, with every broker and scram-sha-512', () => {
    for (const handler of PRODUCERS) {
      expect(functionOf(template, handler).Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0aa', 'subnet-0bb'],
        SecurityGroupIds: ['sg-0123abcd'],
      });
      expect(variablesOf(template, handler)).toMatchObject({
        KAFKA_BROKERS: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096',
        KAFKA_AUTH: 'scram-sha-512',
        KAFKA_SECRET_ARN: SECRET_ARN,
      });
    }
    for (const handler of READERS) expect(functionOf(template, handler).Properties.VpcConfig).toBeUndefined();
  });
});

describe('-c handlers', () => {
  it('deploys only the named handlers, and only their topics', () => {
    const { template } = synth({ handlers: 'zones-table,rides-enrich-zones' });

    expect(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(2);
    expect(
      resourcesOf(template, 'Custom::KafkaTopic')
        .map(([, t]) => t.Properties.TopicName)
        .sort(),
    ).toEqual(['rides', 'rides_enriched', 'zones']);
  });

  it('names the known handlers when one is unknown', () => {
    expect(() => synth({ handlers: 'rides-count' })).toThrow(
      /unknown handler "rides-count"; known: rides-count-by-dropoff/,
    );
  });
});
