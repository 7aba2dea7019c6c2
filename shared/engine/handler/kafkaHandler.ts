import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { LookupCache } from '../enrich/lookupCache.js';
import type { KafkaBatchResponse, LambdaKafkaEvent } from '../event/index.js';
import { withSourcePartitions } from '../final/finalResultsSpec.js';
import type { RecordSink } from '../output/RecordSink.js';
import {
  type HandlerSpec,
  type PipelineOutcome,
  processEvent,
  validateHandlerSpec,
} from '../process/index.js';
import { createDocumentClient, createPipelineStores } from '../store/dynamo/index.js';
import { gapDetectionFromEnv } from '../store/gap.js';
import { type PipelineStores, tableNamesFromEnv } from '../store/index.js';

/** Dependencies of a Kafka handler; all default to what Lambda's environment provides. */
export interface KafkaHandlerDeps {
  /** @default stores over DynamoDB, tables named by AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE */
  readonly stores?: () => PipelineStores;
  /** @default a Powertools Logger with the handler's name as service */
  readonly logger?: Logger;
  /** @default Powertools Metrics in namespace POWERTOOLS_METRICS_NAMESPACE or "KafkaLambdaStreams" */
  readonly metrics?: Metrics;
  /**
   * Called with what each pipeline did after each event that was applied (not when it
   * throws), so local tools can show the outcomes as data instead of reading log lines.
   * The Lambda response does not change. @default none
   */
  readonly onOutcomes?: (outcomes: PipelineOutcome[]) => void;
  /**
   * Where route pipelines send records: called once per container, with the first event
   * (whose `bootstrapServers` a Kafka sink may connect to), and reused, so the producer and
   * its connections live as long as the container. Handlers that write no topic leave it
   * out and their bundles carry no Kafka client. @default none
   */
  readonly sink?: (event: LambdaKafkaEvent) => RecordSink;
}

/** The handler type every function exports. */
export type KafkaHandler = MiddyfiedHandler<LambdaKafkaEvent, KafkaBatchResponse, Error, Context>;

/**
 * Wires a handler spec into a Lambda handler: validates the spec once at cold start, runs
 * the pipelines on each event, logs one line per pipeline and publishes counts as metrics.
 *
 * It returns an empty partial-batch response: bad and late records become dead letters, so
 * no record ever needs Lambda to retry it; a store failure throws, and Lambda retries the
 * whole batch, which the exactly-once store makes safe.
 */
export function kafkaHandler(declared: HandlerSpec, deps: KafkaHandlerDeps = {}): KafkaHandler {
  // Final results count the partitions the deployment gave the source topic (the CDK app sets
  // SOURCE_TOPIC_PARTITIONS), whichever handler runs them; unchanged without the variable.
  const spec = withSourcePartitions(declared);
  validateHandlerSpec(spec);
  const detectGaps = gapDetectionFromEnv();
  const logger = deps.logger ?? new Logger({ serviceName: spec.name });
  const metrics =
    deps.metrics ??
    new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'KafkaLambdaStreams',
      serviceName: spec.name,
    });
  let stores: PipelineStores | undefined;
  let sink: RecordSink | undefined;
  // Per container: warm invocations read each looked-up row at most once per staleness bound.
  let lookups: LookupCache | undefined;
  const getStores = () => {
    stores ??= deps.stores
      ? deps.stores()
      : createPipelineStores(createDocumentClient(), tableNamesFromEnv());
    return stores;
  };

  const base = async (event: LambdaKafkaEvent): Promise<KafkaBatchResponse> => {
    const current = getStores();
    lookups ??= new LookupCache(current.tables);
    if (deps.sink) sink ??= deps.sink(event);
    const outcomes = await processEvent(spec, event, current, { sink, lookups, detectGaps });
    for (const o of outcomes) report(o, logger, metrics);
    deps.onOutcomes?.(outcomes);
    return { batchItemFailures: [] };
  };
  return middy<LambdaKafkaEvent, KafkaBatchResponse, Error, Context>(base)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function report(o: PipelineOutcome, logger: Logger, metrics: Metrics): void {
  logger.info('batch applied', { pipeline: o.pipeline, ...o.stats, items: o.items, writes: o.writes });
  const counts: Array<[string, number]> = [
    ['RecordsAggregated', o.stats.aggregated],
    ['RecordsLate', o.stats.late],
    ['RecordsInvalid', o.stats.invalid],
    ['RecordsFiltered', o.stats.filtered],
    ['ItemWrites', o.writes.itemWrites],
    // A gauge rather than a count: every batch of a partition with a gap open reports it, so
    // the alarm on its maximum stays on until `recover` closes the gap.
    ['OpenGaps', o.openGaps],
  ];
  // One single-metric per count: a single metric flushes on addMetric, with its own dimension.
  for (const [name, value] of counts) {
    const single = metrics.singleMetric();
    single.addDimension('pipeline', o.pipeline);
    single.addMetric(name, MetricUnit.Count, value);
  }
}
