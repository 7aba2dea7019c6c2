export {
  ALL_DEFECTS,
  CSV_DEFECTS,
  type Malformation,
  type MalformedDefect,
  malform,
} from './malformed.js';
export { type PickupLocationRow, pickupLocationsOf } from './pickupLocations.js';
export { type SeededRandom, seededRandom, seedToInt } from './random.js';
export {
  formatRecord,
  type GeneratedMalformed,
  type GeneratedRecord,
  type GeneratedRide,
  generateRides,
  RIDE_GENERATOR_DEFAULTS,
  type RideFormat,
  type RideGeneratorOptions,
} from './rideGenerator.js';
export { makeRide, type RideZones } from './rideModel.js';
export { orderedFields, RIDE_CSV_HEADER, type RideRow, toCsvLine, toTlcDatetime } from './rideRow.js';
export { choose, type WeightedSampler, weightedSampler, zipfWeights } from './weightedSampler.js';
export { type ZonePopularityOptions, zonePopularity } from './zonePopularity.js';
