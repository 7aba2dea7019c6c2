import { type Command, InvalidArgumentError, Option } from 'commander';
import { COMPRESSION_NAMES, type CompressionName } from './kafkaCodecs.js';

/**
 * Option parsers shared by the Kafka commands. Each throws commander's InvalidArgumentError
 * with the accepted form, so `--rate fast` prints what a rate looks like.
 */

/** `--rate 2`, `--rate 2/s`, `--rate 0.5/s`: records per second, > 0. */
export function rateArg(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/.exec(value);
  const n = Number(m?.[1]);
  if (!m || !(n > 0) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected records per second such as 2 or 2/s (> 0), got "${value}"`);
  }
  return n;
}

/** A share such as `0.05`: a number from 0 to 1. */
export function shareArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError(`expected a share from 0 to 1 such as 0.05, got "${value}"`);
  }
  return n;
}

/** Collects repeatable `k=v` flags (`--config retention.ms=3600000 --config segment.ms=600000`). */
export function keyValueArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

/** Output and noise options shared by producing commands. */
export interface ProduceFlags {
  readonly keyField?: string;
  /** commander's `--no-key`: false when given. */
  readonly key?: boolean;
  readonly timestampField?: string;
  readonly rate?: number;
  readonly header?: Record<string, string>;
  readonly compression?: CompressionName;
  readonly quiet?: boolean;
}

/** The default record key of ride files: the course's producer keys rides by drop-off zone. */
export const DEFAULT_RIDE_KEY_FIELD = 'DOLocationID';

/** Adds the flags `produce` and `datagen --topic` share. */
export function addProduceFlags(command: Command): Command {
  return command
    .option(
      '--key-field <field>',
      `field whose value becomes the record key (the course keys rides by ${DEFAULT_RIDE_KEY_FIELD})`,
      DEFAULT_RIDE_KEY_FIELD,
    )
    .option('--no-key', 'send records without a key (null key; partitions rotate per batch)')
    .option(
      '--timestamp-field <field>',
      'set each record timestamp from this datetime field (e.g. tpep_pickup_datetime); default: the send time',
    )
    .option(
      '--rate <n/s>',
      'records per second, e.g. 2 or 2/s (the course sends one ride every 500 ms: 2)',
      rateArg,
    )
    .option('--header <key=value>', 'add a header to every record (repeatable)', keyValueArg)
    .addOption(
      new Option('--compression <codec>', 'record batch compression, as Kafka names it (compression.type)')
        .choices(COMPRESSION_NAMES)
        .default('none'),
    )
    .option('--quiet', 'no progress bar and no summary on stderr');
}

/** The key field from `--key-field` / `--no-key`: null means key-less records. */
export function keyFieldFrom(flags: ProduceFlags): string | null {
  return flags.key === false ? null : (flags.keyField ?? DEFAULT_RIDE_KEY_FIELD);
}
