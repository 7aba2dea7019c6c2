import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** Path of a file in the repo's `data/` folder. */
export function dataPath(name: string): string {
  return fileURLToPath(new URL(`../../data/${name}`, import.meta.url));
}

/** The bundled rides as CSV rows (strings), in file order. */
export function loadRideRows(): Record<string, string>[] {
  return parse(readFileSync(dataPath('rides.csv')), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
}

/** A ride row as the JSON value the course's producer sends (numbers as numbers). */
export function rideJson(row: Record<string, string>): string {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = k.endsWith('_datetime') || k === 'store_and_fwd_flag' ? v : v === '' ? null : Number(v);
  }
  return JSON.stringify(out);
}
