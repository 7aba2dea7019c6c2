/**
 * The package's `kafka-lambda-streams/kafka` entry: what a handler that writes topics (route
 * and enrich pipelines) adds to the main entry. Kept apart so that handlers which only read
 * never bundle kafkajs.
 *
 * ```ts
 * import { kafkaHandler } from 'kafka-lambda-streams';
 * import { lambdaKafkaSink } from 'kafka-lambda-streams/kafka';
 * export const handler = kafkaHandler(spec, { sink: lambdaKafkaSink() });
 * ```
 */
export type { KafkaConnection } from './kafkaClient.js';
export { KafkaRecordSink, lambdaKafkaSink } from './kafkaRecordSink.js';
