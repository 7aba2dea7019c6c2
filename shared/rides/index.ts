// Not the Avro codecs (rideAvroCodecs.ts): opt-in, so that JSON handlers importing this index
// bundle no Avro library.
export {
  RIDES_AVRO_TOPIC,
  rideAvroCatalogHandlers,
  rideAvroHandler,
  rideAvroHandlers,
  rideAvroTwin,
} from './rideAvroHandlers.js';
export { type RideCodecName, rideCodecs } from './rideCodecs.js';
export {
  dropoffZone,
  ENRICHED_TOPIC,
  HIGH_AMOUNT_TOPIC,
  LOW_AMOUNT_TOPIC,
  pickupBorough15m,
  pickupZone,
  rideEnrichmentHandlers,
  ridesByAmount,
  ridesEnriched,
  ZONES_TOPIC,
  zonesTable,
} from './rideEnrichment.js';
export { PICKUP_LOCATIONS_TOPIC, rideJoinHandlers, ridePickupJoin } from './rideJoin.js';
export {
  dropoffCount,
  pairSessions5m,
  paymentSessions60s,
  pickup5m,
  RIDES_TOPIC,
  rideFinalHandlers,
  rideHandler,
  rideHandlers,
  ridePipelines,
  tips1h,
  tips15mFinal,
  vendorHopping,
} from './ridePipelines.js';
