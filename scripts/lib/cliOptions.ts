import { type Command, InvalidArgumentError } from 'commander';
import { parseDatetimeMs } from '../../shared/rides/schemas/index.js';
import { DEFAULT_LOCAL_DATA_DIR } from './dynamoContext.js';

/** A commander parser for an integer within bounds; the message names the accepted range. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${value}"`,
      );
    }
    return n;
  };
}

/**
 * Parses a point in time given on the command line: ISO-8601 (`2020-07-01T00:15:00Z`, or
 * with an offset), `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DD` read as UTC (as the ride data
 * is), or epoch milliseconds.
 * @returns epoch ms
 */
export function parseTimeArg(value: string): number {
  const v = value.trim();
  const ms = /^-?\d{10,}$/.test(v)
    ? Number(v)
    : parseDatetimeMs(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v} 00:00:00` : v);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `"${value}" is not a time; use ISO-8601 (2020-07-01T00:15:00Z), "2020-07-01 00:15" (UTC) or epoch ms`,
    );
  }
  return ms;
}

/** Comma-separated names, blanks dropped. */
export function listArg(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Options of commands that read or write DynamoDB. */
export interface StoreOptions {
  /** A DynamoDB endpoint instead of the embedded store. */
  endpoint?: string;
  /** Folder of the embedded store. */
  dataDir?: string;
}

/** Adds `--endpoint` and `--data-dir`, the options every command touching DynamoDB shares. */
export function addStoreOptions(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      'DynamoDB endpoint (dynalite, AWS); default: DYNAMODB_ENDPOINT, else the embedded store',
    )
    .option('--data-dir <dir>', `folder of the embedded store (LOCAL_DATA_DIR)`, DEFAULT_LOCAL_DATA_DIR);
}
