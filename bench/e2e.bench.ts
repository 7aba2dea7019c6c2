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
 * With `--kafka-streams` (and `--functions rides-tumbling-by-pickup`), the same run adds the peer:
 * a Kafka Streams app (bench/kafka-streams/) doing pickup-5m's count, at_least_once and
 * exactly_once_v2, each on a fresh topic fed the same rides the same way as stage 4, and checks
 * that its counts per (PULocationID, window) equal the table's before printing any figure.
 * `--store in-process,process` runs stage 4 once per store kind (the embedded dynalite in this
 * process, or in a child process of its own), side by side in the same run.
 *
 * Uses KAFKA_BROKERS when set; otherwise starts a broker with scripts/kafka/broker.sh (in a
 * temporary folder) and stops it at the end. Asserts no speed: speed targets never live in tests.
 */
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import { loadCatalog } from '../scripts/lib/catalog.js';
import { type DynamoContext, openDynamo } from '../scripts/lib/dynamoContext.js';
import { resolveFunctions } from '../scripts/lib/functionResolver.js';
import { openKafka } from '../scripts/lib/kafkaConnect.js';
import { type OutgoingRecord, type ProduceSummary, produceRecords } from '../scripts/lib/kafkaProducer.js';
import { scanPipelineRows } from '../scripts/lib/readResults.js';
import { formatTable } from '../scripts/lib/textTable.js';
import {
  DEFAULT_BATCH_SIZE,
  type EsmSummary,
  MAX_BATCH_SIZE,
} from '../shared/local/eventSourceMapping/index.js';
import { pickup5m, rideHandlers } from '../shared/rides/index.js';
import { ensureKafka } from '../test/support/kafkaBroker.js';
import { rideRecords } from './benchData.js';
import { countDynamoRequests, type DynamoRequestCounts } from './dynamoRequestCounter.js';
import {
  type KafkaStreamsTiming,
  prepareKafkaStreams,
  timeKafkaStreams,
  type WindowCounts,
  windowCountKey,
} from './kafkaStreamsPeer.js';
import { eventsOf, timePureCore } from './pureCore.js';
import {
  createBenchTopic,
  deleteBenchTopics,
  type MappingsTiming,
  noopFunctions,
  timeMappings,
  toOutgoing,
} from './runnerBench.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = parseOptions();
const log = (line: string) => process.stderr.write(`${line}\n`);
const handlers = rideHandlers.filter((h) => args.functions.includes(h.name));
const handlerNames = handlers.map((h) => h.name);
const mappingsLabel = `${handlers.length} mapping${handlers.length === 1 ? '' : 's'}`;
// Fetch and compile before any broker starts: a first fetch takes a while and must not be timed.
const kafkaStreamsClassPath = args.kafkaStreams ? prepareKafkaStreams(log) : undefined;

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

  // Beside Kafka Streams the rides are keyed by PULocationID, the count's key, so neither side
  // repartitions and both keep stream time per source partition (see docs/benchmarks-e2e.md:
  // after a repartition Kafka Streams' stream time is the maximum over source partitions, and
  // which rides it drops as late then depends on how its consumer interleaved them).
  const keyField = args.kafkaStreams ? 'PULocationID' : 'DOLocationID';
  const records = rideRecords(args.records, { partitions: args.partitions, seed: args.seed, keyField });
  const outgoing = toOutgoing(records);
  const n = records.length;
  log(
    `${n} datagen rides (seed ${args.seed}, keyed by ${keyField}), ${args.partitions} partitions, batch size ${args.batchSize}, ` +
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
  timePureCore(events.slice(0, Math.ceil(events.length / 10)), handlers); // JIT warm-up
  const core = timePureCore(events, handlers);

  log(
    `4/4 end to end: producer -> broker -> ${mappingsLabel} -> ride handlers -> dynalite (in memory, ${args.stores.join(' then ')})`,
  );
  // Every --store gets stage 4 on its own fresh topic, one after the other in this run; the
  // first is the one the stage table breaks down, the others are levers beside it.
  const fullRuns: FullRun[] = [];
  for (const [i, store] of args.stores.entries()) {
    const e2eTopic = await newTopic('bench-e2e-full');
    const ctx = await openDynamo({ inMemory: true, storeProcess: store === 'process' });
    const requests = countDynamoRequests(ctx.doc);
    try {
      const timing = await timeMappings({
        kafka,
        bootstrapServers,
        functions: await resolveFunctions(await loadCatalog(), handlerNames, ctx, { topic: e2eTopic }),
        topic: e2eTopic,
        batchSize: args.batchSize,
        group: `bench-e2e-full-${i}-${store}-${runId}`,
        feed: produce(e2eTopic),
        log,
      });
      checkComplete(timing.summaries, n, `full path (${store})`);
      const counts = kafkaStreamsClassPath ? await readProjectCounts(ctx) : undefined;
      fullRuns.push({ store, timing, requests, ...(counts ? { counts } : {}) });
    } finally {
      await ctx.close();
    }
  }
  checkComplete(runnerOnly.summaries, n, 'no-op runner');
  const { timing: full, requests, counts: projectCounts } = fullRuns[0]!;

  const peers: { label: string; timing: KafkaStreamsTiming }[] = [];
  if (kafkaStreamsClassPath && projectCounts) {
    for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
      log(`5/5 Kafka Streams ${guarantee}: producer -> broker -> PickupCounts (same rides, fresh topic)`);
      const topic = await newTopic(`bench-e2e-kstreams-${guarantee.replaceAll('_', '-')}`);
      const timing = await timeKafkaStreams({
        kafka,
        bootstrapServers,
        classPath: kafkaStreamsClassPath,
        topic,
        guarantee,
        applicationId: `bench-e2e-kstreams-${guarantee.replaceAll('_', '-')}-${runId}`,
        feed: produce(topic),
        log,
      });
      for (const run of fullRuns)
        checkSameCounts(run.counts!, timing, `${guarantee} vs store ${run.store}`, n);
      peers.push({ label: guarantee, timing });
    }
  }

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
      `2 broker + runner, no-op handlers (${mappingsLabel})`,
      s(runnerOnly.elapsedMs),
      r(rate(runnerOnly.elapsedMs)),
      '',
      times(runnerOnly.elapsedMs),
      share(runnerOnly.elapsedMs),
    ],
    [
      `3 handlers pure core, ${handlers.length} handler(s) (decode + plan)`,
      s(core.elapsedMs),
      r(core.recordsPerSecond),
      '',
      times(core.elapsedMs),
      share(core.elapsedMs),
    ],
    [
      `4 end to end (produce -> results in DynamoDB), store ${args.stores[0]}`,
      s(e2eMs),
      r(e2eRate),
      '',
      '1.0x',
      '100.0%',
    ],
    ['  rest, 4 - 2 - 3: the store (SDK + dynalite)', s(restMs), '', '', '', share(restMs)],
    ['  DynamoDB requests in flight (measured)', s(requests.busyMs), '', '', '', share(requests.busyMs)],
    ...fullRuns
      .slice(1)
      .map((run) => [
        `4 lever: store ${run.store}`,
        s(run.timing.elapsedMs),
        r(rate(run.timing.elapsedMs)),
        '',
        times(run.timing.elapsedMs),
        share(run.timing.elapsedMs),
      ]),
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
    `\nrecords/s = rides through all ${handlers.length} handler(s) (each ride is delivered once per mapping). ` +
      `Producer: ${(produced.bytes / 1e6).toFixed(1)} MB of keys, values and headers.`,
  );
  if (peers.length > 0) printPeers(peers, fullRuns, n);
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
      [
        `invocations (${mappingsLabel})`,
        invocations(full.summaries),
        perRecord(invocations(full.summaries)),
        '',
      ],
    ],
    ['left', 'right', 'right', 'right'],
  ))
    console.log(line);
  console.log(
    `\nmean records per invocation: full path ${((handlers.length * n) / invocations(full.summaries)).toFixed(1)}, ` +
      `no-op runner ${((handlers.length * n) / invocations(runnerOnly.summaries)).toFixed(1)}, pure core ${(n / core.events).toFixed(1)}`,
  );
}

/** The project's path beside Kafka Streams: records/s of each, and the project's share of each. */
function printPeers(
  peers: readonly { label: string; timing: KafkaStreamsTiming }[],
  fullRuns: readonly FullRun[],
  n: number,
): void {
  const rate = (ms: number) => n / (ms / 1000);
  const msOf = (label: string) => peers.find((p) => p.label === label)?.timing.elapsedMs;
  const versus = (ms: number, peerMs: number | undefined) =>
    peerMs === undefined ? '' : (peerMs / ms).toFixed(2);
  const row = (what: string, ms: number) => [
    what,
    (ms / 1000).toFixed(1),
    Math.round(rate(ms)).toLocaleString('en-US'),
    versus(ms, msOf('exactly_once_v2')),
    versus(ms, msOf('at_least_once')),
  ];
  const rows = [
    ...peers.map(({ label, timing }) =>
      row(`Kafka Streams ${label} (${timing.droppedRecords} dropped late)`, timing.elapsedMs),
    ),
    ...fullRuns.map((run) =>
      row(
        `project: ${handlerNames.join(', ')}, batch ${args.batchSize}, dynalite ${run.store} (${run.counts?.late ?? '?'} late)`,
        run.timing.elapsedMs,
      ),
    ),
  ];
  console.log(
    `\n## The same count beside Kafka Streams (${pickup5m.name}: counts per window checked equal)\n`,
  );
  for (const line of formatTable(['path', 'wall s', 'records/s', 'vs KS EOS v2', 'vs KS ALOS'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
  ]))
    console.log(line);
}

/** One stage-4 run: the full path on one kind of store. */
interface FullRun {
  readonly store: StoreKind;
  readonly timing: MappingsTiming<ProduceSummary>;
  readonly requests: DynamoRequestCounts;
  /** pickup-5m's table, read when Kafka Streams is compared. */
  readonly counts?: ProjectCounts;
}

/** What the project's table holds for pickup-5m after stage 4: the counts and the late rides. */
interface ProjectCounts {
  readonly counts: WindowCounts;
  /** Dead letters with code LATE: rides whose window had closed (Kafka Streams drops them). */
  readonly late: number;
}

async function readProjectCounts(ctx: DynamoContext): Promise<ProjectCounts> {
  const counts: WindowCounts = new Map();
  for (const row of await scanPipelineRows(ctx, pickup5m.name)) {
    if (row.windowStartMs === null)
      throw new Error(`${pickup5m.name} holds an all-time row; expected windows`);
    counts.set(windowCountKey(row.key, row.windowStartMs), row.count);
  }
  const late = (await ctx.stores.deadLetters.list(pickup5m.name)).filter((d) => d.code === 'LATE').length;
  return { counts, late };
}

/**
 * The comparison is only like for like when both sides counted the same rides into the same
 * windows: every (PULocationID, window start) count must be equal, and every ride counted or
 * dropped as late. Throws naming the first differences, so no figure is printed for a peer
 * that computed something else.
 */
function checkSameCounts(
  project: ProjectCounts,
  peer: KafkaStreamsTiming,
  guarantee: string,
  records: number,
): void {
  const differences: string[] = [];
  for (const key of new Set([...project.counts.keys(), ...peer.counts.keys()])) {
    const ours = project.counts.get(key) ?? 0;
    const theirs = peer.counts.get(key) ?? 0;
    if (ours !== theirs) differences.push(`${key}: table ${ours}, Kafka Streams ${theirs}`);
  }
  const total = (m: WindowCounts) => [...m.values()].reduce((a, b) => a + b, 0);
  if (total(peer.counts) + peer.droppedRecords !== records)
    differences.push(
      `Kafka Streams counted ${total(peer.counts)} and dropped ${peer.droppedRecords} of ${records} rides`,
    );
  if (total(project.counts) + project.late !== records)
    differences.push(
      `the table counted ${total(project.counts)} with ${project.late} late of ${records} rides`,
    );
  if (differences.length > 0) {
    throw new Error(
      `Kafka Streams ${guarantee} and ${pickup5m.name} disagree (${differences.length} differences), so the ` +
        `comparison would not be like for like:\n  ${differences.slice(0, 10).join('\n  ')}`,
    );
  }
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

function storesArg(value: string): StoreKind[] {
  const stores = value.split(',').map((x) => x.trim());
  if (stores.length === 0 || stores.some((x) => x !== 'in-process' && x !== 'process')) {
    throw new Error(`--store takes in-process and/or process, comma-separated; got "${value}"`);
  }
  return stores as StoreKind[];
}

/** The bench's flags, validated. */
interface BenchOptions {
  readonly records: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly partitions: number;
  /** Handlers to run, one mapping each. @default every ride handler */
  readonly functions: readonly string[];
  /** Add the Kafka Streams peer (needs rides-tumbling-by-pickup, whose pickup-5m it computes). */
  readonly kafkaStreams: boolean;
  /**
   * Stage 4 once per store, in this order (`--store in-process,process`): the first is broken
   * down, the others are levers beside it. @default ['in-process']
   */
  readonly stores: readonly StoreKind[];
}

/** Where stage 4's dynalite runs: this process, or a child process (`openDynamo({ storeProcess })`). */
type StoreKind = 'in-process' | 'process';

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
      seed: { type: 'string', default: '1' },
      partitions: { type: 'string', default: '3' },
      functions: { type: 'string', default: rideHandlers.map((h) => h.name).join(',') },
      'kafka-streams': { type: 'boolean', default: false },
      store: { type: 'string', default: 'in-process' },
    },
  });
  const whole = (name: string, value: string, min: number, max: number) => {
    const v = Number(value);
    if (!/^\d+$/.test(value) || v < min || v > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return v;
  };
  const known = rideHandlers.map((h) => h.name);
  const functions = values.functions.split(',').map((f) => f.trim());
  const unknown = functions.filter((f) => !known.includes(f));
  if (unknown.length > 0 || functions.length === 0) {
    throw new Error(`--functions takes ride handlers from: ${known.join(', ')}; got "${values.functions}"`);
  }
  const kafkaStreams = values['kafka-streams'];
  const pickupHandler = rideHandlers.find((h) => h.pipelines.includes(pickup5m))!.name;
  if (kafkaStreams && !functions.includes(pickupHandler)) {
    throw new Error(
      `--kafka-streams compares with ${pickup5m.name}: --functions must include ${pickupHandler}`,
    );
  }
  return {
    records: whole('records', values.records, 1, 10_000_000),
    batchSize: whole('batch-size', values['batch-size'], 1, MAX_BATCH_SIZE),
    seed: whole('seed', values.seed, 0, 2 ** 31),
    partitions: whole('partitions', values.partitions, 1, 1000),
    functions,
    kafkaStreams,
    stores: storesArg(values.store),
  };
}
