import type { KafkaRecord } from '../../engine/event/index.js';

/** Why a batch left the mapping without succeeding, in Lambda's on-failure vocabulary. */
export type DiscardCondition =
  | 'RetryAttemptsExhausted'
  | 'RecordAgeExceeded'
  | 'MaximumPayloadSizeExceeded'
  /**
   * Records the emulated schema registry refused. A local name: what condition Lambda writes
   * for records that fail its validation is not documented where this was checked.
   */
  | 'SchemaValidationFailed';

/** Exponential backoff between retries of a failing batch. */
export interface Backoff {
  /** Delay before the first retry. @default 500 */
  readonly initialMs: number;
  /** Delays double up to this. @default 30,000 */
  readonly maxMs: number;
}

/** Defaults for {@link Backoff}. AWS does not publish its delays; these are ours. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

/** What the error-handling settings need to decide. */
export interface RetrySettings {
  /** Retries allowed after the first invocation; -1 is infinite (see effectiveMaxRetries). */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly backoff: Backoff;
}

/** What to do with a batch whose invocation just failed. */
export type FailureDecision<R> =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'bisect'; readonly halves: readonly [readonly R[], readonly R[]] }
  | { readonly action: 'discard'; readonly condition: 'RetryAttemptsExhausted' };

/** The delay before retry number `retry` (0-based): initial, doubled each time, capped. */
export function backoffMs(retry: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, retry));
}

/**
 * Decides after a failed invocation of `records`, which had already been retried `retriesSoFar`
 * times: bisect when allowed and possible (splitting does not use up retries, as for streams),
 * give up when the retries are used up, else retry the whole batch after a backoff.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html ("Splitting batches doesn't consume the retry quota")
 */
export function decideAfterFailure<R>(
  records: readonly R[],
  retriesSoFar: number,
  settings: RetrySettings,
): FailureDecision<R> {
  if (settings.bisectBatchOnFunctionError && records.length > 1) {
    return { action: 'bisect', halves: bisect(records) };
  }
  if (settings.maximumRetryAttempts !== -1 && retriesSoFar >= settings.maximumRetryAttempts) {
    return { action: 'discard', condition: 'RetryAttemptsExhausted' };
  }
  return { action: 'retry', delayMs: backoffMs(retriesSoFar, settings.backoff) };
}

/**
 * Splits a batch in two at the middle of its arrival order. The first half holds a prefix of
 * every partition's records and the second the rest, so running the halves in order keeps
 * each partition in offset order.
 */
export function bisect<R>(records: readonly R[]): readonly [readonly R[], readonly R[]] {
  const mid = Math.ceil(records.length / 2);
  return [records.slice(0, mid), records.slice(mid)];
}

/**
 * Separates the records older than `MaximumRecordAgeInSeconds` (by their Kafka timestamp) from
 * the rest: Lambda does not send a record older than the maximum age to the function.
 * `-1` keeps every record.
 */
export function splitExpired<R extends { readonly record: KafkaRecord }>(
  records: readonly R[],
  nowMs: number,
  maximumRecordAgeInSeconds: number,
): { readonly live: readonly R[]; readonly expired: readonly R[] } {
  if (maximumRecordAgeInSeconds === -1) return { live: records, expired: [] };
  const oldestAllowedMs = nowMs - maximumRecordAgeInSeconds * 1000;
  const live: R[] = [];
  const expired: R[] = [];
  for (const r of records) (r.record.timestampMs < oldestAllowedMs ? expired : live).push(r);
  return { live, expired };
}
