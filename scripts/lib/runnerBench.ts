#!/usr/bin/env -S npx tsx
/**
 * Throughput of the local event-source-mapping runner with the three ride handlers on an
 * in-memory dynalite:
 *
 *   npx tsx scripts/lib/runnerBench.ts --brokers 127.0.0.1:9092 --records 100000 [--batch-size 100] [--functions a,b] [--noop]
 *
 * Produces `--records` rides (the bundled 266, repeated with pickup and drop-off times moved
 * a day further each round, keyed by DOLocationID) to a fresh 3-partition topic, then runs one
 * mapping per function until every group has committed to the end, and prints records/s.
 * `--noop` swaps the handlers for one that does nothing: the runner's own ceiling (Kafka,
 * batching, event encoding, commits) without DynamoDB.
 * Only loopback brokers are expected; it deletes nothing (topic names are unique per run).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { Partitioners } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '../../shared/kafka/index.js';
import { rideHandlers } from '../../shared/pipelines/index.js';
import { openDynamo } from './dynamoContext.js';
import { createMappings, startMappings, stopMappings, untilCaughtUp } from './runner.js';
import { resolveRunnerFunctions } from './runnerFunctions.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: {
    brokers: { type: 'string' },
    records: { type: 'string', default: '100000' },
    'batch-size': { type: 'string', default: '100' },
    functions: { type: 'string', default: rideHandlers.map((h) => h.name).join(',') },
    noop: { type: 'boolean', default: false },
  },
});
const total = Number(args.records);
const batchSize = Number(args['batch-size']);
const functionNames = String(args.functions).split(',');
const connection = kafkaConnectionFromEnv(process.env, args.brokers);
const kafka = createKafka(connection);
const topic = `bench-rides-${Date.now()}`;

const DAY_MS = 86_400_000;
const rows = parse(readFileSync('data/rides.csv'), { columns: true, skip_empty_lines: true }) as Record<
  string,
  string
>[];
const shift = (datetime: string, days: number) =>
  new Date(Date.parse(`${datetime.replace(' ', 'T')}Z`) + days * DAY_MS)
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);
function ride(i: number): { key: string; value: string } {
  const row = rows[i % rows.length]!;
  const round = Math.floor(i / rows.length);
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.endsWith('_datetime')) out[k] = shift(v, round);
    else out[k] = k === 'store_and_fwd_flag' ? v : v === '' ? null : Number(v);
  }
  return { key: row.DOLocationID ?? '', value: JSON.stringify(out) };
}

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
});
await admin.disconnect();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
await producer.connect();
const producedAt = Date.now();
for (let i = 0; i < total; i += 2_000) {
  const n = Math.min(2_000, total - i);
  await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ride(i + j)) });
}
await producer.disconnect();
process.stderr.write(
  `produced ${total} records to ${topic} in ${((Date.now() - producedAt) / 1000).toFixed(1)} s\n`,
);

const ctx = await openDynamo({ inMemory: true });
const functions = (await resolveRunnerFunctions(functionNames, ctx, { topic })).map((f) =>
  args.noop ? { ...f, handler: async () => ({ batchItemFailures: [] }) } : f,
);
const mappings = createMappings({
  kafka,
  bootstrapServers: connection.brokers.join(','),
  functions,
  topic,
  group: `bench-${Date.now()}`,
  settings: { batchSize },
  onFailurePath: null,
  progressIntervalMs: 10_000,
  log: (line) => process.stderr.write(`${line}\n`),
});
const startedAt = Date.now();
await startMappings(mappings);
await untilCaughtUp(mappings);
const seconds = (Date.now() - startedAt) / 1000;
const { summaries } = await stopMappings(mappings);
await ctx.close();
for (const s of summaries) {
  process.stdout.write(
    `${s.functionName}: ${s.recordsDelivered} records, ${s.invocations} invocations, ${s.recordsDiscarded} discarded\n`,
  );
}
const delivered = summaries.reduce((n, s) => n + s.recordsDelivered, 0);
process.stdout.write(
  `${total} records x ${summaries.length} function(s), batch size ${batchSize}: ${seconds.toFixed(1)} s, ` +
    `${(total / seconds).toFixed(0)} records/s through every function (${(delivered / seconds).toFixed(0)} invocations-records/s)\n`,
);
