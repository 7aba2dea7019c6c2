import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { lambdaKafkaSink } from '../../shared/kafka/kafkaRecordSink.js';
import { rideHandler } from '../../shared/rides/index.js';

/**
 * Lambda entry point of `rides-tumbling-by-pickup`. Its `tips-15m` pipeline emits final
 * results to a Kafka topic, so it carries a Kafka client (one producer per container).
 */
export const handler = kafkaHandler(rideHandler('rides-tumbling-by-pickup'), { sink: lambdaKafkaSink() });
