import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { ConfigError, RecoveryError } from '../../shared/engine/errors/index.js';
import { partitionId } from '../../shared/engine/event/index.js';
import { type GapRecovery, recoverGaps } from '../../shared/engine/recover/index.js';
import type { Gap } from '../../shared/engine/store/gap.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, type StoreOptions } from '../lib/cliOptions.js';
import { type DynamoContext, dynamoOptionsOf, openDynamo } from '../lib/dynamoContext.js';
import { type GapListingOptions, gapToJson, listPipelineGaps, type PipelineGap } from '../lib/gapListing.js';
import { partitionOf, readGapRecords } from '../lib/gapRecords.js';
import { addBrokerOption, type KafkaCliOptions, openKafka } from '../lib/kafkaConnect.js';
import { readOnFailureFile } from '../lib/onFailureFile.js';
import { type Output, processOutput } from '../lib/output.js';
import { formatTable } from '../lib/textTable.js';

/** Options of {@link runRecover}: exactly one of `from` and `fromTopic`. */
export interface RecoverOptions extends StoreOptions, KafkaCliOptions {
  /** On-failure records: a JSON-lines file (the local runner's) or one JSON object (an S3 destination's object, as a file or `s3://bucket/key`). */
  readonly from?: string;
  /** The client for `from` = `s3://...`. @default cliS3Client() */
  readonly s3?: S3Client;
  /** Read every open gap's range from Kafka instead (while the topic retains it). */
  readonly fromTopic?: boolean;
  readonly json?: boolean;
  readonly catalog?: Catalog;
  readonly context?: DynamoContext;
}

/**
 * Applies the records of the batches the mapping gave up on to every open gap they cover,
 * for the catalog's handlers that read their topic, and closes those gaps.
 */
export async function runRecover(
  options: RecoverOptions,
  output: Output = processOutput,
): Promise<GapRecovery[]> {
  if ((options.from === undefined) === (options.fromTopic !== true)) {
    throw new ConfigError('recover needs exactly one source: --from <on-failure records> or --from-topic');
  }
  if (options.fromTopic) return recoverFromTopic(options, output);
  const batches = await readOnFailureFile(options.from!, options.s3);
  const catalog = options.catalog ?? (await loadCatalog());
  const handlers = catalog.handlers.filter((h) => batches.topics.has(h.topic));
  if (batches.withoutPayload > 0) {
    output.err(
      `${batches.withoutPayload} of ${batches.batches} on-failure record(s) carry no payload (records): skipped; the local runner needs --include-records, and only an S3 destination carries them in AWS`,
    );
  }
  if (handlers.length === 0 && batches.records.length > 0) {
    throw new ConfigError(`no handler of the catalog reads ${[...batches.topics].join(', ')}`);
  }
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const results: GapRecovery[] = [];
    for (const handler of handlers) {
      results.push(
        ...(await recoverGaps(handler, batches.records, batches.coverage, ctx.stores, {
          onGap: progressOf(options, output),
        })),
      );
    }
    return finish(results, catalog, options, output);
  } finally {
    if (!options.context) await ctx.close();
  }
}

/**
 * `--from-topic`: per handler, the open gaps of its pipelines, their ranges read from the
 * handler's topic (see readGapRecords: a range Kafka no longer retains fails the command,
 * naming it), then applied as from the on-failure records.
 */
async function recoverFromTopic(options: RecoverOptions, output: Output): Promise<GapRecovery[]> {
  const catalog = options.catalog ?? (await loadCatalog());
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const open = await listPipelineGaps(ctx.stores.streamTimes);
    const handlers = catalog.handlers.filter((h) =>
      h.pipelines.some((p) => open.some((g) => g.pipeline === p.name)),
    );
    if (handlers.length === 0) {
      if (!options.json) output.out('no open gaps');
      return [];
    }
    const { kafka } = await openKafka(options);
    const results: GapRecovery[] = [];
    for (const handler of handlers) {
      const names = new Set(handler.pipelines.map((p) => p.name));
      // Only the gaps of this handler's topic: a join's two sides share pipeline names, and a
      // gap of the other side's topic is not in this one (reading it here would read the
      // wrong records, or wait for records that never come).
      const gaps = open.filter(
        (g) =>
          names.has(g.pipeline) && g.partitionId === partitionId(handler.topic, partitionOf(g.partitionId)),
      );
      if (gaps.length === 0) continue;
      const records = await readGapRecords(kafka, handler.topic, gaps);
      const partitionIds = [...new Set(gaps.map((g) => g.partitionId))];
      results.push(
        ...(await recoverGaps(handler, records, { kind: 'topic', partitionIds }, ctx.stores, {
          onGap: progressOf(options, output),
        })),
      );
    }
    return finish(results, catalog, options, output);
  } finally {
    if (!options.context) await ctx.close();
  }
}

function progressOf(options: RecoverOptions, output: Output): (r: GapRecovery) => void {
  return (r) => {
    if (options.json) output.out(JSON.stringify(recoveryToJson(r)));
    else
      output.err(
        `${r.pipeline} ${gapLabel(r.gap)}: ${r.outcome}, ${r.records} record(s), ${r.itemWrites} item write(s), ${r.alreadyApplied} already applied${r.detail ? ` (${r.detail})` : ''}`,
      );
  };
}

function finish(
  results: GapRecovery[],
  catalog: Catalog,
  options: RecoverOptions,
  output: Output,
): GapRecovery[] {
  if (!options.json) {
    const closed = results.filter((r) => r.outcome === 'closed').length;
    output.out(`${closed} gap(s) recovered and closed, ${results.length - closed} left open`);
  }
  rejectUnsupportedKinds(results, catalog);
  return results;
}

/** Options of {@link runGaps}: which gaps as {@link listPipelineGaps} takes them. */
export interface GapsOptions extends StoreOptions, GapListingOptions {
  readonly json?: boolean;
  readonly context?: DynamoContext;
}

/** Lists the gaps (ranges the mapping gave up on), open ones first; `serve` shows the same list. */
export async function runGaps(options: GapsOptions, output: Output = processOutput): Promise<PipelineGap[]> {
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const gaps = await listPipelineGaps(ctx.stores.streamTimes, options);
    if (options.json) {
      for (const g of gaps) output.out(JSON.stringify(gapToJson(g)));
      return gaps;
    }
    if (gaps.length === 0) {
      output.out(options.all ? 'no gaps' : 'no open gaps');
      return gaps;
    }
    const table = formatTable(
      ['pipeline', 'partition', 'offsets', 'records', 'detected', 'state'],
      gaps.map((g) => [
        g.pipeline,
        g.partitionId,
        `${g.startOffset}..${g.endOffset - 1}`,
        g.endOffset - g.startOffset,
        new Date(g.detectedAtMs).toISOString(),
        g.closedAtMs === undefined ? 'open' : `closed (${g.closedReason})`,
      ]),
      ['left', 'left', 'right', 'right', 'left', 'left'],
    );
    for (const line of table) output.out(line);
    const open = gaps.filter((g) => g.closedAtMs === undefined).length;
    output.out(`${open} open gap(s)${open > 0 ? ': run `recover --from <on-failure file>`' : ''}`);
    return gaps;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/**
 * Fails the command (after the gaps it could recover were recovered) when a gap of a kind
 * recovery does not cover is open: its records are not in that pipeline's tables, and a
 * success exit status would say they were.
 */
function rejectUnsupportedKinds(results: readonly GapRecovery[], catalog: Catalog): void {
  const unsupported = results.filter((r) => r.outcome === 'kind-not-supported');
  if (unsupported.length === 0) return;
  const kindOf = new Map(catalog.handlers.flatMap((h) => h.pipelines.map((p) => [p.name, p.kind] as const)));
  const listed = unsupported.map((r) => `${r.pipeline} (${kindOf.get(r.pipeline)}) ${gapLabel(r.gap)}`);
  throw new RecoveryError(
    `recover covers windowed-aggregate pipelines only; these gaps stay open: ${listed.join(', ')}. their records are not in those pipelines' tables (README, "Recovering gaps")`,
    { code: 'RECOVERY_KIND_NOT_SUPPORTED' },
  );
}

function gapLabel(g: Gap): string {
  return `${g.partitionId} [${g.startOffset}, ${g.endOffset})`;
}

function recoveryToJson(r: GapRecovery): Record<string, unknown> {
  return {
    pipeline: r.pipeline,
    partition: r.gap.partitionId,
    startOffset: r.gap.startOffset,
    endOffset: r.gap.endOffset,
    outcome: r.outcome,
    records: r.records,
    itemWrites: r.itemWrites,
    alreadyApplied: r.alreadyApplied,
    deadLetters: r.deadLetters,
    ...(r.detail ? { detail: r.detail } : {}),
  };
}

/** Registers `recover` and `gaps`. */
export function register(program: Command): void {
  addStoreOptions(
    addBrokerOption(program.command('recover'))
      .description(
        'apply the batches the event-source mapping gave up on (its on-failure records) and close their gaps',
      )
      .option(
        '--from <file>',
        "on-failure records: the local runner's JSON-lines file, or an S3 destination's object (a file, or s3://bucket/key)",
      )
      .option('--from-topic', "read every open gap's offsets from Kafka (while the topic retains them)")
      .option('--json', 'one JSON object per gap'),
  ).action(async (o, cmd: Command) => {
    await runRecover({
      catalog: await catalogOf(cmd),
      from: o.from,
      fromTopic: o.fromTopic,
      brokers: o.brokers,
      json: o.json,
      endpoint: o.endpoint,
      dataDir: o.dataDir,
    });
  });
  addStoreOptions(
    program
      .command('gaps')
      .description('list ranges the event-source mapping gave up on that wait for `recover`')
      .option('--pipeline <name>', 'only this pipeline')
      .option('--all', 'closed gaps too')
      .option('--json', 'one JSON object per line'),
  ).action(async (o) => {
    await runGaps({
      pipeline: o.pipeline,
      all: o.all,
      json: o.json,
      endpoint: o.endpoint,
      dataDir: o.dataDir,
    });
  });
}
