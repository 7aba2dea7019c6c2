import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { kafkaHandler } from '../../shared/engine/handler/index.js';
import { AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE } from '../../shared/engine/store/index.js';
import type { LambdaKafkaHandlerFn } from '../../shared/local/eventSourceMapping/index.js';
import { rideHandlers } from '../../shared/rides/index.js';
import { knownFunctions } from '../commands/invoke.js';
import type { DynamoContext } from './dynamoContext.js';

/** A function the runner can invoke, with the topic it reads when its spec says so. */
export interface RunnerFunction {
  readonly name: string;
  /** The handler spec's topic (ride handlers); undefined for other folders under functions/. */
  readonly topic: string | undefined;
  readonly handler: LambdaKafkaHandlerFn;
}

const FUNCTIONS_DIR = resolve('functions');

/**
 * Checks `--function` names without loading or connecting anything: every name a ride handler
 * or a folder under functions/ with a handler.ts (which then needs `topic`), none twice. `run` calls it before it opens
 * Kafka or DynamoDB, so a typo is named at once rather than after (or instead of) a connection
 * failure.
 */
export function checkRunnerFunctionNames(
  names: readonly string[],
  options: { readonly topic?: string } = {},
): void {
  if (names.length === 0) throw new ConfigError(`no --function given; known: ${knownFunctions().join(', ')}`);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (dupes.length > 0) {
    throw new ConfigError(`--function lists ${dupes.join(', ')} twice; each function gets one mapping`);
  }
  for (const name of names) {
    if (rideHandlers.some((h) => h.name === name)) continue;
    if (!existsSync(handlerPath(name))) {
      throw new ConfigError(
        `unknown function "${name}"; known: ${knownFunctions().join(', ')} (ride handlers and folders under functions/ with a handler.ts)`,
      );
    }
    // Only ride handlers' specs name a topic; any other function reads the one given.
    if (!options.topic) throw new ConfigError(`${name} has no topic of its own: pass --topic`);
  }
}

function handlerPath(name: string): string {
  return join(FUNCTIONS_DIR, name, 'handler.ts');
}

/**
 * Resolves function names (checked by {@link checkRunnerFunctionNames}) to in-process handlers over one DynamoDB. Ride handlers are wired
 * as their handler.ts wires them, `kafkaHandler(spec, deps)`, with the runner's stores (and,
 * given a topic, their pipelines reading that topic instead of `rides`); any
 * other folder under functions/ has its handler.ts imported after AGGREGATES_TABLE,
 * DEAD_LETTER_TABLE, STATE_TABLE and DYNAMODB_ENDPOINT point at that DynamoDB, as Lambda's
 * environment would.
 */
export async function resolveRunnerFunctions(
  names: readonly string[],
  ctx: DynamoContext,
  options: { readonly topic?: string } = {},
): Promise<RunnerFunction[]> {
  checkRunnerFunctionNames(names, options);
  const out: RunnerFunction[] = [];
  for (const name of names) {
    const rideSpec = rideHandlers.find((h) => h.name === name);
    if (rideSpec) {
      // A ride handler's pipelines name the topic they read; with --topic they read that one,
      // or every record would be skipped as belonging to another topic.
      const topic = options.topic ?? rideSpec.topic;
      const spec = { ...rideSpec, topic, pipelines: rideSpec.pipelines.map((p) => ({ ...p, topic })) };
      // One log line per pipeline and batch is for CloudWatch; locally only warnings unless asked.
      const logger = new Logger({
        serviceName: name,
        logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN') as 'WARN',
      });
      const metrics = new Metrics({
        namespace: 'KafkaLambdaStreams',
        serviceName: name,
        logger: quietMetricsLogger,
      });
      out.push({ name, topic, handler: kafkaHandler(spec, { stores: () => ctx.stores, logger, metrics }) });
      continue;
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
    out.push({ name, topic: undefined, handler: mod.handler as LambdaKafkaHandlerFn });
  }
  return out;
}

/**
 * Powertools Metrics warns on every invocation that publishes no metrics (kafkaHandler
 * publishes single metrics, so every batch would print it); keep its other warnings and errors.
 */
const quietMetricsLogger = {
  trace() {},
  debug() {},
  info() {},
  warn: (...args: unknown[]) => {
    if (!String(args[0]).startsWith('No application metrics'))
      process.stderr.write(`metrics: ${args.map(String).join(' ')}\n`);
  },
  error: (...args: unknown[]) => process.stderr.write(`metrics: ${args.map(String).join(' ')}\n`),
};
