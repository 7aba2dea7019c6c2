import { registerCodecs } from '../../shared/engine/decode/index.js';
import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { rideAvroHandler } from '../../shared/rides/index.js';
import { rideAvroCodecs } from '../../shared/rides/rideAvroCodecs.js';

// The Avro codecs are opt-in (rideAvroCodecs.ts): this handler reads Avro, so it registers them.
registerCodecs(rideAvroCodecs);

/**
 * Lambda entry point of `rides-tumbling-by-pickup-avro`: the pipelines of
 * `rides-tumbling-by-pickup` over Confluent-framed Avro rides from `rides-avro`.
 */
export const handler = kafkaHandler(rideAvroHandler('rides-tumbling-by-pickup'));
