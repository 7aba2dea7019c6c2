import { registerCodecs } from '../engine/decode/index.js';
import type { HandlerSpec, WindowedAggregateSpec } from '../engine/process/index.js';
import { tumbling } from '../engine/windows/index.js';
import { orderCodecs } from './orderCodecs.js';

// The specs below name these codecs: loading the pipelines makes them known.
registerCodecs(orderCodecs);

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The topic Confluent Datagen's `orders` quickstart writes to in the course's Confluent Cloud lesson. */
export const ORDERS_TOPIC = 'orders';

/**
 * Decimals kept of `orderunits` sums: hundredths of a unit. Datagen draws full doubles;
 * each order is rounded to this scale before it is added, so sums are exact and do not
 * depend on batch boundaries (see `DEFAULT_SCALE` in the engine).
 */
export const ORDER_UNITS_SCALE = 2;

/** Smallest `orderunits` counted as a large order (datagen draws 0.1 to 10.0). */
export const LARGE_ORDER_UNITS = 5;

/**
 * 10-minute tumbling order count and units per state (`address.state`, a nested field) on
 * `ordertime`. Grace 5 minutes: Datagen stamps orders as it writes them, so disorder comes
 * from producers and partitions and is seconds, not minutes; half a window is generous.
 */
export const unitsPerState10m: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'units-per-state-10m',
  description:
    '10-minute tumbling order count and sum of orderunits per address.state on ordertime, grace 5 min',
  topic: ORDERS_TOPIC,
  codec: 'order-json',
  key: { field: 'address.state' },
  time: { field: 'ordertime' },
  window: tumbling(10 * MINUTE_MS, 5 * MINUTE_MS),
  aggregations: [{ op: 'sum', field: 'orderunits', scale: ORDER_UNITS_SCALE }],
};

/**
 * Hourly count and units of large orders (`orderunits >= 5`) per city, grace 10 minutes.
 * Smaller orders are filtered (counted, not dead-lettered); the filter is declarative, so
 * the CDK app can push it down into the event-source mapping.
 */
export const largeOrdersPerCity1h: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'large-orders-per-city-1h',
  description: `1-hour tumbling count and sum of orderunits of orders with orderunits >= ${LARGE_ORDER_UNITS} per address.city, grace 10 min`,
  topic: ORDERS_TOPIC,
  codec: 'order-json',
  filter: [{ field: 'orderunits', op: 'gte', value: LARGE_ORDER_UNITS }],
  key: { field: 'address.city' },
  time: { field: 'ordertime' },
  window: tumbling(HOUR_MS, 10 * MINUTE_MS),
  aggregations: [{ op: 'sum', field: 'orderunits', scale: ORDER_UNITS_SCALE }],
};

/** The order handler: both pipelines over one mapping of `orders`, so each record is read once. */
export const ordersByState: HandlerSpec = {
  name: 'orders-by-state',
  description: 'Per-state 10-minute order units, and hourly large orders per city',
  topic: ORDERS_TOPIC,
  pipelines: [unitsPerState10m, largeOrdersPerCity1h],
};

/** The deployable handlers of the orders domain; `functions/<name>/handler.ts` wires each. */
export const orderHandlers: readonly HandlerSpec[] = [ordersByState];
