import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Command, Option } from 'commander';
import { ConfigError } from '../../shared/engine/errors/index.js';
import type { LambdaKafkaEvent } from '../../shared/engine/event/index.js';
import {
  DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE,
  type ProducerRecord,
} from '../../shared/local/eventSourceMapping/index.js';
import { RIDES_TOPIC } from '../../shared/rides/index.js';
import { type AvroProduceOptions, asAvroRecord, avroPartsFor } from '../lib/avroValues.js';
import { fileBatchSource, recordCount } from '../lib/batchSource.js';
import { intArg } from '../lib/cliOptions.js';
import { type Output, processOutput } from '../lib/output.js';
import { SAMPLE_EVENTS } from '../lib/sampleEvents.js';
import {
  addSchemaRegistryFlags,
  registrarFrom,
  type SchemaRegistryFlags,
} from '../lib/schemaRegistryFlags.js';
import {
  addSourceFileFlags,
  DEFAULT_KEY_FIELD,
  formatSourceIssues,
  issueLines,
  requireInputFile,
  type SourceFileOptions,
} from '../lib/sourceRecords.js';

/** Options of {@link runEvents}; the flags of `events`. */
export interface EventsOptions {
  readonly file: string;
  /** @default rides */
  readonly topic?: string;
  /** @default 1 */
  readonly partitions?: number;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default msk */
  readonly source?: 'msk' | 'self-managed';
  /** null = key-less records. @default DOLocationID */
  readonly keyField?: string | null;
  readonly timestampField?: string;
  readonly format?: SourceFileOptions['format'];
  readonly limit?: number;
  /** Stop at the first malformed input line. @default false: it goes into the event as is */
  readonly strict?: boolean;
  /**
   * `avro`: values as a Confluent serializer writes them (magic byte, schema id, Avro binary),
   * so the events carry what an Avro topic holds and `invoke` of an Avro handler decodes them.
   * A line that does not fit the schema (a malformed one) stays as written: the handler
   * dead-letters it. @default json
   */
  readonly valueFormat?: 'json' | 'avro';
  /** `avro`: keys as Confluent-framed Avro (`--key-schema`). @default string */
  readonly keyFormat?: 'string' | 'avro';
  /** Schemas for the Avro formats: where they live, which file or id (see `produce`). */
  readonly avro?: AvroProduceOptions;
  /** `-` (stdout, one event per line), a `.json` file (exactly one event), or a folder. @default - */
  readonly out?: string;
}

/** What {@link runEvents} produced. */
export interface EventsResult {
  readonly events: LambdaKafkaEvent[];
  readonly files: string[];
}

/**
 * Writes the Lambda events an event-source mapping would deliver for a file's records, as
 * AWS shapes them (base64 keys and values, `"topic-partition"` groups), for `invoke`, unit
 * tests and `sam local invoke`-style experiments.
 */
export async function runEvents(
  options: EventsOptions,
  output: Output = processOutput,
): Promise<EventsResult> {
  const out = options.out ?? '-';
  requireInputFile(options.file);
  const topic = options.topic ?? RIDES_TOPIC;
  const avro = await avroPartsFor({
    topic,
    value: options.valueFormat === 'avro',
    key: options.keyFormat === 'avro',
    avro: options.avro,
  });
  const source = fileBatchSource({
    file: options.file,
    topic,
    partitions: options.partitions ?? 1,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    source: options.source ?? 'msk',
    keyField: options.keyField === undefined ? DEFAULT_KEY_FIELD : options.keyField,
    ...(options.timestampField ? { timestampField: options.timestampField } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.strict ? { strict: true } : {}),
    ...(avro.value || avro.key ? { serialize: (r: ProducerRecord) => asAvroRecord(r, avro) } : {}),
  });
  const events: LambdaKafkaEvent[] = [];
  const files: string[] = [];
  const stem = basename(options.file).replace(/(\.records)?\.(jsonl|json|csv)$/i, '');
  if (out !== '-' && !out.endsWith('.json')) mkdirSync(out, { recursive: true });
  for await (const event of source.batches()) {
    events.push(event);
    if (out === '-') output.out(JSON.stringify(event));
    else if (out.endsWith('.json')) {
      if (events.length > 1) {
        throw new ConfigError(
          `${options.file} makes more than one event (batch size ${options.batchSize ?? DEFAULT_BATCH_SIZE}); give --out a folder, or raise --batch-size, or lower --limit`,
        );
      }
    } else {
      const file = join(out, `${stem}-${String(events.length).padStart(4, '0')}.json`);
      writeFileSync(file, `${JSON.stringify(event, null, 2)}\n`);
      files.push(file);
    }
  }
  if (out.endsWith('.json') && events[0]) {
    writeFileSync(out, `${JSON.stringify(events[0], null, 2)}\n`);
    files.push(out);
  }
  const records = events.reduce((n, e) => n + recordCount(e), 0);
  for (const line of issueLines(source.issues)) output.err(`input: ${line}`);
  const input = formatSourceIssues(source.issues.counts);
  output.err(
    `${events.length} event(s), ${records} records, from ${source.description}${files.length > 0 ? ` -> ${out}` : ''}${input ? ` (input: ${input})` : ''}`,
  );
  for (const line of offsetRanges(events)) output.err(`  ${line}`);
  return { events, files };
}

/** `rides-0: offsets 0-88 (89 records)` per partition over all events. */
function offsetRanges(events: readonly LambdaKafkaEvent[]): string[] {
  const ranges = new Map<string, { min: number; max: number; n: number }>();
  for (const e of events) {
    for (const [id, records] of Object.entries(e.records)) {
      for (const r of records) {
        const range = ranges.get(id) ?? { min: r.offset, max: r.offset, n: 0 };
        range.min = Math.min(range.min, r.offset);
        range.max = Math.max(range.max, r.offset);
        range.n++;
        ranges.set(id, range);
      }
    }
  }
  return [...ranges]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([id, r]) => `${id}: offsets ${r.min}-${r.max} (${r.n} record${r.n === 1 ? '' : 's'})`);
}

/** Rewrites every committed sample event under events/ (see SAMPLE_EVENTS). */
export async function runSampleEvents(output: Output = processOutput): Promise<string[]> {
  const files: string[] = [];
  for (const { about: _about, ...options } of SAMPLE_EVENTS) {
    files.push(...(await runEvents(options, output)).files);
  }
  return files;
}

/** Registers `events`. */
export function register(program: Command): void {
  const command = addSourceFileFlags(
    program
      .command('events')
      .description('write sample Lambda Kafka events (exact AWS shape) built from a CSV / JSONL file')
      .option('--file <path>', 'CSV (with header), JSON lines, or .records.jsonl (whole records)')
      .option('--samples', 'regenerate the sample events committed under events/')
      .option('--topic <topic>', 'topic of the records', RIDES_TOPIC)
      .option('--partitions <n>', 'partitions; records go by key with murmur2', intArg(1, 10_000), 1)
      .option(
        '--batch-size <n>',
        'records per event, as the event-source mapping',
        intArg(1, MAX_BATCH_SIZE),
        DEFAULT_BATCH_SIZE,
      )
      .addOption(
        new Option('--source <kind>', 'event source: MSK or self-managed Kafka')
          .choices(['msk', 'self-managed'])
          .default('msk'),
      )
      .addOption(
        new Option('--value-format <format>', 'values as JSON, or Confluent-framed Avro (see --value-schema)')
          .choices(['json', 'avro'])
          .default('json'),
      )
      .addOption(
        new Option('--key-format <format>', 'keys as text, or Confluent-framed Avro (see --key-schema)')
          .choices(['string', 'avro'])
          .default('string'),
      ),
  ).option(
    '--out <dir|file.json|->',
    '"-" = stdout, one event per line (pipe it to: invoke <function> --event -); a folder; or one .json file',
    '-',
  );
  addSchemaRegistryFlags(command, { producing: true });
  command
    .addHelpText(
      'after',
      '\nExamples:\n  npm run -s cli -- events --file data/rides.csv --partitions 3 --limit 10 --out events/rides-msk.json\n  npm run -s cli -- events --file data/rides.csv --partitions 3 --out /tmp/rides-events/\n  npm run -s cli -- events --file data/rides.csv --limit 10 | npm run -s cli -- invoke rides-tumbling-by-pickup --event -\n  npm run -s cli -- events --topic rides-avro --file data/rides.csv --limit 10 --value-format avro --schema-id 1 | npm run -s cli -- invoke rides-tumbling-by-pickup-avro --event -\n  npm run -s cli -- events --samples   # rewrites events/*.json',
    )
    .action(async (o) => {
      if (o.samples) {
        await runSampleEvents();
        return;
      }
      if (!o.file) throw new ConfigError('give --file <path> (or --samples to regenerate events/)');
      await runEvents({
        file: o.file,
        topic: o.topic,
        partitions: o.partitions,
        batchSize: o.batchSize,
        source: o.source,
        keyField: o.key === false ? null : o.keyField,
        timestampField: o.timestampField,
        format: o.format,
        limit: o.limit,
        strict: o.strict,
        out: o.out,
        valueFormat: o.valueFormat,
        keyFormat: o.keyFormat,
        ...(o.valueFormat === 'avro' || o.keyFormat === 'avro' ? { avro: avroOptionsOf(o) } : {}),
      });
    });
}

/** The Avro options of `events` from its schema flags. */
function avroOptionsOf(flags: SchemaRegistryFlags): AvroProduceOptions {
  return {
    registrar: registrarFrom(flags),
    valueSchema: flags.valueSchema,
    schemaId: flags.schemaId,
    keySchema: flags.keySchema,
    keySchemaId: flags.keySchemaId,
  };
}
