export { type Order, orderSchema } from './order.js';
