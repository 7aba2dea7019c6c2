import { registerCodecs } from '../engine/decode/index.js';
import type {
  HandlerSpec,
  PipelineSpec,
  SessionSpec,
  WindowedAggregateSpec,
} from '../engine/process/index.js';
import { allTime, hopping, tumbling } from '../engine/windows/index.js';
import { rideCodecs } from './rideCodecs.js';

// The specs below name these codecs: loading the pipelines makes them known.
registerCodecs(rideCodecs);

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The topic the course's producer writes rides to. */
export const RIDES_TOPIC = 'rides';

/**
 * All-time ride count per drop-off location: the course's JsonKStream, whose producer keys
 * rides by DOLocationID (despite the topic being called "pulocation-count").
 */
export const dropoffCount: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'dropoff-count',
  description: 'All-time ride count per DOLocationID',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { field: 'DOLocationID' },
  time: { field: 'tpep_pickup_datetime' },
  window: allTime(),
  aggregations: [],
};

/** 5-minute tumbling ride count per pickup location, grace 60 minutes (homework). */
export const pickup5m: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'pickup-5m',
  description: '5-minute tumbling ride count per PULocationID on tpep_pickup_datetime, grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { field: 'PULocationID' },
  time: { field: 'tpep_pickup_datetime' },
  window: tumbling(5 * MINUTE_MS, 60 * MINUTE_MS),
  aggregations: [],
};

/** 1-hour tumbling sum of tips over all locations, grace 60 minutes (homework). */
export const tips1h: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'tips-1h',
  description: '1-hour tumbling sum of tip_amount over all locations, grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { constant: 'all' },
  time: { field: 'tpep_pickup_datetime' },
  window: tumbling(HOUR_MS, 60 * MINUTE_MS),
  aggregations: [{ op: 'sum', field: 'tip_amount' }],
};

/**
 * 15-minute tumbling sum of tips over all locations, grace 60 minutes (the rides are out of
 * order by up to an hour), with final results:
 * each window's one final value goes to `tips-15m-final` once every partition of `rides`
 * (3, as `start` and `replay` create it) has passed it. No idleness bound: a replay of 2020
 * rides must not close windows by today's wall clock, and the example's partitions never go quiet.
 */
export const tips15mFinal: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'tips-15m',
  description:
    '15-minute tumbling sum of tip_amount over all locations, grace 60 min; final results to tips-15m-final',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { constant: 'all' },
  time: { field: 'tpep_pickup_datetime' },
  window: tumbling(15 * MINUTE_MS, 60 * MINUTE_MS),
  aggregations: [{ op: 'sum', field: 'tip_amount' }],
  final: { partitions: 3 },
};

/** 10-minute windows advancing every 5 minutes, ride count per vendor (the course's PySpark job). */
export const vendorHopping: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'vendor-10m-hop-5m',
  description: '10-minute hopping windows advancing 5 min, ride count per VendorID, grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { field: 'VendorID' },
  time: { field: 'tpep_pickup_datetime' },
  window: hopping(10 * MINUTE_MS, 5 * MINUTE_MS, 60 * MINUTE_MS),
  aggregations: [],
};

/**
 * 60-second session windows per payment type, with their fare and tip sums (the course's
 * ksqlDB `WINDOW SESSION (60 SECONDS)`). Grace 60 minutes, as the other ride pipelines:
 * rides.csv is not in pickup-time order, and a tighter grace dead-letters most of it.
 */
export const paymentSessions60s: SessionSpec = {
  kind: 'session',
  name: 'payment-sessions-60s',
  description: '60-second session windows per payment_type on tpep_pickup_datetime, grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { field: 'payment_type' },
  time: { field: 'tpep_pickup_datetime' },
  gapMs: 60_000,
  graceMs: 60 * MINUTE_MS,
  aggregations: [
    { op: 'sum', field: 'total_amount' },
    { op: 'sum', field: 'tip_amount' },
  ],
};

/**
 * 5-minute session windows per (pickup, drop-off) pair (the homework): the longest session
 * by count is the pair's longest unbroken streak of trips
 * (`npm run cli -- query pair-sessions-5m --top 5 --by count`). The homework's 5-second
 * watermark is widened to 60 minutes for the same reason as above.
 */
export const pairSessions5m: SessionSpec = {
  kind: 'session',
  name: 'pair-sessions-5m',
  description:
    '5-minute session windows per (PULocationID, DOLocationID) on tpep_pickup_datetime, grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  key: { fields: ['PULocationID', 'DOLocationID'] },
  time: { field: 'tpep_pickup_datetime' },
  gapMs: 5 * MINUTE_MS,
  graceMs: 60 * MINUTE_MS,
  aggregations: [{ op: 'sum', field: 'trip_distance' }],
};

/** The deployable handlers of the worked example; `functions/<name>/handler.ts` wires each. */
export const rideHandlers: readonly HandlerSpec[] = [
  {
    name: 'rides-count-by-dropoff',
    description: dropoffCount.description,
    topic: RIDES_TOPIC,
    pipelines: [dropoffCount],
  },
  {
    name: 'rides-tumbling-by-pickup',
    description: 'Per-pickup 5-minute counts and hourly tip sums',
    topic: RIDES_TOPIC,
    pipelines: [pickup5m, tips1h],
  },
  {
    name: 'rides-hopping-by-vendor',
    description: vendorHopping.description,
    topic: RIDES_TOPIC,
    pipelines: [vendorHopping],
  },
  {
    name: 'rides-sessions',
    description:
      'Session windows: 60 s per payment_type (ksqlDB) and 5 min per (pickup, drop-off) pair (homework)',
    topic: RIDES_TOPIC,
    pipelines: [paymentSessions60s, pairSessions5m],
  },
];

/**
 * The handler with final results, apart from the others: it writes a Kafka topic, so it
 * carries a producer (and its network and IAM in AWS), which the plain aggregations do not.
 */
export const rideFinalHandlers: readonly HandlerSpec[] = [
  {
    name: 'rides-tips-final',
    description: tips15mFinal.description,
    topic: RIDES_TOPIC,
    pipelines: [tips15mFinal],
  },
];

/** A handler spec by name; throws listing the known names. */
export function rideHandler(name: string): HandlerSpec {
  const known = [...rideHandlers, ...rideFinalHandlers];
  const spec = known.find((h) => h.name === name);
  if (!spec) throw new Error(`unknown function "${name}"; known: ${known.map((h) => h.name).join(', ')}`);
  return spec;
}

/** Every pipeline of every handler. */
export const ridePipelines: readonly PipelineSpec[] = [...rideHandlers, ...rideFinalHandlers].flatMap(
  (h) => h.pipelines,
);
