import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FinalizablePipeline, FinalizeCounts } from '../final/finalizeWindows.js';
import { oldestOverdueMs } from '../final/overdueWindow.js';
import { OVERDUE_METRIC, SWEEPER_SERVICE_NAME, SWEPT_METRIC } from '../final/sweeperMetrics.js';
import { sweepFinalResults } from '../final/sweepFinalResults.js';
import type { RecordSink } from '../output/RecordSink.js';
import { createDocumentClient, createPipelineStores } from '../store/dynamo/index.js';
import { type PipelineStores, tableNamesFromEnv } from '../store/index.js';

/** Dependencies of the sweeper; all default to what Lambda's environment provides. */
export interface FinalSweeperDeps {
  /** @default stores over DynamoDB, tables named by AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE */
  readonly stores?: () => PipelineStores;
  /** Where final results go; created once per container and reused. */
  readonly sink: () => RecordSink;
  /** @default Date.now */
  readonly nowMs?: () => number;
  /** @default a Powertools Logger, service {@link SWEEPER_SERVICE_NAME} */
  readonly logger?: Logger;
  /** @default Powertools Metrics in POWERTOOLS_METRICS_NAMESPACE or "KafkaLambdaStreams" */
  readonly metrics?: Metrics;
}

/**
 * What one scheduled run did, per pipeline name (also logged). Plain objects, not maps: it is
 * the function's result, which Lambda serializes to JSON.
 */
export interface SweepRun {
  readonly counts: Readonly<Record<string, FinalizeCounts>>;
  /** {@link OVERDUE_METRIC} per pipeline after the pass. */
  readonly overdueMs: Readonly<Record<string, number>>;
}

/** The Lambda handler type of the sweeper: any scheduled event in, the run's figures out. */
export type FinalSweeperHandler = MiddyfiedHandler<unknown, SweepRun, Error, Context>;

/**
 * The scheduled final-results sweeper (one function for every final-results pipeline of a
 * deployment, see `infra/constructs/FinalResultsSweeper`): runs `sweepFinalResults`, the
 * code `npm run cli -- sweep` runs, then measures per pipeline how overdue its oldest open
 * window is and publishes that (and what it sent) as metrics with the dimension `pipeline`,
 * the way the Kafka handlers publish theirs. The measurement runs also when a pipeline's pass
 * failed (that is when it matters); the failure is rethrown after, so the run fails visibly
 * (the function's Errors alarm) and EventBridge's retry or the next run tries again. The
 * event is not read: every run does the same.
 */
export function finalSweeperHandler(
  pipelines: readonly FinalizablePipeline[],
  deps: FinalSweeperDeps,
): FinalSweeperHandler {
  const logger = deps.logger ?? new Logger({ serviceName: SWEEPER_SERVICE_NAME });
  const metrics =
    deps.metrics ??
    new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'KafkaLambdaStreams',
      serviceName: SWEEPER_SERVICE_NAME,
    });
  const nowMs = deps.nowMs ?? Date.now;
  let stores: PipelineStores | undefined;
  let sink: RecordSink | undefined;

  const base = async (): Promise<SweepRun> => {
    stores ??= deps.stores
      ? deps.stores()
      : createPipelineStores(createDocumentClient(), tableNamesFromEnv());
    sink ??= deps.sink();
    const current = stores;
    let counts: ReadonlyMap<string, FinalizeCounts> = new Map();
    const overdueMs: Record<string, number> = {};
    // {@link OVERDUE_METRIC} per pipeline after the pass; {@link SWEPT_METRIC} what it sent.
    try {
      counts = await sweepFinalResults(pipelines, { stores: current, sink, nowMs });
    } finally {
      const measuredAtMs = nowMs();
      for (const p of pipelines) {
        // A failing measurement (the store that failed the sweep, probably) must not replace
        // the sweep's own error: log it, publish nothing for it (the alarm treats missing
        // data as breaching), and go on with the other pipelines.
        let overdue: number;
        try {
          overdue = await oldestOverdueMs(current.finalWindows, p.name, measuredAtMs);
        } catch (error) {
          logger.error('overdue measurement failed', { pipeline: p.name, error: error as Error });
          continue;
        }
        overdueMs[p.name] = overdue;
        const emitted = counts.get(p.name)?.emitted ?? 0;
        logger.info('swept', {
          pipeline: p.name,
          emitted,
          marked: counts.get(p.name)?.marked ?? 0,
          overdueMs: overdue,
        });
        // One single-metric per value: it flushes on addMetric, with its own `pipeline` dimension.
        const overdueMetric = metrics.singleMetric();
        overdueMetric.addDimension('pipeline', p.name);
        overdueMetric.addMetric(OVERDUE_METRIC, MetricUnit.Milliseconds, overdue);
        const sweptMetric = metrics.singleMetric();
        sweptMetric.addDimension('pipeline', p.name);
        sweptMetric.addMetric(SWEPT_METRIC, MetricUnit.Count, emitted);
      }
    }
    return { counts: Object.fromEntries(counts), overdueMs };
  };
  return middy<unknown, SweepRun, Error, Context>(base)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
