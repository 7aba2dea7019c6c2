import { defineCatalog } from '../shared/engine/catalog.js';
import { orderCodecs, orderHandlers } from '../shared/orders/index.js';
import {
  rideAvroCatalogHandlers,
  rideCodecs,
  rideEnrichmentHandlers,
  rideFinalHandlers,
  rideHandlers,
  rideJoinHandlers,
} from '../shared/rides/index.js';

/**
 * The handlers this app deploys (one folder each under `functions/`) and the codecs they
 * name: what `cdk deploy`, the CLI (`--catalog` to use another) and `npm start` read.
 * Two domains: the rides of the worked example (aggregations; the zones table, routing by
 * amount and enrichment with zones; the rides x pickup-locations join, one handler per side;
 * the Avro twin of a ride handler, reading Confluent-framed Avro from `rides-avro`) and
 * Confluent Datagen's orders.
 */
export const catalog = defineCatalog({
  handlers: [
    ...rideHandlers,
    ...rideFinalHandlers,
    ...rideEnrichmentHandlers,
    ...rideJoinHandlers,
    ...rideAvroCatalogHandlers,
    ...orderHandlers,
  ],
  codecs: { ...rideCodecs, ...orderCodecs },
});
