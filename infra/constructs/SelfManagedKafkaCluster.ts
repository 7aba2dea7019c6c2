import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { ClusterAuth } from '../../shared/admin/topicDeclaration.js';
import type { ExistingNetwork } from '../config/index.js';
import { importNetwork } from '../lib/existingNetwork.js';
import { esmNetworkStatements, PRODUCER_SECRET_SIDS, secretReadStatements } from '../lib/iamStatements.js';
import { KafkaTopic } from './KafkaTopic.js';
import type { IKafkaSource, KafkaMappingSource, KafkaProducerAccess, TopicSettings } from './kafkaSource.js';
import { TopicAdminProvider } from './TopicAdminProvider.js';

/** SASL mechanisms Lambda supports for self-managed Kafka (all over TLS). */
export type SelfManagedAuth = 'plain' | 'scram-256' | 'scram-512';

const MAPPING_AUTH: Record<SelfManagedAuth, lambda.SourceAccessConfigurationType> = {
  plain: lambda.SourceAccessConfigurationType.BASIC_AUTH,
  'scram-256': lambda.SourceAccessConfigurationType.SASL_SCRAM_256_AUTH,
  'scram-512': lambda.SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
};
const ADMIN_AUTH: Record<SelfManagedAuth, ClusterAuth> = {
  plain: 'plain',
  'scram-256': 'scram-sha-256',
  'scram-512': 'scram-sha-512',
};

/** Properties of {@link SelfManagedKafkaCluster}. */
export interface SelfManagedKafkaClusterProps {
  /** `host:port` of the bootstrap brokers, e.g. Confluent Cloud's `pkc-xxxxx.<region>.aws.confluent.cloud:9092`. */
  readonly bootstrapServers: readonly string[];
  /** @default 'plain' (Confluent Cloud API keys) */
  readonly auth?: SelfManagedAuth;
  /**
   * Secrets Manager secret holding `{"username","password"}` (a Confluent API key and secret).
   * The mapping and the topic admin read it; its value never enters the template or an
   * environment variable.
   */
  readonly secretArn: string;
  /** The customer-managed KMS key of the secret. @default the AWS managed key */
  readonly secretKmsKeyArn?: string;
  /**
   * Secret with the brokers' private root CA (`{"certificate": "..."}`), for the mappings and
   * the topic admin (which parses it with the same code the local `--secure` broker tests use).
   * @default public CAs
   */
  readonly rootCaSecretArn?: string;
  /** Brokers reachable only inside a VPC. @default reached over the internet with TLS */
  readonly network?: ExistingNetwork;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Runtime of the topic-admin function. @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
}

/**
 * Kafka outside MSK: Confluent Cloud, Redpanda, or brokers you run, reached by bootstrap
 * servers with SASL over TLS. Topics are created by the topic-admin custom resource, running
 * outside any VPC for internet brokers or in the brokers' subnets otherwise.
 */
export class SelfManagedKafkaCluster extends Construct implements IKafkaSource {
  readonly kind = 'self-managed' as const;
  readonly auth: SelfManagedAuth;
  private readonly props: SelfManagedKafkaClusterProps;
  private readonly vpc?: ec2.IVpc;
  private readonly subnets: ec2.ISubnet[] = [];
  private readonly securityGroups: ec2.ISecurityGroup[] = [];
  private provider?: TopicAdminProvider;

  constructor(scope: Construct, id: string, props: SelfManagedKafkaClusterProps) {
    super(scope, id);
    if (props.bootstrapServers.length === 0)
      throw new Error(`${this.node.path}: bootstrapServers must list at least one host:port`);
    for (const server of props.bootstrapServers) {
      if (!Token.isUnresolved(server) && !/^[^\s:,]+:\d{1,5}$/.test(server)) {
        throw new Error(`${this.node.path}: bootstrap server "${server}" is not host:port`);
      }
    }
    if (props.network && props.network.securityGroupIds.length === 0) {
      throw new Error(`${this.node.path}: a VPC network needs securityGroupIds that may reach the brokers`);
    }
    this.auth = props.auth ?? 'plain';
    this.props = props;
    if (props.network) {
      const imported = importNetwork(this, props.network);
      this.vpc = imported.vpc;
      this.subnets = imported.subnets;
      this.securityGroups = imported.securityGroups;
    }
  }

  get mappingSource(): KafkaMappingSource {
    const configs: lambda.SourceAccessConfiguration[] = [
      { type: MAPPING_AUTH[this.auth], uri: this.props.secretArn },
    ];
    if (this.props.rootCaSecretArn) {
      configs.push({
        type: lambda.SourceAccessConfigurationType.SERVER_ROOT_CA_CERTIFICATE,
        uri: this.props.rootCaSecretArn,
      });
    }
    for (const subnet of this.subnets) {
      configs.push({
        type: lambda.SourceAccessConfigurationType.VPC_SUBNET,
        uri: `subnet:${subnet.subnetId}`,
      });
    }
    for (const sg of this.securityGroups) {
      configs.push({
        type: lambda.SourceAccessConfigurationType.VPC_SECURITY_GROUP,
        uri: `security_group:${sg.securityGroupId}`,
      });
    }
    return { bootstrapServers: [...this.props.bootstrapServers], sourceAccessConfigurations: configs };
  }

  consumerStatements(_topic: string, _consumerGroupId: string): iam.PolicyStatement[] {
    // Kafka-level authorization (topic, group) is the cluster's ACLs on the secret's user.
    return [...this.secretStatements(), ...(this.vpc ? esmNetworkStatements(this) : [])];
  }

  /**
   * Producers use the mapping's brokers, SASL mechanism and secret; in a VPC, its subnets and
   * security groups (the VPC then needs a way to Secrets Manager and DynamoDB: NAT or
   * endpoints), and a private root CA from its own secret, as the mapping and the topic admin
   * read it. Kafka ACLs on the secret's user decide which topics it may write.
   */
  producerAccess(_topics: readonly string[]): KafkaProducerAccess {
    return {
      environment: {
        KAFKA_BROKERS: this.props.bootstrapServers.join(','),
        KAFKA_AUTH: ADMIN_AUTH[this.auth],
        KAFKA_SECRET_ARN: this.props.secretArn,
        ...(this.props.rootCaSecretArn ? { KAFKA_ROOT_CA_SECRET_ARN: this.props.rootCaSecretArn } : {}),
      },
      statements: secretReadStatements(
        this,
        [this.props.secretArn, ...(this.props.rootCaSecretArn ? [this.props.rootCaSecretArn] : [])],
        this.props.secretKmsKeyArn,
        PRODUCER_SECRET_SIDS,
      ),
      ...(this.vpc
        ? { network: { vpc: this.vpc, subnets: this.subnets, securityGroups: this.securityGroups } }
        : {}),
    };
  }

  addTopic(id: string, settings: TopicSettings): IDependable {
    return new KafkaTopic(this, id, {
      ...settings,
      provider: this.topicAdmin(),
      cluster: {
        bootstrapServers: this.props.bootstrapServers,
        auth: ADMIN_AUTH[this.auth],
        secretArn: this.props.secretArn,
        ...(this.props.rootCaSecretArn ? { rootCaSecretArn: this.props.rootCaSecretArn } : {}),
      },
    });
  }

  private secretStatements(): iam.PolicyStatement[] {
    const secrets = [
      this.props.secretArn,
      ...(this.props.rootCaSecretArn ? [this.props.rootCaSecretArn] : []),
    ];
    return secretReadStatements(this, secrets, this.props.secretKmsKeyArn);
  }

  private topicAdmin(): TopicAdminProvider {
    this.provider ??= new TopicAdminProvider(this, 'TopicAdmin', {
      statements: [...this.secretStatements()],
      ...(this.props.logRetention ? { logRetention: this.props.logRetention } : {}),
      ...(this.props.runtime ? { runtime: this.props.runtime } : {}),
      ...(this.vpc
        ? { vpc: this.vpc, vpcSubnets: { subnets: this.subnets }, securityGroups: this.securityGroups }
        : {}),
    });
    return this.provider;
  }
}
