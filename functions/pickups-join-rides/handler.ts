import { handlerNamed } from '../../shared/engine/catalog.js';
import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { rideJoinHandlers } from '../../shared/rides/index.js';

/** Lambda entry point of `pickups-join-rides`: the pickup-locations side of the rides x pickup-locations join. */
export const handler = kafkaHandler(handlerNamed({ handlers: rideJoinHandlers }, 'pickups-join-rides'));
