import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { rideAvroHandler } from '../../shared/rides/index.js';

/**
 * Lambda entry point of `rides-tumbling-by-pickup-avro`: the pipelines of
 * `rides-tumbling-by-pickup` over Confluent-framed Avro rides from `rides-avro`.
 */
export const handler = kafkaHandler(rideAvroHandler('rides-tumbling-by-pickup'));
