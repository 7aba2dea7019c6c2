import { kafkaHandler } from '../engine/handler/kafkaHandler.js';
import { specFromEnv } from '../engine/handler/specFromEnv.js';
import { lambdaKafkaSink } from './kafkaRecordSink.js';

/**
 * The generic Lambda entry point for a spec that writes topics (route pipelines, enrich
 * steps feeding them): `PIPELINE_SPEC` as in `shared/engine/handler/specHandler`, plus the
 * container's Kafka producer. A separate file so that the generic handler of specs that only
 * read keeps kafkajs out of its bundle; `KafkaPipelineHandler` picks this one when the spec
 * has output topics.
 */
export const handler = kafkaHandler(specFromEnv(), { sink: lambdaKafkaSink() });
