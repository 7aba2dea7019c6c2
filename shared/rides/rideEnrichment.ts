import type { EnrichSpec } from '../engine/enrich/index.js';
import type { HandlerSpec, RouteSpec, TableSpec, WindowedAggregateSpec } from '../engine/process/index.js';
import { tumbling } from '../engine/windows/index.js';
import { RIDES_TOPIC } from './ridePipelines.js';

const MINUTE_MS = 60_000;

/** The compacted topic of taxi zones: key LocationID, value {locationid, borough, zone, service_zone}. */
export const ZONES_TOPIC = 'zones';
/** Where the course's Faust `branch_price` sends rides of 40.0 or more, and the rest. */
export const HIGH_AMOUNT_TOPIC = 'rides_high_amount';
export const LOW_AMOUNT_TOPIC = 'rides_low_amount';
/** Rides with their pickup and drop-off zones. */
export const ENRICHED_TOPIC = 'rides_enriched';

/** The zones as a table (KTable): the latest row per LocationID, which enrich steps read. */
export const zonesTable: TableSpec = {
  kind: 'table',
  name: 'zones',
  description: 'Taxi zones by LocationID (data/taxi_zone_lookup.csv), latest value per key',
  topic: ZONES_TOPIC,
  codec: 'json',
};

// The field names of data/taxi_zone_lookup.csv's header, which `produce` keeps as they are.
const ZONE_FIELDS = ['borough', 'zone', 'service_zone'];

/** A ride's pickup zone, null when the zone table has no row (a left join). */
export const pickupZone: EnrichSpec = {
  table: 'zones',
  keyField: 'PULocationID',
  as: 'pickup',
  fields: ZONE_FIELDS,
};
/** A ride's drop-off zone, null when the zone table has no row (a left join). */
export const dropoffZone: EnrichSpec = {
  table: 'zones',
  keyField: 'DOLocationID',
  as: 'dropoff',
  fields: ZONE_FIELDS,
};

/** The course's Faust `branch_price`: total_amount >= 40.0 to one topic, the rest to another. */
export const ridesByAmount: RouteSpec = {
  kind: 'route',
  name: 'rides-by-amount',
  description: `Rides with total_amount >= 40.0 to ${HIGH_AMOUNT_TOPIC}, the rest to ${LOW_AMOUNT_TOPIC} (Faust branch_price)`,
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  routes: [
    { to: HIGH_AMOUNT_TOPIC, when: [{ field: 'total_amount', op: 'gte', value: 40 }] },
    { to: LOW_AMOUNT_TOPIC },
  ],
};

/** Every ride with its pickup and drop-off zones, to a topic (a KStream-KTable left join). */
export const ridesEnriched: RouteSpec = {
  kind: 'route',
  name: 'rides-enriched',
  description: `Rides with pickup and drop-off borough, zone and service_zone from the zones table, to ${ENRICHED_TOPIC}`,
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  enrich: [pickupZone, dropoffZone],
  routes: [{ to: ENRICHED_TOPIC }],
};

/** 15-minute tumbling ride count per pickup borough, from the enriched field: no second hop. */
export const pickupBorough15m: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'pickup-borough-15m',
  description: '15-minute tumbling ride count per pickup borough (zones lookup), grace 60 min',
  topic: RIDES_TOPIC,
  codec: 'ride-json',
  enrich: [pickupZone],
  key: { field: 'pickup.borough' },
  time: { field: 'tpep_pickup_datetime' },
  window: tumbling(15 * MINUTE_MS, 60 * MINUTE_MS),
  aggregations: [],
};

/** The handlers that materialize the zones, route rides by amount and enrich them. */
export const rideEnrichmentHandlers: readonly HandlerSpec[] = [
  {
    name: 'zones-table',
    description: zonesTable.description,
    topic: ZONES_TOPIC,
    pipelines: [zonesTable],
  },
  {
    name: 'rides-route-by-amount',
    description: ridesByAmount.description,
    topic: RIDES_TOPIC,
    pipelines: [ridesByAmount],
  },
  {
    name: 'rides-enrich-zones',
    description: 'Rides with their zones to rides_enriched, and 15-minute counts per pickup borough',
    topic: RIDES_TOPIC,
    pipelines: [ridesEnriched, pickupBorough15m],
  },
];
