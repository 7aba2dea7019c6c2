import type { DeadLetter } from '../process/deadLetter.js';

/**
 * Where rejected and late records go, keyed by their coordinates (and window), so writing
 * one twice is harmless. Implemented by `DynamoDeadLetterStore`.
 */
export interface DeadLetterStore {
  /** Stores every dead letter; resolves to how many were written. */
  putAll(deadLetters: readonly DeadLetter[]): Promise<number>;
  /** Dead letters of one pipeline, or of all (for the CLI and tests, not for hot paths). */
  list(pipeline?: string): Promise<DeadLetter[]>;
}
