import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { ConfigError, InvalidRecordError } from '../errors/index.js';

/** A record read from a file, ready to produce or to put in an event. */
export interface FileRecord {
  /** 1-based line (JSONL) or data row (CSV, header excluded) number, for error messages. */
  readonly line: number;
  readonly key: string | null;
  /** The value as text: JSON by default, or the raw CSV line with `valueFormat: 'csv'`. */
  readonly value: string;
  /** The parsed row, for callers that need fields (e.g. timestamps). */
  readonly fields: Record<string, unknown>;
  /** Set (to the reason) for a JSON line that is not a JSON object, read with `invalidJson: 'pass'`. */
  readonly invalid?: string;
}

/** Options for {@link readRecordFile}. */
export interface ReadRecordFileOptions {
  /** @default from the extension: `.csv` is CSV with a header row, anything else JSON lines */
  readonly format?: 'csv' | 'jsonl';
  /** Field whose value becomes the record key (the course keys rides by `DOLocationID`). @default no key */
  readonly keyField?: string;
  /** `json` (default) sends each row as a JSON object; `csv` sends the CSV line without header (CSV input only). */
  readonly valueFormat?: 'json' | 'csv';
  /**
   * What to do with a JSON line that is not a JSON object: `throw` an InvalidRecordError, or
   * `pass` it on as it is (no key, empty `fields`, `invalid` set), so test data with broken
   * records can be produced to exercise dead letters.
   * @default 'throw'
   */
  readonly invalidJson?: 'throw' | 'pass';
}

/**
 * Streams records from a CSV (with header) or JSON-lines file, so files larger than memory
 * can be produced or replayed. CSV cells that are numbers become JSON numbers, empty cells
 * null, anything else stays a string (datetimes are left as written; the ride schema reads
 * zone-less ones as UTC). A malformed line throws an InvalidRecordError naming the line.
 */
export async function* readRecordFile(
  path: string,
  options: ReadRecordFileOptions = {},
): AsyncGenerator<FileRecord> {
  const format = options.format ?? (path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  if (options.valueFormat === 'csv' && format !== 'csv') {
    throw new ConfigError('valueFormat "csv" needs a CSV input file');
  }
  const keyOf = (fields: Record<string, unknown>, line: number): string | null => {
    if (!options.keyField) return null;
    const k = fields[options.keyField];
    if (k === undefined || k === null || k === '') {
      throw new InvalidRecordError(`${path}:${line}: key field "${options.keyField}" is missing or empty`, {
        field: options.keyField,
      });
    }
    return String(k);
  };
  if (format === 'csv') {
    const parser = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true, raw: true }));
    let line = 0;
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; raw: string }>) {
      line++;
      const fields = typeCells(row.record);
      const value = options.valueFormat === 'csv' ? row.raw.replace(/\r?\n$/, '') : JSON.stringify(fields);
      yield { line, key: keyOf(fields, line), value, fields };
    }
    return;
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let fields: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not a JSON object');
      fields = parsed as Record<string, unknown>;
    } catch (cause) {
      if (options.invalidJson === 'pass') {
        yield { line, key: null, value: text, fields: {}, invalid: (cause as Error).message };
        continue;
      }
      throw new InvalidRecordError(`${path}:${line}: ${(cause as Error).message}`, { cause, field: 'value' });
    }
    yield { line, key: keyOf(fields, line), value: text, fields };
  }
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** CSV cells to JSON values: numbers, null for empty, strings otherwise. */
export function typeCells(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === '' ? null : NUMBER.test(v) ? Number(v) : v;
  return out;
}
