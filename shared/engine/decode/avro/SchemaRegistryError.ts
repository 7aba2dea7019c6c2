import { StreamError } from '../../errors/index.js';

/**
 * The schema registry could not answer (down, timing out, refusing our credentials). Unlike
 * an unknown schema id (a bad record, dead-lettered), this fails the batch so Lambda retries
 * it: the records are fine and will decode once the registry is back.
 */
export class SchemaRegistryError extends StreamError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'SCHEMA_REGISTRY_UNAVAILABLE', message, options);
    this.name = 'SchemaRegistryError';
  }
}
