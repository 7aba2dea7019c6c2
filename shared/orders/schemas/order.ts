import * as z from 'zod';

/**
 * An order of Confluent's Datagen `orders` quickstart, as its JSON converter writes it.
 * Field names and types follow the connector's Avro schema (`orders_schema.avro` in
 * confluentinc/kafka-connect-datagen): `ordertime` long (epoch ms), `orderid` int,
 * `itemid` string, `orderunits` double (0.1 to 10.0), and a nested `address` record with
 * `city` and `state` strings and a `zipcode` long.
 * The generator's value patterns (`Item_<n>`, `City_<n>`, `State_<n>`) are not enforced:
 * newer connector versions write `BYOC_Item_<n>`, and a key is any string.
 */
export const orderSchema = z.object({
  /** Epoch ms; the pipelines' event time. */
  ordertime: z.number().int().nonnegative(),
  orderid: z.number().int(),
  itemid: z.string().min(1),
  /** Units ordered; datagen draws doubles, negative amounts are not orders. */
  orderunits: z.number().finite().nonnegative(),
  address: z.object({
    city: z.string().min(1),
    state: z.string().min(1),
    zipcode: z.number().int(),
  }),
});

export type Order = z.infer<typeof orderSchema>;
