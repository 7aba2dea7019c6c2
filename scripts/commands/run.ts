import { type Command, Option } from 'commander';
import { SCHEMA_REGISTRY_RECORD_FORMAT_ENV } from '../../shared/engine/decode/avro/index.js';
import { OFFSET_GAPS_ENV } from '../../shared/engine/store/gap.js';
import type { EsmSummary, LocalEventSourceMapping } from '../../shared/local/eventSourceMapping/index.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, intArg, listArg, type StoreOptions } from '../lib/cliOptions.js';
import { dynamoOptionsOf, openDynamo } from '../lib/dynamoContext.js';
import {
  checkFunctionNames,
  closeFunctions,
  type ResolvedFunction,
  resolveFunctions,
} from '../lib/functionResolver.js';
import { addBrokerOption, type KafkaCliOptions, openKafka } from '../lib/kafkaConnect.js';
import { type Output, processOutput } from '../lib/output.js';
import { createMappings, firstCrash, startMappings, stopMappings, untilCaughtUp } from '../lib/runner.js';
import { addSchemaRegistryFlags, registrarFrom } from '../lib/schemaRegistryFlags.js';

/** Options of {@link runRun}; the flags of `run`. */
export interface RunOptions extends StoreOptions, KafkaCliOptions {
  /** Function names (handlers of the catalog or folders under functions/). */
  readonly functions: readonly string[];
  /** Where handler names are looked up. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
  /** @default each handler's topic */
  readonly topic?: string;
  readonly batchSize?: number;
  readonly batchingWindowMs?: number;
  readonly group?: string;
  /** @default 'trim-horizon' */
  readonly startingPosition?: 'trim-horizon' | 'latest';
  /** @default 'msk' */
  readonly source?: 'msk' | 'self-managed';
  readonly eventSourceArn?: string;
  /** -1 is infinite (capped at 10 with an on-failure destination, as in AWS). */
  readonly maxRetries?: number;
  readonly maxRecordAgeS?: number;
  readonly bisectOnError?: boolean;
  /** Honour batchItemFailures (ReportBatchItemFailures). @default false, as in AWS */
  readonly reportBatchItemFailures?: boolean;
  /** A JSONL path, or `none`. @default .local/esm/<function>.on-failure.jsonl */
  readonly onFailure?: string;
  readonly includeRecords?: boolean;
  readonly untilCaughtUp?: boolean;
  /** @default 5 */
  readonly progressIntervalS?: number;
  readonly timeoutS?: number;
  readonly retryBackoffMs?: number;
  readonly inMemory?: boolean;
  /**
   * Host the embedded DynamoDB in a child process (`openDynamo({ storeProcess })`): the store
   * then has an event loop of its own and can use another core. Measured by `npm run bench:e2e --
   * --store in-process,process` on a loaded 2-core machine: 1.28x in one 100,000-ride run, 0.96x
   * in another; it can only help where a core is free, hence off by default.
   * @default false
   */
  readonly storeProcess?: boolean;
  /**
   * Emulate Lambda's own schema-registry integration on every mapping of the run (provisioned
   * mode with `SchemaRegistryConfig`): Confluent-framed Avro values are validated against the
   * registry or schema directory and delivered as JSON (`json`) or as the bare Avro body
   * (`source`); records that fail go to the on-failure destination. The handlers are told the
   * format (`SCHEMA_REGISTRY_RECORD_FORMAT`) and detect no gaps (`OFFSET_GAPS=off`: the records
   * the emulation diverts leave jumps in offsets), as the CDK app sets them.
   * @default none: records reach the handlers as they are on the topic
   */
  readonly lambdaSchemaRegistry?: 'json' | 'source';
  /** Where the emulation finds writer schemas. @default $SCHEMA_REGISTRY_URL, else the schema directory */
  readonly schemaRegistry?: string;
  readonly schemaDir?: string;
  readonly output?: Output;
  /** Aborting stops the mappings gracefully (the command wires SIGINT and SIGTERM to it). */
  readonly signal?: AbortSignal;
}

/**
 * Runs one local event-source mapping per function against a real broker until stopped
 * (or, with `untilCaughtUp`, until every group has committed to the end of every partition),
 * invoking the handlers in-process against DynamoDB. Returns each mapping's summary; throws
 * when a mapping crashed.
 */
export async function runRun(options: RunOptions): Promise<EsmSummary[]> {
  const output = options.output ?? processOutput;
  // Flag mistakes first: naming a typo beats a connection attempt, or a connection error.
  const catalog = options.catalog ?? (await loadCatalog());
  checkFunctionNames(catalog, options.functions, options.topic ? { topic: options.topic } : {});
  const registry = options.lambdaSchemaRegistry
    ? {
        source: registrarFrom(options),
        eventRecordFormat: options.lambdaSchemaRegistry === 'json' ? ('JSON' as const) : ('SOURCE' as const),
      }
    : undefined;
  if (options.lambdaSchemaRegistry) {
    // What the CDK app puts in such a function's environment; the handlers run in this process.
    process.env[SCHEMA_REGISTRY_RECORD_FORMAT_ENV] = options.lambdaSchemaRegistry;
    process.env[OFFSET_GAPS_ENV] = 'off';
  }
  const { kafka, connection } = await openKafka(options);
  const ctx = await openDynamo({ ...dynamoOptionsOf(options), storeProcess: options.storeProcess ?? false });
  let mappings: LocalEventSourceMapping[] = [];
  let functions: ResolvedFunction[] = [];
  try {
    functions = await resolveFunctions(catalog, options.functions, ctx, {
      ...(options.topic ? { topic: options.topic } : {}),
      producerEnv: { ...(options.env ?? process.env), KAFKA_BROKERS: connection.brokers.join(',') },
    });
    mappings = createMappings({
      kafka,
      bootstrapServers: connection.brokers.join(','),
      functions,
      ...(options.topic ? { topic: options.topic } : {}),
      ...(options.group ? { group: options.group } : {}),
      settings: {
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.batchingWindowMs !== undefined
          ? { maximumBatchingWindowMs: options.batchingWindowMs }
          : {}),
        startingPosition: options.startingPosition === 'latest' ? 'LATEST' : 'TRIM_HORIZON',
        source: options.source ?? 'msk',
        ...(options.eventSourceArn ? { eventSourceArn: options.eventSourceArn } : {}),
        ...(options.maxRetries !== undefined ? { maximumRetryAttempts: options.maxRetries } : {}),
        ...(options.maxRecordAgeS !== undefined ? { maximumRecordAgeInSeconds: options.maxRecordAgeS } : {}),
        bisectBatchOnFunctionError: options.bisectOnError ?? false,
        reportBatchItemFailures: options.reportBatchItemFailures ?? false,
      },
      ...(options.onFailure === 'none'
        ? { onFailurePath: null }
        : options.onFailure
          ? { onFailurePath: options.onFailure }
          : {}),
      ...(options.includeRecords ? { includeRecordsOnFailure: true } : {}),
      ...(registry ? { schemaRegistry: registry } : {}),
      ...(options.retryBackoffMs ? { backoff: { initialMs: options.retryBackoffMs, maxMs: 30_000 } } : {}),
      ...(options.timeoutS ? { functionTimeoutMs: options.timeoutS * 1000 } : {}),
      progressIntervalMs: (options.progressIntervalS ?? 5) * 1000,
      log: (line) => output.err(line),
    });
    await startMappings(mappings);
    const stopRequested = new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    const crash = firstCrash(mappings);
    crash.catch(() => {}); // also raced below; a crash during the stop must not go unhandled
    const waits: Promise<unknown>[] = [stopRequested, crash];
    if (options.untilCaughtUp) {
      waits.push(untilCaughtUp(mappings).then(() => output.err('caught up: lag is 0 on every partition')));
    }
    let failure: unknown;
    try {
      await Promise.race(waits);
    } catch (err) {
      failure = err;
    }
    const { summaries, errors } = await stopMappings(mappings);
    if (failure !== undefined) throw failure;
    if (errors.length > 0) throw errors[0];
    for (const s of summaries)
      output.out(JSON.stringify({ ...s, committed: Object.fromEntries(s.committed) }));
    return summaries;
  } finally {
    await closeFunctions(functions);
    await ctx.close();
  }
}

/** Registers `run`. */
export function register(program: Command): void {
  const command = program
    .command('run')
    .description(
      'consume a topic with a local Kafka event-source mapping and invoke handlers in-process with Lambda-shaped events (batching, retries, partial batch responses, on-failure file)',
    )
    .requiredOption(
      '--function <names>',
      'function(s), comma-separated: each gets its own consumer group',
      listArg,
    )
    .option(
      '--topic <topic>',
      "topic to consume; ride handlers' pipelines then read it (default: their own, rides)",
    )
    .option('--batch-size <n>', 'records per invocation, 1 to 10000 (default 100)', intArg(1, 10_000))
    .option(
      '--batching-window-ms <n>',
      'how long to gather records, 0 to 300000 ms (default 500)',
      intArg(0, 300_000),
    )
    .option(
      '--group <id>',
      'consumer group (default lambda-esm-<function>; with several functions <id>-<function>)',
    )
    .addOption(
      new Option(
        '--starting-position <pos>',
        'where a new group starts; an existing group resumes from its commits',
      )
        .choices(['trim-horizon', 'latest'])
        .default('trim-horizon'),
    )
    .addOption(
      new Option(
        '--source <kind>',
        'event format: msk (aws:kafka + eventSourceArn) or self-managed (SelfManagedKafka)',
      )
        .choices(['msk', 'self-managed'])
        .default('msk'),
    )
    .option('--event-source-arn <arn>', 'eventSourceArn of MSK events (default: a made-up cluster ARN)')
    .option(
      '--max-retries <n>',
      'retries of a failing batch, -1 = infinite (capped at 10 with an on-failure destination, as in AWS)',
      intArg(-1, 10_000),
    )
    .option(
      '--max-record-age-s <n>',
      'do not send records older than this, 60 to 604800 s, or -1 (default)',
      intArg(-1, 604_800),
    )
    .option(
      '--bisect-on-error',
      'split a failing batch in two and retry each half (BisectBatchOnFunctionError)',
    )
    .option(
      '--report-batch-item-failures',
      'honour batchItemFailures in responses (FunctionResponseTypes ReportBatchItemFailures; off by default, as in AWS)',
    )
    .option(
      '--on-failure <path|none>',
      'JSONL file for discarded batches (default .local/esm/<function>.on-failure.jsonl)',
    )
    .option('--include-records', 'put the whole event in on-failure records (as S3 destinations get it)')
    .option('--until-caught-up', 'stop once the committed offsets reach the end of every partition')
    .option('--progress-interval-s <n>', 'progress line on stderr every n seconds, 0 for none', intArg(0), 5)
    .option('--timeout-s <n>', 'function timeout: a longer invocation fails (default 900)', intArg(1, 900))
    .option(
      '--retry-backoff-ms <n>',
      'first retry delay, doubling up to 30 s (default 500)',
      intArg(1, 300_000),
    )
    .option('--in-memory', 'keep the embedded DynamoDB in memory (nothing persists)')
    .option(
      '--store-process',
      'run the embedded DynamoDB in a child process of its own (faster when a core is free; docs/benchmarks-e2e.md)',
    );
  command.addOption(
    new Option(
      '--lambda-schema-registry <format>',
      "emulate Lambda's schema-registry integration on every mapping: Avro values validated and delivered as JSON or as the bare Avro body (EventRecordFormat); failures go to the on-failure destination",
    ).choices(['json', 'source']),
  );
  addSchemaRegistryFlags(command, { producing: false });
  addBrokerOption(command);
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  npm run -s cli -- run --function rides-count-by-dropoff --until-caught-up
  npm run -s cli -- run --function rides-count-by-dropoff,rides-tumbling-by-pickup,rides-hopping-by-vendor --batch-size 500
  npm run -s cli -- run --function rides-tumbling-by-pickup-avro --lambda-schema-registry source --until-caught-up
Stops gracefully on Ctrl-C / SIGTERM (finishes the batch in flight, commits, leaves the group); a second signal exits at once.
See docs/esm-runner.md for what is emulated and what differs from AWS.`,
  );
  command.action(async (flags: Record<string, unknown>, cmd: Command) => {
    const catalog = await catalogOf(cmd);
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`${sig} again: exiting without committing\n`);
        process.exit(130);
      }
      process.stderr.write(`${sig}: finishing the batch in flight, committing, disconnecting...\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runRun({
        ...(flags as Omit<RunOptions, 'functions'>),
        functions: flags.function as string[],
        catalog,
        signal: controller.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
