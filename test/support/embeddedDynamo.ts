import { afterAll, beforeAll } from 'vitest';
import type { TableNames } from '../../shared/engine/store/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../../shared/local/index.js';

/** The embedded DynamoDB of a test file, started by {@link useEmbeddedDynamo}. */
export interface TestDynamo {
  /** The endpoint; reading it before the file's `beforeAll` ran is a mistake in the test. */
  readonly endpoint: string;
}

/**
 * Starts one in-memory dynalite with `tables` before the file's tests and stops it after:
 * the store every DynamoDB test of the engine runs on (a real DynamoDB API, no mock).
 * Call at the top of a `describe`, as the hooks it registers belong there.
 */
export function useEmbeddedDynamo(tables: TableNames): TestDynamo {
  let dynamo: EmbeddedDynamo | undefined;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureTables(dynamo.endpoint, tables);
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  return {
    get endpoint() {
      if (!dynamo) throw new Error('the embedded DynamoDB is not started yet: read endpoint inside a test');
      return dynamo.endpoint;
    },
  };
}
