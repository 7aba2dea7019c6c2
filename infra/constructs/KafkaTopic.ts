import { CustomResource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  type ClusterAccess,
  TOPIC_NAME_PATTERN,
  toTopicResourceProperties,
} from '../../shared/admin/topicDeclaration.js';
import type { TopicSettings } from './kafkaSource.js';
import type { TopicAdminProvider } from './TopicAdminProvider.js';

/** Properties of {@link KafkaTopic}. */
export interface KafkaTopicProps extends TopicSettings {
  /** The topic-admin provider of the stack. */
  readonly provider: TopicAdminProvider;
  /** How the admin reaches the cluster; a secret ARN at most, never a credential. */
  readonly cluster: ClusterAccess;
}

/**
 * A Kafka topic managed by CloudFormation through the topic-admin custom resource, for
 * clusters CloudFormation has no topic resource for (MSK Serverless, Confluent Cloud, any
 * Kafka). Create makes or adopts it, Update raises partitions and sets overrides, Delete
 * keeps or deletes it according to `removalPolicy`.
 */
export class KafkaTopic extends Construct {
  readonly topicName: string;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !TOPIC_NAME_PATTERN.test(props.name)) {
      throw new Error(
        `${this.node.path}: "${props.name}" is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`,
      );
    }
    if (!Number.isInteger(props.partitions) || props.partitions < 1) {
      throw new Error(`${this.node.path}: partitions must be a positive integer, got ${props.partitions}`);
    }
    if (props.replicationFactor === 0 || props.replicationFactor < -1) {
      throw new Error(
        `${this.node.path}: replicationFactor is -1 (broker default) or at least 1, got ${props.replicationFactor}`,
      );
    }
    this.topicName = props.name;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.provider.serviceToken,
      resourceType: 'Custom::KafkaTopic',
      properties: toTopicResourceProperties({
        topicName: props.name,
        partitions: props.partitions,
        replicationFactor: props.replicationFactor,
        configs: props.configs,
        removalPolicy: props.removalPolicy,
        cluster: props.cluster,
      }),
      // CloudFormation must always send Delete to the handler: the handler applies the topic's
      // own removalPolicy (retain or delete), which is what protects the records.
    });
    this.resource.node.addDependency(props.provider.policy);
  }
}
