import { StreamError } from '../../engine/errors/index.js';

/** Base of the local event-source mapping's errors. */
export class EsmError extends StreamError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EsmError';
  }
}

/** The handler did not settle within the function timeout (Lambda's "Task timed out"). */
export class HandlerTimeoutError extends EsmError {
  constructor(functionName: string, timeoutMs: number) {
    super(
      'HANDLER_TIMEOUT',
      `${functionName}: task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
    );
    this.name = 'HandlerTimeoutError';
  }
}

/** The handler answered with a partial batch response that reports failed records. */
export class PartialBatchFailureError extends EsmError {
  constructor(functionName: string, failedRecords: number, checkpoints: string) {
    super(
      'PARTIAL_BATCH_FAILURE',
      `${functionName}: ${failedRecords} record(s) to retry from ${checkpoints}`,
    );
    this.name = 'PartialBatchFailureError';
  }
}

/** The handler's response cannot be honoured (malformed or unknown item identifier): the whole batch failed. */
export class InvalidBatchResponseError extends EsmError {
  constructor(functionName: string, reason: string) {
    super('INVALID_BATCH_RESPONSE', `${functionName}: ${reason}; the whole batch counts as failed`);
    this.name = 'InvalidBatchResponseError';
  }
}

/**
 * Records failed the emulated schema-registry validation (not framed, unknown schema id,
 * bytes that do not decode): they are discarded to the on-failure destination, never invoked.
 */
export class SchemaValidationError extends EsmError {
  constructor(functionName: string, reasons: readonly string[]) {
    super(
      'SCHEMA_VALIDATION_FAILED',
      `${functionName}: ${reasons.length} record(s) failed schema validation: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}`,
    );
    this.name = 'SchemaValidationError';
  }
}

/**
 * The mapping stopped without a graceful shutdown: a hook threw (a simulated crash), it was
 * aborted, or the Kafka consumer failed for good. Nothing after the failure was committed.
 */
export class EsmCrashedError extends EsmError {
  constructor(functionName: string, reason: string, options?: { cause?: unknown }) {
    super('ESM_CRASHED', `${functionName}: event-source mapping crashed: ${reason}`, options);
    this.name = 'EsmCrashedError';
  }
}
