import { jsonCodec } from '../engine/decode/jsonCodec.js';
import type { ValueCodec } from '../engine/decode/valueCodec.js';
import { type Order, orderSchema } from './schemas/index.js';

/** The codecs a pipeline spec can name for order topics. */
export const orderCodecs = {
  /** JSON orders as Confluent Datagen's `orders` quickstart writes them (JsonConverter, no schema envelope). */
  'order-json': jsonCodec(orderSchema) as ValueCodec<Order>,
} as const;

export type OrderCodecName = keyof typeof orderCodecs;
