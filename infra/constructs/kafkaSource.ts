import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IDependable } from 'constructs';

/** A topic as the stack declares it. */
export interface TopicSettings {
  readonly name: string;
  readonly partitions: number;
  /** -1: the broker's default. */
  readonly replicationFactor: number;
  /** Topic-level configuration overrides, e.g. `{"retention.ms": "604800000"}`. */
  readonly configs: Readonly<Record<string, string>>;
  /** What deleting the stack does to the topic and its records. */
  readonly removalPolicy: 'retain' | 'delete';
}

/** Where an event-source mapping reads from and how it logs in. */
export interface KafkaMappingSource {
  /** MSK cluster ARN; exclusive with `bootstrapServers`. */
  readonly eventSourceArn?: string;
  /** Self-managed bootstrap servers; exclusive with `eventSourceArn`. */
  readonly bootstrapServers?: string[];
  /** Auth secret, root CA, VPC subnets and security groups, as the mapping needs them. */
  readonly sourceAccessConfigurations: lambda.SourceAccessConfiguration[];
}

/** Where a function runs when it must be inside a VPC to reach the brokers. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  /** Groups the brokers admit; their egress must reach the brokers and the AWS APIs the function calls. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
}

/**
 * What a function that writes topics (a `route` pipeline) needs to produce to the cluster,
 * as `lambdaKafkaSink` (shared/kafka/kafkaRecordSink.ts) reads it: brokers and auth in its
 * environment, credentials from its role (MSK IAM) or the secret the mapping uses (SASL), and
 * a network path to the brokers.
 */
export interface KafkaProducerAccess {
  /**
   * `KAFKA_BROKERS` (host:port,...), `KAFKA_AUTH` (kafkajs connection auth), for SASL and
   * mTLS `KAFKA_SECRET_ARN`, for a private CA `KAFKA_ROOT_CA_SECRET_ARN`: ARNs only, never a
   * secret's value.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Writing exactly the given topics (MSK IAM), or reading the SASL/mTLS and CA secrets. */
  readonly statements: iam.PolicyStatement[];
  /** @default not in a VPC: the brokers are reachable over the internet (TLS) */
  readonly network?: FunctionNetwork;
}

/**
 * A Kafka cluster the stack consumes from, whatever it is (MSK Serverless created here, an
 * existing provisioned MSK cluster, Confluent Cloud or any Kafka). Each implementation knows
 * its own auth, network and IAM, so the consumer side is written once.
 */
export interface IKafkaSource {
  /** `msk` for MSK (provisioned or serverless), `self-managed` for everything else. */
  readonly kind: 'msk' | 'self-managed';
  /** What an event-source mapping needs to reach the cluster. */
  readonly mappingSource: KafkaMappingSource;
  /**
   * Resources a mapping must wait for besides its topic: the network paths it uses (VPC
   * endpoints, NAT routes) when the stack creates them.
   * @default nothing to wait for
   */
  readonly ready?: IDependable;
  /**
   * The statements an event-source mapping's execution role needs to consume `topic` as
   * `consumerGroupId`: cluster access, that topic and that group only, the auth secret,
   * and the network interfaces the mapping creates in the cluster's VPC.
   */
  consumerStatements(topic: string, consumerGroupId: string): iam.PolicyStatement[];
  /**
   * What a function needs to write `topics` (its route outputs) to this cluster. Throws when
   * the Lambda-side producer cannot reach the cluster as configured (an existing MSK cluster
   * without the network to run producers in), so the synth fails instead of a deployed function.
   */
  producerAccess(topics: readonly string[]): KafkaProducerAccess;
  /**
   * Declares a topic in the stack (AWS::MSK::Topic where CloudFormation supports it, the
   * topic-admin custom resource elsewhere). Mappings depend on the returned construct, so a
   * mapping never starts on a topic that does not exist yet.
   */
  addTopic(id: string, settings: TopicSettings): IDependable;
}
