import { sweepPipelinesFromEnv } from '../engine/final/sweepPipelinesEnv.js';
import { finalSweeperHandler } from '../engine/handler/finalSweeperHandler.js';
import { lambdaKafkaSink } from './kafkaRecordSink.js';

/**
 * The Lambda entry point of the scheduled final-results sweeper (`FinalResultsSweeper` in
 * infra/constructs): the pipelines from `SWEEP_PIPELINES`, final results to Kafka with the
 * same producer as the handlers. A schedule brings no Kafka event, so the brokers come from
 * `KAFKA_BROKERS` (the construct sets it with the source's producer access); the empty
 * event below only tells the sink there are no `bootstrapServers` to fall back on.
 */
export const handler = finalSweeperHandler(sweepPipelinesFromEnv(), {
  sink: () => lambdaKafkaSink()({ eventSource: 'aws:kafka', records: {} }),
});
