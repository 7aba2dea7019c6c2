import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Command } from 'commander';
import { ConfigError } from '../../shared/engine/errors/index.js';
import {
  decodeEvent,
  type KafkaBatchResponse,
  type LambdaKafkaEvent,
} from '../../shared/engine/event/index.js';
import { kafkaHandler } from '../../shared/engine/handler/index.js';
import { AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE } from '../../shared/engine/store/index.js';
import { createLambdaContext } from '../../shared/local/eventSourceMapping/index.js';
import { rideHandlers } from '../../shared/rides/index.js';
import { addStoreOptions, type StoreOptions } from '../lib/cliOptions.js';
import { openDynamo } from '../lib/dynamoContext.js';
import { type Output, processOutput } from '../lib/output.js';
import { formatTable } from '../lib/textTable.js';

/** Options of {@link runInvoke}. */
export interface InvokeOptions extends StoreOptions {
  /** A folder under `functions/`, e.g. `rides-count-by-dropoff`. */
  readonly functionName: string;
  /**
   * Path of a Lambda Kafka event (JSON), or `-` for stdin, which may hold one event (pretty
   * or compact) or several, one per line, as `events --out -` writes them.
   */
  readonly event: string;
  /** Where `--event -` reads from. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Keep the embedded store in memory (tests). */
  readonly inMemory?: boolean;
}

/** The per-pipeline line kafkaHandler logs after each batch ("batch applied"). */
export type PipelineLog = Record<string, unknown> & { pipeline: string };

/** What {@link runInvoke} returns. */
export interface InvokeResult {
  /** The batch item failures of every invocation (one per event), in event order. */
  readonly response: KafkaBatchResponse;
  /** One response per event, in order: stdin can carry several events. */
  readonly responses: KafkaBatchResponse[];
  /** What each pipeline did, as the handler logged it; empty for handlers outside the ride example. */
  readonly pipelines: PipelineLog[];
}

/** The one-liner that makes events and feeds them to invoke, for hints. */
const PIPE_EXAMPLE = (fn: string) =>
  `npm run -s cli -- events --file data/rides.csv --limit 10 --out - | npm run -s cli -- invoke ${fn} --event -`;

const FUNCTIONS_DIR = resolve('functions');

/**
 * Keeps the "batch applied" lines kafkaHandler logs, so `invoke` can print what the handler
 * did without a second code path; still logs at the configured level.
 */
class OutcomeLogger extends Logger {
  readonly outcomes: PipelineLog[] = [];
  override info(input: LogItemMessage, ...extraInput: LogItemExtraInput): void {
    const extra = extraInput[0];
    if (input === 'batch applied' && extra && typeof extra === 'object' && 'pipeline' in extra) {
      this.outcomes.push(extra as PipelineLog);
    }
    super.info(input, ...extraInput);
  }
}

/** Reads and checks an event file; errors say what is wrong with it. */
export function readEventFile(path: string): LambdaKafkaEvent {
  if (!existsSync(path)) {
    throw new ConfigError(
      `event file ${path} does not exist; make one with: npm run -s cli -- events --file data/rides.csv --limit 10 --out ${path}, ` +
        `or pipe events in: ${PIPE_EXAMPLE('<function>')}`,
    );
  }
  let event: LambdaKafkaEvent;
  try {
    event = JSON.parse(readFileSync(path, 'utf8')) as LambdaKafkaEvent;
  } catch (cause) {
    throw new ConfigError(`event file ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  decodeEvent(event); // throws InvalidEventError naming what is malformed
  return event;
}

/**
 * Reads events from a stream (`--event -`): one JSON event, pretty-printed or not (as `sam
 * local invoke -e -` takes it), or several, one compact event per line (what `events --out -`
 * writes). Each is checked as an event file is.
 */
export async function readEventStream(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  functionName = '<function>',
): Promise<LambdaKafkaEvent[]> {
  if (input.isTTY) {
    throw new ConfigError(`--event - reads the event from stdin; pipe one in: ${PIPE_EXAMPLE(functionName)}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    throw new ConfigError(`--event -: stdin is empty; pipe an event in: ${PIPE_EXAMPLE(functionName)}`);
  }
  let events: LambdaKafkaEvent[];
  try {
    events = [JSON.parse(text) as LambdaKafkaEvent];
  } catch {
    // Not one JSON document: JSON lines, one event each.
    events = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        events.push(JSON.parse(line) as LambdaKafkaEvent);
      } catch (cause) {
        throw new ConfigError(
          `--event -: stdin line ${i + 1} is not JSON (${(cause as Error).message}); expected one event, or one event per line as events --out - writes`,
          { cause },
        );
      }
    });
  }
  for (const e of events) decodeEvent(e); // throws InvalidEventError naming what is malformed
  return events;
}

/** Function names `invoke` knows: the ride handlers and any folder under functions/ with a handler.ts. */
export function knownFunctions(): string[] {
  const folders = existsSync(FUNCTIONS_DIR)
    ? readdirSync(FUNCTIONS_DIR).filter((d) => existsSync(join(FUNCTIONS_DIR, d, 'handler.ts')))
    : [];
  return [...new Set([...rideHandlers.map((h) => h.name), ...folders])].sort();
}

/**
 * Runs a function's handler on an event file against DynamoDB, as Lambda would: through
 * the middy middleware with a local Lambda context. Ride handlers are built with
 * `kafkaHandler(spec, { stores })` over the chosen DynamoDB (the same wiring as their
 * handler.ts, minus the environment); other folders' handler.ts are imported after
 * pointing AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE and DYNAMODB_ENDPOINT at it.
 */
export async function runInvoke(
  options: InvokeOptions,
  output: Output = processOutput,
): Promise<InvokeResult> {
  const events =
    options.event === '-'
      ? await readEventStream(options.stdin ?? process.stdin, options.functionName)
      : [readEventFile(options.event)];
  const spec = rideHandlers.find((h) => h.name === options.functionName);
  const modulePath = join(FUNCTIONS_DIR, options.functionName, 'handler.ts');
  if (!spec && !existsSync(modulePath)) {
    throw new ConfigError(
      `unknown function "${options.functionName}"; known: ${knownFunctions().join(', ')} (folders under functions/ with a handler.ts)`,
    );
  }
  const ctx = await openDynamo({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.inMemory ? { inMemory: true } : {}),
  });
  try {
    const logger = new OutcomeLogger({
      serviceName: options.functionName,
      logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN') as 'WARN',
    });
    let handler: (e: LambdaKafkaEvent, c: Context) => Promise<KafkaBatchResponse>;
    if (spec) {
      handler = kafkaHandler(spec, {
        stores: () => ctx.stores,
        logger,
        metrics: new Metrics({
          namespace: 'KafkaLambdaStreams',
          serviceName: spec.name,
          logger: stderrMetricsLogger(output),
        }),
      });
    } else {
      process.env[AGGREGATES_TABLE.envVar] = ctx.tables.aggregates;
      process.env[DEAD_LETTER_TABLE.envVar] = ctx.tables.deadLetters;
      process.env[STATE_TABLE.envVar] = ctx.tables.state;
      process.env.DYNAMODB_ENDPOINT = ctx.endpoint;
      const mod = (await import(pathToFileURL(modulePath).href)) as { handler?: typeof handler };
      if (typeof mod.handler !== 'function') {
        throw new ConfigError(`${modulePath} does not export a function named "handler"`);
      }
      handler = mod.handler;
    }
    // One invocation per event, in order, as an event-source mapping delivers a partition's batches.
    const responses: KafkaBatchResponse[] = [];
    for (const event of events) {
      const context = createLambdaContext({ functionName: options.functionName }, randomUUID(), Date.now());
      const seen = logger.outcomes.length;
      const response = await handler(event, context);
      responses.push(response);
      // Several events: one compact response per line, the shape of the input.
      output.out(events.length === 1 ? JSON.stringify(response, null, 2) : JSON.stringify(response));
      const outcomes = logger.outcomes.slice(seen);
      for (const line of invokeSummary(options.functionName, event, response, outcomes, spec?.topic)) {
        output.err(line);
      }
    }
    return {
      response: { batchItemFailures: responses.flatMap((r) => r.batchItemFailures) },
      responses,
      pipelines: logger.outcomes,
    };
  } finally {
    await ctx.close();
  }
}

/**
 * Powertools Metrics prints its warnings to stdout by default, which would corrupt the JSON
 * response `invoke` prints there: send them to stderr, minus the notice that a batch
 * published no metrics (kafkaHandler publishes single metrics, so it shows on every call).
 */
function stderrMetricsLogger(output: Output) {
  const say = (...args: unknown[]) => output.err(`metrics: ${args.map(String).join(' ')}`);
  return {
    trace() {},
    debug() {},
    info() {},
    warn: (...args: unknown[]) => {
      if (!String(args[0]).startsWith('No application metrics')) say(...args);
    },
    error: say,
  };
}

function invokeSummary(
  fn: string,
  event: LambdaKafkaEvent,
  response: KafkaBatchResponse,
  outcomes: readonly PipelineLog[],
  topic: string | undefined,
): string[] {
  const groups = decodeEvent(event);
  const records = groups.reduce((n, g) => n + g.length, 0);
  const lines = [
    `${fn}: ${records} records in ${groups.length} partition(s); ${response.batchItemFailures.length} batch item failure(s)`,
  ];
  if (topic && !groups.some((g) => g[0]?.topic === topic)) {
    lines.push(`warning: no record is on topic "${topic}", which ${fn} reads; nothing was aggregated`);
  }
  if (outcomes.length > 0) {
    const n = (o: PipelineLog, k: string) => Number(o[k] ?? 0);
    const writes = (o: PipelineLog) => {
      const w = (o.writes ?? {}) as Record<string, number>;
      return (w.fastWrites ?? 0) + (w.slowWrites ?? 0);
    };
    lines.push(
      ...formatTable(
        ['pipeline', 'aggregated', 'filtered', 'late', 'invalid', 'already applied', 'items', 'item writes'],
        outcomes.map((o) => [
          o.pipeline,
          n(o, 'aggregated'),
          n(o, 'filtered'),
          n(o, 'late'),
          n(o, 'invalid'),
          n(o, 'alreadyApplied'),
          n(o, 'items'),
          writes(o),
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    if (outcomes.some((o) => n(o, 'late') + n(o, 'invalid') > 0)) {
      lines.push('late and invalid records are in the dead-letter table: npm run -s cli -- dead-letters');
    }
  }
  return lines;
}

/** Registers `invoke`. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command('invoke')
      .description("run a function's handler on an event file against DynamoDB and print its response")
      .argument('<function>', `function name (${rideHandlers.map((h) => h.name).join(', ')})`)
      .requiredOption(
        '--event <file|->',
        'a Lambda Kafka event (see events/ and the events command); "-" reads stdin: one event, or one per line',
      ),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  npm run -s cli -- invoke rides-tumbling-by-pickup --event events/rides-with-bad-records.json\n  ${PIPE_EXAMPLE('rides-tumbling-by-pickup')}`,
    )
    .action(async (functionName: string, o) => {
      await runInvoke({ functionName, event: o.event, endpoint: o.endpoint, dataDir: o.dataDir });
    });
}
