/**
 * Writes `data/orders.jsonl` from the seeded orders generator (shared/local/datagen/ordersData.ts):
 *   npx tsx scripts/data/ordersData.ts [out]
 * The output is byte-identical on every run; test/shared/orders/ordersData.test.ts fails
 * when the committed file and the generator disagree.
 */
import { writeFileSync } from 'node:fs';
import { generateOrderLines } from '../../shared/local/datagen/ordersData.js';

const out = process.argv[2] ?? 'data/orders.jsonl';
const lines = generateOrderLines();
writeFileSync(out, `${lines.join('\n')}\n`);
process.stderr.write(`wrote ${lines.length} lines to ${out}\n`);
