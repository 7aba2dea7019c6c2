import { existsSync } from 'node:fs';
import { ConfigError, InvalidRecordError } from '../../shared/engine/errors/index.js';
import { type FileRecord, readRecordFile } from '../../shared/local/io/index.js';
import { parseDatetimeMs } from '../../shared/rides/schemas/index.js';
import {
  type AvroParts,
  type AvroProduceOptions,
  type AvroSerializer,
  avroKeyOf,
  avroPartsFor,
} from './avroValues.js';

export type { AvroProduceOptions };

import type { CompressionName } from './kafkaCodecs.js';
import { type KafkaCliOptions, openKafka } from './kafkaConnect.js';
import { DEFAULT_RIDE_KEY_FIELD } from './kafkaOptions.js';
import {
  formatProduceSummary,
  type OutgoingRecord,
  type ProduceSummary,
  produceRecords,
} from './kafkaProducer.js';
import { createThroughputProgress } from './kafkaProgress.js';
import { missingKeyFieldReason } from './missingKeyField.js';
import { type Output, processOutput } from './output.js';
import { countLines } from './progress.js';

/** Options of {@link runProduce}; the flags of `produce`. */
export interface ProduceOptions extends KafkaCliOptions {
  readonly topic: string;
  readonly file: string;
  /** @default from the extension: `.csv` = CSV with a header row, else JSON lines */
  readonly format?: 'csv' | 'jsonl';
  /** null sends key-less records. @default DOLocationID */
  readonly keyField?: string | null;
  /**
   * `json` sends each row as a JSON object; `csv` the CSV line itself (CSV input only); `avro`
   * the row as Confluent-framed Avro (see `avro`). @default json
   */
  readonly valueFormat?: 'json' | 'csv' | 'avro';
  /** `avro`: the key (the key field, or the row for a record key schema) as Confluent-framed Avro. @default string */
  readonly keyFormat?: 'string' | 'avro';
  /** Where Avro schemas are registered and which ones (`--value-schema`, `--schema-id`, ...). */
  readonly avro?: AvroProduceOptions;
  readonly ratePerSecond?: number;
  readonly count?: number;
  /** Datetime field to stamp records with; omitted: the send time. */
  readonly timestampField?: string;
  /** Extra headers; `content-type` is set from the value format unless given here. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Send every line, broken ones too (for dead-letter tests, and so one bad line does not
   * stop a load): a line that is not a record (a CSV row with the wrong number of fields,
   * broken quoting, a JSON line that is not an object) goes as it is, with no key; a row
   * without the key field gets no key; an unreadable timestamp the previous record's (the
   * send time before the first good one), as `replay` stamps them.
   * @default false: the first broken record stops the run, naming its line
   */
  readonly allowMalformed?: boolean;
  readonly compression?: CompressionName;
  /**
   * Send a tombstone (null value) for the key of every record of the file instead of the
   * record: how a row is deleted from a compacted (table) topic such as `zones`, and from the
   * table a pipeline materializes from it. The file only needs the key field, so a one-column
   * CSV (`locationid` then one key a line) will do; keys come out exactly as they do when the
   * same rows are produced as values (a CSV's `264` is the key `264`). Needs a key field, and
   * excludes `allowMalformed` (a key-less tombstone deletes nothing).
   * @default false
   */
  readonly tombstones?: boolean;
  /** No progress bar, no summary. */
  readonly quiet?: boolean;
  readonly output?: Output;
  readonly signal?: AbortSignal;
  readonly batchRecords?: number;
}

/**
 * Produces a CSV or JSON-lines file to a topic, streaming it (files larger than memory are
 * fine), with the idempotent producer and acks = all, and prints a summary of records,
 * bytes, partitions and time on stderr.
 */
export async function runProduce(options: ProduceOptions): Promise<ProduceSummary> {
  const output = options.output ?? processOutput;
  if (!existsSync(options.file)) throw new ConfigError(`file not found: ${options.file}`);
  const format = options.format ?? (options.file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  const valueFormat = options.valueFormat ?? 'json';
  if (valueFormat === 'csv' && format !== 'csv') {
    throw new ConfigError('--value-format csv needs a CSV input file (the value is the CSV line itself)');
  }
  if (options.tombstones) requireTombstoneOptions(options);
  // Schemas are registered (or looked up) before connecting: a wrong schema fails fast.
  const avro = await avroPartsFor({
    topic: options.topic,
    value: valueFormat === 'avro' && !options.tombstones,
    key: options.keyFormat === 'avro',
    avro: options.avro,
  });
  const { kafka } = await openKafka(options);
  const dataLines = Math.max(0, (await countLines(options.file)) - (format === 'csv' ? 1 : 0));
  const total = options.count === undefined ? dataLines : Math.min(options.count, dataLines);
  const progress = createThroughputProgress({
    label: `produce ${options.topic}`,
    totalRecords: total,
    enabled: !options.quiet && output.errIsTTY,
  });
  const records = readRecordFile(options.file, {
    format,
    // Avro values are built from the parsed fields; the JSON text is what a malformed check reads.
    valueFormat: valueFormat === 'avro' ? 'json' : valueFormat,
    ...(options.allowMalformed ? { malformed: 'pass' as const } : {}),
  });
  const malformed: string[] = [];
  const counted = (async function* () {
    for await (const r of records) {
      if (r.invalid !== undefined) malformed.push(`${options.file}:${r.line}: ${r.invalid}`);
      yield r;
    }
  })();
  const summary = await produceRecords(kafka, withHint(toOutgoing(counted, options, avro)), {
    topic: options.topic,
    sourceName: options.file,
    // A tombstone has no value, so no content type.
    headers: options.tombstones
      ? { ...options.headers }
      : { ...contentTypeHeader(valueFormat), ...options.headers },
    progress,
    ...pick(options, ['ratePerSecond', 'count', 'compression', 'signal', 'batchRecords']),
  });
  if (!options.quiet) {
    output.err(formatProduceSummary(summary));
    if (options.tombstones) {
      output.err(
        `the ${summary.records} records are tombstones (null values): compaction deletes their keys from "${options.topic}"`,
      );
    }
    if (malformed.length > 0) {
      output.err(
        `${malformed.length} malformed line(s) sent as they are (consumers dead-letter them), first: ${malformed[0]}`,
      );
    }
  }
  return summary;
}

/**
 * `content-type` from the value format. Avro gets none: Confluent's serializers set no header
 * (the frame's magic byte and schema id say what the value is).
 */
function contentTypeHeader(valueFormat: 'json' | 'csv' | 'avro'): Record<string, string> {
  if (valueFormat === 'avro') return {};
  return { 'content-type': valueFormat === 'csv' ? 'text/csv' : 'application/json' };
}

/** The Avro value of a file record; a malformed line goes as it is (consumers dead-letter it). */
function avroValueOf(r: FileRecord, serializer: AvroSerializer, options: ProduceOptions): Buffer | string {
  if (r.invalid !== undefined) return r.value;
  try {
    return serializer.serialize(r.fields);
  } catch (e) {
    if (options.allowMalformed) return r.value;
    throw new InvalidRecordError(`${options.file}:${r.line}: ${(e as Error).message}`, {
      cause: e,
      field: 'value',
    });
  }
}

/** File records to outgoing records: the key and timestamp from their fields. */
async function* toOutgoing(
  records: AsyncIterable<FileRecord>,
  options: ProduceOptions,
  avro: AvroParts = {},
): AsyncGenerator<OutgoingRecord> {
  const keyField = options.keyField === undefined ? DEFAULT_RIDE_KEY_FIELD : options.keyField;
  // With --allow-malformed a record without a readable timestamp gets the previous record's,
  // as `replay` stamps it, so the same file gives the same timestamps on both paths.
  let previous: { timestampMs?: number } = {};
  for await (const r of records) {
    const stamp = r.invalid ? previous : (timestampOf(r, options) ?? previous);
    previous = stamp;
    const key = keyField === null || r.invalid ? null : keyOf(r, keyField, options);
    yield {
      line: r.line,
      key: avro.key ? avroKeyOf(r.fields, key, avro.key) : key,
      value: options.tombstones ? null : avro.value ? avroValueOf(r, avro.value, options) : r.value,
      ...stamp,
    };
  }
}

/** Broken input lines: point at --allow-malformed, the way to send them anyway. */
async function* withHint(records: AsyncIterable<OutgoingRecord>): AsyncGenerator<OutgoingRecord> {
  try {
    yield* records;
  } catch (e) {
    if (e instanceof InvalidRecordError && e.field === 'value') {
      throw new InvalidRecordError(`${e.message} (pass --allow-malformed to send such lines as they are)`, {
        cause: e,
        field: 'value',
      });
    }
    throw e;
  }
}

function keyOf(r: FileRecord, keyField: string, options: ProduceOptions): string | null {
  const k = r.fields[keyField];
  if (k !== undefined && k !== null && k !== '') return String(k);
  if (options.allowMalformed) return null;
  throw new InvalidRecordError(
    `${options.file}:${r.line}: ${missingKeyFieldReason(keyField, r.fields)}. Pick another field with --key-field, ` +
      'send key-less records with --no-key, or send such records without a key with --allow-malformed',
    { field: keyField },
  );
}

/** `tombstones` needs every record keyed and has no value to format. */
function requireTombstoneOptions(options: ProduceOptions): void {
  if (options.keyField === null) {
    throw new ConfigError(
      '--tombstones needs a key (a tombstone without one deletes nothing): drop --no-key',
    );
  }
  if (options.allowMalformed) {
    throw new ConfigError(
      '--tombstones cannot go with --allow-malformed: a line without a key would be a tombstone that deletes nothing',
    );
  }
  if (options.valueFormat === 'csv') {
    throw new ConfigError('--tombstones sends null values: --value-format csv has nothing to format');
  }
}

/** The record's timestamp from `--timestamp-field`: `{}` (the send time) without one, undefined when unreadable. */
function timestampOf(r: FileRecord, options: ProduceOptions): { timestampMs?: number } | undefined {
  const field = options.timestampField;
  if (!field) return {};
  const ms = parseDatetimeMs(r.fields[field]);
  if (ms !== undefined && ms >= 0) return { timestampMs: ms };
  if (options.allowMalformed) return undefined;
  throw new InvalidRecordError(
    `${options.file}:${r.line}: timestamp field "${field}" is ${JSON.stringify(r.fields[field] ?? null)}, not a datetime ` +
      '(expected "YYYY-MM-DD HH:MM:SS" (UTC), ISO-8601 or epoch ms); fix the record, pick another --timestamp-field, ' +
      "or pass --allow-malformed to stamp such records with the previous record's timestamp",
    { field },
  );
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
