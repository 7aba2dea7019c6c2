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
export { type Order, orderSchema } from './schemas/index.js';
