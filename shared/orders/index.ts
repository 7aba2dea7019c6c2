export { type OrderCodecName, orderCodecs } from './orderCodecs.js';
export {
  LARGE_ORDER_UNITS,
  largeOrdersPerCity1h,
  ORDER_UNITS_SCALE,
  ORDERS_TOPIC,
  orderHandlers,
  ordersByState,
  unitsPerState10m,
} from './orderPipelines.js';
export {
  generateOrderLines,
  ORDERS_DATA_BASE_MS,
  ORDERS_DATA_COUNT,
  type OrdersDataOptions,
} from './ordersData.js';
export { type Order, orderSchema } from './schemas/index.js';
