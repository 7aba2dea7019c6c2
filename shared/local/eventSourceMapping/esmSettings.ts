import * as z from 'zod';
import { ConfigError } from '../../engine/errors/index.js';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, MAX_EVENT_BYTES } from './batchRecords.js';

/**
 * Lambda's synchronous invocation payload limit, the "6 MB" an event-source mapping never
 * exceeds (the same constant the file replay uses).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_PAYLOAD_BYTES = MAX_EVENT_BYTES;

/**
 * With both infinite retries and an on-failure destination, Lambda caps retries at 10.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html
 */
export const RETRIES_WITH_DESTINATION = 10;

/** Where a new consumer group starts; an existing group always resumes from its committed offsets. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/**
 * The settings of one Kafka event-source mapping, named and bounded as in
 * `CreateEventSourceMapping` (provisioned mode for the error-handling ones), so a setting that
 * works here works in AWS and the reverse.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export interface EsmSettings {
  /** The function's name; names the consumer group and the on-failure file by default. */
  readonly functionName: string;
  readonly topic: string;
  /** @default 100 (1 to 10,000) */
  readonly batchSize: number;
  /** `MaximumBatchingWindowInSeconds` in ms. @default 500 (0 to 300,000) */
  readonly maximumBatchingWindowMs: number;
  /** @default 'TRIM_HORIZON' */
  readonly startingPosition: StartingPosition;
  /** @default `lambda-esm-<functionName>` */
  readonly consumerGroupId: string;
  /** `msk` sends `eventSource: "aws:kafka"` with an `eventSourceArn`; `self-managed` sends `SelfManagedKafka`. @default 'msk' */
  readonly source: 'msk' | 'self-managed';
  /** For `msk` only. @default a made-up cluster ARN (see buildEvent) */
  readonly eventSourceArn?: string;
  /** Retries after the first invocation; -1 is infinite. @default -1 (0 to 10,000, or -1) */
  readonly maximumRetryAttempts: number;
  /** Records older than this are not sent; -1 is infinite. @default -1 (60 to 604,800, or -1) */
  readonly maximumRecordAgeInSeconds: number;
  /** Split a failing batch in two and retry each half. @default false */
  readonly bisectBatchOnFunctionError: boolean;
  /**
   * Honour `batchItemFailures` in the handler's response (`FunctionResponseTypes:
   * [ReportBatchItemFailures]`). Off by default, as in AWS and in this project's CDK mappings
   * (the ride handlers never report item failures); without it a response with failures
   * counts as a success, and the runner says so in its log.
   * @default false
   */
  readonly reportBatchItemFailures: boolean;
}

/** What a caller gives: the function and topic, everything else optional. */
export type EsmSettingsInput = Partial<EsmSettings> & Pick<EsmSettings, 'functionName' | 'topic'>;

const settingsSchema = z
  .object({
    functionName: z.string().min(1, 'functionName must not be empty'),
    topic: z.string().min(1, 'topic must not be empty'),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(DEFAULT_BATCH_SIZE),
    maximumBatchingWindowMs: z.number().int().min(0).max(300_000).default(500),
    startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
    consumerGroupId: z.string().min(1).optional(),
    source: z.enum(['msk', 'self-managed']).default('msk'),
    eventSourceArn: z.string().startsWith('arn:').optional(),
    maximumRetryAttempts: z
      .number()
      .int()
      .refine((n) => n === -1 || (n >= 0 && n <= 10_000), 'must be -1 (infinite) or 0 to 10000')
      .default(-1),
    maximumRecordAgeInSeconds: z
      .number()
      .int()
      .refine((n) => n === -1 || (n >= 60 && n <= 604_800), 'must be -1 (infinite) or 60 to 604800')
      .default(-1),
    bisectBatchOnFunctionError: z.boolean().default(false),
    reportBatchItemFailures: z.boolean().default(false),
  })
  .strict();

/**
 * Validates settings once, at start-up, and fills in the defaults. A wrong value fails with a
 * {@link ConfigError} naming the setting and the accepted range (the same ranges AWS enforces).
 */
export function resolveEsmSettings(input: EsmSettingsInput): EsmSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)
      .join('; ');
    throw new ConfigError(`event-source mapping settings are invalid: ${detail}`, { cause: parsed.error });
  }
  const s = parsed.data;
  if (s.source === 'self-managed' && s.eventSourceArn !== undefined) {
    throw new ConfigError('eventSourceArn is for MSK only: self-managed Kafka events carry no ARN');
  }
  return {
    ...s,
    consumerGroupId: s.consumerGroupId ?? defaultConsumerGroupId(s.functionName),
  };
}

/**
 * The group a mapping uses when none is given. AWS defaults to the mapping's UUID; a name
 * derived from the function keeps local runs resumable across restarts.
 */
export function defaultConsumerGroupId(functionName: string): string {
  return `lambda-esm-${functionName}`;
}

/**
 * Retries actually allowed: AWS applies at most {@link RETRIES_WITH_DESTINATION} when retries
 * are infinite and an on-failure destination is set. `-1` means retry forever.
 */
export function effectiveMaxRetries(
  settings: Pick<EsmSettings, 'maximumRetryAttempts'>,
  hasDestination: boolean,
): number {
  if (settings.maximumRetryAttempts === -1 && hasDestination) return RETRIES_WITH_DESTINATION;
  return settings.maximumRetryAttempts;
}
