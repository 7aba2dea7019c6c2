import {
  Annotations,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IDependable } from 'constructs';
import { catalog } from '../../functions/catalog.js';
import { compactedTopicsOf, handlerNamed, outputTopicsOf } from '../../shared/engine/catalog.js';
import { hasFinalResults, SOURCE_TOPIC_PARTITIONS_ENV } from '../../shared/engine/final/finalResultsSpec.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { OFFSET_GAPS_ENV } from '../../shared/engine/store/gap.js';
import type { DeploymentConfig } from '../config/index.js';
import { ExistingMskCluster } from '../constructs/ExistingMskCluster.js';
import { FailureBucket } from '../constructs/FailureBucket.js';
import { FinalResultsSweeper } from '../constructs/FinalResultsSweeper.js';
import type { IKafkaSource } from '../constructs/kafkaSource.js';
import { MskServerlessCluster } from '../constructs/MskServerlessCluster.js';
import { PipelineEventSource } from '../constructs/PipelineEventSource.js';
import { PipelineFunction } from '../constructs/PipelineFunction.js';
import { PipelineMonitoring } from '../constructs/PipelineMonitoring.js';
import { PipelineTables } from '../constructs/PipelineTables.js';
import { SelfManagedKafkaCluster } from '../constructs/SelfManagedKafkaCluster.js';
import { esmFilterDecision } from '../lib/esmFilters.js';
import { schemaRegistryEnvironment, schemaRegistryOf, usesSchemaRegistry } from '../lib/schemaRegistry.js';

/** Properties of {@link StreamProcessingStack}. */
export interface StreamProcessingStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /**
   * The handlers to deploy; each needs `functions/<name>/handler.ts`.
   * @default the app's catalog (`catalog.handlers` of functions/catalog.ts): rides and orders
   */
  readonly handlers?: readonly HandlerSpec[];
}

/**
 * One deployment: the Kafka source (created or referenced), its topics, one function and
 * event-source mapping per handler spec, the three tables, the failure bucket, alarms and a
 * dashboard. Everything configurable comes from {@link DeploymentConfig}.
 */
export class StreamProcessingStack extends Stack {
  readonly source: IKafkaSource;
  readonly tables: PipelineTables;
  readonly functions: PipelineFunction[] = [];
  readonly eventSources: PipelineEventSource[] = [];
  readonly monitoring: PipelineMonitoring;
  /** The scheduled final-results sweeper, when a deployed pipeline has final results. */
  readonly sweeper?: FinalResultsSweeper;

  constructor(scope: Construct, id: string, props: StreamProcessingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const available = props.handlers ?? catalog.handlers;
    // `-c handlers=a,b` picks some; an unknown name fails with the list of known ones.
    const handlers = config.handlers
      ? config.handlers.map((n) => handlerNamed({ handlers: available }, n))
      : available;
    if (handlers.length === 0) throw new Error(`${id}: no handlers to deploy`);
    const names = handlers.map((h) => h.name);
    if (new Set(names).size !== names.length)
      throw new Error(`${id}: handler names must be unique: ${names.join(', ')}`);
    Tags.of(this).add('app', 'kafka-lambda-streams');
    Tags.of(this).add('deployment', config.name);

    const logRetention = retentionDays(config.functions.logRetentionDays);
    const dataRemoval =
      config.tables.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const runtime =
      config.functions.runtime === 'nodejs22.x' ? lambda.Runtime.NODEJS_22_X : lambda.Runtime.NODEJS_24_X;
    this.source = this.createSource(config, logRetention, runtime);
    this.tables = new PipelineTables(this, 'Tables', {
      removalPolicy: dataRemoval,
      deletionProtection: config.tables.deletionProtection,
    });
    const failures = new FailureBucket(this, 'Failures', {
      retention: Duration.days(config.failures.retentionDays),
      removalPolicy: dataRemoval,
    });

    const topics = new Map<string, IDependable>();
    if (config.topics.manage) {
      // Inputs, then the route outputs no handler reads (a Set: a topic that is both is created once).
      const declared = new Set([...handlers.map((h) => h.topic), ...handlers.flatMap(outputTopicsOf)]);
      const compacted = new Set(compactedTopicsOf({ handlers }));
      for (const topic of declared) {
        topics.set(
          topic,
          this.source.addTopic(`Topic-${topic.replace(/[^A-Za-z0-9]/g, '-')}`, {
            name: topic,
            partitions: config.topics.partitions,
            replicationFactor: config.topics.replicationFactor,
            // A table pipeline needs the latest value per key only, and forever: compaction keeps
            // exactly that (retention.ms governs the delete policy only, so it is not set).
            configs: compacted.has(topic)
              ? { 'cleanup.policy': 'compact' }
              : { 'retention.ms': String(config.topics.retentionMs) },
            removalPolicy: config.topics.removalPolicy,
          }),
        );
      }
    }

    for (const handler of handlers) {
      const id = pascal(handler.name);
      const outputs = outputTopicsOf(handler);
      const registry =
        config.consumer.schemaRegistry && usesSchemaRegistry(handler)
          ? config.consumer.schemaRegistry
          : undefined;
      const filters = config.consumer.esmFilters ? esmFilterDecision(handler) : undefined;
      const environment = {
        // Records the mapping drops (filters) or diverts (registry validation) leave jumps in
        // the offsets the function sees: not gaps the mapping gave up on (see OFFSET_GAPS_ENV).
        ...(filters?.pushdown || registry ? { [OFFSET_GAPS_ENV]: 'off' } : {}),
        // Final results close a window once every partition passed it: the handler must count
        // the partitions the stack gives its topic, not the ones its spec was written for.
        ...(config.topics.manage && hasFinalResults(handler)
          ? { [SOURCE_TOPIC_PARTITIONS_ENV]: String(config.topics.partitions) }
          : {}),
        // Its Avro codec reads what Lambda delivers once the mapping validates with the registry.
        ...(registry ? schemaRegistryEnvironment(registry) : {}),
      };
      const fn = new PipelineFunction(this, id, {
        ...(outputs.length > 0 ? { producer: this.source.producerAccess(outputs) } : {}),
        ...(Object.keys(environment).length > 0 ? { environment } : {}),
        handler,
        tables: this.tables,
        metricsNamespace: config.monitoring.metricsNamespace,
        runtime,
        memorySize: config.functions.memoryMb,
        timeout: Duration.seconds(config.functions.timeoutSeconds),
        logRetention,
      });
      // The mapping starts once its input and the topics the function writes exist.
      const dependsOn = [handler.topic, ...outputs].flatMap((t) => topics.get(t) ?? []);
      const eventSource = new PipelineEventSource(this, `${id}Source`, {
        target: fn,
        source: this.source,
        topic: handler.topic,
        consumerGroupId: `${config.consumer.consumerGroupPrefix}-${handler.name}`,
        batchSize: config.consumer.batchSize,
        maxBatchingWindow: Duration.millis(config.consumer.maxBatchingWindowMs),
        startingPosition: lambda.StartingPosition[config.consumer.startingPosition],
        pollers: config.consumer.pollers,
        retryAttempts: config.consumer.retryAttempts,
        bisectBatchOnError: config.consumer.bisectBatchOnError,
        ...(filters?.pushdown ? { filterPatterns: filters.patterns } : {}),
        failureBucket: failures,
        enhancedMetrics: config.consumer.esmMetrics,
        ...(registry
          ? { schemaRegistry: schemaRegistryOf(this, `${id}SchemaRegistrySecret`, registry) }
          : {}),
        dependsOn,
      });
      if (usesSchemaRegistry(handler) && !registry) {
        // Deployable (its topic may stay empty), but a Confluent-framed record would find no
        // writer schema in the function (no registry to ask, the local directory is not
        // bundled) and become an UNKNOWN_SCHEMA_ID dead letter: say so at synth, not in the table.
        Annotations.of(fn).addWarningV2(
          'kafka-lambda-streams:avro-without-registry',
          `${handler.name} reads Avro from ${handler.topic}, but no schemaRegistryUri is configured: ` +
            'every record would be dead-lettered UNKNOWN_SCHEMA_ID. Set schemaRegistryUri (docs/infra.md) ' +
            'or leave the handler out with -c handlers=...',
        );
      }
      this.functions.push(fn);
      this.eventSources.push(eventSource);
    }

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      consumers: this.functions.map((fn, i) => ({ fn, source: this.eventSources[i] as PipelineEventSource })),
      tables: this.tables,
      metricsNamespace: config.monitoring.metricsNamespace,
      offsetLagThreshold: config.monitoring.offsetLagThreshold,
      deadLetterThreshold: config.monitoring.deadLetterThreshold,
      dashboardName: config.stackName,
      ...(config.monitoring.alarmEmail ? { alarmEmail: config.monitoring.alarmEmail } : {}),
    });

    if (handlers.some(hasFinalResults)) {
      this.sweeper = new FinalResultsSweeper(this, 'FinalResultsSweeper', {
        pipelines: handlers.flatMap((h) => h.pipelines),
        source: this.source,
        tables: this.tables,
        schedule: Duration.minutes(config.finalResults.sweepRateMinutes),
        overdueAlarmAfter: Duration.minutes(config.finalResults.overdueAlarmMinutes),
        // The handlers count the partitions the stack gives their topics; the sweeper must too.
        ...(config.topics.manage ? { sourceTopicPartitions: config.topics.partitions } : {}),
        alarmTopic: this.monitoring.alarmTopic,
        metricsNamespace: config.monitoring.metricsNamespace,
        runtime,
        timeout: Duration.seconds(Math.max(config.functions.timeoutSeconds, 120)),
        logRetention,
      });
    }

    for (const [name, table] of Object.entries(this.tables.tables)) {
      new CfnOutput(this, `${pascal(name)}TableName`, { value: table.tableName });
    }
    new CfnOutput(this, 'FailureBucketName', { value: failures.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    if (this.source instanceof MskServerlessCluster) {
      new CfnOutput(this, 'ClusterArn', { value: this.source.cluster.attrArn });
    }
  }

  /**
   * Two AZs as `Fn::GetAZs` tokens, in env-agnostic and env-specific stacks alike: the default
   * getter would look the AZs up in the account (credentials at synth time) as soon as an
   * account and region are given. The new VPC uses two AZs, and every region has two;
   * `-c availabilityZones=...` names them instead (the VPC then takes the list as given).
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  private createSource(
    config: DeploymentConfig,
    logRetention: logs.RetentionDays,
    runtime: lambda.Runtime,
  ): IKafkaSource {
    const source = config.source;
    switch (source.mode) {
      case 'msk-serverless':
        return new MskServerlessCluster(this, 'Kafka', {
          clusterName: `${config.name}-kafka`,
          natGateways: source.natGateways,
          logRetention,
          runtime,
          ...(source.network ? { network: source.network } : {}),
          ...(source.availabilityZones ? { availabilityZones: source.availabilityZones } : {}),
        });
      case 'msk':
        return new ExistingMskCluster(this, 'Kafka', {
          clusterArn: source.clusterArn,
          auth: source.auth,
          ...(source.secretArn ? { secretArn: source.secretArn } : {}),
          ...(source.secretKmsKeyArn ? { secretKmsKeyArn: source.secretKmsKeyArn } : {}),
          ...(source.network ? { network: source.network } : {}),
        });
      case 'self-managed':
        return new SelfManagedKafkaCluster(this, 'Kafka', {
          bootstrapServers: source.bootstrapServers,
          auth: source.auth,
          secretArn: source.secretArn,
          logRetention,
          runtime,
          ...(source.secretKmsKeyArn ? { secretKmsKeyArn: source.secretKmsKeyArn } : {}),
          ...(source.rootCaSecretArn ? { rootCaSecretArn: source.rootCaSecretArn } : {}),
          ...(source.network ? { network: source.network } : {}),
        });
    }
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function retentionDays(days: number): logs.RetentionDays {
  const known: Record<number, logs.RetentionDays> = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
  };
  const value = known[days];
  if (!value) throw new Error(`log retention of ${days} days is not one of ${Object.keys(known).join(', ')}`);
  return value;
}
