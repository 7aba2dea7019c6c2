/**
 * Cost per million rides (`npm run bench:cost [-- --records N]`): each aggregating ride
 * handler replays the same datagen rides (6 partitions, the CDK default) in batches of 100,
 * 1,000 and 10,000 records (or 6 MB, whichever comes first, as Lambda does) against an
 * embedded DynamoDB in its own process, measuring per invocation the write and read request
 * units DynamoDB would bill (checkpoints and dead letters included), the handler's CPU time
 * and its store request rounds; `costModel.ts` turns them into dollars at list prices. Beside
 * them, the naive one-UpdateItem-per-record handler on the same rides, and a Managed Flink
 * application on paper. Asserts nothing: read the ratios.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { buildEvent, type KafkaRecordInput } from '../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../shared/engine/process/index.js';
import { createDocumentClient, createPipelineStores } from '../shared/engine/store/dynamo/index.js';
import { ensureTables } from '../shared/local/index.js';
import { pickup5m, rideHandlers } from '../shared/rides/index.js';
import { printTable, rideRecords } from './benchData.js';
import { countCapacity } from './capacityCounter.js';
import { costPerMillion, flinkCostPerMillion, type MeasuredInvocation, PRICES } from './costModel.js';
import { startDynamoServerProcess } from './dynamoServerProcess.js';
import { naiveApply } from './naiveHandler.js';

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '20000' } } });
const RECORDS = Number(args.records);
const BATCH_SIZES = [100, 1000, 10_000];
/** Lambda's limit on one invocation's payload. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** What the CDK app deploys (`PipelineFunction`): 1,024 MB on arm64. */
const MEMORY_MB = 1024;
const DYNAMO_LATENCY_MS = 6;
/** The store's default write concurrency (`DynamoAggregateStore`). */
const STORE_CONCURRENCY = 16;

/** Batches of at most `size` records and 6 MB of event, in offset order per partition. */
function batches(records: readonly KafkaRecordInput[], size: number): KafkaRecordInput[][] {
  const out: KafkaRecordInput[][] = [];
  let current: KafkaRecordInput[] = [];
  let bytes = 0;
  for (const r of records) {
    // Lambda's event: the value and key base64-encoded plus about 150 bytes of JSON per record.
    const recordBytes = Math.ceil((Buffer.byteLength(r.value ?? '') * 4) / 3) + 150;
    if (current.length === size || bytes + recordBytes > MAX_EVENT_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += recordBytes;
  }
  if (current.length) out.push(current);
  return out;
}

const dynamo = await startDynamoServerProcess();
const records = rideRecords(RECORDS, { partitions: 6 });
const handlers = rideHandlers.map((h) => h.name);
const rows: (string | number)[][] = [];
let tableSeq = 0;

async function measure(
  size: number,
  apply: (
    doc: ReturnType<typeof createDocumentClient>,
    tables: ReturnType<typeof tableNames>,
    batch: KafkaRecordInput[],
  ) => Promise<void>,
): Promise<MeasuredInvocation & { invocations: number }> {
  const tables = tableNames(++tableSeq);
  await ensureTables(dynamo.endpoint, tables);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  const counts = countCapacity(doc, STORE_CONCURRENCY);
  let cpuMicros = 0;
  const all = batches(records, size);
  for (const batch of all) {
    const cpu = process.cpuUsage();
    await apply(doc, tables, batch);
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
  }
  doc.destroy();
  const n = all.length;
  return {
    invocations: n,
    records: records.length / n,
    writeUnits: counts.writeUnits / n,
    readUnits: counts.readUnits / n,
    cpuMs: cpuMicros / 1000 / n,
    rounds: counts.rounds / n,
  };
}

function tableNames(seq: number) {
  return { aggregates: `cost-agg-${seq}`, deadLetters: `cost-dl-${seq}`, state: `cost-state-${seq}` };
}

function row(
  name: string,
  size: number,
  m: MeasuredInvocation & { invocations: number },
): (string | number)[] {
  const c = costPerMillion(m, { memoryMb: MEMORY_MB, dynamoLatencyMs: DYNAMO_LATENCY_MS });
  const perMillion = 1e6 / m.records;
  return [
    name,
    size,
    Math.round(m.records),
    Math.round(m.writeUnits * perMillion).toLocaleString('en-US'),
    Math.round(m.readUnits * perMillion).toLocaleString('en-US'),
    m.cpuMs.toFixed(1),
    c.durationMs.toFixed(0),
    c.dynamoUsd.toFixed(3),
    c.lambdaUsd.toFixed(3),
    c.totalUsd.toFixed(3),
  ];
}

for (const size of BATCH_SIZES) {
  for (const name of handlers) {
    const spec = rideHandlers.find((h) => h.name === name) as HandlerSpec;
    const m = await measure(size, async (doc, tables, batch) => {
      await processEvent(spec, buildEvent(batch), createPipelineStores(doc, tables));
    });
    rows.push(row(name, size, m));
  }
  const naive = await measure(size, (doc, tables, batch) =>
    naiveApply(doc, tables.aggregates, pickup5m, buildEvent(batch)),
  );
  rows.push(row('naive pickup-5m (one write per record)', size, naive));
}

console.log(
  `## Cost per million rides (${records.length.toLocaleString('en-US')} datagen rides, 6 partitions, ${MEMORY_MB} MB arm64, DynamoDB round trip ${DYNAMO_LATENCY_MS} ms, prices of ${PRICES.date})\n`,
);
printTable(
  [
    'handler',
    'batch size',
    'records per invocation',
    'WRU per M rides',
    'RRU per M rides',
    'CPU ms per invocation',
    'modelled duration ms',
    'DynamoDB $ per M',
    'Lambda $ per M',
    'total $ per M',
  ],
  rows,
);
console.log(
  '\n## Managed Service for Apache Flink on paper (KPUs running all month, +1 orchestration KPU)\n',
);
printTable(
  ['sustained rides/s', 'KPUs', '$ per M rides'],
  [
    [100, 1, flinkCostPerMillion(100, 1).toFixed(3)],
    [1_000, 1, flinkCostPerMillion(1_000, 1).toFixed(3)],
    [10_000, 2, flinkCostPerMillion(10_000, 2).toFixed(3)],
  ],
);
dynamo.close();
