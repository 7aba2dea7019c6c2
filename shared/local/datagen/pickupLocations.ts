import { parseDatetimeMs } from '../../rides/schemas/index.js';
import { toTlcDatetime } from './rideRow.js';

/** A pickup-location event as the course's `JsonProducerPickupLocation` writes it. */
export interface PickupLocationRow {
  readonly PULocationID: number;
  readonly tpep_pickup_datetime: string;
}

/**
 * The pickup-location stream of a set of rides: each ride's pickup (where, when), in the
 * rides' order. Deterministic, so `data/pickup-locations.jsonl` is a function of
 * `data/rides.csv` (a test checks it) and the join of the two is reproducible; a ride whose
 * pickup cannot be read is left out (the rides stream dead-letters it already).
 */
export function pickupLocationsOf(rides: Iterable<Readonly<Record<string, unknown>>>): PickupLocationRow[] {
  const out: PickupLocationRow[] = [];
  for (const ride of rides) {
    const raw = ride.PULocationID;
    const location = raw === '' || raw === null || raw === undefined ? Number.NaN : Number(raw);
    const pickupMs = parseDatetimeMs(ride.tpep_pickup_datetime);
    if (!Number.isInteger(location) || pickupMs === undefined) continue;
    out.push({ PULocationID: location, tpep_pickup_datetime: toTlcDatetime(pickupMs) });
  }
  return out;
}
