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
import { rideAvroCodecs } from '../shared/rides/rideAvroCodecs.js';

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
  // The Avro codecs too: the CLI and the local runner read Avro topics. This module is not
  // part of any function bundle (each handler imports its own spec), so avsc stays out of them.
  codecs: { ...rideCodecs, ...rideAvroCodecs, ...orderCodecs },
});
