import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct, type IDependable } from 'constructs';
import { TOPIC_NAME_PATTERN } from '../../shared/admin/topicDeclaration.js';
import { esmNetworkStatements, secretReadStatements } from '../lib/iamStatements.js';
import { type MskArns, mskArns } from '../lib/mskArns.js';
import { mskDescribeStatement, mskIamConsumerStatements } from '../lib/mskStatements.js';
import type { IKafkaSource, KafkaMappingSource, TopicSettings } from './kafkaSource.js';

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
}

/**
 * A provisioned MSK cluster that exists already, by ARN. The event-source mapping uses the
 * cluster's own VPC, subnets and security groups, so this construct needs no network ids;
 * topics are `AWS::MSK::Topic` resources (Kafka 3.6 or newer on the cluster).
 */
export class ExistingMskCluster extends Construct implements IKafkaSource {
  readonly kind = 'msk' as const;
  readonly arns: MskArns;
  readonly auth: 'iam' | 'scram-512' | 'mtls';
  private readonly props: ExistingMskClusterProps;

  constructor(scope: Construct, id: string, props: ExistingMskClusterProps) {
    super(scope, id);
    this.auth = props.auth ?? 'iam';
    if (this.auth !== 'iam' && !props.secretArn) {
      throw new Error(`${this.node.path}: auth ${this.auth} needs secretArn`);
    }
    if (this.auth === 'iam' && (props.secretArn || props.secretKmsKeyArn)) {
      throw new Error(`${this.node.path}: auth iam takes no secret; remove secretArn and secretKmsKeyArn`);
    }
    this.props = props;
    this.arns = mskArns(this, props.clusterArn);
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
