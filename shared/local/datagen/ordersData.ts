import type { Order } from '../../orders/index.js';
import { seededRandom } from './random.js';

/** 2018-02-20T00:00:00Z: inside the range Datagen's `orders` schema draws `ordertime` from (2017-02-21 to 2018-02-22). */
export const ORDERS_DATA_BASE_MS = Date.UTC(2018, 1, 20);

/** Well-formed, in-time orders in `data/orders.jsonl`. */
export const ORDERS_DATA_COUNT = 300;

/** Options of {@link generateOrderLines}. */
export interface OrdersDataOptions {
  /** @default 'orders' */
  readonly seed?: number | string;
  /** @default {@link ORDERS_DATA_COUNT} */
  readonly count?: number;
}

/** Mean gap between consecutive orders: 300 orders span about 3 hours 20 minutes. */
const STEP_MS = 40_000;
/**
 * Orders are up to a minute out of order. Both pipelines' grace (5 and 10 minutes) covers
 * that on any partitioning, so only the orders written to be late are late.
 */
const MAX_JITTER_MS = 60_000;
/** Late orders are stamped this long after the base: hours behind every partition's stream time. */
const LATE_OFFSET_MS = 20 * 60_000;

/**
 * The lines of `data/orders.jsonl`: Datagen-shaped orders (JSON, one a line), deterministic
 * for a seed, with the bad input a real topic has, placed where it shows:
 * - after order 50, a line cut short (not JSON: NOT_JSON);
 * - after order 150, an order without `address.state` (SCHEMA);
 * - after order 250, an order whose `orderunits` is a string (SCHEMA);
 * - after orders 285 and 295, an order stamped 20 minutes after the base, with
 *   `orderunits` >= 5 so it passes the large-orders filter: late for both pipelines.
 * `scripts/data/ordersData.ts` writes the file; a unit test checks it is up to date.
 */
export function generateOrderLines(options: OrdersDataOptions = {}): string[] {
  const random = seededRandom(options.seed ?? 'orders');
  const count = options.count ?? ORDERS_DATA_COUNT;
  const order = (orderid: number, ordertime: number, orderunits: number): Order => ({
    ordertime,
    orderid,
    itemid: `Item_${random.int(1, 999)}`,
    orderunits,
    address: {
      city: `City_${random.int(1, 9)}${random.int(1, 2)}`,
      state: `State_${random.int(1, 9)}`,
      zipcode: random.int(10_000, 99_999),
    },
  });
  // Hundredths of a unit, as the pipelines keep them (ORDER_UNITS_SCALE).
  const units = () => random.int(10, 1000) / 100;
  const lines: string[] = [];
  let extraId = count;
  for (let i = 0; i < count; i++) {
    const o = order(i, ORDERS_DATA_BASE_MS + i * STEP_MS + random.int(0, MAX_JITTER_MS), units());
    lines.push(JSON.stringify(o));
    if (i === 50) lines.push(JSON.stringify(o).slice(0, 40));
    if (i === 150) {
      const { state: _state, ...address } = order(extraId++, o.ordertime, units()).address;
      lines.push(JSON.stringify({ ...o, orderid: extraId - 1, address }));
    }
    if (i === 250) lines.push(JSON.stringify({ ...o, orderid: extraId++, orderunits: 'lots' }));
    if (i === 285 || i === 295) {
      lines.push(JSON.stringify(order(extraId++, ORDERS_DATA_BASE_MS + LATE_OFFSET_MS + i, 7.5)));
    }
  }
  return lines;
}
