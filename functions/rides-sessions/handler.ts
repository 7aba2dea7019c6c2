import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { rideHandler } from '../../shared/rides/index.js';

/** Lambda entry point of `rides-sessions`: the pipelines of its spec, nothing else. */
export const handler = kafkaHandler(rideHandler('rides-sessions'));
