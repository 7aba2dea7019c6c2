import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import {
  CLUSTER_ARN,
  CLUSTER_UUID,
  KMS_KEY_ARN,
  MSK_PRODUCER_NETWORK,
  NON_PRODUCING_HANDLERS,
  only,
  policyStatements,
  resourcesOf,
  SECRET_ARN,
  synth,
} from './support/synth.js';

const MSK = { mode: 'msk', clusterArn: CLUSTER_ARN, ...MSK_PRODUCER_NETWORK };

describe('msk mode (existing provisioned cluster), IAM auth', () => {
  const { template } = synth(MSK);

  it('declares the topic as AWS::MSK::Topic with Base64 JSON overrides and keeps it on stack deletion', () => {
    const [, topic] = only(
      resourcesOf(template, 'AWS::MSK::Topic').filter(([, t]) => t.Properties.TopicName === 'rides'),
    );

    expect(topic.Properties).toMatchObject({
      ClusterArn: CLUSTER_ARN,
      TopicName: 'rides',
      PartitionCount: 6,
      ReplicationFactor: 3,
    });
    expect(JSON.parse(Buffer.from(String(topic.Properties.Configs), 'base64').toString('utf8'))).toEqual({
      'retention.ms': '604800000',
    });
    expect(topic.DeletionPolicy).toBe('Retain');
  });

  it('needs no topic-admin function, VPC or cluster of its own; one function looks up the brokers', () => {
    template.resourceCountIs('Custom::KafkaTopic', 0);
    template.resourceCountIs('Custom::MskBootstrapBrokers', 1);
    // The handlers, the broker lookup and the final-results sweeper.
    template.resourceCountIs('AWS::Lambda::Function', catalog.handlers.length + 2);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
  });

  it('maps the cluster ARN without a secret and sets the consumer group in the MSK config block', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER_ARN,
      Topics: ['rides'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'rides-rides-tumbling-by-pickup' },
      SourceAccessConfigurations: Match.absent(),
    });
  });

  it('grants kafka-cluster actions on literal topic and group ARNs of that cluster', () => {
    const statements = policyStatements(template, 'RidesHoppingByVendorPolicy');
    const prefix = 'arn:aws:kafka:eu-west-1:123456789012';

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'ReadTopic', Resource: `${prefix}:topic/prod/${CLUSTER_UUID}/rides` }),
        expect.objectContaining({
          Sid: 'UseConsumerGroup',
          Resource: `${prefix}:group/prod/${CLUSTER_UUID}/rides-rides-hopping-by-vendor`,
        }),
        expect.objectContaining({ Sid: 'DescribeMskCluster', Resource: CLUSTER_ARN }),
      ]),
    );
  });
});

describe('msk mode, SASL/SCRAM', () => {
  const { template } = synth({
    ...MSK,
    auth: 'scram-512',
    secretArn: SECRET_ARN,
    secretKmsKeyArn: KMS_KEY_ARN,
  });

  it('passes the SCRAM secret to the mapping', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: SECRET_ARN }],
    });
  });

  it('lets the role read that secret and decrypt it through Secrets Manager only, and grants no kafka-cluster data actions', () => {
    const statements = policyStatements(template, 'RidesCountByDropoffPolicy');

    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'ReadKafkaSecrets',
          Action: 'secretsmanager:GetSecretValue',
          Resource: SECRET_ARN,
        }),
        expect.objectContaining({
          Sid: 'DecryptKafkaSecrets',
          Action: 'kms:Decrypt',
          Resource: KMS_KEY_ARN,
          Condition: {
            StringEquals: {
              'kms:ViaService': {
                'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
              },
            },
          },
        }),
      ]),
    );
    expect(JSON.stringify(statements)).not.toContain('kafka-cluster:');
  });
});

describe('msk mode, mTLS', () => {
  it('lets handlers that write topics produce over TLS with the same client certificate secret', () => {
    const { template } = synth({ ...MSK, auth: 'mtls', secretArn: SECRET_ARN });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: SECRET_ARN }),
      },
    });
    const lookups = Object.values(template.findResources('Custom::MskBootstrapBrokers'));
    expect(lookups.map((l) => JSON.parse(String(l.Properties.Create)).outputPaths)).toEqual([
      ['BootstrapBrokerStringTls'],
    ]);
  });

  it('passes the client certificate secret as CLIENT_CERTIFICATE_TLS_AUTH', () => {
    const { template } = synth({
      ...MSK,
      auth: 'mtls',
      secretArn: SECRET_ARN,
      handlers: NON_PRODUCING_HANDLERS,
    });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: SECRET_ARN }],
    });
  });
});

describe('msk mode with topics managed elsewhere', () => {
  it('declares no topic and the mappings depend on nothing but their permissions', () => {
    const { template } = synth({ ...MSK, manageTopics: 'false' });

    template.resourceCountIs('AWS::MSK::Topic', 0);
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      expect(m.DependsOn).toEqual([expect.stringMatching(/Policy/)]);
    }
  });
});
