import * as z from 'zod';
import { parseDatetimeMs } from './datetime.js';

/**
 * A pickup-location event, as the course's `JsonProducerPickupLocation` writes them: a taxi
 * was hailed at `PULocationID` at `tpep_pickup_datetime` (read as UTC, epoch ms after parsing).
 */
export interface PickupLocation {
  readonly PULocationID: number;
  readonly tpep_pickup_datetime: number;
}

export const pickupLocationSchema = z.object({
  PULocationID: z.coerce.number().int(),
  tpep_pickup_datetime: z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDatetimeMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a datetime: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  }),
});
