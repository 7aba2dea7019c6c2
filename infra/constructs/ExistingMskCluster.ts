import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct, type IDependable } from 'constructs';
import { TOPIC_NAME_PATTERN } from '../../shared/admin/topicDeclaration.js';
import type { ExistingNetwork } from '../config/index.js';
import { importNetwork } from '../lib/existingNetwork.js';
import { esmNetworkStatements, PRODUCER_SECRET_SIDS, secretReadStatements } from '../lib/iamStatements.js';
import { type MskArns, mskArns } from '../lib/mskArns.js';
import {
  mskDescribeStatement,
  mskIamConsumerStatements,
  mskIamProducerStatements,
} from '../lib/mskStatements.js';
import type {
  FunctionNetwork,
  IKafkaSource,
  KafkaMappingSource,
  KafkaProducerAccess,
  TopicSettings,
} from './kafkaSource.js';
import { MskBootstrapBrokers } from './MskBootstrapBrokers.js';

/** Properties of {@link ExistingMskCluster}. */
export interface ExistingMskClusterProps {
  /** `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`, in the stack's region. */
  readonly clusterArn: string;
  /** How the event-source mapping authenticates. @default 'iam' */
  readonly auth?: 'iam' | 'scram-512' | 'mtls';
  /**
   * SCRAM: the MSK SCRAM secret (`AmazonMSK_` prefix, `{"username","password"}`); mTLS: a
   * secret with `certificate` and `privateKey` (PEM). Required unless `auth` is `iam`.
   */
  readonly secretArn?: string;
  /** The customer-managed KMS key of the secret (MSK SCRAM secrets must use one). */
  readonly secretKmsKeyArn?: string;
  /**
   * Where functions that write topics run: subnets of the cluster's VPC and security groups
   * the brokers admit (on 9098 for IAM, 9096 for SCRAM, 9094 for mTLS) whose egress reaches
   * the brokers and 443 (DynamoDB; Secrets Manager for SCRAM and mTLS). The mapping itself always uses the cluster's
   * own network and ignores this.
   * @default none: a handler that writes topics fails the synth
   */
  readonly network?: ExistingNetwork;
}

/**
 * A provisioned MSK cluster that exists already, by ARN. The event-source mapping uses the
 * cluster's own VPC, subnets and security groups, so only functions that write topics need
 * network ids (`network`); topics are `AWS::MSK::Topic` resources (Kafka 3.6 or newer on the
 * cluster).
 */
export class ExistingMskCluster extends Construct implements IKafkaSource {
  readonly kind = 'msk' as const;
  readonly arns: MskArns;
  readonly auth: 'iam' | 'scram-512' | 'mtls';
  private readonly props: ExistingMskClusterProps;
  private readonly producerNetwork?: FunctionNetwork;
  private brokerLookup?: MskBootstrapBrokers;

  constructor(scope: Construct, id: string, props: ExistingMskClusterProps) {
    super(scope, id);
    this.auth = props.auth ?? 'iam';
    if (this.auth !== 'iam' && !props.secretArn) {
      throw new Error(`${this.node.path}: auth ${this.auth} needs secretArn`);
    }
    if (this.auth === 'iam' && (props.secretArn || props.secretKmsKeyArn)) {
      throw new Error(`${this.node.path}: auth iam takes no secret; remove secretArn and secretKmsKeyArn`);
    }
    if (props.network && props.network.securityGroupIds.length === 0) {
      throw new Error(
        `${this.node.path}: network needs securityGroupIds the brokers admit (producing functions join them)`,
      );
    }
    this.props = props;
    this.arns = mskArns(this, props.clusterArn);
    if (props.network) {
      const imported = importNetwork(this, props.network);
      this.producerNetwork = {
        vpc: imported.vpc,
        subnets: imported.subnets,
        securityGroups: imported.securityGroups,
      };
    }
  }

  producerAccess(topics: readonly string[]): KafkaProducerAccess {
    const writes = `functions that write topics (${topics.join(', ')})`;
    if (!this.producerNetwork) {
      throw new Error(
        `${this.node.path}: ${writes} run in the cluster's VPC: give its network (vpcId, subnetIds, securityGroupIds the brokers admit)`,
      );
    }
    const iamAuth = this.auth === 'iam';
    this.brokerLookup ??= new MskBootstrapBrokers(this, 'BootstrapBrokers', {
      clusterArn: this.props.clusterArn,
      listener: iamAuth
        ? 'BootstrapBrokerStringSaslIam'
        : this.auth === 'mtls'
          ? 'BootstrapBrokerStringTls'
          : 'BootstrapBrokerStringSaslScram',
    });
    if (iamAuth) {
      return {
        environment: { KAFKA_BROKERS: this.brokerLookup.brokers, KAFKA_AUTH: 'aws-iam' },
        statements: mskIamProducerStatements(this.arns, topics),
        network: this.producerNetwork,
      };
    }
    // SCRAM and mTLS: Kafka ACLs on the secret's user (or the certificate's subject) authorize
    // the topics, as for the mapping; the producer reads the mapping's own secret.
    const secretArn = this.props.secretArn as string;
    return {
      environment: {
        KAFKA_BROKERS: this.brokerLookup.brokers,
        KAFKA_AUTH: this.auth === 'mtls' ? 'mtls' : 'scram-sha-512',
        KAFKA_SECRET_ARN: secretArn,
      },
      statements: secretReadStatements(this, [secretArn], this.props.secretKmsKeyArn, PRODUCER_SECRET_SIDS),
      network: this.producerNetwork,
    };
  }

  get mappingSource(): KafkaMappingSource {
    const secret = this.props.secretArn;
    const sourceAccessConfigurations: lambda.SourceAccessConfiguration[] = [];
    if (secret && this.auth === 'scram-512') {
      sourceAccessConfigurations.push({
        type: lambda.SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
        uri: secret,
      });
    } else if (secret && this.auth === 'mtls') {
      // The L2 ManagedKafkaEventSource cannot express mTLS for MSK; the mapping itself can.
      sourceAccessConfigurations.push({
        type: lambda.SourceAccessConfigurationType.CLIENT_CERTIFICATE_TLS_AUTH,
        uri: secret,
      });
    }
    return { eventSourceArn: this.props.clusterArn, sourceAccessConfigurations };
  }

  consumerStatements(topic: string, consumerGroupId: string): iam.PolicyStatement[] {
    if (this.auth === 'iam') return mskIamConsumerStatements(this, this.arns, topic, consumerGroupId);
    return [
      mskDescribeStatement(this.arns),
      ...secretReadStatements(this, [this.props.secretArn as string], this.props.secretKmsKeyArn),
      ...esmNetworkStatements(this),
    ];
  }

  addTopic(id: string, settings: TopicSettings): IDependable {
    if (!TOPIC_NAME_PATTERN.test(settings.name))
      throw new Error(`${this.node.path}: "${settings.name}" is not a Kafka topic name`);
    if (settings.replicationFactor < 1) {
      throw new Error(
        `${this.node.path}: AWS::MSK::Topic needs an explicit replicationFactor (got ${settings.replicationFactor})`,
      );
    }
    const topic = new msk.CfnTopic(this, id, {
      clusterArn: this.props.clusterArn,
      topicName: settings.name,
      partitionCount: settings.partitions,
      replicationFactor: settings.replicationFactor,
      // MSK's topic API takes the overrides as Base64 of a JSON object of strings.
      ...(Object.keys(settings.configs).length
        ? { configs: Buffer.from(JSON.stringify(settings.configs)).toString('base64') }
        : {}),
    });
    topic.applyRemovalPolicy(
      settings.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    );
    return topic;
  }
}
