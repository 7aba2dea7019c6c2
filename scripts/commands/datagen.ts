import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { ConfigError } from '../../shared/engine/errors/index.js';
import {
  ALL_DEFECTS,
  CSV_DEFECTS,
  formatRecord,
  type GeneratedMalformed,
  type GeneratedRecord,
  generateRides,
  pickupLocationsOf,
  RIDE_CSV_HEADER,
  RIDE_GENERATOR_DEFAULTS,
  type RideFormat,
} from '../../shared/local/datagen/index.js';
import { loadZones, parseDatetimeMs, RIDE_AVRO_SCHEMA } from '../../shared/rides/schemas/index.js';
import { type AvroParts, type AvroProduceOptions, avroKeyOf, avroPartsFor } from '../lib/avroValues.js';
import { intArg, parseTimeArg } from '../lib/cliOptions.js';
import type { CompressionName } from '../lib/kafkaCodecs.js';
import { addBrokerOption, type KafkaCliOptions, openKafka } from '../lib/kafkaConnect.js';
import { interruptSignal } from '../lib/kafkaInterrupt.js';
import {
  addProduceFlags,
  DEFAULT_RIDE_KEY_FIELD,
  keyFieldFrom,
  type ProduceFlags,
  shareArg,
} from '../lib/kafkaOptions.js';
import {
  formatProduceSummary,
  type OutgoingRecord,
  type ProduceSummary,
  produceRecords,
} from '../lib/kafkaProducer.js';
import { createThroughputProgress } from '../lib/kafkaProgress.js';
import { type Output, processOutput } from '../lib/output.js';
import {
  addSchemaRegistryFlags,
  registrarFrom,
  type SchemaRegistryFlags,
} from '../lib/schemaRegistryFlags.js';

/** The zone lookup shipped with the repo. */
export const DEFAULT_ZONES_FILE = fileURLToPath(new URL('../../data/taxi_zone_lookup.csv', import.meta.url));

/** Options of {@link runDatagen}; the flags of `datagen`. */
export interface DatagenOptions extends KafkaCliOptions {
  /** Records to generate; 0 = until interrupted. @default 1000 */
  readonly count?: number;
  /** @default a random seed, printed so the run can be repeated */
  readonly seed?: number | string;
  /** Write to this file (`-` = stdout). Exclusive with `topic`. @default stdout */
  readonly out?: string;
  /** Produce to this topic instead of writing lines. */
  readonly topic?: string;
  /** @default from the `out` extension (.csv), else jsonl */
  readonly format?: RideFormat;
  readonly startMs?: number;
  readonly meanGapMs?: number;
  readonly outOfOrderShare?: number;
  readonly lateFraction?: number;
  readonly malformedShare?: number;
  /** Records per second (file, stdout or topic). */
  readonly ratePerSecond?: number;
  /** @default data/taxi_zone_lookup.csv */
  readonly zonesFile?: string;
  /**
   * `pickup-locations`: each generated ride's pickup (PULocationID, tpep_pickup_datetime), the
   * second input of the rides x pickup-locations join, JSON lines only, keyed by PULocationID
   * unless `keyField` says otherwise. @default 'rides'
   */
  readonly stream?: 'rides' | 'pickup-locations';
  /** For `topic`: null = key-less records. @default DOLocationID */
  readonly keyField?: string | null;
  /** For `topic`: stamp records with this datetime field. @default the send time */
  readonly timestampField?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * For `topic`: `avro` writes each ride as Confluent-framed Avro (schema from `avro`, @default
   * the newest of `<topic>-value`, else the ride schema RIDE_AVRO_SCHEMA, registered there);
   * `text` the line `format` gives. A malformed record that Avro cannot hold goes as its JSON
   * text, so Avro consumers dead-letter it (`NOT_CONFLUENT_FRAMED`), as `produce
   * --allow-malformed` sends it. @default text
   */
  readonly valueFormat?: 'text' | 'avro';
  /** For `topic`: `avro` writes the key as Confluent-framed Avro (`<topic>-key`). @default string */
  readonly keyFormat?: 'string' | 'avro';
  /** Where Avro schemas are registered and which ones, for `valueFormat`/`keyFormat` avro. */
  readonly avro?: AvroProduceOptions;
  readonly compression?: CompressionName;
  readonly quiet?: boolean;
  readonly output?: Output;
  readonly signal?: AbortSignal;
}

/** What a datagen run made. */
export interface DatagenSummary {
  readonly seed: number | string;
  readonly records: number;
  readonly outOfOrder: number;
  readonly late: number;
  readonly malformed: number;
  /** Set when producing to a topic. */
  readonly produce?: ProduceSummary;
}

/**
 * Generates synthetic yellow-taxi rides (shared/local/datagen) into a file, stdout or a topic:
 * the local stand-in for Confluent's Datagen source connector.
 */
export async function runDatagen(options: DatagenOptions): Promise<DatagenSummary> {
  const output = options.output ?? processOutput;
  if (options.out !== undefined && options.topic !== undefined) {
    throw new ConfigError('give either --out FILE or --topic NAME, not both');
  }
  const toStdout = options.topic === undefined && (options.out === undefined || options.out === '-');
  const avroWanted = options.valueFormat === 'avro' || options.keyFormat === 'avro';
  if (avroWanted && options.topic === undefined) {
    // Files and stdout hold lines of text; Avro bytes only make sense as Kafka records.
    throw new ConfigError(
      '--value-format avro and --key-format avro need --topic: files get JSON or CSV lines',
    );
  }
  const format = options.format ?? (options.out?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const count = options.count ?? 1000;
  let zones: ReturnType<typeof loadZones>;
  try {
    zones = loadZones(options.zonesFile ?? DEFAULT_ZONES_FILE);
  } catch (cause) {
    throw new ConfigError(
      `cannot read the taxi zones from ${options.zonesFile ?? DEFAULT_ZONES_FILE}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  let generated: Generator<GeneratedRecord>;
  try {
    generated = generateRides({
      seed,
      zones: zones.values(),
      ...(count === 0 ? {} : { count }),
      defects: format === 'csv' ? CSV_DEFECTS : ALL_DEFECTS,
      ...definedOnly({
        startMs: options.startMs,
        meanGapMs: options.meanGapMs,
        outOfOrderShare: options.outOfOrderShare,
        lateFraction: options.lateFraction,
        malformedShare: options.malformedShare,
      }),
    });
    if (options.stream === 'pickup-locations') {
      if (format === 'csv') throw new RangeError('pickup-location events are JSON lines: drop --format csv');
      generated = asPickupLocations(generated);
    }
    // Generators run lazily: draw nothing yet, but let option errors surface now.
    generated = peekable(generated);
  } catch (cause) {
    throw new ConfigError(`datagen: ${(cause as Error).message}`, { cause });
  }
  if (!options.quiet && options.seed === undefined)
    output.err(`seed ${seed} (repeat this run with --seed ${seed})`);

  const stats = { records: 0, outOfOrder: 0, late: 0, malformed: 0 };
  const counted = function* (): Generator<GeneratedRecord> {
    for (const r of generated) {
      stats.records++;
      if (r.kind === 'malformed') stats.malformed++;
      else if (r.shiftMs > 0) {
        stats.outOfOrder++;
        if (r.late) stats.late++;
      }
      yield r;
    }
  };

  let produce: ProduceSummary | undefined;
  if (options.topic !== undefined) {
    // Schemas are registered (or looked up) before connecting: a wrong schema fails fast.
    const avro = await avroPartsFor({
      topic: options.topic,
      value: options.valueFormat === 'avro',
      key: options.keyFormat === 'avro',
      avro: options.avro,
      ...(options.stream === 'pickup-locations'
        ? {}
        : { fallbackValueSchema: JSON.stringify(RIDE_AVRO_SCHEMA) }),
    });
    const { kafka } = await openKafka(options);
    const keyField =
      options.keyField !== undefined
        ? options.keyField
        : options.stream === 'pickup-locations'
          ? 'PULocationID'
          : DEFAULT_RIDE_KEY_FIELD;
    const records = (function* (): Generator<OutgoingRecord> {
      for (const r of counted()) yield toOutgoing(r, format, keyField, options.timestampField, avro);
    })();
    produce = await produceRecords(kafka, records, {
      topic: options.topic,
      sourceName: `datagen (seed ${seed})`,
      unit: 'record',
      // Avro gets no content type: Confluent's serializers set none (the frame says what it is).
      headers: {
        ...(avro.value ? {} : { 'content-type': format === 'csv' ? 'text/csv' : 'application/json' }),
        ...options.headers,
      },
      progress: createThroughputProgress({
        label: `datagen ${options.topic}`,
        ...(count === 0 ? {} : { totalRecords: count }),
        enabled: !options.quiet && output.errIsTTY,
      }),
      ...definedOnly({
        ratePerSecond: options.ratePerSecond,
        compression: options.compression,
        signal: options.signal,
      }),
    });
    if (!options.quiet) output.err(formatProduceSummary(produce));
  } else {
    const stream = toStdout ? process.stdout : createWriteStream(options.out as string);
    await writeLines(stream, counted(), format, options.ratePerSecond, options.signal);
    if (!toStdout) {
      stream.end();
      await once(stream, 'finish');
    }
  }
  const summary = { seed, ...stats, ...(produce ? { produce } : {}) };
  if (!options.quiet) {
    output.err(
      `generated ${stats.records} records (seed ${seed}) ${options.topic ? `to topic "${options.topic}"` : toStdout ? 'to stdout' : `to ${options.out}`}: ` +
        `${stats.records - stats.outOfOrder - stats.malformed} in order, ${stats.outOfOrder} out of order (${stats.late} late), ${stats.malformed} malformed`,
    );
  }
  return summary;
}

/**
 * The pickup-location stream of generated rides: each ride's pickup as the course's
 * `PickupLocation` (malformed records pass as they are: the join dead-letters them too).
 */
function* asPickupLocations(rides: Iterable<GeneratedRecord>): Generator<GeneratedRecord> {
  for (const r of rides) {
    if (r.kind !== 'ride') {
      yield r;
      continue;
    }
    const [pickup] = pickupLocationsOf([r.ride]);
    // A generated ride always has both fields; the fields replace the ride's as the value.
    if (pickup) yield { ...r, ride: pickup as unknown as typeof r.ride };
  }
}

/**
 * A generated record as a Kafka record: key from the (intact) fields, value as written to
 * files, or as Avro when `avro.value` is set.
 */
function toOutgoing(
  r: GeneratedRecord,
  format: RideFormat,
  keyField: string | null,
  timestampField: string | undefined,
  avro: AvroParts = {},
): OutgoingRecord {
  const fields: Readonly<Record<string, unknown>> = r.kind === 'ride' ? r.ride : r.fields;
  const key = keyField === null ? undefined : fields[keyField];
  const keyText = key === undefined || key === null || key === '' ? null : String(key);
  const timestampMs = timestampField === undefined ? undefined : parseDatetimeMs(fields[timestampField]);
  return {
    line: r.index + 1,
    key: avro.key ? avroKeyOrText(fields, keyText, avro.key) : keyText,
    value: avro.value
      ? r.kind === 'ride'
        ? avro.value.serialize(r.ride)
        : malformedAvroValue(r, avro.value)
      : formatRecord(r, format),
    ...(timestampMs === undefined || timestampMs < 0 ? {} : { timestampMs }),
  };
}

/**
 * A malformed record in an Avro run: its fields as Avro when they still fit the schema (a
 * damaged number can, and the pipelines' own checks then dead-letter it), else its JSON text,
 * which Avro consumers dead-letter as not framed. Either way the record reaches the topic, as
 * it does in a JSON run.
 */
function malformedAvroValue(
  r: GeneratedMalformed,
  serializer: NonNullable<AvroParts['value']>,
): string | Buffer {
  if (r.text === undefined) {
    try {
      return serializer.serialize(r.fields);
    } catch {
      // Does not fit the schema: sent as text below.
    }
  }
  return formatRecord(r, 'jsonl');
}

/** An Avro key, or the key text when the fields do not fit a record key schema (malformed records). */
function avroKeyOrText(
  fields: Readonly<Record<string, unknown>>,
  key: string | null,
  serializer: NonNullable<AvroParts['key']>,
): Buffer | string | null {
  try {
    return avroKeyOf(fields, key, serializer);
  } catch {
    return key;
  }
}

/** Writes lines with backpressure; with a rate, one line per slot. */
async function writeLines(
  stream: NodeJS.WritableStream,
  records: Iterable<GeneratedRecord>,
  format: RideFormat,
  ratePerSecond: number | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  if (format === 'csv') await write(`${RIDE_CSV_HEADER}\n`);
  const startedMs = performance.now();
  let chunk = '';
  let n = 0;
  for (const r of records) {
    if (signal?.aborted) break;
    if (ratePerSecond !== undefined) {
      const waitMs = startedMs + (n * 1000) / ratePerSecond - performance.now();
      if (waitMs > 0) {
        if (chunk) await write(chunk);
        chunk = '';
        try {
          await sleep(waitMs, undefined, signal ? { signal } : {});
        } catch {
          break; // interrupted
        }
      }
    }
    chunk += `${formatRecord(r, format)}\n`;
    n++;
    if (chunk.length >= 64 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
}

/** Pulls the first record so option errors thrown by the generator surface before any output. */
function peekable<T>(g: Generator<T>): Generator<T> {
  const first = g.next();
  return (function* () {
    if (first.done) return;
    yield first.value;
    yield* g;
  })();
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Registers `datagen`. */
export function register(program: Command): void {
  const command = program
    .command('datagen')
    .description(
      'Generate realistic synthetic yellow-taxi rides (same columns as data/rides.csv) to stdout, a file or a topic; ' +
        'same --seed, same output',
    )
    .option('--count <n>', 'records to generate; 0 = until Ctrl-C', intArg(0), 1000)
    .option('--seed <seed>', 'seed (number or text); default: random, printed on stderr')
    .option('--out <file>', 'write to this file (.jsonl or .csv); default: stdout')
    .option('--topic <name>', 'produce to this topic instead (idempotent producer, acks=all)')
    .addOption(
      new Option('--format <format>', 'jsonl or csv (default: from --out, else jsonl)').choices([
        'jsonl',
        'csv',
      ]),
    )
    .option(
      '--start <time>',
      'pickup time of the first ride (ISO-8601, or "YYYY-MM-DD HH:MM" as UTC)',
      parseTimeArg,
    )
    .option('--mean-gap-ms <ms>', 'mean time between pickups', intArg(0), RIDE_GENERATOR_DEFAULTS.meanGapMs)
    .option('--out-of-order-share <share>', 'share of rides with an earlier pickup time, e.g. 0.05', shareArg)
    .option(
      '--late-fraction <share>',
      'of those, the share moved back beyond the 60-minute grace (late records)',
      shareArg,
    )
    .option(
      '--malformed-share <share>',
      'share of broken records (invalid JSON, missing fields, ...), e.g. 0.01',
      shareArg,
    )
    .option(
      '--pickup-locations',
      "generate each ride's pickup-location event (the join's second input) instead of the ride",
    )
    .addOption(
      new Option(
        '--value-format <format>',
        'with --topic: json or csv lines (as --format), or Confluent-framed Avro (schema: --value-schema, else the topic subject newest, else the ride schema)',
      ).choices(['json', 'csv', 'avro']),
    )
    .addOption(
      new Option(
        '--key-format <format>',
        'with --topic: key as text, or Confluent-framed Avro (see --key-schema)',
      )
        .choices(['string', 'avro'])
        .default('string'),
    )
    .addOption(
      new Option('--zones <file>', 'taxi zone lookup CSV').default(
        DEFAULT_ZONES_FILE,
        'data/taxi_zone_lookup.csv',
      ),
    );
  addSchemaRegistryFlags(addProduceFlags(addBrokerOption(command)), { producing: true })
    .addHelpText(
      'after',
      `
Rides are keyed by ${DEFAULT_RIDE_KEY_FIELD} when produced (--key-field, --no-key to change). Defaults: start
2020-07-01T00:00:00Z, a pickup every ${RIDE_GENERATOR_DEFAULTS.meanGapMs} ms on average.
Examples:
  npm run cli -- datagen --count 5 --seed 42
  npm run cli -- datagen --count 100000 --seed 1 --out rides-100k.jsonl --out-of-order-share 0.05 --malformed-share 0.01
  npm run cli -- datagen --topic rides --count 0 --rate 2        # a ride every 500 ms until Ctrl-C
  npm run cli -- datagen --pickup-locations --topic pickup-locations --count 1000 --seed 1   # the join's other input
  npm run cli -- datagen --topic rides-avro --count 1000 --seed 1 --value-format avro         # Avro rides (data/schemas)`,
    )
    .action(
      async (
        f: ProduceFlags &
          SchemaRegistryFlags & {
            count: number;
            seed?: string;
            out?: string;
            topic?: string;
            format?: RideFormat;
            start?: number;
            meanGapMs: number;
            outOfOrderShare?: number;
            lateFraction?: number;
            malformedShare?: number;
            zones: string;
            brokers?: string;
            pickupLocations?: boolean;
            valueFormat?: 'json' | 'csv' | 'avro';
            keyFormat: 'string' | 'avro';
          },
      ) => {
        const interrupt = interruptSignal();
        try {
          await runDatagen({
            count: f.count,
            meanGapMs: f.meanGapMs,
            zonesFile: f.zones,
            // --pickup-locations keys by PULocationID unless --key-field/--no-key says otherwise.
            keyField:
              f.pickupLocations && f.key !== false && f.keyField === undefined
                ? 'PULocationID'
                : keyFieldFrom(f),
            signal: interrupt.signal,
            ...(f.pickupLocations ? { stream: 'pickup-locations' as const } : {}),
            ...avroFlags(f),
            ...definedOnly({
              seed: f.seed,
              out: f.out,
              topic: f.topic,
              format:
                f.format ??
                (f.valueFormat === 'csv' ? 'csv' : f.valueFormat === 'json' ? 'jsonl' : undefined),
              startMs: f.start,
              outOfOrderShare: f.outOfOrderShare,
              lateFraction: f.lateFraction,
              malformedShare: f.malformedShare,
              ratePerSecond: f.rate,
              timestampField: f.timestampField,
              headers: f.header,
              compression: f.compression,
              quiet: f.quiet,
              brokers: f.brokers,
            }),
          });
        } finally {
          interrupt.dispose();
        }
      },
    );
}

/** The Avro options of `datagen` from its flags (none unless a format is avro). */
function avroFlags(
  f: SchemaRegistryFlags & { valueFormat?: 'json' | 'csv' | 'avro'; keyFormat: 'string' | 'avro' },
): Pick<DatagenOptions, 'valueFormat' | 'keyFormat' | 'avro'> {
  if (f.valueFormat !== 'avro' && f.keyFormat !== 'avro') return {};
  return {
    ...(f.valueFormat === 'avro' ? { valueFormat: 'avro' as const } : {}),
    keyFormat: f.keyFormat,
    avro: {
      registrar: registrarFrom(f),
      valueSchema: f.valueSchema,
      schemaId: f.schemaId,
      keySchema: f.keySchema,
      keySchemaId: f.keySchemaId,
    },
  };
}
