import { kafkaHandler } from '../../shared/engine/handler/kafkaHandler.js';
import { ordersByState } from '../../shared/orders/index.js';

/** Lambda entry point of `orders-by-state`: the pipelines of its spec, nothing else. */
export const handler = kafkaHandler(ordersByState);
