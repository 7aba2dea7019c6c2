import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { outputTopicsOf, pipelinesOf } from '../../shared/engine/catalog.js';
import { ConfigError, StreamError } from '../../shared/engine/errors/index.js';
import { handlerOnTopic } from '../../shared/engine/process/handlerOnTopic.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { isJoin, type JoinSpec } from '../../shared/engine/processors/index.js';
import { scanJoinPairs } from '../../shared/engine/store/dynamo/index.js';
import { createTopicsAndWait } from '../../shared/kafka/index.js';
import {
  DEFAULT_BATCH_SIZE,
  type EsmSummary,
  MAX_BATCH_SIZE,
} from '../../shared/local/eventSourceMapping/index.js';
import { readRecordFile, resetTopicFiles, TopicFilesSink } from '../../shared/local/io/index.js';
import { PICKUP_LOCATIONS_TOPIC, RIDES_TOPIC, ZONES_TOPIC } from '../../shared/rides/index.js';
import { loadZones } from '../../shared/rides/schemas/index.js';
import type { BatchSource } from '../lib/batchSource.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { intArg } from '../lib/cliOptions.js';
import { DEFAULT_LOCAL_DATA_DIR, type DynamoContext, openDynamo } from '../lib/dynamoContext.js';
import { feedBatchesWithProgress, type ReplayTotals } from '../lib/feedBatches.js';
import { closeFunctions, type ResolvedFunction, resolveFunctions } from '../lib/functionResolver.js';
import {
  addBrokerOption,
  KafkaUnavailableError,
  type OpenKafka,
  openKafka,
  withAdmin,
} from '../lib/kafkaConnect.js';
import type { ProduceSummary } from '../lib/kafkaProducer.js';
import { resetLocalData } from '../lib/localData.js';
import { type Output, processOutput } from '../lib/output.js';
import { handlersReading } from '../lib/pipelineSelection.js';
import { runProduce } from '../lib/produceFile.js';
import { countLines } from '../lib/progress.js';
import { scanPipelineRows } from '../lib/readResults.js';
import { DEFAULT_REPLAY_PARTITIONS, replaySource } from '../lib/replaySource.js';
import type { ResultRow } from '../lib/resultRows.js';
import { createMappings, runUntilCaughtUp } from '../lib/runner.js';
import {
  DEFAULT_KEY_FIELD,
  DEFAULT_TIMESTAMP_FIELDS,
  formatOf,
  requireInputFile,
} from '../lib/sourceRecords.js';
import {
  formatSummary,
  hasRidePipelines,
  type StartSummary,
  type SummaryInput,
  summarize,
} from '../lib/summaries.js';
import { formatTable, shortUtc } from '../lib/textTable.js';
import { createTopic, describeTopic } from '../lib/topicAdmin.js';
import { defaultTopicsDir } from './replay.js';

/** The bundled data `start` replays. */
export const DEFAULT_RIDES_FILE = 'data/rides.csv';
export const DEFAULT_ZONES_FILE = 'data/taxi_zone_lookup.csv';

/** Options of {@link runStart}; the flags of `start`. */
export interface StartOptions {
  /** @default data/rides.csv */
  readonly file?: string;
  /** @default data/taxi_zone_lookup.csv */
  readonly zonesFile?: string;
  /** @default 3 */
  readonly partitions?: number;
  /** @default 100 */
  readonly batchSize?: number;
  /** Folder of the embedded store; wiped first. @default .local/dynamo (LOCAL_DATA_DIR) */
  readonly dataDir?: string;
  /** Keep the store in memory only (tests). */
  readonly inMemory?: boolean;
  /** Bootstrap servers: take the broker path. Wins over `env.KAFKA_BROKERS`. */
  readonly brokers?: string;
  /**
   * Where KAFKA_BROKERS (which picks the broker path) and the Kafka auth settings are read.
   * The command passes `process.env`; in-process callers pass nothing and get the embedded
   * path unless they give `brokers`, whatever the test runner's environment holds.
   * @default none (auth settings then come from process.env)
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Topic the rides are on. Broker path: created with `partitions` partitions and
   * retention.ms -1; an existing one must be empty, with those partitions and retention.ms -1.
   * @default broker path: a fresh `rides-start-<epoch ms>`; embedded: rides
   */
  readonly topic?: string;
  /**
   * Topic of the pickup-location events (the join's other side), on both paths: produced and
   * mapped like the rides on the broker, replayed embedded.
   * @default with `topic` given, or on the broker path: `<rides topic>-pickup-locations`, so a
   *   run's two topics go together; embedded without `topic`: pickup-locations
   */
  readonly pickupLocationsTopic?: string;
  /** Stop at the first malformed input line. @default false: it is delivered as is and dead-lettered */
  readonly strict?: boolean;
  /** The handlers to run. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
  /** Wall clock for the TTL attributes; fixed in tests so two runs' tables compare equal. @default Date.now */
  readonly nowMs?: () => number;
}

/** What the embedded path did. */
export interface EmbeddedStartResult {
  readonly path: 'embedded';
  readonly totals: ReplayTotals;
  readonly summary: StartSummary;
}

/** What the broker path did. */
export interface BrokerStartResult {
  readonly path: 'broker';
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly produced: ProduceSummary;
  /** One per handler of the catalog reading the rides, in handler order. */
  readonly mappings: readonly EsmSummary[];
  /**
   * The join's other input, produced and mapped as the rides are; undefined when no handler
   * reads pickup locations or their file is missing.
   */
  readonly pickupLocations?: {
    readonly topic: string;
    readonly produced: ProduceSummary;
    /** One per handler of the catalog reading pickup locations. */
    readonly mappings: readonly EsmSummary[];
  };
  readonly summary: StartSummary;
}

/** What {@link runStart} did; `summary` is the same on both paths for the same file. */
export type StartResult = EmbeddedStartResult | BrokerStartResult;

/**
 * The embedded path's batches: the rides replayed from a file exactly as an event-source
 * mapping would deliver them after a producer wrote them in file order (murmur2 partitions,
 * offsets from 0). The broker path does not go through a {@link BatchSource}: there the local
 * event-source-mapping runner cuts batches and invokes the handlers itself, one mapping per
 * handler, as AWS does (see {@link runStart}).
 */
export function startSource(options: StartOptions): BatchSource {
  return replaySource({
    file: options.file ?? DEFAULT_RIDES_FILE,
    partitions: options.partitions ?? DEFAULT_REPLAY_PARTITIONS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    ...(options.topic ? { topic: options.topic } : {}),
    ...(options.strict ? { strict: true } : {}),
  });
}

/**
 * Reads what the summaries need: every row of every pipeline start ran, every dead
 * letter, and the zone lookup when the ride sections will name zones.
 */
export async function readSummaryInput(
  ctx: DynamoContext,
  zonesFile = DEFAULT_ZONES_FILE,
  catalog?: Catalog,
): Promise<SummaryInput> {
  // start replays the rides: the pipelines of the handlers reading the rides topic.
  const { handlers } = catalog ?? (await loadCatalog());
  const pipelines = handlersReading(handlers, RIDES_TOPIC).flatMap((h) => h.pipelines);
  const rows = new Map<string, ResultRow[]>();
  for (const p of pipelines) rows.set(p.name, await scanPipelineRows(ctx, p.name));
  return {
    rows,
    deadLetters: await ctx.stores.deadLetters.list(),
    ...(hasRidePipelines(pipelines) ? { zones: loadZones(zonesFile) } : {}),
    pipelines,
  };
}

/** The bootstrap servers that pick the broker path, and where they came from; undefined: embedded. */
export function brokersFor(options: StartOptions): { brokers: string; from: string } | undefined {
  const flag = options.brokers?.trim();
  if (flag) return { brokers: flag, from: '--brokers' };
  const env = options.env?.KAFKA_BROKERS?.trim();
  return env ? { brokers: env, from: 'KAFKA_BROKERS' } : undefined;
}

/**
 * The main local job. Without a broker (the default, `npm start` on a fresh machine): a fresh
 * embedded store, the bundled rides replayed through every ride handler. With KAFKA_BROKERS
 * or `--brokers`: the real path, the rides produced to a topic and consumed by one local
 * event-source mapping per handler. Either way the same summaries, read back from the same
 * embedded tables, which stay there for `query` and `dead-letters`.
 */
export async function runStart(
  options: StartOptions = {},
  output: Output = processOutput,
): Promise<StartResult> {
  requireInputFile(options.file ?? DEFAULT_RIDES_FILE);
  const broker = brokersFor(options);
  return broker ? startOnBroker(options, broker, output) : startEmbedded(options, output);
}

async function startEmbedded(options: StartOptions, output: Output): Promise<EmbeddedStartResult> {
  const dataDir = options.dataDir ?? DEFAULT_LOCAL_DATA_DIR;
  const source = startSource(options);
  const catalog = options.catalog ?? (await loadCatalog());
  // start replays the rides: the handlers reading the rides topic (retargeted with --topic).
  const rideHandlers = handlersReading(catalog.handlers, RIDES_TOPIC);
  const handlers = options.topic ? handlersOn(rideHandlers, options.topic) : rideHandlers;
  // The zones go first, through the handlers materializing the zones topic, so the rides'
  // enrichment finds them (as a compacted zones topic loaded before the rides would).
  const zoneHandlers = handlersReading(catalog.handlers, ZONES_TOPIC);
  output.out('Path: embedded replay, no broker (set KAFKA_BROKERS or pass --brokers to use a real one)');
  if (!options.inMemory) resetTopicFiles(defaultTopicsDir(dataDir));
  const ctx = await openFreshStore(options, dataDir);
  const sink = new TopicFilesSink(options.inMemory ? undefined : defaultTopicsDir(dataDir));
  try {
    await loadZonesTable(zoneHandlers, ctx, options, output, sink);
    output.out(`Replaying ${source.description}`);
    output.out(`through ${handlers.map((h) => h.name).join(', ')} (${storeLabel(options, dataDir)})`);
    output.out('');
    const file = options.file ?? DEFAULT_RIDES_FILE;
    const totals = await feedBatchesWithProgress(
      source,
      handlers,
      ctx.stores,
      output,
      (await countLines(file)) - 1,
      sink,
    );
    if (sink.counts.size > 0) {
      output.out('');
      output.out('Output topics (no broker: one JSON-lines file per topic)');
      for (const line of sink.summaryLines()) output.out(`  ${line}`);
    }
    const pickupHandlers = pickupLocationHandlers(catalog);
    const pickupTopic = pickupLocationsTopicOf(options, options.topic);
    await feedPickupLocations(
      pickupTopic === PICKUP_LOCATIONS_TOPIC ? pickupHandlers : handlersOn(pickupHandlers, pickupTopic),
      pickupTopic,
      ctx,
      output,
      sink,
    );
    const summary = await printSummary(ctx, { ...options, catalog }, dataDir, output);
    return { path: 'embedded', totals, summary };
  } finally {
    await ctx.close();
  }
}

/**
 * The real path: create the topic, produce the file with the `produce` command's code (same
 * key, DOLocationID, and JSON values as the replay; murmur2 partitions and offsets in file
 * order, so each partition holds what the replay's does), then consume it with one local
 * event-source mapping per ride handler, each in a fresh consumer group, until every group
 * has committed to the end.
 */
async function startOnBroker(
  options: StartOptions,
  broker: { brokers: string; from: string },
  output: Output,
): Promise<BrokerStartResult> {
  const file = options.file ?? DEFAULT_RIDES_FILE;
  const catalog = options.catalog ?? (await loadCatalog());
  const format = formatOf({ file });
  if (format === 'records') {
    throw new ConfigError(
      `${file} is a records file (.records.jsonl), which only the embedded path replays; give a CSV or JSON-lines file, ` +
        'or unset KAFKA_BROKERS and drop --brokers to replay it without a broker',
    );
  }
  const partitions = options.partitions ?? DEFAULT_REPLAY_PARTITIONS;
  const runId = Date.now();
  const topic = options.topic ?? `rides-start-${runId}`;
  const kafkaOptions = { brokers: broker.brokers, env: options.env ?? process.env };
  output.out(
    `Path: Kafka broker at ${broker.brokers} (from ${broker.from}): topic ${topic}, ` +
      'one local event-source mapping per handler',
  );
  const open = await openKafka(kafkaOptions).catch((cause: unknown) => {
    if (!(cause instanceof KafkaUnavailableError)) throw cause;
    throw new KafkaUnavailableError(
      `${cause.message}; or, to run without a broker, unset KAFKA_BROKERS and drop --brokers (embedded replay)`,
      { cause },
    );
  });
  const brokerList = open.connection.brokers;
  await prepareTopic(open, topic, partitions, kafkaOptions, output);
  // The join's other side goes through the broker as the rides do: its own topic, produced
  // from the file, one mapping per handler reading it.
  const pickupHandlers = pickupLocationHandlers(catalog);
  const pickupTopic = pickupHandlers.length > 0 ? pickupLocationsTopicOf(options, topic) : undefined;
  if (pickupTopic) await prepareTopic(open, pickupTopic, partitions, kafkaOptions, output);
  await prepareOutputTopics(
    open,
    handlersReading(catalog.handlers, RIDES_TOPIC).flatMap((h) => outputTopicsOf(h)),
    partitions,
    output,
  );

  const timestampField = await timestampFieldOf(file, format);
  const produced = await runProduce({
    ...kafkaOptions,
    topic,
    file,
    format,
    keyField: DEFAULT_KEY_FIELD,
    valueFormat: 'json',
    ...(timestampField ? { timestampField } : {}),
    // As the embedded replay: every line reaches the handlers, a malformed one as it is.
    allowMalformed: !options.strict,
    output,
  });
  const pickupsProduced = pickupTopic
    ? await runProduce({
        ...kafkaOptions,
        topic: pickupTopic,
        file: DEFAULT_PICKUP_LOCATIONS_FILE,
        format: 'jsonl',
        // As the embedded replay keys them (and the course's producer): by PULocationID.
        keyField: PICKUP_LOCATIONS_KEY_FIELD,
        valueFormat: 'json',
        ...(await timestampFieldOf(DEFAULT_PICKUP_LOCATIONS_FILE, 'jsonl').then((f) =>
          f ? { timestampField: f } : {},
        )),
        allowMalformed: !options.strict,
        output,
      })
    : undefined;

  const dataDir = options.dataDir ?? DEFAULT_LOCAL_DATA_DIR;
  const ctx = await openFreshStore(options, dataDir);
  let functions: ResolvedFunction[] = [];
  try {
    await loadZonesTable(
      handlersReading(catalog.handlers, ZONES_TOPIC),
      ctx,
      options,
      output,
      new TopicFilesSink(undefined),
    );
    const producerEnv = { ...kafkaOptions.env, KAFKA_BROKERS: brokerList.join(',') };
    functions = await resolveFunctions(
      catalog,
      handlersReading(catalog.handlers, RIDES_TOPIC).map((h) => h.name),
      ctx,
      { topic, producerEnv },
    );
    const pickupFunctions = pickupTopic
      ? await resolveFunctions(
          catalog,
          pickupHandlers.map((h) => h.name),
          ctx,
          { topic: pickupTopic, producerEnv },
        )
      : [];
    functions = [...functions, ...pickupFunctions];
    const rideFunctions = functions.slice(0, functions.length - pickupFunctions.length);
    output.out(
      `Consuming ${topic} (${partitions} partitions, ${produced.records} records, batches of up to ${options.batchSize ?? DEFAULT_BATCH_SIZE})`,
    );
    output.out(`through ${rideFunctions.map((f) => f.name).join(', ')} (${storeLabel(options, dataDir)})`);
    if (pickupTopic && pickupsProduced) {
      output.out(
        `and, at the same time, ${pickupTopic} (${pickupsProduced.records} pickup locations from ${DEFAULT_PICKUP_LOCATIONS_FILE}) through ${pickupFunctions.map((f) => f.name).join(', ')}`,
      );
    }
    output.out('');
    const settings = {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      startingPosition: 'TRIM_HORIZON' as const,
      // A handler that keeps failing must not hang `start`: a few retries, then the run
      // fails below (no on-failure file: the summaries would silently miss those records).
      maximumRetryAttempts: 2,
    };
    const mappingsOf = (fns: ResolvedFunction[], onTopic: string, group: string) =>
      createMappings({
        kafka: open.kafka,
        bootstrapServers: brokerList.join(','),
        functions: fns,
        topic: onTopic,
        group,
        settings,
        onFailurePath: null,
        log: (line) => output.err(line),
      });
    const rideMappings = mappingsOf(rideFunctions, topic, `start-${runId}`);
    const pickupMappings = pickupTopic
      ? mappingsOf(pickupFunctions, pickupTopic, `start-${runId}-${PICKUP_LOCATIONS_TOPIC}`)
      : [];
    // Both topics at once, as two sets of mappings in AWS: the join's sides meet concurrently.
    const all = await runUntilCaughtUp([...rideMappings, ...pickupMappings]);
    const summaries = all.slice(0, rideMappings.length);
    const pickupSummaries = all.slice(rideMappings.length);
    requireEveryRecord(summaries, produced.records, topic);
    if (pickupTopic && pickupsProduced)
      requireEveryRecord(pickupSummaries, pickupsProduced.records, pickupTopic);
    for (const line of formatMappingTotals(summaries)) output.out(line);
    if (pickupSummaries.length > 0) {
      output.out('');
      for (const line of formatMappingTotals(pickupSummaries)) output.out(line);
    }
    const summary = await printSummary(ctx, { ...options, catalog }, dataDir, output);
    const topics = pickupTopic ? [topic, pickupTopic] : [topic];
    output.out(
      `${topics.length > 1 ? 'Topics' : 'Topic'} ${topics.join(', ')} stay${topics.length > 1 ? '' : 's'} on the broker; delete ${topics.length > 1 ? 'them' : 'it'} with: npm run -s cli -- topics delete ${topics.join(' ')}`,
    );
    return {
      path: 'broker',
      brokers: brokerList,
      topic,
      produced,
      mappings: summaries,
      ...(pickupTopic && pickupsProduced
        ? { pickupLocations: { topic: pickupTopic, produced: pickupsProduced, mappings: pickupSummaries } }
        : {}),
      summary,
    };
  } finally {
    await closeFunctions(functions);
    await ctx.close();
  }
}

/**
 * Feeds the zones file through the handlers materializing the zones topic, before the rides,
 * so enrichment finds every zone (as a compacted zones topic loaded first would). Both paths
 * load it the same way, embedded, so their summaries agree.
 */
async function loadZonesTable(
  zoneHandlers: readonly HandlerSpec[],
  ctx: DynamoContext,
  options: StartOptions,
  output: Output,
  sink: TopicFilesSink,
): Promise<void> {
  if (zoneHandlers.length === 0) return;
  const zonesFile = options.zonesFile ?? DEFAULT_ZONES_FILE;
  requireInputFile(zonesFile);
  output.out(`Loading the zones ${zonesFile} through ${zoneHandlers.map((h) => h.name).join(', ')}`);
  await feedBatchesWithProgress(
    replaySource({ file: zonesFile, topic: ZONES_TOPIC, keyField: 'locationid', partitions: 1 }),
    zoneHandlers,
    ctx.stores,
    output,
    (await countLines(zonesFile)) - 1,
    sink,
  );
  output.out('');
}

/** The pickup-location events `start` feeds the join's other side (made from data/rides.csv). */
export const DEFAULT_PICKUP_LOCATIONS_FILE = 'data/pickup-locations.jsonl';

/** The key of a pickup-location event, as the course's `JsonProducerPickupLocation` keys it. */
const PICKUP_LOCATIONS_KEY_FIELD = 'PULocationID';

/** The handlers of the join's other side; none when its file is missing (a trimmed checkout). */
function pickupLocationHandlers(catalog: Catalog): HandlerSpec[] {
  return existsSync(DEFAULT_PICKUP_LOCATIONS_FILE)
    ? handlersReading(catalog.handlers, PICKUP_LOCATIONS_TOPIC)
    : [];
}

/**
 * The topic of a run's pickup locations: `<rides topic>-pickup-locations` when the rides are
 * on a topic of the run's own (the broker path, `--topic`), so both paths name the same
 * topics, hence the same record ids, checkpoints and pairs; the declared topic otherwise.
 */
export function pickupLocationsTopicOf(options: StartOptions, ridesTopic: string | undefined): string {
  if (options.pickupLocationsTopic) return options.pickupLocationsTopic;
  return ridesTopic && ridesTopic !== RIDES_TOPIC
    ? `${ridesTopic}-${PICKUP_LOCATIONS_TOPIC}`
    : PICKUP_LOCATIONS_TOPIC;
}

/**
 * The embedded path's second input of the rides x pickup-locations join, after the rides (a
 * stream-stream join needs both topics): the bundled pickup-location events through the
 * handlers reading that topic, keyed by PULocationID as the course's producer keys them.
 * The broker path produces them to their topic and maps it instead (see startOnBroker).
 */
async function feedPickupLocations(
  handlers: readonly HandlerSpec[],
  topic: string,
  ctx: DynamoContext,
  output: Output,
  sink: TopicFilesSink,
): Promise<void> {
  if (handlers.length === 0) return;
  output.out('');
  output.out(`Replaying ${DEFAULT_PICKUP_LOCATIONS_FILE} through ${handlers.map((h) => h.name).join(', ')}`);
  await feedBatchesWithProgress(
    replaySource({
      file: DEFAULT_PICKUP_LOCATIONS_FILE,
      topic,
      keyField: PICKUP_LOCATIONS_KEY_FIELD,
    }),
    handlers,
    ctx.stores,
    output,
    await countLines(DEFAULT_PICKUP_LOCATIONS_FILE),
    sink,
  );
}

/** How many pairs of each join `start` prints. */
const JOIN_PAIRS_SHOWN = 10;

/** Each join's pair count and its first pairs by key and time, as `query <join>` prints them all. */
async function joinSummaryLines(ctx: DynamoContext, joins: readonly JoinSpec[]): Promise<string[]> {
  const lines: string[] = [];
  for (const join of joins) {
    const pairs = await scanJoinPairs(ctx.doc, ctx.tables.state, join.name);
    const title = `Join results (${join.name}): ${pairs.length} pair(s)`;
    lines.push('', title, '='.repeat(title.length), join.description);
    const fields = [...new Set(pairs.flatMap((p) => Object.keys(p.value)))];
    const cell = (f: string, v: unknown) =>
      typeof v === 'number' && /time|datetime/i.test(f)
        ? shortUtc(v)
        : v === null || v === undefined
          ? ''
          : String(v);
    lines.push(
      ...formatTable(
        ['key', 'time (UTC)', ...fields],
        pairs
          .slice(0, JOIN_PAIRS_SHOWN)
          .map((p) => [p.key, shortUtc(p.timeMs), ...fields.map((f) => cell(f, p.value[f]))]),
        ['left', 'left', ...fields.map(() => 'left' as const)],
      ),
    );
    if (pairs.length > JOIN_PAIRS_SHOWN) lines.push(`(all of them: npm run -s cli -- query ${join.name})`);
  }
  return lines;
}

/**
 * The summaries are only worth printing when every mapping handled every produced record:
 * a handler that kept failing drops records (no on-failure file), and records deleted from
 * the topic before they were read (retention, or someone deleting the topic) never arrive.
 */
function requireEveryRecord(summaries: readonly EsmSummary[], produced: number, topic: string): void {
  const problems: string[] = [];
  for (const s of summaries) {
    if (s.recordsDiscarded > 0) {
      problems.push(
        `${s.functionName} dropped ${s.recordsDiscarded} records after its handler failed 3 times (see the [esm ...] lines above)`,
      );
    } else if (s.recordsDelivered !== produced) {
      problems.push(
        `${s.functionName} got ${s.recordsDelivered} of the ${produced} records produced: records left topic ${topic} before ` +
          'they were read (was it deleted, or its retention.ms changed?)',
      );
    }
  }
  if (problems.length > 0) {
    throw new StreamError(
      'INCOMPLETE_RUN',
      `${problems.join('; ')}; the summaries would be wrong, so none are printed`,
    );
  }
}

/** The handlers with every pipeline reading `topic` (records of other topics are skipped). */
function handlersOn(handlers: readonly HandlerSpec[], topic: string): HandlerSpec[] {
  return handlers.map((h) => handlerOnTopic(h, topic));
}

/** A fresh embedded store: the folder wiped first, or in memory. */
async function openFreshStore(options: StartOptions, dataDir: string): Promise<DynamoContext> {
  if (!options.inMemory) resetLocalData(dataDir);
  return openDynamo({
    forceEmbedded: true,
    dataDir,
    ...(options.inMemory ? { inMemory: true } : {}),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
}

function storeLabel(options: StartOptions, dataDir: string): string {
  return `embedded DynamoDB${options.inMemory ? ', in memory' : ` in ${dataDir}`}`;
}

/** Prints the summaries read back from the tables, and how to explore the data. */
async function printSummary(
  ctx: DynamoContext,
  options: StartOptions,
  dataDir: string,
  output: Output,
): Promise<StartSummary> {
  const summary = summarize(await readSummaryInput(ctx, options.zonesFile, options.catalog));
  for (const line of formatSummary(summary)) output.out(line);
  const joins = pipelinesOf(options.catalog ?? (await loadCatalog())).filter(isJoin);
  for (const line of await joinSummaryLines(ctx, joins)) output.out(line);
  output.out('');
  if (!options.inMemory) {
    output.out(`Data kept in ${dataDir}. Explore it:`);
    if (summary.rides) {
      output.out('  npm run -s cli -- query pickup-5m --top 3 --window "2020-07-01 00:15"');
      output.out('  npm run -s cli -- query tips-1h --json');
      output.out('  npm run -s cli -- dead-letters --pipeline pickup-5m');
    } else {
      const first = summary.pipelines[0]?.pipeline ?? '<pipeline>';
      output.out(`  npm run -s cli -- query ${first} --json`);
      output.out(`  npm run -s cli -- dead-letters --pipeline ${first}`);
    }
    output.out('Or look at it in the browser (charts, live while records flow): npm run -s cli -- serve');
  }
  return summary;
}

/** An Output that prints nothing: `describeTopic` is used for its result only. */
const SILENT: Output = { out() {}, err() {}, errIsTTY: false };

/**
 * A topic `start` may produce to: created when missing, keeping records forever; an existing
 * one only when it is empty, has the partitions asked for and keeps records by time forever
 * without compaction, since older records, another partitioning or records deleted under the
 * consumers would change what the handlers compute (the summaries would no longer be the
 * embedded path's). Kafka's time-based retention compares *record* timestamps with now: the
 * rides are stamped July 2020, so with any finite retention.ms the broker deletes them at its
 * next retention check (every 60 s on the local broker), possibly before they are consumed.
 */
/**
 * Creates the output topics of the route and enrich pipelines that do not exist yet (the
 * broker may not auto-create topics; ours does not). They outlive the run and are shared by
 * later runs, whose records tell apart by their `kls-source` header. Retention is infinite:
 * the 2020-stamped rides would otherwise be deleted at once by a time-based retention.
 */
async function prepareOutputTopics(
  open: OpenKafka,
  topics: readonly string[],
  partitions: number,
  output: Output,
): Promise<void> {
  await withAdmin(open.kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    output.err(`creating output topics ${missing.join(', ')} (${partitions} partitions, retention.ms -1)`);
    await createTopicsAndWait(
      admin,
      missing.map((t) => ({
        topic: t,
        numPartitions: partitions,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      })),
    );
  });
}

async function prepareTopic(
  open: OpenKafka,
  topic: string,
  partitions: number,
  kafkaOptions: { brokers: string; env: NodeJS.ProcessEnv },
  output: Output,
): Promise<void> {
  const exists = await withAdmin(open.kafka, async (admin) => (await admin.listTopics()).includes(topic));
  if (!exists) {
    // The `topics create` command's code: waits until every partition has a leader.
    await createTopic({
      ...kafkaOptions,
      name: topic,
      partitions,
      retentionMs: -1,
      failIfExists: true,
      output,
    });
    return;
  }
  const d = await describeTopic({ ...kafkaOptions, name: topic, output: SILENT });
  const records = d.partitions.reduce((n, p) => n + Number(p.highOffset) - Number(p.lowOffset), 0);
  const ways = `leave out --topic (a fresh rides-start-<time> topic is made)`;
  if (records > 0) {
    throw new ConfigError(
      `topic "${topic}" already holds ${records} records; start needs an empty topic so the summaries cover exactly ` +
        `the file: ${ways}, pick another name, or delete it with \`npm run -s cli -- topics delete ${topic}\``,
    );
  }
  if (d.partitions.length !== partitions) {
    throw new ConfigError(
      `topic "${topic}" has ${d.partitions.length} partitions, not ${partitions}: pass --partitions ${d.partitions.length}, ` +
        `${ways}, or pick another name`,
    );
  }
  const retentionMs = d.configs['retention.ms']?.value;
  const cleanup = d.configs['cleanup.policy']?.value ?? 'delete';
  if (retentionMs !== '-1' || cleanup !== 'delete') {
    throw new ConfigError(
      `topic "${topic}" has retention.ms=${retentionMs ?? '?'} and cleanup.policy=${cleanup}: the broker would delete ` +
        '(retention compares record timestamps, and the rides are stamped July 2020) or compact the records before ' +
        `they are consumed. ${ways}, or recreate it with \`npm run -s cli -- topics create ${topic} ` +
        `--partitions ${partitions} --retention-ms -1\``,
    );
  }
  output.err(`topic "${topic}" exists and is empty, with ${partitions} partitions: producing to it`);
}

/**
 * The field the embedded replay stamps records with (the first of tpep_/lpep_pickup_datetime
 * the first record has), so the broker's records carry the same timestamps. A file with
 * neither gets the send time on the broker (the replay uses 0); only the timestamps kept in
 * dead letters can then differ.
 */
async function timestampFieldOf(file: string, format: 'csv' | 'jsonl'): Promise<string | undefined> {
  for await (const r of readRecordFile(file, { format, malformed: 'pass' })) {
    if (r.invalid === undefined) return DEFAULT_TIMESTAMP_FIELDS.find((f) => r.fields[f] != null);
  }
  return undefined;
}

/** What each mapping did: records, invocations, and the committed end of every partition. */
export function formatMappingTotals(summaries: readonly EsmSummary[]): string[] {
  const records = summaries[0]?.recordsDelivered ?? 0;
  return [
    `${records} records through ${summaries.length} event-source mappings`,
    ...formatTable(
      ['function', 'consumer group', 'records', 'invocations', 'failed', 'committed offsets'],
      summaries.map((s) => [
        s.functionName,
        s.consumerGroupId,
        s.recordsDelivered,
        s.invocations,
        s.failedInvocations,
        [...s.committed]
          .sort(([a], [b]) => a - b)
          .map(([p, o]) => `${p}:${o}`)
          .join(' '),
      ]),
      ['left', 'left', 'right', 'right', 'right', 'left'],
    ),
  ];
}

/** Registers `start` (`npm start`). */
export function register(program: Command): void {
  const command = program
    .command('start')
    .description(
      'the main job: the bundled rides through every ride pipeline, then summaries from the tables; ' +
        'embedded replay by default, a real broker with KAFKA_BROKERS or --brokers',
    )
    .option('--file <path>', 'rides to replay', DEFAULT_RIDES_FILE)
    .option('--zones <path>', 'taxi zone lookup', DEFAULT_ZONES_FILE)
    .option(
      '--partitions <n>',
      'partitions (by DOLocationID, murmur2)',
      intArg(1, 10_000),
      DEFAULT_REPLAY_PARTITIONS,
    )
    .option('--batch-size <n>', 'records per batch', intArg(1, MAX_BATCH_SIZE), DEFAULT_BATCH_SIZE)
    .option(
      '--data-dir <dir>',
      'folder of the embedded store, wiped first (LOCAL_DATA_DIR)',
      DEFAULT_LOCAL_DATA_DIR,
    )
    .option('--in-memory', 'keep nothing on disk')
    .option('--fresh', 'accepted for symmetry with replay: start always begins from an empty store')
    .option(
      '--strict',
      'stop at the first malformed line of the file (default: deliver it as is, so the pipelines dead-letter it)',
    )
    .option(
      '--topic <name>',
      `broker path: topic to create and produce to (default: a fresh rides-start-<epoch ms>; an existing one must be empty, with retention.ms -1); embedded: ${RIDES_TOPIC}`,
    );
  addBrokerOption(command);
  command
    .addHelpText(
      'after',
      `
No AWS account and no broker needed: \`npm start\` runs this with the defaults (embedded replay).
With KAFKA_BROKERS set or --brokers B it takes the real path: creates the topic, produces the file
(key DOLocationID, JSON values), runs the handlers reading the rides topic through the local
event-source-mapping runner (one mapping and a fresh consumer group per handler) until caught up,
and prints the same summaries. The first line says which path was taken.
  bash scripts/kafka/broker.sh start        # prints KAFKA_BROKERS=127.0.0.1:PORT
  KAFKA_BROKERS=127.0.0.1:PORT npm start
Output topics: the route and enrich pipelines write rides_high_amount, rides_low_amount and
rides_enriched. Embedded: one JSON-lines file per topic in topics/ beside the store's folder
(.local/topics/ for the default --data-dir .local/dynamo), emptied first; --in-memory only counts
them. Broker path: real topics, created if missing (retention.ms -1) and kept across runs; each
record's kls-source header names its run's rides topic, and
\`npm run cli -- consume --topic rides_high_amount --dedupe\` drops copies from redelivered batches.`,
    )
    .action(async (o, cmd: Command) => {
      await runStart({
        catalog: await catalogOf(cmd),
        file: o.file,
        zonesFile: o.zones,
        partitions: o.partitions,
        batchSize: o.batchSize,
        dataDir: o.dataDir,
        inMemory: o.inMemory,
        strict: o.strict,
        ...(o.brokers ? { brokers: o.brokers } : {}),
        ...(o.topic ? { topic: o.topic } : {}),
        env: process.env,
      });
    });
}
