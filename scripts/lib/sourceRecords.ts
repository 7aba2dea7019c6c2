import { createReadStream, existsSync } from 'node:fs';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import * as z from 'zod';
import { ConfigError, InvalidRecordError } from '../../shared/engine/errors/index.js';
import type { ProducerRecord } from '../../shared/local/eventSourceMapping/index.js';
import { readRecordFile, requireTextFile } from '../../shared/local/io/index.js';
import { parseDatetimeMs, YELLOW_COLUMNS } from '../../shared/rides/schemas/index.js';
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
  /**
   * Stop at the first line that is not a record (wrong number of CSV fields, broken quoting,
   * a line that is not JSON, a row without its key field, a timestamp that does not parse),
   * naming it. @default false: such a line is delivered as a record whose value is the line
   * as written (so every pipeline dead-letters it with its partition and offset), and counted
   * in `issues`; a bad timestamp gets the previous record's
   */
  readonly strict?: boolean;
  /** Where lines that were not read as written are counted and described. */
  readonly issues?: SourceIssues;
}

/** Kinds of lines a read did not take as written. */
export interface SourceIssueCounts {
  /** Lines delivered as they are (the value is the raw line): the pipelines dead-letter them. */
  malformed: number;
  /** Records whose timestamp field did not parse: stamped with the previous record's timestamp. */
  badTimestamps: number;
  /** Rows without a value in the key field: delivered key-less (round-robin over partitions). */
  missingKeys: number;
  /** Blank lines: skipped, they hold no record. */
  blankLines: number;
}

/** What a read did not take as written: counts, and the first messages, each naming file:line. */
export interface SourceIssues {
  readonly counts: SourceIssueCounts;
  readonly messages: string[];
  add(kind: keyof SourceIssueCounts, message?: string): void;
}

/** Messages kept per read: enough to find the pattern, without flooding the terminal. */
export const MAX_ISSUE_MESSAGES = 10;

/** An empty {@link SourceIssues}. */
export function createSourceIssues(): SourceIssues {
  const counts: SourceIssueCounts = { malformed: 0, badTimestamps: 0, missingKeys: 0, blankLines: 0 };
  const messages: string[] = [];
  return {
    counts,
    messages,
    add(kind, message) {
      counts[kind]++;
      if (message !== undefined && messages.length < MAX_ISSUE_MESSAGES) messages.push(message);
    },
  };
}

/** `2 malformed lines delivered as they are, 1 bad timestamp, ...`; undefined when there were none. */
export function formatSourceIssues(counts: SourceIssueCounts): string | undefined {
  const n = (k: number, one: string, many: string) => (k === 0 ? [] : [`${k} ${k === 1 ? one : many}`]);
  const parts = [
    ...n(counts.malformed, 'malformed line delivered as is', 'malformed lines delivered as they are'),
    ...n(
      counts.badTimestamps,
      "unreadable timestamp (previous record's used)",
      "unreadable timestamps (previous record's used)",
    ),
    ...n(counts.missingKeys, 'row without its key (sent key-less)', 'rows without their key (sent key-less)'),
    ...n(counts.blankLines, 'blank line skipped', 'blank lines skipped'),
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** The issue messages for stderr: the first few, then how many more there were. */
export function issueLines(issues: SourceIssues): string[] {
  const { malformed, badTimestamps, missingKeys } = issues.counts;
  const more = malformed + badTimestamps + missingKeys - issues.messages.length;
  return [...issues.messages, ...(more > 0 ? [`... and ${more} more`] : [])];
}

/** The columns of the course's rides (`data/rides.csv`), named when a CSV has no header row. */
export const RIDE_CSV_HEADER = YELLOW_COLUMNS;

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
  // A record without a usable timestamp gets the previous record's (0 before the first):
  // never the clock, so reading the same file again gives the same timestamps, and a replay
  // stays a redelivery that changes nothing.
  let previousTs = 0;
  let n = 0;
  const strict = options.strict === true;
  const issues = options.issues ?? createSourceIssues();
  requireInputFile(options.file);
  const timestampOf = (fields: Record<string, unknown>, origin: string, fieldGiven?: string): number => {
    const field =
      fieldGiven ?? options.timestampField ?? DEFAULT_TIMESTAMP_FIELDS.find((f) => fields[f] != null);
    if (field !== undefined && fields[field] != null) {
      const ms = parseDatetimeMs(fields[field]);
      const problem = `${origin}: timestamp field "${field}" is ${JSON.stringify(fields[field])}, not a datetime or epoch ms`;
      if (ms === undefined && strict) {
        throw new InvalidRecordError(`${problem}; fix the row or choose another --timestamp-field`, {
          field,
        });
      }
      if (ms === undefined) {
        issues.add(
          'badTimestamps',
          `${problem}: stamped with the previous record's timestamp (${previousTs})`,
        );
      } else previousTs = ms;
    }
    return previousTs;
  };
  /** A line that is not a record: its text as the value, no key, so the pipelines dead-letter it. */
  const asIs = (text: string, origin: string, reason: string): ProducerRecord => {
    issues.add('malformed', `${origin}: ${reason}; delivered as is`);
    return { key: null, value: text, timestampMs: previousTs, origin };
  };

  if (format === 'records') {
    await requireTextFile(options.file, 'JSON lines of {"key","value"} records');
    const lines = createInterface({
      input: createReadStream(options.file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (text.trim() === '') {
        issues.add('blankLines');
        continue;
      }
      const origin = `${name}:${line}`;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (cause) {
        if (!strict) {
          yield asIs(text, origin, `not a JSON line (${(cause as Error).message})`);
          if (++n >= limit) return;
          continue;
        }
        throw new InvalidRecordError(
          `${origin}: not a JSON line (${(cause as Error).message}); a records file holds one {"key","value"} object per line, with an invalid value written as a JSON string`,
          { cause, field: 'value' },
        );
      }
      const parsed = envelopeSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        if (!strict) {
          yield asIs(text, origin, `not a record: ${issue?.path.join('.') || 'line'}: ${issue?.message}`);
          if (++n >= limit) return;
          continue;
        }
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
    const records = readRecordFile(options.file, {
      format,
      ...(keyField ? { keyField } : {}),
      malformed: strict ? 'throw' : 'pass',
      onBlankLine: () => issues.add('blankLines'),
      expectedHeader: RIDE_CSV_HEADER,
    });
    for await (const r of records) {
      const origin = `${name}:${r.line}`;
      if (r.invalid !== undefined) yield asIs(r.value, origin, r.invalid);
      else {
        if (keyField && r.key === null) {
          issues.add('missingKeys', `${origin}: key field "${keyField}" is missing or empty; sent key-less`);
        }
        yield { key: r.key, value: r.value, timestampMs: timestampOf(r.fields, origin), origin };
      }
      if (++n >= limit) return;
    }
  } catch (err) {
    if (err instanceof InvalidRecordError && keyField && err.field === keyField) {
      throw new ConfigError(
        `${err.message}; name the key column with --key-field, or send key-less records with --no-key`,
        { cause: err },
      );
    }
    if (err instanceof InvalidRecordError && err.field === 'value') {
      throw new InvalidRecordError(
        `${err.message} (--strict stops here; without it such a line is delivered as is and dead-lettered)`,
        { cause: err, field: 'value' },
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
    .option('--limit <n>', 'only the first N records', intArg(0))
    .option(
      '--strict',
      'stop at the first malformed line (default: deliver it as is, so the pipelines dead-letter it)',
    );
}
