import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What a document client consumed, counted by {@link countCapacity}. */
export interface CapacityCounts {
  /** Write requests (each put or delete inside a BatchWriteItem counts as one). */
  writeRequests: number;
  /** Write request units as DynamoDB bills them: 1 per started KB of the larger of the item before and after. */
  writeUnits: number;
  /** Read request units (a strongly consistent read: 1 per started 4 KB). */
  readUnits: number;
  /** Writes refused by their condition: DynamoDB still bills one write unit each (FACTS). */
  failedConditions: number;
  /** API calls of any kind. */
  calls: number;
  /**
   * Request rounds at the store's concurrency: per stretch of time with requests in flight,
   * `ceil(requests / concurrency)`. Times a DynamoDB latency, the time the handler waits on
   * the store in AWS (a model; locally dynalite is far slower than DynamoDB).
   */
  rounds: number;
}

/**
 * Counts capacity through `doc` from now on: asks every request for
 * `ReturnConsumedCapacity: TOTAL` (dynalite computes it by DynamoDB's rules: the larger of the
 * item before and after, per started KB) and sums what comes back.
 */
export function countCapacity(doc: DynamoDBDocumentClient, concurrency: number): CapacityCounts {
  const counts: CapacityCounts = {
    writeRequests: 0,
    writeUnits: 0,
    readUnits: 0,
    failedConditions: 0,
    calls: 0,
    rounds: 0,
  };
  let inFlight = 0;
  let requestsInStretch = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '');
      const input = args.input as {
        RequestItems?: Record<string, unknown[]>;
        ReturnConsumedCapacity?: string;
      };
      input.ReturnConsumedCapacity = 'TOTAL';
      const isWrite = /^(Put|Update|Delete|BatchWrite)/.test(name);
      if (name.startsWith('BatchWrite'))
        for (const requests of Object.values(input.RequestItems ?? {}))
          counts.writeRequests += requests.length;
      else if (isWrite) counts.writeRequests++;
      counts.calls++;
      inFlight++;
      requestsInStretch++;
      try {
        const result = await next(args);
        const output = result.output as {
          ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
        };
        const consumed = [output.ConsumedCapacity ?? []].flat();
        const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (isWrite) counts.writeUnits += units;
        else counts.readUnits += units;
        return result;
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') {
          counts.failedConditions++;
          counts.writeUnits++;
        }
        throw err;
      } finally {
        if (--inFlight === 0) {
          counts.rounds += Math.ceil(requestsInStretch / concurrency);
          requestsInStretch = 0;
        }
      }
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  return counts;
}
