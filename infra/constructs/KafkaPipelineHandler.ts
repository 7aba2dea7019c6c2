import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { outputTopicsOf } from '../../shared/engine/catalog.js';
import { hasFinalResults, SOURCE_TOPIC_PARTITIONS_ENV } from '../../shared/engine/final/finalResultsSpec.js';
import { MAX_PIPELINE_SPEC_BYTES, PIPELINE_SPEC_ENV } from '../../shared/engine/handler/specFromEnv.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { OFFSET_GAPS_ENV } from '../../shared/engine/store/gap.js';
import { GENERIC_HANDLER_ENTRY, GENERIC_PRODUCING_HANDLER_ENTRY } from '../lib/paths.js';
import { FailureBucket } from './FailureBucket.js';
import type { FinalResultsSweeper } from './FinalResultsSweeper.js';
import type { IKafkaSource, TopicSettings } from './kafkaSource.js';
import { PipelineEventSource, type PipelineEventSourceProps } from './PipelineEventSource.js';
import { PipelineFunction } from './PipelineFunction.js';
import { PipelineMonitoring, type PipelineMonitoringProps } from './PipelineMonitoring.js';
import { PipelineTables } from './PipelineTables.js';

/** The codecs the generic handler knows: the ones the engine registers by itself. */
export const GENERIC_HANDLER_CODECS: readonly string[] = ['json'];

/** The event-source knobs of {@link KafkaPipelineHandler}; see {@link PipelineEventSourceProps}. */
export type KafkaPipelineMappingProps = Omit<
  PipelineEventSourceProps,
  'target' | 'source' | 'topic' | 'consumerGroupId' | 'failureBucket' | 'dependsOn'
>;

/** Properties of {@link KafkaPipelineHandler}. */
export interface KafkaPipelineHandlerProps {
  /** The handler spec to deploy: its name names the function, its topic is the one consumed. */
  readonly handler: HandlerSpec;
  /**
   * Your handler file (`export const handler = kafkaHandler(spec)`), absolute. Needed when
   * a pipeline names a codec of your own: codecs are code, and a spec in the environment is
   * data only.
   * @default the package's generic handler, which reads the spec from `PIPELINE_SPEC` and
   *   validates it at cold start (built-in codecs only; see {@link GENERIC_HANDLER_CODECS})
   */
  readonly entry?: string;
  /**
   * The folder esbuild resolves from; it must contain `entry` (and `node_modules`).
   * @default the folder of `depsLockFilePath` (NodejsFunction's default)
   */
  readonly projectRoot?: string;
  /** @default the nearest lock file from the working directory up (NodejsFunction's default) */
  readonly depsLockFilePath?: string;
  /** The Kafka cluster to consume from (`ExistingMskCluster`, `MskServerlessCluster`, `SelfManagedKafkaCluster`). */
  readonly source: IKafkaSource;
  /**
   * Fixed at creation; changing it replaces the mapping, which then starts from its
   * starting position (see {@link PipelineEventSourceProps.consumerGroupId}).
   * @default the handler's name: one group per handler, stable across deploys
   */
  readonly consumerGroupId?: string;
  /**
   * Declares the topic in the stack (AWS::MSK::Topic, or the topic-admin custom resource).
   * @default not declared: the topic exists already
   */
  readonly topic?: Omit<TopicSettings, 'name'>;
  /**
   * How many partitions the source topic has, told to pipelines with final results
   * (`SOURCE_TOPIC_PARTITIONS`): a window is final once every partition passed it, so a
   * count below the topic's would close windows before the partitions left out passed them.
   * Give it when the topic exists already and has more (or fewer) partitions than the
   * pipelines' `final.partitions` were written for. Ignored by handlers without final results.
   * @default `topic.partitions` when `topic` is declared here; otherwise each pipeline's own
   *   `final.partitions`
   */
  readonly sourceTopicPartitions?: number;
  /**
   * The store's tables. Pass one `PipelineTables` to several handlers to share them.
   * @default new tables in this construct (retained, deletion-protected)
   */
  readonly tables?: PipelineTables;
  /**
   * Where batches that exhaust retries go. Share one among handlers.
   * @default a new bucket in this construct (retained)
   */
  readonly failureBucket?: FailureBucket;
  /** Batch size, batching window, pollers, retries, filters. @default PipelineEventSource's defaults */
  readonly mapping?: KafkaPipelineMappingProps;
  /** @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'KafkaLambdaStreams' */
  readonly metricsNamespace?: string;
  /**
   * Alarms (errors, throttles, lag, dead letters) and a dashboard, or `false` for none (when
   * your app monitors several handlers with one `PipelineMonitoring`).
   * @default alarms and a dashboard for this handler, no email subscription
   */
  readonly monitoring?: false | Omit<PipelineMonitoringProps, 'consumers' | 'tables' | 'metricsNamespace'>;
}

/**
 * One Kafka pipeline handler in your own CDK app, without this repository's layout: the
 * function (your entry, or the package's generic handler with the spec in its environment),
 * its event-source mapping, the tables, the failure bucket and the alarms. It composes
 * {@link PipelineFunction}, {@link PipelineEventSource}, {@link PipelineTables},
 * {@link FailureBucket} and {@link PipelineMonitoring}; use those directly for anything else.
 * A handler with `route` pipelines gets what producing needs from the source
 * ({@link IKafkaSource.producerAccess}); without an entry of yours it runs the generic
 * handler that carries a Kafka producer (`shared/kafka/producingSpecHandler`). A handler with
 * final results finalizes windows after its batches only: add one {@link FinalResultsSweeper}
 * for the app's final-results pipelines, so windows an idle partition holds are emitted too.
 *
 * No path comes from this file's location except the generic handler's, which ships with the
 * package; your entry and lock file are yours to give (or found from the working directory).
 */
export class KafkaPipelineHandler extends Construct {
  readonly function: PipelineFunction;
  readonly eventSource: PipelineEventSource;
  readonly tables: PipelineTables;
  readonly failureBucket: FailureBucket;
  readonly monitoring?: PipelineMonitoring;
  /** The topic construct when `topic` is given. */
  readonly topic?: IDependable;
  /** The file bundled into the function: `entry`, or the generic handler that fits the spec. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: KafkaPipelineHandlerProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    const spec = props.handler;
    const environment: Record<string, string> = {};
    const outputs = outputTopicsOf(spec);
    if (props.entry !== undefined) {
      if (!isAbsolute(props.entry)) fail(`entry must be an absolute path, got ${props.entry}`);
      if (!existsSync(props.entry)) fail(`entry ${props.entry} does not exist`);
    } else {
      // The generic handler cannot know a codec your catalog registers: fail the synth, not the cold start.
      for (const pipeline of spec.pipelines ?? []) {
        if (!GENERIC_HANDLER_CODECS.includes(pipeline.codec)) {
          fail(
            `pipeline ${pipeline.name} names codec "${pipeline.codec}", which the generic handler does not know ` +
              `(built in: ${GENERIC_HANDLER_CODECS.join(', ')}); give an entry that registers it`,
          );
        }
      }
      const json = JSON.stringify(spec);
      if (Buffer.byteLength(json) > MAX_PIPELINE_SPEC_BYTES) {
        fail(
          `the spec is ${Buffer.byteLength(json)} bytes of JSON, more than ${MAX_PIPELINE_SPEC_BYTES} ` +
            `(Lambda allows 4 KB of environment); split the handler or give an entry`,
        );
      }
      environment[PIPELINE_SPEC_ENV] = json;
    }
    const partitions = sourcePartitionsOf(props, fail);
    // Final results only: other pipelines do not count partitions, and an unread variable would mislead.
    if (partitions !== undefined && hasFinalResults(spec)) {
      environment[SOURCE_TOPIC_PARTITIONS_ENV] = String(partitions);
    }
    // Records the mapping drops (filters) or diverts (registry validation) leave jumps in the
    // offsets the function sees: not gaps the mapping gave up on (see OFFSET_GAPS_ENV).
    if ((props.mapping?.filterPatterns?.length ?? 0) > 0 || props.mapping?.schemaRegistry) {
      environment[OFFSET_GAPS_ENV] = 'off';
    }

    // Without an entry of yours: the generic handler, with a Kafka producer when the spec writes topics.
    this.entry =
      props.entry ?? (outputs.length > 0 ? GENERIC_PRODUCING_HANDLER_ENTRY : GENERIC_HANDLER_ENTRY);
    this.tables = props.tables ?? new PipelineTables(this, 'Tables');
    this.failureBucket = props.failureBucket ?? new FailureBucket(this, 'Failures');
    // PipelineFunction validates the spec (name, kinds, codecs, topics) and the runtime.
    this.function = new PipelineFunction(this, 'Handler', {
      handler: spec,
      entry: this.entry,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      environment,
      tables: this.tables,
      ...(props.metricsNamespace ? { metricsNamespace: props.metricsNamespace } : {}),
      ...(props.runtime ? { runtime: props.runtime } : {}),
      ...(props.memorySize !== undefined ? { memorySize: props.memorySize } : {}),
      ...(props.timeout ? { timeout: props.timeout } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      // Brokers, the grant on exactly its output topics, and the VPC when the brokers are private.
      // The output topics themselves must exist (declare them with `source.addTopic`).
      ...(outputs.length > 0 ? { producer: props.source.producerAccess(outputs) } : {}),
    });
    if (props.topic) {
      // Named after the topic: a second handler declaring the same topic fails the synth instead of
      // creating it twice.
      this.topic = props.source.addTopic(`Topic-${spec.topic.replace(/[^A-Za-z0-9]/g, '-')}`, {
        ...props.topic,
        name: spec.topic,
      });
    }
    this.eventSource = new PipelineEventSource(this, 'Source', {
      ...props.mapping,
      target: this.function,
      source: props.source,
      topic: spec.topic,
      consumerGroupId: props.consumerGroupId ?? spec.name,
      failureBucket: this.failureBucket,
      dependsOn: this.topic ? [this.topic] : [],
    });
    if (props.monitoring !== false) {
      this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
        ...props.monitoring,
        consumers: [{ fn: this.function, source: this.eventSource }],
        tables: this.tables,
        ...(props.metricsNamespace ? { metricsNamespace: props.metricsNamespace } : {}),
      });
    }
  }
}

/**
 * The source topic's partition count for final results: the explicit prop, else the topic
 * this construct declares. Both given and different is a mistake the synth reports (the
 * handler would count one number while the topic has another).
 */
function sourcePartitionsOf(
  props: KafkaPipelineHandlerProps,
  fail: (message: string) => never,
): number | undefined {
  const explicit = props.sourceTopicPartitions;
  const declared = props.topic?.partitions;
  if (explicit !== undefined && (!Number.isInteger(explicit) || explicit < 1)) {
    fail(`sourceTopicPartitions must be a positive whole number, got ${explicit}`);
  }
  if (explicit !== undefined && declared !== undefined && explicit !== declared) {
    fail(
      `sourceTopicPartitions (${explicit}) differs from the declared topic's partitions (${declared}); ` +
        'give one of them',
    );
  }
  return explicit ?? declared;
}
