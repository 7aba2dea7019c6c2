import { StreamError } from '../engine/errors/index.js';

/**
 * A topic cannot be brought to its declared state (fewer partitions than it has, another
 * replication factor, a malformed resource property). CloudFormation shows the message as the
 * reason the stack failed, so it says what is declared, what exists and what to change.
 */
export class TopicAdminError extends StreamError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TopicAdminError';
  }
}
