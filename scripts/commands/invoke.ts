import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../shared/engine/errors/index.js';
import {
  decodeEvent,
  type KafkaBatchResponse,
  type LambdaKafkaEvent,
} from '../../shared/engine/event/index.js';
import type { PipelineOutcome } from '../../shared/engine/process/index.js';
import { createLambdaContext } from '../../shared/local/eventSourceMapping/index.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, type StoreOptions } from '../lib/cliOptions.js';
import { dynamoOptionsOf, openDynamo } from '../lib/dynamoContext.js';
import { type ResolvedFunction, requireFunction, resolveFunction } from '../lib/functionResolver.js';
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
  /** Where the function is looked up. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
}

/** What {@link runInvoke} returns. */
export interface InvokeResult {
  /** The batch item failures of every invocation (one per event), in event order. */
  readonly response: KafkaBatchResponse;
  /** One response per event, in order: stdin can carry several events. */
  readonly responses: KafkaBatchResponse[];
  /**
   * What each pipeline did, event by event, as the handler reported it (`onOutcomes`); empty
   * for folders under functions/ outside the catalog, whose handler.ts is imported as is.
   */
  readonly pipelines: PipelineOutcome[];
}

/** The one-liner that makes events and feeds them to invoke, for hints. */
const PIPE_EXAMPLE = (fn: string) =>
  `npm run -s cli -- events --file data/rides.csv --limit 10 --out - | npm run -s cli -- invoke ${fn} --event -`;

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

/**
 * Runs a function's handler on an event file against DynamoDB, as Lambda would: through
 * the middy middleware with a local Lambda context. The function is resolved as `run`
 * resolves it (scripts/lib/functionResolver.ts): a catalog handler is built with
 * `kafkaHandler(spec, deps)` over the chosen DynamoDB and reports its outcomes through
 * `onOutcomes`, which the summary prints; a folder under functions/ outside the catalog has
 * its handler.ts imported with its environment pointed at that DynamoDB.
 */
export async function runInvoke(
  options: InvokeOptions,
  output: Output = processOutput,
): Promise<InvokeResult> {
  const catalog = options.catalog ?? (await loadCatalog());
  // A typo is named before stdin is read or a store opened.
  requireFunction(catalog, options.functionName);
  const events =
    options.event === '-'
      ? await readEventStream(options.stdin ?? process.stdin, options.functionName)
      : [readEventFile(options.event)];
  const ctx = await openDynamo(dynamoOptionsOf(options));
  let fn: ResolvedFunction | undefined;
  try {
    const outcomes: PipelineOutcome[] = [];
    fn = await resolveFunction(catalog, options.functionName, ctx, {
      onOutcomes: (o) => outcomes.push(...o),
      // Powertools Metrics would print to stdout, which carries the JSON response.
      warn: (line) => output.err(line),
    });
    // One invocation per event, in order, as an event-source mapping delivers a partition's batches.
    const responses: KafkaBatchResponse[] = [];
    for (const event of events) {
      const context = createLambdaContext({ functionName: options.functionName }, randomUUID(), Date.now());
      const seen = outcomes.length;
      const response = (await fn.handler(event, context)) as KafkaBatchResponse;
      responses.push(response);
      // Several events: one compact response per line, the shape of the input.
      output.out(events.length === 1 ? JSON.stringify(response, null, 2) : JSON.stringify(response));
      for (const line of invokeSummary(
        options.functionName,
        event,
        response,
        outcomes.slice(seen),
        fn.topic,
      )) {
        output.err(line);
      }
    }
    return {
      response: { batchItemFailures: responses.flatMap((r) => r.batchItemFailures) },
      responses,
      pipelines: outcomes,
    };
  } finally {
    await fn?.close();
    await ctx.close();
  }
}

function invokeSummary(
  fn: string,
  event: LambdaKafkaEvent,
  response: KafkaBatchResponse,
  outcomes: readonly PipelineOutcome[],
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
    lines.push(
      ...formatTable(
        ['pipeline', 'aggregated', 'filtered', 'late', 'invalid', 'already applied', 'items', 'item writes'],
        outcomes.map((o) => [
          o.pipeline,
          o.stats.aggregated,
          o.stats.filtered,
          o.stats.late,
          o.stats.invalid,
          o.stats.alreadyApplied,
          o.items,
          o.writes.itemWrites,
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    if (outcomes.some((o) => o.stats.late + o.stats.invalid > 0)) {
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
      .argument(
        '<function>',
        'a handler of the catalog, or a folder under functions/ (an unknown name lists them)',
      )
      .requiredOption(
        '--event <file|->',
        'a Lambda Kafka event (see events/ and the events command); "-" reads stdin: one event, or one per line',
      ),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  npm run -s cli -- invoke rides-tumbling-by-pickup --event events/rides-with-bad-records.json\n  ${PIPE_EXAMPLE('rides-tumbling-by-pickup')}`,
    )
    .action(async (functionName: string, o, cmd: Command) => {
      await runInvoke({
        catalog: await catalogOf(cmd),
        functionName,
        event: o.event,
        endpoint: o.endpoint,
        dataDir: o.dataDir,
      });
    });
}
