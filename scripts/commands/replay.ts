import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ConfigError } from '../../shared/engine/errors/index.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import {
  DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE,
  type ProducerRecord,
} from '../../shared/local/eventSourceMapping/index.js';
import { resetTopicFiles, TopicFilesSink } from '../../shared/local/io/index.js';
import { RIDES_TOPIC } from '../../shared/rides/index.js';
import { type AvroProduceOptions, asAvroRecord, avroPartsFor } from '../lib/avroValues.js';
import type { BatchSource } from '../lib/batchSource.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, intArg, listArg, type StoreOptions } from '../lib/cliOptions.js';
import {
  DEFAULT_LOCAL_DATA_DIR,
  type DynamoContext,
  dynamoOptionsOf,
  openDynamo,
} from '../lib/dynamoContext.js';
import { type FeedOptions, feedBatchesWithProgress, type ReplayTotals } from '../lib/feedBatches.js';
import { type JoinReplayFlags, joinReplay } from '../lib/joinReplaySource.js';
import { resetLocalData } from '../lib/localData.js';
import { type Output, processOutput } from '../lib/output.js';
import { selectHandlers } from '../lib/pipelineSelection.js';
import { countLines } from '../lib/progress.js';
import { DEFAULT_REPLAY_PARTITIONS, type ReplaySourceOptions, replaySource } from '../lib/replaySource.js';
import { addSchemaRegistryFlags, registrarFrom } from '../lib/schemaRegistryFlags.js';
import { addSourceFileFlags, formatOf, requireInputFile } from '../lib/sourceRecords.js';

/** Options of {@link runReplay}; the flags of `replay`. */
export interface ReplayOptions extends StoreOptions, ReplaySourceOptions {
  /** Pipeline or handler names. @default every handler of the catalog */
  readonly pipelines?: readonly string[];
  /** The handlers to choose from. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
  /** Delete the embedded store first. */
  readonly fresh?: boolean;
  /** Keep the embedded store in memory (tests). */
  readonly inMemory?: boolean;
  /** Use this open context instead of opening one (tests, `start`). */
  readonly context?: DynamoContext;
  /**
   * Where route and enrich pipelines' output topics go, one `<topic>.jsonl` each (no broker
   * here). @default `topics/` beside the embedded store's folder; in memory: counted only
   */
  readonly outDir?: string;
  /**
   * `avro`: the records' values as Confluent-framed Avro, as an Avro producer writes them, for
   * handlers that read Avro (`rides-tumbling-by-pickup-avro` on `rides-avro`); schemas from
   * `avro` (see `produce`). @default json
   */
  readonly valueFormat?: 'json' | 'avro';
  /** Where Avro schemas live and which one, for `valueFormat` avro. */
  readonly avro?: AvroProduceOptions;
}

/** The folder of output topic files beside an embedded store's folder. */
export function defaultTopicsDir(dataDir: string): string {
  return resolve(dirname(dataDir), 'topics');
}

/**
 * Opens the store for a command that writes, honouring `--fresh`: the embedded folder is
 * deleted first; a remote endpoint is never wiped by the CLI.
 */
export async function openForWrite(options: Omit<ReplayOptions, 'file'>): Promise<DynamoContext> {
  const remote = options.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  if (options.fresh) {
    if (remote) {
      throw new ConfigError(
        `--fresh only resets the embedded store; with an endpoint (${remote}) delete or recreate the tables yourself`,
      );
    }
    if (!options.inMemory) {
      resetLocalData(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR);
      resetTopicFiles(options.outDir ?? defaultTopicsDir(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR));
    }
  }
  return openDynamo(dynamoOptionsOf(options));
}

/**
 * Feeds a file through pipelines in event-source-mapping-shaped batches. The partitioning,
 * offsets and batches depend only on the file and the flags, so replaying a file again is a
 * redelivery of the same records: the exactly-once store leaves every table as it was.
 */
export async function runReplay(
  options: ReplayOptions,
  output: Output = processOutput,
): Promise<ReplayTotals> {
  const catalog = options.catalog ?? (await loadCatalog());
  const handlers = selectHandlers(options.pipelines, catalog.handlers, options.topic ?? RIDES_TOPIC);
  requireInputFile(options.file);
  const lines = await countLines(options.file);
  const avro = await avroPartsFor({
    topic: options.topic ?? RIDES_TOPIC,
    value: options.valueFormat === 'avro',
    key: false,
    avro: options.avro,
  });
  const source = replaySource({
    ...options,
    ...(avro.value ? { serialize: (r: ProducerRecord) => asAvroRecord(r, avro) } : {}),
  });
  return feedReplay(options, handlers, source, formatOf(options) === 'csv' ? lines - 1 : lines, {}, output);
}

/** Options of {@link runJoinReplay}: `replay` with two files; each side sets its own topic and key. */
export interface JoinReplayOptions
  extends Omit<ReplayOptions, 'file' | 'topic' | 'keyField' | 'timestampField'>,
    JoinReplayFlags {
  /** One file per side: `<topic>=<path>`, or a bare path (first = left side, second = right). */
  readonly files: readonly string[];
}

/**
 * Replays both sides of a join in one run: each file onto its side's topic, keyed by its
 * side's key field, one batch of each side in turn, every batch to the handler of its topic
 * (as two event-source mappings). The tables end as after one replay per side: stream time
 * is per topic-partition, so how the sides interleave changes no pair.
 */
export async function runJoinReplay(
  options: JoinReplayOptions,
  output: Output = processOutput,
): Promise<ReplayTotals> {
  const catalog = options.catalog ?? (await loadCatalog());
  const plan = joinReplay(options.pipelines, options.files, catalog.handlers, options);
  let expected = 0;
  for (const { file, side, topic } of plan.files) {
    requireInputFile(file);
    output.err(`${plan.join.name} ${side} side: ${file} -> topic ${topic}`);
    const lines = await countLines(file);
    expected +=
      formatOf({ file, ...(options.format ? { format: options.format } : {}) }) === 'csv' ? lines - 1 : lines;
  }
  return feedReplay(options, plan.handlers, plan.source, expected, { routeByTopic: true }, output);
}

/** What both replays share: open the store, feed the source, print the summary. */
async function feedReplay(
  options: Omit<ReplayOptions, 'file'>,
  handlers: HandlerSpec[],
  source: BatchSource,
  expectedRecords: number,
  feedOptions: FeedOptions,
  output: Output,
): Promise<ReplayTotals> {
  const ctx = options.context ?? (await openForWrite(options));
  try {
    output.err(
      `replaying ${source.description} through ${[...new Set(handlers.flatMap((h) => h.pipelines.map((p) => p.name)))].join(', ')}`,
    );
    const sink = new TopicFilesSink(
      options.outDir ??
        (options.inMemory ? undefined : defaultTopicsDir(options.dataDir ?? DEFAULT_LOCAL_DATA_DIR)),
    );
    const totals = await feedBatchesWithProgress(
      source,
      handlers,
      ctx.stores,
      output,
      expectedRecords,
      sink,
      feedOptions,
    );
    for (const line of sink.summaryLines()) output.out(line);
    if (ctx.embedded && !options.inMemory && !options.context) {
      output.err(
        `data kept in ${options.dataDir ?? DEFAULT_LOCAL_DATA_DIR}; read it with: npm run -s cli -- query <pipeline>`,
      );
    }
    return totals;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/** Registers `replay`. */
export function register(program: Command): void {
  const command = addStoreOptions(
    addSourceFileFlags(
      program
        .command('replay')
        .description('feed a file through the pipelines in event-source-mapping-shaped batches')
        .requiredOption(
          '--file <path>',
          'CSV (with header), JSON lines, or .records.jsonl; twice for both sides of a join ([<topic>=]<path>, first = left side)',
          collectArg,
        )
        .option(
          '--pipelines <names>',
          'comma-separated pipeline or handler names of the catalog (default: all)',
          listArg,
        )
        .option(
          '--partitions <n>',
          'partitions; records go by key with murmur2',
          intArg(1, 10_000),
          DEFAULT_REPLAY_PARTITIONS,
        )
        .option('--batch-size <n>', 'records per batch', intArg(1, MAX_BATCH_SIZE), DEFAULT_BATCH_SIZE)
        .option('--topic <topic>', 'topic of the records', RIDES_TOPIC)
        .option(
          '--out-dir <dir>',
          "where route/enrich pipelines' output topics go, one <topic>.jsonl each (default: topics/ beside the embedded store)",
        ),
    )
      .option('--fresh', 'delete the embedded store (and its topic files) first')
      .addOption(
        new Option(
          '--value-format <format>',
          'values as JSON, or Confluent-framed Avro (for handlers that read Avro)',
        )
          .choices(['json', 'avro'])
          .default('json'),
      ),
  );
  addSchemaRegistryFlags(command, { producing: true, keys: false })
    .addHelpText(
      'after',
      '\nReplaying the same file again is a redelivery: no table changes ("item writes" 0).\nA malformed line (wrong number of CSV fields, broken quoting, not JSON) is delivered as is and\ndead-lettered by every pipeline; --strict stops at it instead.\nTwo --file flags replay both sides of a join in one run, one batch of each side in turn; each\nfile is read as its side\'s topic, keyed by its side\'s key (first file = left side, or name\nthe side: --file <topic>=<path>).\nExamples:\n  npm run -s cli -- replay --file data/rides.csv --pipelines pickup-5m,tips-1h --fresh\n  npm run -s cli -- replay --pipelines rides-pickup-join --file data/rides.csv --file data/pickup-locations.jsonl\n  npm run -s cli -- replay --file data/rides.csv --topic rides-avro --value-format avro --schema-id 1',
    )
    .action(async (o, cmd: Command) => {
      const files: string[] = o.file;
      const common = {
        catalog: await catalogOf(cmd),
        pipelines: o.pipelines,
        partitions: o.partitions,
        batchSize: o.batchSize,
        format: o.format,
        limit: o.limit,
        strict: o.strict,
        fresh: o.fresh,
        endpoint: o.endpoint,
        dataDir: o.dataDir,
        outDir: o.outDir,
      };
      if (files.length > 1) {
        // Each side's topic, key and time come from the join: a flag for one file would be a guess.
        for (const [flag, option] of [
          ['--value-format', 'valueFormat'],
          ['--topic', 'topic'],
          ['--key-field', 'keyField'],
          ['--no-key', 'key'],
          ['--timestamp-field', 'timestampField'],
        ] as const) {
          if (cmd.getOptionValueSource(option) === 'cli') {
            throw new ConfigError(
              `${flag} does not go with two --file flags: a join replay reads each file as its side's topic (JSON values), keyed by its side's key (name a side with --file <topic>=<path>)`,
            );
          }
        }
        await runJoinReplay({ ...common, files });
        return;
      }
      await runReplay({
        ...common,
        file: files[0]!,
        topic: o.topic,
        keyField: o.key === false ? null : o.keyField,
        timestampField: o.timestampField,
        valueFormat: o.valueFormat,
        ...(o.valueFormat === 'avro'
          ? {
              avro: {
                registrar: registrarFrom(o),
                valueSchema: o.valueSchema,
                schemaId: o.schemaId,
              },
            }
          : {}),
      });
    });
}

/** Commander collector of a repeatable flag. */
function collectArg(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
