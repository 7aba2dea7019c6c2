import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { WriterSchemaSource } from '../../shared/engine/decode/avro/WriterSchemaSource.js';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { AvroJsonRenderer } from '../lib/avroDisplay.js';
import {
  ConsumedRecordDeduplicator,
  type DedupeCounts,
  formatDedupeCounts,
} from '../lib/ConsumedRecordDeduplicator.js';
import { intArg } from '../lib/cliOptions.js';
import {
  addBrokerOption,
  explainKafkaError,
  type KafkaCliOptions,
  openKafka,
  withAdmin,
} from '../lib/kafkaConnect.js';
import { interruptSignal } from '../lib/kafkaInterrupt.js';
import { type Output, processOutput } from '../lib/output.js';
import {
  addSchemaRegistryFlags,
  registrarFrom,
  type SchemaRegistryFlags,
} from '../lib/schemaRegistryFlags.js';

/** Options of {@link runConsume}; the flags of `consume`. */
export interface ConsumeOptions extends KafkaCliOptions {
  readonly topic: string;
  /**
   * Where a group without committed offsets starts. A group that has committed offsets
   * resumes from them whatever this says (Kafka's rule, as for Lambda's starting position).
   * @default earliest
   */
  readonly from?: 'earliest' | 'latest';
  /**
   * Consumer group. Given: offsets of printed records are committed. Omitted: a throwaway
   * group that commits nothing and is deleted afterwards.
   */
  readonly group?: string;
  /** Stop after this many records. */
  readonly max?: number;
  /**
   * Shows Confluent-framed Avro values (and keys, with `avroKeys`) as JSON, writer schemas
   * from this registry or local directory. @default none: values shown as UTF-8 text
   */
  readonly avro?: { readonly source: WriterSchemaSource; readonly values: boolean; readonly keys: boolean };
  /** JSON lines instead of readable text. */
  readonly json?: boolean;
  /**
   * Drop records whose `kls-source` header was seen before on the topic: copies a route or
   * enrich pipeline wrote again when Lambda redelivered a batch (at-least-once output).
   * Records without the header are printed. The dropped ones still count as read (their
   * offsets are committed with `group`), not towards `max`. Ends with a summary on stderr.
   * @default false
   */
  readonly dedupe?: boolean;
  /** Stop when no record arrived for this long (after joining the group). @default 5000 */
  readonly idleTimeoutMs?: number;
  readonly output?: Output;
  readonly signal?: AbortSignal;
}

/** A consumed record as printed with `--json`. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** ISO-8601 UTC. */
  readonly timestamp: string;
  readonly key: string | null;
  /** UTF-8 text; null for a tombstone. */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string | string[]>>;
}

/** How a consume run ended. */
export interface ConsumeResult {
  readonly records: number;
  readonly group: string;
  readonly throwawayGroup: boolean;
  /** Offsets committed (only with a named group). */
  readonly committed: ReadonlyArray<{ partition: number; offset: string }>;
  readonly stoppedBecause: 'max' | 'idle' | 'interrupted';
  /** With `dedupe`: what was dropped and what had no source header. */
  readonly dedupe?: DedupeCounts;
}

/** Default idle time after which `consume` stops. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5000;
/** How long joining the group may take before we give up (a rebalance can take seconds). */
const JOIN_TIMEOUT_MS = 30_000;

/**
 * Reads a topic and prints each record's key, value, partition, offset, timestamp and
 * headers on stdout; stops after `max` records or after `idleTimeoutMs` without one.
 */
export async function runConsume(options: ConsumeOptions): Promise<ConsumeResult> {
  const output = options.output ?? processOutput;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const throwaway = options.group === undefined;
  const group = options.group ?? `cli-consume-${randomUUID()}`;
  const from = options.from ?? 'earliest';
  const { kafka } = await openKafka(options);

  const hasOffsets = await withAdmin(kafka, async (admin) => {
    if (!(await admin.listTopics()).includes(options.topic)) {
      throw new ConfigError(`topic "${options.topic}" does not exist (see \`npm run cli -- topics list\`)`);
    }
    if (throwaway) return false;
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [options.topic] });
    return offsets.some((t) => t.partitions.some((p) => Number(p.offset) >= 0));
  });
  if (throwaway) {
    output.err(
      `no --group given: reading from ${from} with throwaway group ${group} (commits nothing, deleted afterwards)`,
    );
  } else if (hasOffsets) {
    output.err(
      `group ${group} has committed offsets on "${options.topic}": resuming from them (--from ${from} only applies to a new group)`,
    );
  }

  const consumer = kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    // A fetch waits this long for data and disconnect waits for the fetch: keep stopping quick.
    maxWaitTimeInMs: Math.min(500, idleTimeoutMs),
  });
  const next = new Map<number, bigint>();
  const renderer = options.avro ? new AvroJsonRenderer(options.avro.source) : undefined;
  const dedupe = options.dedupe ? new ConsumedRecordDeduplicator() : undefined;
  let count = 0;
  let finish: (reason: ConsumeResult['stoppedBecause']) => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const ended = new Promise<ConsumeResult['stoppedBecause']>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Awaited only once the consumer runs; this keeps an early failure from counting as unhandled.
  ended.catch(() => undefined);
  let done = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const stop = (reason: ConsumeResult['stoppedBecause']) => {
    if (done) return;
    done = true;
    clearTimeout(idleTimer);
    finish(reason);
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop('idle'), idleTimeoutMs);
  };
  const joinTimer = setTimeout(
    () => fail(new ConfigError(`could not join consumer group ${group} within ${JOIN_TIMEOUT_MS / 1000} s`)),
    JOIN_TIMEOUT_MS,
  );
  consumer.on(consumer.events.GROUP_JOIN, () => {
    clearTimeout(joinTimer);
    armIdle();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!done) fail(explainKafkaError(event.payload.error, 'consuming'));
  });
  const onAbort = () => stop('interrupted');
  options.signal?.addEventListener('abort', onAbort);

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: from === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        const avro = options.avro;
        if (avro) {
          await renderer?.prepare(
            batch.messages.flatMap((m) => [avro.values ? m.value : null, avro.keys ? m.key : null]),
          );
        }
        for (const message of batch.messages) {
          if (done) return;
          const raw = toConsumedRecord(batch.topic, batch.partition, message);
          const record =
            avro && renderer
              ? {
                  ...raw,
                  ...(avro.values && message.value ? { value: renderer.render(message.value) } : {}),
                  ...(avro.keys && message.key ? { key: renderer.render(message.key) } : {}),
                }
              : raw;
          const print = dedupe?.keep(record) ?? true;
          if (print) output.out(formatRecord(record, options.json ?? false));
          resolveOffset(message.offset);
          next.set(batch.partition, BigInt(message.offset) + 1n);
          if (print) count++;
          armIdle();
          if (options.max !== undefined && count >= options.max) stop('max');
        }
        await heartbeat();
      },
    });
    const stoppedBecause = await ended;
    if (dedupe) output.err(formatDedupeCounts(dedupe.counts));
    const committed = [...next].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
    if (!throwaway && committed.length > 0) {
      await consumer.commitOffsets(committed.map((c) => ({ topic: options.topic, ...c })));
    }
    return {
      records: count,
      group,
      throwawayGroup: throwaway,
      committed: throwaway ? [] : committed,
      stoppedBecause,
      ...(dedupe ? { dedupe: dedupe.counts } : {}),
    };
  } catch (cause) {
    throw explainKafkaError(cause, `consuming "${options.topic}"`);
  } finally {
    done = true;
    clearTimeout(idleTimer);
    clearTimeout(joinTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    if (throwaway) {
      await withAdmin(kafka, (admin) => admin.deleteGroups([group])).catch(() => undefined);
    }
  }
}

/** A kafkajs message as a plain record with text key, value and headers. */
export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
    headers: headersAsText(message.headers),
  };
}

/** One JSON line, or a readable header line plus the value indented below it. */
export function formatRecord(r: ConsumedRecord, json: boolean): string {
  if (json) return JSON.stringify(r);
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`)
    .join(' ');
  return (
    `${r.topic}[${r.partition}]@${r.offset} ${r.timestamp} key=${r.key === null ? '(none)' : JSON.stringify(r.key)}` +
    `${headers ? ` headers: ${headers}` : ''}\n  ${r.value === null ? '(null value: tombstone)' : r.value}`
  );
}

function headersAsText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => x.toString()) : v.toString();
  }
  return out;
}

/** Registers `consume`. */
export function register(program: Command): void {
  const command = program
    .command('consume')
    .description(
      'Print records of a topic (key, value, partition, offset, ISO timestamp, headers); stops after --max records or --timeout-ms idle',
    )
    .requiredOption('--topic <name>', 'topic to read')
    .addOption(
      new Option('--from <position>', 'where a new group starts (a group with commits resumes from them)')
        .choices(['earliest', 'latest'])
        .default('earliest'),
    )
    .option(
      '--group <id>',
      'consumer group; commits the offsets of printed records (default: a throwaway group)',
    )
    .option('--max <n>', 'stop after N records', intArg(1))
    .option('--json', 'print JSON lines: {topic, partition, offset, timestamp, key, value, headers}')
    .option(
      '--dedupe',
      'drop records whose kls-source header was seen before (copies from a redelivered batch); prints the counts on stderr at the end',
    )
    .option('--timeout-ms <ms>', 'stop after this long without a record', intArg(1), DEFAULT_IDLE_TIMEOUT_MS)
    .addOption(
      new Option('--value-format <format>', 'show values as text, or Confluent-framed Avro decoded to JSON')
        .choices(['text', 'avro'])
        .default('text'),
    )
    .addOption(
      new Option('--key-format <format>', 'show keys as text, or Confluent-framed Avro decoded to JSON')
        .choices(['text', 'avro'])
        .default('text'),
    );
  addSchemaRegistryFlags(command, { producing: false });
  addBrokerOption(command)
    .addHelpText(
      'after',
      `
Examples:
  npm run cli -- consume --topic rides --max 5
  npm run cli -- consume --topic rides --json --timeout-ms 2000 | jq .value
  npm run cli -- consume --topic rides --group my-reader --from latest
  npm run cli -- consume --topic rides_high_amount --dedupe --json   # each routed ride once
  npm run cli -- consume --topic rides-avro --value-format avro --max 3   # schemas from data/schemas or --schema-registry`,
    )
    .action(
      async (
        f: {
          topic: string;
          from: 'earliest' | 'latest';
          group?: string;
          max?: number;
          json?: boolean;
          dedupe?: boolean;
          timeoutMs: number;
          brokers?: string;
          valueFormat: 'text' | 'avro';
          keyFormat: 'text' | 'avro';
        } & SchemaRegistryFlags,
      ) => {
        const interrupt = interruptSignal();
        try {
          await runConsume({
            topic: f.topic,
            from: f.from,
            idleTimeoutMs: f.timeoutMs,
            signal: interrupt.signal,
            ...(f.group === undefined ? {} : { group: f.group }),
            ...(f.max === undefined ? {} : { max: f.max }),
            ...(f.json ? { json: true } : {}),
            ...(f.dedupe ? { dedupe: true } : {}),
            ...(f.brokers === undefined ? {} : { brokers: f.brokers }),
            ...(f.valueFormat === 'avro' || f.keyFormat === 'avro'
              ? {
                  avro: {
                    source: registrarFrom(f),
                    values: f.valueFormat === 'avro',
                    keys: f.keyFormat === 'avro',
                  },
                }
              : {}),
          });
        } finally {
          interrupt.dispose();
        }
      },
    );
}
