export { parseDatetimeMs, toIsoUtc } from './datetime.js';
export { type PickupLocation, pickupLocationSchema } from './pickupLocation.js';
export {
  GREEN_COLUMNS,
  type GreenRide,
  greenRideSchema,
  type Ride,
  rideSchema,
  YELLOW_COLUMNS,
  type YellowRide,
  yellowRideSchema,
} from './ride.js';
export { RIDE_AVRO_SCHEMA } from './rideAvro.js';
export { loadZones, type Zone, zoneSchema } from './zone.js';
