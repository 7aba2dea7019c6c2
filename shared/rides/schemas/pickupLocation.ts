import * as z from 'zod/mini';
import { jitObject } from '../../engine/decode/jitObject.js';
import '../../engine/zodLocale.js';
import { parseDatetimeMs } from './datetime.js';

/**
 * A pickup-location event, as the course's `JsonProducerPickupLocation` writes them: a taxi
 * was hailed at `PULocationID` at `tpep_pickup_datetime` (read as UTC, epoch ms after parsing).
 */
export interface PickupLocation {
  readonly PULocationID: number;
  readonly tpep_pickup_datetime: number;
}

export const pickupLocationSchema = jitObject({
  PULocationID: z.coerce.number().check(z.int()),
  tpep_pickup_datetime: z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((v: string | number, ctx) => {
      const ms = parseDatetimeMs(v);
      if (ms === undefined) {
        ctx.issues.push({ code: 'custom', message: `not a datetime: ${JSON.stringify(v)}`, input: v });
        return z.NEVER;
      }
      return ms;
    }),
  ),
});
