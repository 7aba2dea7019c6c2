import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bundled Datagen-shaped orders file. */
export const ORDERS_FILE = join('data', 'orders.jsonl');

/** The non-empty lines of `data/orders.jsonl`, as written (some are malformed on purpose). */
export function readOrderLines(file: string = ORDERS_FILE): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}
