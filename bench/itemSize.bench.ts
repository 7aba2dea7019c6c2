/**
 * What an aggregate item costs as more partitions feed it (`npm run bench:items`): each
 * source partition leaves a high-water mark (`hw:<topic>-<partition>`) on every item it
 * touched, and DynamoDB bills a write by the item's size in 1 KB units (the larger of the
 * item before and after the write). Measured on real items the store wrote, sized by
 * DynamoDB's rules (`shared/local/dynamoLimits.ts`). Asserts nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { buildEvent, type KafkaRecordInput } from '../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../shared/engine/process/index.js';
import { createDocumentClient, createPipelineStores } from '../shared/engine/store/dynamo/index.js';
import { ensureTables, itemBytes, startEmbeddedDynamo } from '../shared/local/index.js';
import { tips1h } from '../shared/rides/index.js';
import { printTable } from './benchData.js';

const dynamo = await startEmbeddedDynamo();
const tables = { aggregates: 'bench-agg', deadLetters: 'bench-dl', state: 'bench-state' };
await ensureTables(dynamo.endpoint, tables);
const doc = createDocumentClient({ endpoint: dynamo.endpoint });
const raw = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const ride = JSON.stringify({
  VendorID: 1,
  tpep_pickup_datetime: '2020-07-01 00:10:00',
  tpep_dropoff_datetime: '2020-07-01 00:20:00',
  passenger_count: 1,
  trip_distance: 1.5,
  RatecodeID: 1,
  store_and_fwd_flag: 'N',
  PULocationID: 75,
  DOLocationID: 74,
  payment_type: 1,
  fare_amount: 8,
  extra: 0.5,
  mta_tax: 0.5,
  tip_amount: 1.86,
  tolls_amount: 0,
  improvement_surcharge: 0.3,
  total_amount: 11.16,
  congestion_surcharge: 0,
});
const rows: (string | number)[][] = [];
for (const partitions of [1, 10, 100, 1000]) {
  const pipeline = { ...tips1h, name: `tips-1h-p${partitions}` };
  const spec: HandlerSpec = { name: pipeline.name, description: '', topic: 'rides', pipelines: [pipeline] };
  // One ride per partition, all in the same hour: one item fed by every partition.
  const records: KafkaRecordInput[] = Array.from({ length: partitions }, (_, p) => ({
    topic: 'rides',
    partition: p,
    offset: 123_456 + p,
    timestampMs: Date.UTC(2020, 6, 1),
    key: null,
    value: ride,
  }));
  const [outcome] = await processEvent(spec, buildEvent(records), createPipelineStores(doc, tables));
  const { Item } = await raw.send(
    new GetItemCommand({
      TableName: tables.aggregates,
      Key: { pk: { S: `${pipeline.name}#all` }, sk: { S: '2020-07-01T00:00:00.000Z' } },
      ConsistentRead: true,
    }),
  );
  const bytes = itemBytes(Item as never);
  rows.push([partitions, bytes, Math.ceil(bytes / 1024), outcome!.writes.itemWrites]);
}
console.log('## Aggregate item size by partitions feeding it (tips-1h, topic "rides", 6-digit offsets)\n');
printTable(['partitions', 'item bytes', 'write units per write', 'item writes for the batch'], rows);
doc.destroy();
raw.destroy();
await dynamo.close();
