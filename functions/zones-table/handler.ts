import { handlerNamed } from '../../shared/engine/catalog.js';
import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { rideEnrichmentHandlers } from '../../shared/rides/index.js';

/** Lambda entry point of `zones-table`: materializes the compacted zones topic. */
export const handler = kafkaHandler(handlerNamed({ handlers: rideEnrichmentHandlers }, 'zones-table'));
