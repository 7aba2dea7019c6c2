import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import {
  CONFLUENT,
  policyStatements,
  resourcesOf,
  SECRET_ARN,
  SELF_MANAGED_VPC,
  synth,
} from './support/synth.js';

describe('self-managed mode (Confluent Cloud)', () => {
  const { template } = synth({ ...CONFLUENT });

  it('maps the bootstrap servers with the API-key secret as BASIC_AUTH (SASL/PLAIN)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SelfManagedEventSource: {
        Endpoints: { KafkaBootstrapServers: ['pkc-abc12.eu-west-1.aws.confluent.cloud:9092'] },
      },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'rides-rides-count-by-dropoff' },
      SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: CONFLUENT.secretArn }],
      EventSourceArn: Match.absent(),
    });
  });

  it('creates the topic with the topic admin, outside any VPC, given only the secret’s ARN', () => {
    template.hasResourceProperties('Custom::KafkaTopic', {
      TopicName: 'rides',
      BootstrapServers: ['pkc-abc12.eu-west-1.aws.confluent.cloud:9092'],
      Auth: 'plain',
      SecretArn: CONFLUENT.secretArn,
      ReplicationFactor: -1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Kafka topics for CloudFormation'),
      VpcConfig: Match.absent(),
    });
  });

  it('lets mappings and the topic admin read the secret, and nothing about MSK', () => {
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      const text = JSON.stringify(policy.Properties.PolicyDocument);
      expect(text).not.toMatch(/kafka-cluster:|kafka:Describe/);
    }
    const readers = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );
    // Every handler of the catalog (RidesCountByDropoffPolicy, ...), the topic admin and the
    // final-results sweeper (it produces to the final topics).
    const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    expect(readers.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      [
        'KafkaTopicAdminPolicy',
        'FinalResultsSweeperPolicy',
        ...catalog.handlers.map((h) => `${pascal(h.name)}Policy`),
      ].sort(),
    );
    expect(readers.length).toBeGreaterThanOrEqual(9);
  });

  it('needs no network interfaces permissions when brokers are on the internet', () => {
    expect(JSON.stringify(policyStatements(template, 'RidesCountByDropoffPolicy'))).not.toContain('ec2:');
  });
});

describe('self-managed mode with SCRAM-256', () => {
  it('uses SASL_SCRAM_256_AUTH for the mapping and scram-sha-256 for the topic admin', () => {
    const { template } = synth({ ...CONFLUENT, auth: 'scram-256' });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_256_AUTH', URI: CONFLUENT.secretArn }],
    });
    template.hasResourceProperties('Custom::KafkaTopic', { Auth: 'scram-sha-256' });
  });
});

describe('self-managed mode inside a VPC', () => {
  const { template } = synth(SELF_MANAGED_VPC);

  it('gives the mapping the subnets and security group in the format Lambda documents', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [
        { Type: 'SASL_SCRAM_512_AUTH', URI: SECRET_ARN },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0aa' },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0bb' },
        { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-0123abcd' },
      ],
    });
  });

  it('runs the topic admin in those subnets with that security group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Kafka topics for CloudFormation'),
      VpcConfig: { SubnetIds: ['subnet-0aa', 'subnet-0bb'], SecurityGroupIds: ['sg-0123abcd'] },
    });
  });
});

describe('self-managed mode with a private root CA', () => {
  it('passes the CA secret to the mapping, the topic admin and the producers', () => {
    const rootCaSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca-AbCdEf';

    const { template } = synth({ ...CONFLUENT, rootCaSecretArn });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KAFKA_ROOT_CA_SECRET_ARN: rootCaSecretArn }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ProducerReadsKafkaSecret',
            Resource: Match.arrayWith([rootCaSecretArn]),
          }),
        ]),
      },
    });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: Match.arrayWith([
        { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: rootCaSecretArn },
      ]),
    });
    template.hasResourceProperties('Custom::KafkaTopic', { RootCaSecretArn: rootCaSecretArn });
  });
});
