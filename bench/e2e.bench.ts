/**
 * End-to-end benchmark (`npm run bench:e2e [-- --records N --batch-size N --seed N]`): datagen
 * rides produced to a real local broker, consumed by the local event-source-mapping runner
 * (one mapping per ride handler), handled by the three ride handlers into the embedded
 * dynalite store. Prints records/s from produce to results in DynamoDB, and where the time
 * goes, with every stage measured side by side in this one run (this machine is noisy, so
 * ratios between stages mean more than absolute figures):
 *
 * 1. the producer alone (the `produce` command's code: idempotent, acks = all): records/s, MB/s;
 * 2. broker + runner with no-op handlers: Kafka fetches, batching, event encoding, commits;
 * 3. the handlers' pure core on the same records in the same batches: decode + plan, no store;
 * 4. the full path: mappings consuming while the producer writes, ride handlers, dynalite;
 *    plus the DynamoDB requests it made per record.
 *
 * Uses KAFKA_BROKERS when set; otherwise starts a broker with scripts/kafka/broker.sh (in a
 * temporary folder) and stops it at the end. Asserts nothing: speed targets never live in tests.
 */
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import { loadCatalog } from '../scripts/lib/catalog.js';
import { openDynamo } from '../scripts/lib/dynamoContext.js';
import { resolveFunctions } from '../scripts/lib/functionResolver.js';
import { openKafka } from '../scripts/lib/kafkaConnect.js';
import { type OutgoingRecord, type ProduceSummary, produceRecords } from '../scripts/lib/kafkaProducer.js';
import { formatTable } from '../scripts/lib/textTable.js';
import {
  DEFAULT_BATCH_SIZE,
  type EsmSummary,
  MAX_BATCH_SIZE,
} from '../shared/local/eventSourceMapping/index.js';
import { rideHandlers } from '../shared/rides/index.js';
import { ensureKafka } from '../test/support/kafkaBroker.js';
import { rideRecords } from './benchData.js';
import { countDynamoRequests } from './dynamoRequestCounter.js';
import { eventsOf, timePureCore } from './pureCore.js';
import {
  createBenchTopic,
  deleteBenchTopics,
  noopFunctions,
  timeMappings,
  toOutgoing,
} from './runnerBench.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = parseOptions();
const log = (line: string) => process.stderr.write(`${line}\n`);
const handlerNames = rideHandlers.map((h) => h.name);

const broker = await ensureKafka();
try {
  await main();
} finally {
  await broker.stop();
}

async function main(): Promise<void> {
  const { kafka, connection } = await openKafka({ brokers: broker.brokers.join(',') });
  const topics: string[] = [];
  try {
    await measure(kafka, connection.brokers.join(','), async (prefix) => {
      const topic = await createBenchTopic(kafka, prefix, args.partitions);
      topics.push(topic);
      return topic;
    });
  } finally {
    await deleteBenchTopics(kafka, topics);
  }
}

async function measure(
  kafka: Kafka,
  bootstrapServers: string,
  newTopic: (prefix: string) => Promise<string>,
): Promise<void> {
  const runId = Date.now();

  const records = rideRecords(args.records, { partitions: args.partitions, seed: args.seed });
  const outgoing = toOutgoing(records);
  const n = records.length;
  log(
    `${n} datagen rides (seed ${args.seed}), ${args.partitions} partitions, batch size ${args.batchSize}, ` +
      `broker ${bootstrapServers}${process.env.KAFKA_BROKERS ? ' (KAFKA_BROKERS)' : ' (started for this run)'}`,
  );
  const produce = (topic: string) => () => produceTo(kafka, topic, outgoing);

  log('\n1/4 producer alone');
  const producerTopic = await newTopic('bench-e2e-produce');
  const produced = await produce(producerTopic)();

  log('2/4 broker + runner, no-op handlers (consuming the topic of 1)');
  const scratch = await openDynamo({ inMemory: true });
  const rideFunctions = await resolveFunctions(await loadCatalog(), handlerNames, scratch, {
    topic: producerTopic,
  });
  const runnerOnly = await timeMappings({
    kafka,
    bootstrapServers,
    functions: noopFunctions(rideFunctions),
    topic: producerTopic,
    batchSize: args.batchSize,
    group: `bench-e2e-noop-${runId}`,
    log,
  });
  await scratch.close();

  log('3/4 handlers pure core (decode + plan, no store), same records, same batch size');
  const events = eventsOf(records, args.batchSize);
  timePureCore(events.slice(0, Math.ceil(events.length / 10)), rideHandlers); // JIT warm-up
  const core = timePureCore(events, rideHandlers);

  log('4/4 end to end: producer -> broker -> 3 mappings -> ride handlers -> dynalite (in memory)');
  const e2eTopic = await newTopic('bench-e2e-full');
  const ctx = await openDynamo({ inMemory: true });
  let full: Awaited<ReturnType<typeof timeMappings<ProduceSummary>>>;
  const requests = countDynamoRequests(ctx.doc);
  try {
    full = await timeMappings({
      kafka,
      bootstrapServers,
      functions: await resolveFunctions(await loadCatalog(), handlerNames, ctx, { topic: e2eTopic }),
      topic: e2eTopic,
      batchSize: args.batchSize,
      group: `bench-e2e-full-${runId}`,
      feed: produce(e2eTopic),
      log,
    });
  } finally {
    await ctx.close();
  }
  checkComplete(runnerOnly.summaries, n, 'no-op runner');
  checkComplete(full.summaries, n, 'full path');

  const e2eMs = full.elapsedMs;
  const rate = (ms: number) => n / (ms / 1000);
  const e2eRate = rate(e2eMs);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const r = (perSecond: number) => Math.round(perSecond).toLocaleString('en-US');
  const share = (ms: number) => `${((100 * ms) / e2eMs).toFixed(1)}%`;
  const times = (ms: number) => `${(rate(ms) / e2eRate).toFixed(1)}x`;
  const restMs = e2eMs - runnerOnly.elapsedMs - core.elapsedMs;
  const invocations = (ss: readonly EsmSummary[]) => ss.reduce((k, x) => k + x.invocations, 0);

  const rows: (string | number)[][] = [
    [
      '1 producer alone (idempotent, acks=all)',
      s(produced.elapsedMs),
      r(produced.recordsPerSecond),
      produced.megabytesPerSecond.toFixed(2),
      times(produced.elapsedMs),
      share(produced.elapsedMs),
    ],
    [
      '2 broker + runner, no-op handlers (3 mappings)',
      s(runnerOnly.elapsedMs),
      r(rate(runnerOnly.elapsedMs)),
      '',
      times(runnerOnly.elapsedMs),
      share(runnerOnly.elapsedMs),
    ],
    [
      '3 handlers pure core, 3 handlers (decode + plan)',
      s(core.elapsedMs),
      r(core.recordsPerSecond),
      '',
      times(core.elapsedMs),
      share(core.elapsedMs),
    ],
    ['4 end to end (produce -> results in DynamoDB)', s(e2eMs), r(e2eRate), '', '1.0x', '100.0%'],
    ['  rest, 4 - 2 - 3: the store (SDK + dynalite)', s(restMs), '', '', '', share(restMs)],
    ['  DynamoDB requests in flight (measured)', s(requests.busyMs), '', '', '', share(requests.busyMs)],
  ];
  const perRecord = (k: number) => (k / n).toFixed(3);
  console.log(`\n## End to end, ${n.toLocaleString('en-US')} rides, batch size ${args.batchSize}\n`);
  for (const line of formatTable(['stage', 'wall s', 'records/s', 'MB/s', 'speed vs 4', 'time vs 4'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
  ]))
    console.log(line);
  console.log(
    `\nrecords/s = rides through all three handlers (each ride is delivered 3 times, once per mapping). ` +
      `Producer: ${(produced.bytes / 1e6).toFixed(1)} MB of keys, values and headers.`,
  );
  console.log(`\n## DynamoDB requests of the full path (4)\n`);
  for (const line of formatTable(
    ['what', 'total', 'per record', 'per invocation'],
    [
      [
        'write requests (BatchWrite items one by one)',
        requests.writeRequests,
        perRecord(requests.writeRequests),
        perInvocation(requests.writeRequests, full.summaries),
      ],
      [
        'write API calls',
        requests.writeCalls,
        perRecord(requests.writeCalls),
        perInvocation(requests.writeCalls, full.summaries),
      ],
      [
        'read API calls',
        requests.readCalls,
        perRecord(requests.readCalls),
        perInvocation(requests.readCalls, full.summaries),
      ],
      ['invocations (3 mappings)', invocations(full.summaries), perRecord(invocations(full.summaries)), ''],
    ],
    ['left', 'right', 'right', 'right'],
  ))
    console.log(line);
  console.log(
    `\nmean records per invocation: full path ${((3 * n) / invocations(full.summaries)).toFixed(1)}, ` +
      `no-op runner ${((3 * n) / invocations(runnerOnly.summaries)).toFixed(1)}, pure core ${(n / core.events).toFixed(1)}`,
  );
}

function perInvocation(total: number, summaries: readonly EsmSummary[]): string {
  return (total / summaries.reduce((k, x) => k + x.invocations, 0)).toFixed(2);
}

/** The producer stage: the same code `produce` and `datagen --topic` use. */
function produceTo(kafka: Kafka, topic: string, records: readonly OutgoingRecord[]): Promise<ProduceSummary> {
  return produceRecords(kafka, records, {
    topic,
    sourceName: 'datagen',
    unit: 'record',
    headers: { 'content-type': 'application/json' },
  });
}

/** A figure is only worth printing when every mapping handled every record. */
function checkComplete(summaries: readonly EsmSummary[], n: number, what: string): void {
  for (const x of summaries) {
    if (x.recordsDelivered !== n || x.recordsDiscarded !== 0) {
      throw new Error(
        `${what}: ${x.functionName} delivered ${x.recordsDelivered} of ${n} records (${x.recordsDiscarded} discarded); the figures would be wrong`,
      );
    }
  }
}

function parseOptions(): { records: number; batchSize: number; seed: number; partitions: number } {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
      seed: { type: 'string', default: '1' },
      partitions: { type: 'string', default: '3' },
    },
  });
  const whole = (name: string, value: string, min: number, max: number) => {
    const v = Number(value);
    if (!/^\d+$/.test(value) || v < min || v > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return v;
  };
  return {
    records: whole('records', values.records, 1, 10_000_000),
    batchSize: whole('batch-size', values['batch-size'], 1, MAX_BATCH_SIZE),
    seed: whole('seed', values.seed, 0, 2 ** 31),
    partitions: whole('partitions', values.partitions, 1, 1000),
  };
}
