import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { buildEvent, type KafkaRecordInput } from '../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../shared/engine/process/index.js';
import { createDocumentClient, createPipelineStores } from '../shared/engine/store/dynamo/index.js';
import { ensureTables, itemBytes } from '../shared/local/index.js';
import { tips1h } from '../shared/rides/index.js';

/** One `tips-1h` item fed by some partitions, measured. */
export interface MeasuredItem {
  readonly partitions: number;
  readonly bytes: number;
  readonly writeUnits: number;
  /** Item writes the store made for the one batch holding a record of every partition. */
  readonly itemWrites: number;
}

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

/**
 * What an aggregate item costs as more partitions feed it: each source partition leaves a
 * high-water mark (`hw:<topic>-<partition>`) on every item it touched, and DynamoDB bills a
 * write by the item's size in 1 KB units (the larger of the item before and after). One ride
 * per partition, all in the same hour of `tips-1h` (constant key), through the real store;
 * the item sized by DynamoDB's rules (`shared/local/dynamo/dynamoLimits.ts`).
 */
export async function measureItemBytes(endpoint: string, partitions: number): Promise<MeasuredItem> {
  const tables = {
    aggregates: `items-agg-${partitions}`,
    deadLetters: `items-dl-${partitions}`,
    state: `items-state-${partitions}`,
  };
  await ensureTables(endpoint, tables);
  const doc = createDocumentClient({ endpoint });
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const pipeline = { ...tips1h, name: `tips-1h-p${partitions}` };
    const spec: HandlerSpec = { name: pipeline.name, description: '', topic: 'rides', pipelines: [pipeline] };
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
    return { partitions, bytes, writeUnits: Math.ceil(bytes / 1024), itemWrites: outcome!.writes.itemWrites };
  } finally {
    doc.destroy();
    raw.destroy();
  }
}
