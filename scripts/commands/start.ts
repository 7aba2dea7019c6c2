import type { Command } from 'commander';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from '../../shared/esm/index.js';
import { dropoffCount, pickup5m, rideHandlers, tips1h, vendorHopping } from '../../shared/pipelines/index.js';
import { loadZones } from '../../shared/schemas/index.js';
import type { BatchSource } from '../lib/batchSource.js';
import { intArg } from '../lib/cliOptions.js';
import { DEFAULT_LOCAL_DATA_DIR, type DynamoContext, openDynamo } from '../lib/dynamoContext.js';
import { feedBatches, formatReplayTotals, type ReplayTotals } from '../lib/feedBatches.js';
import { resetLocalData } from '../lib/localData.js';
import { type Output, processOutput } from '../lib/output.js';
import { countLines, createProgress } from '../lib/progress.js';
import { scanPipelineRows } from '../lib/readResults.js';
import type { ResultRow } from '../lib/resultRows.js';
import { requireInputFile } from '../lib/sourceRecords.js';
import { formatSummary, type StartSummary, type SummaryInput, summarize } from '../lib/summaries.js';
import { DEFAULT_REPLAY_PARTITIONS, replaySource } from './replay.js';

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
}

/** What {@link runStart} did. */
export interface StartResult {
  readonly totals: ReplayTotals;
  readonly summary: StartSummary;
}

/**
 * Where `start` gets its batches. Today: the bundled rides replayed from a file, as an
 * event-source mapping would deliver them. EXTENSION POINT: when KAFKA_BROKERS / --brokers
 * is set, return a source that consumes the topic from the broker here; the handlers and
 * the summaries after it do not change.
 */
export function startSource(options: StartOptions): BatchSource {
  return replaySource({
    file: options.file ?? DEFAULT_RIDES_FILE,
    partitions: options.partitions ?? DEFAULT_REPLAY_PARTITIONS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
  });
}

/** Reads what the summaries need: every row of the four ride pipelines and every dead letter. */
export async function readSummaryInput(
  ctx: DynamoContext,
  zonesFile = DEFAULT_ZONES_FILE,
): Promise<SummaryInput> {
  const pipelines = [pickup5m, tips1h, vendorHopping, dropoffCount];
  const rows = new Map<string, ResultRow[]>();
  for (const p of pipelines) rows.set(p.name, await scanPipelineRows(ctx, p.name));
  return { rows, deadLetters: await ctx.stores.deadLetters.list(), zones: loadZones(zonesFile), pipelines };
}

/**
 * The main local job, on embedded defaults (no AWS, no broker): a fresh embedded store, the
 * bundled rides through every ride handler, then readable summaries read back from the
 * tables. The data stays in the store afterwards for `query` and `dead-letters`.
 */
export async function runStart(
  options: StartOptions = {},
  output: Output = processOutput,
): Promise<StartResult> {
  const dataDir = options.dataDir ?? DEFAULT_LOCAL_DATA_DIR;
  requireInputFile(options.file ?? DEFAULT_RIDES_FILE);
  const source = startSource(options);
  if (!options.inMemory) resetLocalData(dataDir);
  const ctx = await openDynamo({
    forceEmbedded: true,
    dataDir,
    ...(options.inMemory ? { inMemory: true } : {}),
  });
  try {
    output.out(`Replaying ${source.description}`);
    output.out(
      `through ${rideHandlers.map((h) => h.name).join(', ')} (embedded DynamoDB${options.inMemory ? ', in memory' : ` in ${dataDir}`})`,
    );
    output.out('');
    const file = options.file ?? DEFAULT_RIDES_FILE;
    const progress = createProgress(output, (await countLines(file)) - 1);
    let totals: ReplayTotals;
    try {
      totals = await feedBatches(source.batches(), rideHandlers, ctx.stores, ({ records }) =>
        progress.update(records),
      );
    } finally {
      progress.stop();
    }
    for (const line of formatReplayTotals(totals)) output.out(line);
    const summary = summarize(await readSummaryInput(ctx, options.zonesFile));
    for (const line of formatSummary(summary)) output.out(line);
    output.out('');
    if (!options.inMemory) {
      output.out(`Data kept in ${dataDir}. Explore it:`);
      output.out('  npm run -s cli -- query pickup-5m --top 3 --window "2020-07-01 00:15"');
      output.out('  npm run -s cli -- query tips-1h --json');
      output.out('  npm run -s cli -- dead-letters --pipeline pickup-5m');
    }
    return { totals, summary };
  } finally {
    await ctx.close();
  }
}

/** Registers `start` (`npm start`). */
export function register(program: Command): void {
  program
    .command('start')
    .description(
      'replay the bundled rides through every ride pipeline on an embedded store and print summaries',
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
    .addHelpText('after', '\nNo AWS account and no broker needed: `npm start` runs this with the defaults.')
    .action(async (o) => {
      await runStart({
        file: o.file,
        zonesFile: o.zones,
        partitions: o.partitions,
        batchSize: o.batchSize,
        dataDir: o.dataDir,
        inMemory: o.inMemory,
      });
    });
}
