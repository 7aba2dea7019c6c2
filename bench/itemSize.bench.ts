/**
 * What an aggregate item costs as more partitions feed it (`npm run bench:items`): see
 * `measureItemBytes`. Asserts nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { startEmbeddedDynamo } from '../shared/local/index.js';
import { printTable } from './benchData.js';
import { measureItemBytes } from './itemBytes.js';

const dynamo = await startEmbeddedDynamo();
const rows: (string | number)[][] = [];
for (const partitions of [1, 10, 100, 1000]) {
  const m = await measureItemBytes(dynamo.endpoint, partitions);
  rows.push([m.partitions, m.bytes, m.writeUnits, m.itemWrites]);
}
console.log('## Aggregate item size by partitions feeding it (tips-1h, topic "rides", 6-digit offsets)\n');
printTable(['partitions', 'item bytes', 'write units per write', 'item writes for the batch'], rows);
await dynamo.close();
