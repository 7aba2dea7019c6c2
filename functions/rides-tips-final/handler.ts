import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { lambdaKafkaSink } from '../../shared/kafka/kafkaRecordSink.js';
import { rideHandler } from '../../shared/rides/index.js';

/**
 * Lambda entry point of `rides-tips-final`: `tips-15m` emits each window's final result to
 * the `tips-15m-final` topic, so this handler carries a Kafka client (one producer per
 * container). kafkaHandler counts the partitions the deployment gives the rides topic
 * (SOURCE_TOPIC_PARTITIONS, set by the CDK app), not the 3 that `start` and `replay` use.
 */
export const handler = kafkaHandler(rideHandler('rides-tips-final'), { sink: lambdaKafkaSink() });
