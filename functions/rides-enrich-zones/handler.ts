import { handlerNamed } from '../../shared/engine/catalog.js';
import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { lambdaKafkaSink } from '../../shared/kafka/kafkaRecordSink.js';
import { rideEnrichmentHandlers } from '../../shared/rides/index.js';

/**
 * Lambda entry point of `rides-enrich-zones`. It writes Kafka topics, so it is the one kind of
 * handler whose bundle carries a Kafka client (one producer per container).
 */
export const handler = kafkaHandler(
  handlerNamed({ handlers: rideEnrichmentHandlers }, 'rides-enrich-zones'),
  {
    sink: lambdaKafkaSink(),
  },
);
