import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What a document client sent, counted by {@link countDynamoRequests}. */
export interface DynamoRequestCounts {
  /** API calls of any kind. */
  calls: number;
  /** PutItem, UpdateItem, DeleteItem calls, plus every put or delete inside a BatchWriteItem. */
  writeRequests: number;
  /** Write API calls (a BatchWriteItem of 25 items is one). */
  writeCalls: number;
  /** GetItem, Query, Scan, BatchGetItem calls. */
  readCalls: number;
  /**
   * Wall time during which at least one request was in flight. An upper bound on the time the
   * store costs: with dynalite in the same process other work also runs in those intervals.
   */
  busyMs: number;
}

/**
 * Counts every request sent through `doc` from now on, by adding a middleware to its stack (so
 * the stores created from it count too), and measures how long requests were in flight. The
 * same counting rule as `bench/core.bench.ts`: BatchWriteItem items one by one.
 */
export function countDynamoRequests(doc: DynamoDBDocumentClient): DynamoRequestCounts {
  const counts: DynamoRequestCounts = { calls: 0, writeRequests: 0, writeCalls: 0, readCalls: 0, busyMs: 0 };
  let inFlight = 0;
  let busySinceMs = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '');
      const input = args.input as { RequestItems?: Record<string, unknown[]> };
      counts.calls++;
      if (name.startsWith('BatchWrite')) {
        counts.writeCalls++;
        for (const requests of Object.values(input.RequestItems ?? {}))
          counts.writeRequests += requests.length;
      } else if (/^(Put|Update|Delete)/.test(name)) {
        counts.writeCalls++;
        counts.writeRequests++;
      } else {
        counts.readCalls++;
      }
      if (inFlight++ === 0) busySinceMs = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) counts.busyMs += performance.now() - busySinceMs;
      }
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counts;
}
