import * as z from 'zod/mini';
import { jitObject } from '../../engine/decode/jitObject.js';
import '../../engine/zodLocale.js';

/**
 * An order of Confluent's Datagen `orders` quickstart, as its JSON converter writes it.
 * Field names and types follow the connector's Avro schema (`orders_schema.avro` in
 * confluentinc/kafka-connect-datagen): `ordertime` long (epoch ms), `orderid` int,
 * `itemid` string, `orderunits` double (0.1 to 10.0), and a nested `address` record with
 * `city` and `state` strings and a `zipcode` long.
 * The generator's value patterns (`Item_<n>`, `City_<n>`, `State_<n>`) are not enforced:
 * newer connector versions write `BYOC_Item_<n>`, and a key is any string.
 */
export const orderSchema = jitObject({
  /** Epoch ms; the pipelines' event time. */
  ordertime: z.number().check(z.int(), z.nonnegative()),
  orderid: z.number().check(z.int()),
  itemid: z.string().check(z.minLength(1)),
  /** Units ordered; datagen draws doubles, negative amounts are not orders. */
  // zod 4 numbers reject Infinity and NaN by themselves (classic's .finite() is a no-op).
  orderunits: z.number().check(z.nonnegative()),
  address: jitObject({
    city: z.string().check(z.minLength(1)),
    state: z.string().check(z.minLength(1)),
    zipcode: z.number().check(z.int()),
  }),
});

export type Order = z.infer<typeof orderSchema>;
