/**
 * Base error of this library. Every error we throw carries a stable `code` so callers
 * (handlers, the CLI, tests) can branch on it without parsing messages, and keeps the
 * underlying error as `cause`.
 */
export class StreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StreamError';
    this.code = code;
  }
}

/** Where a record came from: enough to find it again in Kafka. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * A record that cannot be processed (undecodable, failing its schema, a tombstone where a
 * value is needed). It never fails a batch: the pipeline turns it into a dead letter.
 */
export class InvalidRecordError extends StreamError {
  readonly coordinates: RecordCoordinates | undefined;
  readonly field: string | undefined;
  constructor(
    message: string,
    options: { cause?: unknown; coordinates?: RecordCoordinates; field?: string; code?: string } = {},
  ) {
    super(options.code ?? 'INVALID_RECORD', message, { cause: options.cause });
    this.name = 'InvalidRecordError';
    this.coordinates = options.coordinates;
    this.field = options.field;
  }
}

/** A Lambda event that does not have the shape of a Kafka event-source-mapping event. */
export class InvalidEventError extends StreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_EVENT', message, options);
    this.name = 'InvalidEventError';
  }
}

/** A configuration value (environment variable, pipeline spec, CLI flag) is wrong. */
export class ConfigError extends StreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** A store (DynamoDB) operation failed in a way retries inside the store could not fix. */
export class StoreError extends StreamError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'STORE_FAILED', message, options);
    this.name = 'StoreError';
  }
}

/**
 * Recovery of a gap (a range the mapping gave up on) cannot be done as asked. Codes:
 * `RECOVERY_KIND_NOT_SUPPORTED` (a pipeline kind recovery does not cover has an open gap),
 * `RECORDS_NOT_RETAINED` (Kafka no longer holds the gap's offsets), `RECORDS_NOT_FOUND`
 * (the source named holds no on-failure record).
 */
export class RecoveryError extends StreamError {
  constructor(message: string, options: { cause?: unknown; code: string }) {
    super(options.code, message, options);
    this.name = 'RecoveryError';
  }
}
