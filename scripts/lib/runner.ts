import type { Kafka } from 'kafkajs';
import { ConfigError } from '../../shared/engine/errors/index.js';
import {
  type Backoff,
  type EsmSettingsInput,
  type EsmSummary,
  JsonlOnFailureDestination,
  LocalEventSourceMapping,
  type LocalSchemaRegistryConfig,
} from '../../shared/local/eventSourceMapping/index.js';
import type { ResolvedFunction as RunnerFunction } from './functionResolver.js';

/** Settings every mapping of one `run` shares (one mapping per function). */
export type SharedEsmSettings = Omit<EsmSettingsInput, 'functionName' | 'topic' | 'consumerGroupId'>;

/** Options of {@link createMappings}. */
export interface RunnerOptions {
  readonly kafka: Kafka;
  /** What events carry as `bootstrapServers`. */
  readonly bootstrapServers: string;
  readonly functions: readonly RunnerFunction[];
  /** Topic for every function; default: each ride handler's own topic. */
  readonly topic?: string;
  /** Consumer group; with several functions, each gets `<group>-<function>`. Default: per function. */
  readonly group?: string;
  readonly settings: SharedEsmSettings;
  /** A JSONL path for discarded batches, or null for none. Default: one file per function under .local/esm/. */
  readonly onFailurePath?: string | null;
  readonly includeRecordsOnFailure?: boolean;
  /** Lambda's schema-registry integration, emulated on every mapping. @default none */
  readonly schemaRegistry?: LocalSchemaRegistryConfig;
  readonly backoff?: Backoff;
  readonly functionTimeoutMs?: number;
  readonly progressIntervalMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * One event-source mapping per function, as separate mappings in AWS would be: each its own
 * consumer group, so every function sees every record.
 */
export function createMappings(options: RunnerOptions): LocalEventSourceMapping[] {
  const several = options.functions.length > 1;
  return options.functions.map((fn) => {
    const topic = options.topic ?? fn.topic;
    if (!topic) throw new ConfigError(`${fn.name} has no topic of its own: pass --topic`);
    const settings: EsmSettingsInput = {
      ...options.settings,
      functionName: fn.name,
      topic,
      ...(options.group ? { consumerGroupId: several ? `${options.group}-${fn.name}` : options.group } : {}),
    };
    return new LocalEventSourceMapping({
      kafka: options.kafka,
      handler: fn.handler,
      settings,
      bootstrapServers: options.bootstrapServers,
      ...(options.onFailurePath === null
        ? { onFailure: null }
        : options.onFailurePath
          ? { onFailure: new JsonlOnFailureDestination(options.onFailurePath) }
          : {}),
      ...(options.includeRecordsOnFailure ? { includeRecordsOnFailure: true } : {}),
      ...(options.schemaRegistry ? { schemaRegistry: options.schemaRegistry } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.functionTimeoutMs ? { functionTimeoutMs: options.functionTimeoutMs } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  });
}

/** Starts every mapping; if one fails to start, stops those already running and rethrows. */
export async function startMappings(mappings: readonly LocalEventSourceMapping[]): Promise<void> {
  const started: LocalEventSourceMapping[] = [];
  try {
    for (const m of mappings) {
      await m.start();
      started.push(m);
    }
  } catch (err) {
    await Promise.allSettled(started.map((m) => m.stop()));
    throw err;
  }
}

/** Rejects as soon as any mapping crashes; never resolves otherwise. */
export function firstCrash(mappings: readonly LocalEventSourceMapping[]): Promise<never> {
  return new Promise<never>((_, reject) => {
    for (const m of mappings) m.done.catch(reject);
  });
}

/** Resolves when every mapping's group has committed up to the end of every partition. */
export async function untilCaughtUp(mappings: readonly LocalEventSourceMapping[]): Promise<void> {
  await Promise.race([Promise.all(mappings.map((m) => m.waitUntilCaughtUp())), firstCrash(mappings)]);
}

/** Stops every mapping gracefully; summaries of those that stopped, errors of those that had crashed. */
export async function stopMappings(
  mappings: readonly LocalEventSourceMapping[],
): Promise<{ summaries: EsmSummary[]; errors: Error[] }> {
  const results = await Promise.allSettled(mappings.map((m) => m.stop()));
  const summaries: EsmSummary[] = [];
  const errors: Error[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') summaries.push(r.value);
    else errors.push(r.reason as Error);
  }
  return { summaries, errors };
}

/**
 * Starts the mappings, waits until every group has committed to the end of every partition,
 * then stops them gracefully: the shape of a job over a topic that has stopped growing
 * (`start` on a broker). A crash stops every mapping and rethrows, so nothing is left
 * consuming in the background.
 */
export async function runUntilCaughtUp(mappings: readonly LocalEventSourceMapping[]): Promise<EsmSummary[]> {
  await startMappings(mappings);
  try {
    await untilCaughtUp(mappings);
  } catch (err) {
    await stopMappings(mappings);
    throw err;
  }
  const { summaries, errors } = await stopMappings(mappings);
  if (errors.length > 0) throw errors[0];
  return summaries;
}
