import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import * as z from 'zod/mini';
import '../../engine/zodLocale.js';

/** One row of the TLC's taxi zone lookup. */
export const zoneSchema = z.object({
  locationid: z.coerce.number().check(z.int()),
  borough: z.string(),
  zone: z.string(),
  service_zone: z.string(),
});
export type Zone = z.infer<typeof zoneSchema>;

/** Reads `taxi_zone_lookup.csv` into a map from location id to zone. */
export function loadZones(path: string): Map<number, Zone> {
  const rows = parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as unknown[];
  const zones = new Map<number, Zone>();
  rows.forEach((row, i) => {
    const zone = zoneSchema.parse(row, { error: () => `zone lookup line ${i + 2} is malformed` });
    zones.set(zone.locationid, zone);
  });
  return zones;
}
