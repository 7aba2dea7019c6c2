import type { HandlerSpec } from '../engine/process/index.js';
import { type JoinSpec, joinSideCopy } from '../engine/processors/index.js';
import { RIDES_TOPIC } from './ridePipelines.js';

const MINUTE_MS = 60_000;

/** The topic the course's `JsonProducerPickupLocation` writes pickup-location events to. */
export const PICKUP_LOCATIONS_TOPIC = 'pickup-locations';

/**
 * The course's `JsonKStreamJoins`: rides keyed by where they ended (DOLocationID) joined with
 * pickup-location events keyed by where a taxi was hailed (PULocationID), window 20 minutes,
 * grace 5 minutes, a pair kept only when |drop-off - pickup| <= 10 minutes (the course's joiner
 * returns `Optional.empty()` otherwise), producing its `VendorInfo`. Event times are the
 * datetimes in the values (drop-off for rides, pickup for locations), so a replay of
 * historical data pairs as it did live.
 */
export const ridePickupJoin: Omit<JoinSpec, 'topic' | 'codec'> = {
  kind: 'join',
  name: 'rides-pickup-join',
  description:
    'Rides by DOLocationID x pickup locations by PULocationID, window 20 min, grace 5 min, |dropoff - pickup| <= 10 min',
  left: {
    topic: RIDES_TOPIC,
    codec: 'ride-json',
    key: { field: 'DOLocationID' },
    time: { field: 'tpep_dropoff_datetime' },
    fields: ['VendorID', 'tpep_dropoff_datetime'],
  },
  right: {
    topic: PICKUP_LOCATIONS_TOPIC,
    codec: 'pickup-location-json',
    key: { field: 'PULocationID' },
    time: { field: 'tpep_pickup_datetime' },
    fields: ['PULocationID', 'tpep_pickup_datetime'],
  },
  windowMs: 20 * MINUTE_MS,
  graceMs: 5 * MINUTE_MS,
  maxTimeDifferenceMs: 10 * MINUTE_MS,
  select: [
    { side: 'left', field: 'VendorID' },
    { side: 'right', field: 'PULocationID' },
    { side: 'right', field: 'tpep_pickup_datetime', as: 'pickupTime' },
    { side: 'left', field: 'tpep_dropoff_datetime', as: 'lastDropoffTime' },
  ],
};

/**
 * The join's two handlers, one per side. Two functions rather than one function with two
 * mappings: a handler spec reads one topic (the engine checks every record against it), each
 * side then has its own consumer group, batch settings, alarms and retries (a poison ride
 * does not hold back pickups), and both run the same spec over the same buffers.
 */
export const rideJoinHandlers: readonly HandlerSpec[] = [
  {
    name: 'rides-join-pickups',
    description: 'Rides side of the rides x pickup-locations join',
    topic: RIDES_TOPIC,
    pipelines: [joinSideCopy(ridePickupJoin, 'left')],
  },
  {
    name: 'pickups-join-rides',
    description: 'Pickup-locations side of the rides x pickup-locations join',
    topic: PICKUP_LOCATIONS_TOPIC,
    pipelines: [joinSideCopy(ridePickupJoin, 'right')],
  },
];
