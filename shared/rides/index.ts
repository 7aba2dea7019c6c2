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
export {
  dropoffCount,
  pairSessions5m,
  paymentSessions60s,
  pickup5m,
  RIDES_TOPIC,
  rideHandler,
  rideHandlers,
  ridePipelines,
  tips1h,
  vendorHopping,
} from './ridePipelines.js';
