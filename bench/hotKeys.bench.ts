/**
 * Hot keys at scale (`npm run bench:hot-keys`): for each pipeline of the worked example, the
 * highest topic rate (rides/s) at which its hottest item stays within DynamoDB's 1,000
 * write units per second, for 10 / 100 / 1,000 source partitions at the deployed batch size
 * (1,000) and batching window (1 s), from the model in `hotKeyModel.ts` fed with measured
 * inputs: the hottest key's share of datagen rides (decoded and keyed by the pipelines' own
 * code) and the write units of an item fed by that many partitions (the real store, sized
 * by DynamoDB's rules). Asserts nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { codecByName } from '../shared/engine/decode/index.js';
import { buildEvent, decodeEvent } from '../shared/engine/event/index.js';
import { keyOf } from '../shared/engine/process/index.js';
import { startEmbeddedDynamo } from '../shared/local/index.js';
import { RIDES_TOPIC, rideHandlers } from '../shared/rides/index.js';
import { printTable, rideRecords } from './benchData.js';
import { type Deployment, type HotItem, maxRidesPerSecond } from './hotKeyModel.js';
import { measureItemBytes } from './itemBytes.js';

const PARTITION_COUNTS = [10, 100, 1000];
const RIDES = 50_000;

// Write units of an item by the partitions that fed it, measured at the counts the table needs.
const dynamo = await startEmbeddedDynamo();
const unitsByPartitions = new Map<number, number>([
  [1, (await measureItemBytes(dynamo.endpoint, 1)).writeUnits],
]);
for (const p of PARTITION_COUNTS)
  unitsByPartitions.set(p, (await measureItemBytes(dynamo.endpoint, p)).writeUnits);
await dynamo.close();

// The rides topic is keyed by DOLocationID (datagen, `produce`): a pipeline keyed by it is fed
// by one partition per key.
const TOPIC_KEY_FIELD = 'DOLocationID';
const records = decodeEvent(buildEvent(rideRecords(RIDES))).flat();
const rows: (string | number)[][] = [];
for (const handler of rideHandlers.filter((h) => h.topic === RIDES_TOPIC)) {
  for (const pipeline of handler.pipelines) {
    if (!('key' in pipeline) || pipeline.key === undefined) continue;
    const keyed = { key: pipeline.key };
    const codec = codecByName(pipeline.codec);
    const counts = new Map<string, number>();
    for (const record of records) {
      const value = codec.decode(record) as Record<string, unknown>;
      const key = keyOf(keyed, { record, value });
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const [hotKey, hotCount] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    const keySpec = pipeline.key as { field?: string };
    const item: HotItem = {
      keyShare: hotCount / records.length,
      keyedLikeTopic: keySpec.field === TOPIC_KEY_FIELD,
      writeUnits: (p) => unitsByPartitions.get(p) ?? Number.NaN,
    };
    const limits = PARTITION_COUNTS.map((partitions) => {
      const d: Deployment = { partitions, batchSize: 1000, batchingWindowMs: 1000 };
      const max = maxRidesPerSecond(item, d);
      return Number.isFinite(max) ? Math.round(max).toLocaleString('en-US') : 'no limit';
    });
    rows.push([
      pipeline.name,
      `${hotKey} (${((100 * hotCount) / records.length).toFixed(1)}%)`,
      item.keyedLikeTopic ? 'one' : 'all',
      ...limits,
    ]);
  }
}
console.log(
  `## Highest topic rate (rides/s) before the hottest item exceeds ${1000} WRU/s (batch size 1,000, batching window 1 s; write units per write ${[...unitsByPartitions].map(([p, u]) => `${u} at ${p}`).join(', ')} partitions)\n`,
);
printTable(
  [
    'pipeline',
    'hottest key (share of rides)',
    'partitions feeding it',
    ...PARTITION_COUNTS.map((p) => `${p} partitions`),
  ],
  rows,
);
