import kafkajs, { type Admin } from 'kafkajs';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { createTopicsAndWait } from '../../shared/kafka/index.js';
import { type CleanupPolicy, resolveCleanupPolicy } from './cleanupPolicy.js';
import { explainKafkaError, isLoopback, type KafkaCliOptions, openKafka, withAdmin } from './kafkaConnect.js';
import { type Output, processOutput } from './output.js';

/** Options of {@link createTopic}; the flags of `topics create`. */
export interface CreateTopicOptions extends KafkaCliOptions {
  readonly name: string;
  /** @default 3 (enough for keyed rides to spread; Lambda reads partitions in parallel) */
  readonly partitions?: number;
  /** -1 lets the broker choose (`default.replication.factor`: 1 locally, 3 on Confluent Cloud/MSK). @default -1 */
  readonly replicationFactor?: number;
  /** `retention.ms`; -1 keeps records forever. @default the broker's (7 days) */
  readonly retentionMs?: number;
  /** `cleanup.policy`. @default the broker's (delete) */
  readonly cleanupPolicy?: CleanupPolicy;
  /**
   * Short for `cleanupPolicy: 'compact'`: a table topic, such as `zones`, that keeps the
   * latest value per key. Contradicting `cleanupPolicy` or `configs['cleanup.policy']` is a
   * ConfigError. @default false
   */
  readonly compact?: boolean;
  /** Any other topic configs. */
  readonly configs?: Readonly<Record<string, string>>;
  /** Exit non-zero when the topic exists. @default false: say so and succeed */
  readonly failIfExists?: boolean;
  readonly output?: Output;
}

/** What `topics create` did. */
export interface CreateTopicResult {
  readonly created: boolean;
  /** Partitions the topic has now. */
  readonly partitions: number;
}

// kafkajs is CommonJS and Node's ESM loader does not see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;

/** Default partition count of `topics create`. */
export const DEFAULT_PARTITIONS = 3;

/**
 * Creates a topic; an existing topic is left alone and reported (idempotent, so scripts and
 * CI can run it every time), unless `failIfExists`.
 */
export async function createTopic(options: CreateTopicOptions): Promise<CreateTopicResult> {
  const output = options.output ?? processOutput;
  const configs: Record<string, string> = { ...options.configs };
  if (options.retentionMs !== undefined) configs['retention.ms'] = String(options.retentionMs);
  const cleanupPolicy = resolveCleanupPolicy({
    ...(options.compact ? { compact: true } : {}),
    ...(options.cleanupPolicy === undefined ? {} : { cleanupPolicy: options.cleanupPolicy }),
    ...(options.configs?.['cleanup.policy'] === undefined
      ? {}
      : { configValue: options.configs['cleanup.policy'] }),
  });
  if (cleanupPolicy !== undefined) configs['cleanup.policy'] = cleanupPolicy;
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const replicationFactor = options.replicationFactor ?? -1;
  const { kafka } = await openKafka(options);
  return withAdmin(kafka, async (admin) => {
    if ((await admin.listTopics()).includes(options.name)) {
      const existing = await partitionCount(admin, options.name);
      const note =
        existing === partitions ? '' : ` (you asked for ${partitions}; partitions were not changed)`;
      const message = `topic "${options.name}" already exists with ${existing} partitions${note}`;
      if (options.failIfExists) throw new ConfigError(`${message}; --fail-if-exists was given`);
      output.err(`${message}; nothing to do`);
      return { created: false, partitions: existing };
    }
    try {
      // Returns once every partition has a leader that answers: kafkajs' waitForLeaders alone
      // can give up while a KRaft broker is still publishing the new topic.
      await createTopicsAndWait(admin, [
        {
          topic: options.name,
          numPartitions: partitions,
          replicationFactor,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ]);
    } catch (cause) {
      throw explainCreateError(cause, options.name, replicationFactor);
    }
    const settings = Object.entries(configs).map(([k, v]) => `${k}=${v}`);
    output.err(
      `created topic "${options.name}": ${partitions} partitions, replication factor ${replicationFactor === -1 ? 'broker default' : replicationFactor}` +
        (settings.length > 0 ? `, ${settings.join(', ')}` : ''),
    );
    return { created: true, partitions };
  });
}

/** One partition as `describe` shows it. */
export interface PartitionDescription {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Log start offset. */
  readonly lowOffset: string;
  /** Next offset to be written (high watermark). */
  readonly highOffset: string;
}

/** A topic as `describe` shows it. */
export interface TopicDescription {
  readonly name: string;
  readonly partitions: readonly PartitionDescription[];
  readonly replicationFactor: number;
  /** Every config with its value and whether it is the default. */
  readonly configs: Readonly<Record<string, { value: string | null; isDefault: boolean; source: string }>>;
}

/** Configs `describe` always shows, set or not. */
const KEY_CONFIGS = ['retention.ms', 'cleanup.policy', 'retention.bytes', 'min.insync.replicas'] as const;

/**
 * Describes a topic: partitions with leaders, replicas, in-sync replicas and offsets, and
 * its configs (non-default ones, plus retention and cleanup policy always; `allConfigs` for
 * every one).
 */
export async function describeTopic(
  options: KafkaCliOptions & { name: string; json?: boolean; allConfigs?: boolean; output?: Output },
): Promise<TopicDescription> {
  const output = options.output ?? processOutput;
  const { kafka } = await openKafka(options);
  const description = await withAdmin(kafka, async (admin) => {
    await requireTopic(admin, options.name);
    const metadata = await admin.fetchTopicMetadata({ topics: [options.name] });
    const offsets = await admin.fetchTopicOffsets(options.name);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: options.name }],
    });
    const partitions = [...(metadata.topics[0]?.partitions ?? [])]
      .sort((a, b) => a.partitionId - b.partitionId)
      .map((p) => {
        const o = offsets.find((x) => x.partition === p.partitionId);
        return {
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          lowOffset: o?.low ?? '?',
          highOffset: o?.high ?? '?',
        };
      });
    const configs: Record<string, { value: string | null; isDefault: boolean; source: string }> = {};
    for (const e of described.resources[0]?.configEntries ?? []) {
      configs[e.configName] = {
        value: e.configValue,
        isDefault: e.isDefault,
        source: sourceName(e.configSource),
      };
    }
    return {
      name: options.name,
      partitions,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      configs,
    };
  });
  if (options.json) {
    output.out(JSON.stringify(description, null, 2));
    return description;
  }
  const records = description.partitions.reduce((n, p) => n + Number(p.highOffset) - Number(p.lowOffset), 0);
  output.out(
    `topic ${description.name}: ${description.partitions.length} partitions, replication factor ${description.replicationFactor}, ${records} records retained`,
  );
  output.out('partition  leader  replicas  isr       offsets (low..high)');
  for (const p of description.partitions) {
    output.out(
      `${String(p.partition).padEnd(11)}${String(p.leader).padEnd(8)}${p.replicas.join(',').padEnd(10)}${p.isr.join(',').padEnd(10)}${p.lowOffset}..${p.highOffset}`,
    );
  }
  output.out('configs:');
  const shown = Object.entries(description.configs)
    .filter(
      ([name, c]) => options.allConfigs || !c.isDefault || (KEY_CONFIGS as readonly string[]).includes(name),
    )
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [name, c] of shown)
    output.out(`  ${name}=${c.value ?? '(sensitive)'}${c.isDefault ? ' (default)' : ''}`);
  return description;
}

/** A topic as `list` shows it. */
export interface TopicListing {
  readonly name: string;
  readonly partitions: number;
}

/** Lists topics with their partition counts; internal ones (`__consumer_offsets`) only with `all`. */
export async function listTopics(
  options: KafkaCliOptions & { json?: boolean; all?: boolean; output?: Output } = {},
): Promise<TopicListing[]> {
  const output = options.output ?? processOutput;
  const { kafka } = await openKafka(options);
  const topics = await withAdmin(kafka, async (admin) => {
    const names = (await admin.listTopics()).filter((t) => options.all || !t.startsWith('__')).sort();
    if (names.length === 0) return [];
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    return names.map((name) => ({
      name,
      partitions: metadata.topics.find((t) => t.name === name)?.partitions.length ?? 0,
    }));
  });
  if (options.json) output.out(JSON.stringify(topics));
  else if (topics.length === 0) output.err('no topics (create one with `npm run cli -- topics create NAME`)');
  else for (const t of topics) output.out(`${t.name}\t${t.partitions} partitions`);
  return topics;
}

/** Options of {@link deleteTopics}. */
export interface DeleteTopicsOptions extends KafkaCliOptions {
  readonly names: readonly string[];
  /** Exit non-zero when a topic does not exist. @default false: say so and succeed */
  readonly failIfMissing?: boolean;
  /** Needed when any broker is not on this machine (Confluent Cloud, MSK): deleting loses data. */
  readonly yes?: boolean;
  readonly output?: Output;
}

/** Deletes topics; missing ones are reported, not an error, unless `failIfMissing`. */
export async function deleteTopics(
  options: DeleteTopicsOptions,
): Promise<{ deleted: string[]; missing: string[] }> {
  const output = options.output ?? processOutput;
  const { kafka, connection } = await openKafka(options);
  if (!options.yes && !isLoopback(connection.brokers)) {
    throw new ConfigError(
      `refusing to delete ${options.names.join(', ')} on ${connection.brokers.join(',')} (not this machine) without --yes`,
    );
  }
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = options.names.filter((n) => !existing.has(n));
    const deleted = options.names.filter((n) => existing.has(n));
    if (missing.length > 0) {
      const message = `topic${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`;
      if (options.failIfMissing) throw new ConfigError(`${message}; --fail-if-missing was given`);
      output.err(`${message}; nothing to delete there`);
    }
    if (deleted.length > 0) {
      await admin.deleteTopics({ topics: deleted, timeout: 30_000 }).catch((cause: unknown) => {
        throw explainKafkaError(cause, `deleting ${deleted.join(', ')}`);
      });
      output.err(`deleted ${deleted.map((d) => `"${d}"`).join(', ')}`);
    }
    return { deleted, missing };
  });
}

async function requireTopic(admin: Admin, name: string): Promise<void> {
  if (!(await admin.listTopics()).includes(name)) {
    throw new ConfigError(`topic "${name}" does not exist (see \`npm run cli -- topics list\`)`);
  }
}

async function partitionCount(admin: Admin, name: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [name] });
  return metadata.topics[0]?.partitions.length ?? 0;
}

function explainCreateError(cause: unknown, name: string, replicationFactor: number): Error {
  const e = cause as Error & { type?: string; errors?: Array<{ type?: string; message?: string }> };
  const type = e.type ?? e.errors?.[0]?.type;
  if (type === 'INVALID_REPLICATION_FACTOR') {
    return new ConfigError(
      `cannot create "${name}" with replication factor ${replicationFactor}: the cluster has fewer brokers. ` +
        'Use --replication-factor 1 on a local broker, or leave it out to use the broker default',
      { cause },
    );
  }
  if (type === 'INVALID_CONFIG' || type === 'INVALID_PARTITIONS' || type === 'INVALID_TOPIC_EXCEPTION') {
    return new ConfigError(`cannot create "${name}": ${e.errors?.[0]?.message ?? e.message} [${type}]`, {
      cause,
    });
  }
  return explainKafkaError(cause, `creating topic "${name}"`);
}

function sourceName(source: number): string {
  const names: Record<number, string> = {
    1: 'topic',
    2: 'dynamic broker',
    3: 'dynamic default broker',
    4: 'static broker',
    5: 'default',
    6: 'dynamic broker logger',
  };
  return names[source] ?? 'unknown';
}
