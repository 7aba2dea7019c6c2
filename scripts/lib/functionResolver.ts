import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { kafkaHandler } from '../../shared/engine/handler/index.js';
import type { RecordSink } from '../../shared/engine/output/index.js';
import { handlerOnTopic } from '../../shared/engine/process/handlerOnTopic.js';
import type { HandlerSpec, PipelineOutcome } from '../../shared/engine/process/index.js';
import { AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE } from '../../shared/engine/store/index.js';
import { lambdaKafkaSink } from '../../shared/kafka/kafkaRecordSink.js';
import type { LambdaKafkaHandlerFn } from '../../shared/local/eventSourceMapping/index.js';
import type { Catalog } from './catalog.js';
import type { DynamoContext } from './dynamoContext.js';

/**
 * The one place the CLI turns a function name into a handler, for `invoke` and `run` (and
 * `start`'s broker path). A name is a handler of the catalog, wired as its handler.ts wires
 * it (`kafkaHandler(spec, deps)`) over the CLI's DynamoDB; or a folder under functions/ with
 * a handler.ts that is not a catalog handler (`topic-admin`), imported after pointing its
 * environment at that DynamoDB.
 */

/** A function resolved to an in-process handler, with the topic its spec reads. */
export interface ResolvedFunction {
  readonly name: string;
  /** The handler spec's topic; undefined for folders under functions/ outside the catalog. */
  readonly topic: string | undefined;
  readonly handler: LambdaKafkaHandlerFn;
  /** The catalog's spec, as resolved (with `topic` applied); undefined for other folders. */
  readonly spec: HandlerSpec | undefined;
  /**
   * Ends the Kafka producers the handler opened. A deployed function keeps its producer for
   * the container's life; a CLI command must end them or its process never exits.
   */
  close(): Promise<void>;
}

/** Options of {@link resolveFunction}. */
export interface ResolveOptions {
  /** Read this topic instead of the spec's (`run --topic`, `start` on a fresh topic). */
  readonly topic?: string;
  /** Called with what each pipeline did after each event a catalog handler applied. */
  readonly onOutcomes?: (outcomes: PipelineOutcome[]) => void;
  /**
   * Where the producers of route and enrich pipelines read their connection (KAFKA_BROKERS,
   * KAFKA_AUTH, KAFKA_SECRET_FILE, KAFKA_CA_FILE, ...): `run` and `start` pass the environment
   * their own client was made from, with KAFKA_BROKERS set to the brokers they consume, so the
   * outputs go where the inputs came from, over the same listener and credentials.
   * @default process.env
   */
  readonly producerEnv?: NodeJS.ProcessEnv;
  /** Where Powertools Metrics' warnings go (never stdout, which may carry JSON). @default stderr */
  readonly warn?: (line: string) => void;
}

/** This repo's functions/ folder, found from this file, so any cwd works. */
export const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

function handlerPath(name: string): string {
  return join(FUNCTIONS_DIR, name, 'handler.ts');
}

function folderFunctions(): string[] {
  return existsSync(FUNCTIONS_DIR)
    ? readdirSync(FUNCTIONS_DIR).filter((d) => existsSync(handlerPath(d)))
    : [];
}

/** Every function name the catalog and functions/ know, sorted. */
export function knownFunctions(catalog: Catalog): string[] {
  return [...new Set([...catalog.handlers.map((h) => h.name), ...folderFunctions()])].sort();
}

function specOf(catalog: Catalog, name: string): HandlerSpec | undefined {
  return catalog.handlers.find((h) => h.name === name);
}

/** Throws a ConfigError listing the known names unless `name` is a catalog handler or a folder. */
export function requireFunction(catalog: Catalog, name: string): void {
  if (specOf(catalog, name) || existsSync(handlerPath(name))) return;
  throw new ConfigError(
    `unknown function "${name}"; known: ${knownFunctions(catalog).join(', ')} (handlers of the catalog and folders under functions/ with a handler.ts)`,
  );
}

/**
 * Checks `--function` names without loading or connecting anything: each known, none twice,
 * and a topic given for functions outside the catalog (their specs are unknown). `run` calls
 * it before it opens Kafka or DynamoDB, so a typo is named at once rather than after (or
 * instead of) a connection failure.
 */
export function checkFunctionNames(
  catalog: Catalog,
  names: readonly string[],
  options: { readonly topic?: string } = {},
): void {
  if (names.length === 0) {
    throw new ConfigError(`no --function given; known: ${knownFunctions(catalog).join(', ')}`);
  }
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length > 0) {
    throw new ConfigError(`--function lists ${dupes.join(', ')} twice; each function gets one mapping`);
  }
  for (const name of names) {
    requireFunction(catalog, name);
    // Only catalog handlers' specs name a topic; any other function reads the one given.
    if (!specOf(catalog, name) && !options.topic) {
      throw new ConfigError(`${name} has no topic of its own: pass --topic`);
    }
  }
}

/** Resolves one function name (see the module comment) over one DynamoDB. */
export async function resolveFunction(
  catalog: Catalog,
  name: string,
  ctx: DynamoContext,
  options: ResolveOptions = {},
): Promise<ResolvedFunction> {
  requireFunction(catalog, name);
  const catalogSpec = specOf(catalog, name);
  if (catalogSpec) {
    // With a topic, every pipeline reads it, or each record would be skipped as another topic's.
    const topic = options.topic ?? catalogSpec.topic;
    const spec: HandlerSpec = options.topic ? handlerOnTopic(catalogSpec, topic) : catalogSpec;
    // One log line per pipeline and batch is for CloudWatch; locally only warnings unless asked.
    const logger = new Logger({
      serviceName: name,
      logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN') as 'WARN',
    });
    const metrics = new Metrics({
      namespace: 'KafkaLambdaStreams',
      serviceName: name,
      logger: quietMetricsLogger(options.warn ?? ((line) => process.stderr.write(`${line}\n`))),
    });
    const sinks: RecordSink[] = [];
    const handler = kafkaHandler(spec, {
      stores: () => ctx.stores,
      // Route and enrich pipelines write to Kafka: the same lazy producer the deployed
      // functions use, on KAFKA_BROKERS or the event's bootstrapServers (the local runner's broker).
      sink: (event) => {
        const sink = lambdaKafkaSink(options.producerEnv)(event);
        sinks.push(sink);
        return sink;
      },
      logger,
      metrics,
      ...(options.onOutcomes ? { onOutcomes: options.onOutcomes } : {}),
    });
    const close = async (): Promise<void> => {
      await Promise.all(sinks.splice(0).map((s) => s.close?.()));
    };
    return { name, topic, handler, spec, close };
  }
  const modulePath = handlerPath(name);
  process.env[AGGREGATES_TABLE.envVar] = ctx.tables.aggregates;
  process.env[DEAD_LETTER_TABLE.envVar] = ctx.tables.deadLetters;
  process.env[STATE_TABLE.envVar] = ctx.tables.state;
  process.env.DYNAMODB_ENDPOINT = ctx.endpoint;
  const mod = (await import(pathToFileURL(modulePath).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') {
    throw new ConfigError(`${modulePath} does not export a function named "handler"`);
  }
  // A module of its own manages its clients; nothing here to end.
  const close = async (): Promise<void> => {};
  return { name, topic: undefined, handler: mod.handler as LambdaKafkaHandlerFn, spec: undefined, close };
}

/** Ends the producers of every function (see {@link ResolvedFunction.close}). */
export async function closeFunctions(functions: readonly ResolvedFunction[]): Promise<void> {
  await Promise.all(functions.map((f) => f.close()));
}

/** Resolves names checked by {@link checkFunctionNames}, in order. */
export async function resolveFunctions(
  catalog: Catalog,
  names: readonly string[],
  ctx: DynamoContext,
  options: ResolveOptions = {},
): Promise<ResolvedFunction[]> {
  checkFunctionNames(catalog, names, options);
  const out: ResolvedFunction[] = [];
  for (const name of names) out.push(await resolveFunction(catalog, name, ctx, options));
  return out;
}

/**
 * Powertools Metrics warns on every invocation that publishes no metrics (kafkaHandler
 * publishes single metrics, so every batch would print it); keep its other warnings and errors.
 */
function quietMetricsLogger(warn: (line: string) => void) {
  const say = (...args: unknown[]) => warn(`metrics: ${args.map(String).join(' ')}`);
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
