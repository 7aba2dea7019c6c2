import { createReadStream, existsSync } from 'node:fs';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { ConfigError, InvalidRecordError } from '../../shared/errors/index.js';
import type { ProducerRecord } from '../../shared/esm/index.js';
import { readRecordFile } from '../../shared/io/index.js';
import { parseDatetimeMs } from '../../shared/schemas/index.js';
import { intArg } from './cliOptions.js';

/** The course's producer keys rides by drop-off location. */
export const DEFAULT_KEY_FIELD = 'DOLocationID';

/** Fields tried, in order, for a record's Kafka timestamp when none is named. */
export const DEFAULT_TIMESTAMP_FIELDS = ['tpep_pickup_datetime', 'lpep_pickup_datetime'] as const;

/** Options of {@link readProducerRecords}. */
export interface SourceFileOptions {
  readonly file: string;
  /**
   * `csv` (header row) and `jsonl` send each row as a JSON value; `records` is JSON lines of
   * whole Kafka records, `{"key", "value", "timestampMs", "headers"}`, where `value` may be an
   * object (sent as JSON), a string (sent as is, so invalid JSON can be written) or null (a
   * tombstone). @default from the extension: `.records.jsonl` = records, `.csv` = csv, else jsonl
   */
  readonly format?: 'csv' | 'jsonl' | 'records';
  /** Field whose value is the record key; null for key-less records. @default DOLocationID (csv/jsonl) */
  readonly keyField?: string | null;
  /**
   * Field holding the record timestamp (a datetime or epoch ms). A record without one gets
   * the previous record's timestamp (0 for the first), so the output never depends on the
   * clock. @default the first of tpep_pickup_datetime, lpep_pickup_datetime present
   */
  readonly timestampField?: string;
  /** Read only the first N records. */
  readonly limit?: number;
}

/** Fails early, before anything is opened or printed, when the input file is missing. */
export function requireInputFile(file: string): void {
  if (!existsSync(file)) throw new ConfigError(`input file ${file} does not exist`);
}

/** The format a file is read in. */
export function formatOf(options: SourceFileOptions): 'csv' | 'jsonl' | 'records' {
  if (options.format) return options.format;
  const f = options.file.toLowerCase();
  if (f.endsWith('.records.jsonl')) return 'records';
  return f.endsWith('.csv') ? 'csv' : 'jsonl';
}

const envelopeSchema = z.strictObject({
  key: z.union([z.string(), z.number()]).nullable().optional(),
  value: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]),
  timestampMs: z.union([z.number(), z.string()]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * Streams a file as producer records in file order, deterministically (the same file always
 * gives the same records), so replays and sample events are reproducible.
 */
export async function* readProducerRecords(options: SourceFileOptions): AsyncGenerator<ProducerRecord> {
  const format = formatOf(options);
  const name = relative(process.cwd(), options.file) || options.file;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let previousTs = 0;
  let n = 0;
  requireInputFile(options.file);
  const timestampOf = (fields: Record<string, unknown>, origin: string, fieldGiven?: string): number => {
    const field =
      fieldGiven ?? options.timestampField ?? DEFAULT_TIMESTAMP_FIELDS.find((f) => fields[f] != null);
    if (field !== undefined && fields[field] != null) {
      const ms = parseDatetimeMs(fields[field]);
      if (ms === undefined) {
        throw new InvalidRecordError(
          `${origin}: timestamp field "${field}" is ${JSON.stringify(fields[field])}, not a datetime or epoch ms; fix the row or choose another --timestamp-field`,
          { field },
        );
      }
      previousTs = ms;
    }
    return previousTs;
  };

  if (format === 'records') {
    const lines = createInterface({
      input: createReadStream(options.file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      const origin = `${name}:${line}`;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (cause) {
        throw new InvalidRecordError(
          `${origin}: not a JSON line (${(cause as Error).message}); a records file holds one {"key","value"} object per line, with an invalid value written as a JSON string`,
          { cause, field: 'value' },
        );
      }
      const parsed = envelopeSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InvalidRecordError(
          `${origin}: ${issue?.path.join('.') || 'line'}: ${issue?.message}; expected {"key": string|null, "value": object|string|null, "timestampMs"?: number|datetime, "headers"?: {name: string}}`,
          { cause: parsed.error, field: issue?.path.join('.') },
        );
      }
      const e = parsed.data;
      const value = e.value === null ? null : typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
      const fields =
        e.value !== null && typeof e.value === 'object' && !Array.isArray(e.value)
          ? (e.value as Record<string, unknown>)
          : {};
      const timestampMs =
        e.timestampMs !== undefined
          ? timestampOf({ timestampMs: e.timestampMs }, origin, 'timestampMs')
          : timestampOf(fields, origin);
      yield {
        key: e.key === undefined || e.key === null ? null : String(e.key),
        value,
        timestampMs,
        headers: Object.entries(e.headers ?? {}).map(([hName, hValue]) => ({ name: hName, value: hValue })),
        origin,
      };
      if (++n >= limit) return;
    }
    return;
  }

  const keyField = options.keyField === undefined ? DEFAULT_KEY_FIELD : options.keyField;
  try {
    for await (const r of readRecordFile(options.file, { format, ...(keyField ? { keyField } : {}) })) {
      const origin = `${name}:${r.line}`;
      yield { key: r.key, value: r.value, timestampMs: timestampOf(r.fields, origin), origin };
      if (++n >= limit) return;
    }
  } catch (err) {
    if (err instanceof InvalidRecordError && keyField && err.field === keyField) {
      throw new ConfigError(
        `${err.message}; name the key column with --key-field, or send key-less records with --no-key`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * The flags `events` and `replay` share for reading records from a file: key, timestamp,
 * format and limit. One declaration, so both commands read files the same way.
 */
export function addSourceFileFlags(command: Command): Command {
  return command
    .option('--key-field <field>', 'field whose value becomes the record key', DEFAULT_KEY_FIELD)
    .option('--no-key', 'key-less records (spread round-robin over partitions)')
    .option('--timestamp-field <field>', 'field holding the record timestamp (default: *_pickup_datetime)')
    .addOption(
      new Option('--format <format>', 'input format (default: from the extension)').choices([
        'csv',
        'jsonl',
        'records',
      ]),
    )
    .option('--limit <n>', 'only the first N records', intArg(0));
}
