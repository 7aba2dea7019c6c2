import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IDependable } from 'constructs';
import type { FailureBucket } from './FailureBucket.js';
import type { IKafkaSource } from './kafkaSource.js';
import type { PipelineFunction } from './PipelineFunction.js';

/** How the mapping's pollers scale. */
export type PollerConfig =
  | { readonly mode: 'on-demand' }
  | {
      readonly mode: 'provisioned';
      /** @default 1 */
      readonly min?: number;
      /** @default 3 */
      readonly max?: number;
      /** Mappings with the same group share pollers (and their cost). @default none */
      readonly groupName?: string;
    };

/** Properties of {@link PipelineEventSource}. */
export interface PipelineEventSourceProps {
  /** The function the mapping invokes; the mapping's permissions go into its policy. */
  readonly target: PipelineFunction;
  readonly source: IKafkaSource;
  readonly topic: string;
  /**
   * Fixed at creation (changing it replaces the mapping, which then reads the new group's
   * offsets, from `startingPosition` when the group is new). Named explicitly so IAM can name
   * the group and operators can find it with Kafka tools.
   */
  readonly consumerGroupId: string;
  /**
   * Records per invocation. Larger batches mean fewer DynamoDB writes per record (the pipeline
   * combines a batch per key and window before writing). 1000 ride-sized JSON values (~0.5 KB)
   * make ~0.7 MB of base64, well under the 6 MB invocation limit.
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * How long the mapping gathers records before invoking. Windows here are minutes long, so a
   * second of extra latency costs nothing and fills batches at low traffic.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Where a new consumer group starts. TRIM_HORIZON: all retained records, so a first deploy
   * aggregates what is already in the topic; re-reading is safe with the exactly-once store.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /** @default { mode: 'on-demand' } */
  readonly pollers?: PollerConfig;
  /**
   * Provisioned mode only: retries of a failing batch before it goes to the failure bucket.
   * A failure here is a store failure (bad records are dead-lettered inside the handler), so
   * a few retries ride out throttling; Lambda caps retries at 10 anyway when an on-failure
   * destination is set. Use -1 to block the partition until it succeeds.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Provisioned mode only. Off: no record of ours fails a batch by itself (the handler
   * dead-letters bad records), so halving a batch isolates nothing and only multiplies
   * invocations.
   * @default false
   */
  readonly bisectBatchOnError?: boolean;
  /** Filter patterns on `value` (see esmFilterDecision). @default none: every record is delivered */
  readonly filterPatterns?: ReadonlyArray<Record<string, unknown>>;
  /** Where batches that exhaust retries go, records included. */
  readonly failureBucket: FailureBucket;
  /**
   * Enhanced mapping metrics (EventCount, ErrorCount, KafkaMetrics), billed as custom metrics.
   * Provisioned pollers only: asking for them with on-demand pollers fails the synth rather than
   * the deploy.
   * @default true with provisioned pollers (they cost little next to the pollers and show what
   *   the mapping filtered, dropped and lagged), false with on-demand ones (not available)
   */
  readonly enhancedMetrics?: boolean;
  /**
   * Lambda validates (and decodes, with `EventRecordFormat.JSON`) records against a schema
   * registry before invoking: `ConfluentSchemaRegistry` or `GlueSchemaRegistry` from
   * aws-cdk-lib/aws-lambda-event-sources (see {@link schemaRegistryOf}). Provisioned pollers
   * only. @default none: the handler decodes what it gets (e.g. the `ride-avro` codec)
   */
  readonly schemaRegistry?: lambda.ISchemaRegistry;
  /** Constructs that must exist before the mapping starts (its topic). */
  readonly dependsOn?: readonly IDependable[];
}

/**
 * The Kafka event-source mapping of a pipeline function, with every setting chosen on purpose
 * rather than left to defaults (see each property). It uses the aws-lambda
 * `EventSourceMapping` directly instead of `ManagedKafkaEventSource`: that L2 attaches the
 * AWSLambdaMSKExecutionRole managed policy (kafka and ec2 actions on "*") and cannot express
 * mTLS for MSK, while the source here supplies least-privilege statements for exactly one
 * cluster, topic and consumer group.
 */
export class PipelineEventSource extends Construct {
  readonly mapping: lambda.EventSourceMapping;
  readonly consumerGroupId: string;
  readonly topic: string;
  readonly pollerMode: 'on-demand' | 'provisioned';

  constructor(scope: Construct, id: string, props: PipelineEventSourceProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 1000;
    const window = props.maxBatchingWindow ?? Duration.seconds(1);
    const pollers = props.pollers ?? { mode: 'on-demand' };
    const retryAttempts = props.retryAttempts ?? 10;
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      fail(`batchSize must be 1 to 10000, got ${batchSize}`);
    if (window.toMilliseconds() > 300_000) fail('maxBatchingWindow must be at most 5 minutes');
    // MaximumBatchingWindowInSeconds is an integer; Duration.toSeconds() would throw a bare error.
    if (window.toMilliseconds() % 1000 !== 0) {
      fail(`maxBatchingWindow must be whole seconds (0 to 300), got ${window.toMilliseconds()} ms`);
    }
    if (!/^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/.test(props.consumerGroupId)) {
      fail(`consumerGroupId "${props.consumerGroupId}" must be 1-200 of a-z A-Z 0-9 - / * : _ + = . @`);
    }
    if (!Number.isInteger(retryAttempts) || retryAttempts < -1 || retryAttempts > 10_000) {
      fail(`retryAttempts must be -1 or 0 to 10000, got ${retryAttempts}`);
    }
    if (pollers.mode === 'provisioned') {
      const min = pollers.min ?? 1;
      const max = pollers.max ?? 3;
      if (min < 1 || min > 200 || max < 1 || max > 2000 || min > max) {
        fail(`provisioned pollers need 1 <= min (${min}) <= max (${max}), min <= 200, max <= 2000`);
      }
    }
    if (props.schemaRegistry && pollers.mode !== 'provisioned') {
      fail(
        'schemaRegistry needs provisioned pollers (Lambda integrates schema registries in provisioned mode only)',
      );
    }
    if ((props.filterPatterns?.length ?? 0) > 5) fail('at most 5 filter patterns per mapping (Lambda quota)');
    const provisioned = pollers.mode === 'provisioned';
    const enhancedMetrics = props.enhancedMetrics ?? provisioned;
    if (enhancedMetrics && !provisioned) {
      fail(
        'enhancedMetrics needs provisioned pollers (Lambda takes MetricsConfig on Kafka mappings in provisioned mode only)',
      );
    }

    this.consumerGroupId = props.consumerGroupId;
    this.topic = props.topic;
    this.pollerMode = pollers.mode;
    const source = props.source.mappingSource;
    props.target.grant(
      ...props.source.consumerStatements(props.topic, props.consumerGroupId),
      ...props.failureBucket.writerStatements(),
    );

    this.mapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: props.target.function,
      ...(source.eventSourceArn ? { eventSourceArn: source.eventSourceArn } : {}),
      ...(source.bootstrapServers ? { kafkaBootstrapServers: source.bootstrapServers } : {}),
      ...(source.sourceAccessConfigurations.length
        ? { sourceAccessConfigurations: source.sourceAccessConfigurations }
        : {}),
      kafkaTopic: props.topic,
      kafkaConsumerGroupId: props.consumerGroupId,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize,
      maxBatchingWindow: window,
      enabled: true,
      onFailure: props.failureBucket.destination(),
      supportS3OnFailureDestination: true,
      // Off on purpose: the handler always returns an empty batchItemFailures list. Bad and late
      // records become dead letters inside it; anything it throws is a store failure, for which
      // retrying the whole batch is right and safe (the store applies each offset once).
      reportBatchItemFailures: false,
      ...(props.schemaRegistry ? { schemaRegistryConfig: props.schemaRegistry } : {}),
      ...(props.filterPatterns?.length
        ? { filters: props.filterPatterns.map((pattern) => lambda.FilterCriteria.filter(pattern)) }
        : {}),
      // Provisioned mode only. The aws-lambda-event-sources README (aws-cdk-lib 2.276, "Kafka
      // Observability Features"): "Observability features (LogLevel and MetricsConfig) are only
      // available when using provisioned mode"; Lambda's guide says the same of ESM logging
      // (https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html). The MetricsConfig API
      // reference names no mode, so this follows the stricter source: an on-demand mapping
      // created with MetricsConfig risks failing the first deploy.
      ...(enhancedMetrics
        ? {
            metricsConfig: {
              metrics: [
                lambda.MetricType.EVENT_COUNT,
                lambda.MetricType.ERROR_COUNT,
                lambda.MetricType.KAFKA_METRICS,
              ],
            },
          }
        : {}),
      // Retries, bisecting and record age are provisioned-mode settings for Kafka mappings; in
      // on-demand mode a failing batch is retried until it succeeds or its records expire.
      ...(provisioned
        ? {
            provisionedPollerConfig: {
              minimumPollers: pollers.min ?? 1,
              maximumPollers: pollers.max ?? 3,
              ...(pollers.groupName ? { pollerGroupName: pollers.groupName } : {}),
            },
            retryAttempts,
            bisectBatchOnError: props.bisectBatchOnError ?? false,
          }
        : {}),
    });
    if (provisioned) {
      // Infinite on purpose: an old record is not a failure here (the pipeline itself turns
      // records later than window + grace into "late" dead letters). The L2 cannot write -1.
      (this.mapping.node.defaultChild as lambda.CfnEventSourceMapping).addPropertyOverride(
        'MaximumRecordAgeInSeconds',
        -1,
      );
    }
    this.mapping.node.addDependency(props.target.policy, ...(props.dependsOn ?? []));
    // A schema registry grants through the role's default policy (the secret, or Glue reads):
    // Lambda checks them when it creates the mapping, so the mapping waits for them.
    const defaultPolicy = props.target.function.role?.node.tryFindChild('DefaultPolicy');
    if (props.schemaRegistry && defaultPolicy) this.mapping.node.addDependency(defaultPolicy);
    if (props.source.ready) this.mapping.node.addDependency(props.source.ready);
  }
}
