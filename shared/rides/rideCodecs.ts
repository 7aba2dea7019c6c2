import { csvCodec } from '../engine/decode/csvCodec.js';
import { jsonCodec } from '../engine/decode/jsonCodec.js';
import type { ValueCodec } from '../engine/decode/valueCodec.js';
import {
  GREEN_COLUMNS,
  greenRideSchema,
  type PickupLocation,
  pickupLocationSchema,
  type Ride,
  rideSchema,
  YELLOW_COLUMNS,
  yellowRideSchema,
} from './schemas/index.js';

/**
 * The codecs a pipeline spec can name for ride topics, registered whenever the ride
 * pipelines load. The Avro ones are opt-in, in `rideAvroCodecs.ts` (why: see there).
 */
export const rideCodecs = {
  /** JSON rides, yellow or green. */
  'ride-json': jsonCodec(rideSchema) as ValueCodec<Ride>,
  /** Header-less yellow CSV lines, as in `data/rides.csv`. */
  'yellow-csv': csvCodec(YELLOW_COLUMNS, yellowRideSchema) as ValueCodec<Ride>,
  /** Header-less green CSV lines. */
  'green-csv': csvCodec(GREEN_COLUMNS, greenRideSchema) as ValueCodec<Ride>,
  /** JSON pickup-location events (the course's stream-stream join input). */
  'pickup-location-json': jsonCodec(pickupLocationSchema) as ValueCodec<PickupLocation>,
} as const;

export type RideCodecName = keyof typeof rideCodecs;
