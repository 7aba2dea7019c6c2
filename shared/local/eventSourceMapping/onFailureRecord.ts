import type { KafkaRecord, LambdaKafkaEvent } from '../../engine/event/index.js';
import { partitionId } from '../../engine/event/index.js';
import type { DiscardCondition } from './retryPolicy.js';

/** Offsets and timestamps of one partition's records in a discarded batch. */
export interface OnFailureRecordsInfo {
  /** Offsets are strings in Lambda's record (they may exceed 2^53). */
  readonly firstRecordOffset: string;
  readonly lastRecordOffset: string;
  /** ISO-8601 UTC. */
  readonly firstRecordTimestamp: string;
  readonly lastRecordTimestamp: string;
}

/**
 * What the mapping writes to its on-failure destination for a discarded batch: Lambda's
 * invocation record for Kafka (`requestContext`, `responseContext`, `version`, `timestamp`,
 * `KafkaBatchInfo` with `recordsInfo` per `"topic-partition"`; `payload` with the whole event
 * as S3 destinations get it), plus one local addition, `error`: the last error, which Lambda's
 * record does not carry but a local run should show.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html (SNS/SQS and S3 invocation records)
 */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    /** How many times the records were sent to the function. */
    readonly approximateInvokeCount: number;
  };
  /** Null when the function never saw the records (age, payload size). */
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError: 'Unhandled';
  } | null;
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KafkaBatchInfo: {
    readonly batchSize: number;
    readonly eventSourceArn?: string;
    readonly bootstrapServers: string;
    /** Bytes of the event the records made. */
    readonly payloadSize: number;
    readonly recordsInfo: Readonly<Record<string, OnFailureRecordsInfo>>;
  };
  /** The whole event, when the destination is asked to include records. */
  readonly payload?: LambdaKafkaEvent;
  /** Local addition: the last error that made the batch fail. */
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
}

/** Inputs of {@link buildOnFailureRecord}. */
export interface OnFailureInput {
  readonly records: readonly KafkaRecord[];
  /** The event those records make (for its size and, optionally, as `payload`). */
  readonly event: LambdaKafkaEvent;
  readonly payloadSize: number;
  readonly condition: DiscardCondition;
  readonly approximateInvokeCount: number;
  readonly functionArn: string;
  readonly requestId: string;
  readonly nowMs: number;
  readonly includePayload: boolean;
  readonly error?: unknown;
}

/** Builds the on-failure record of a discarded batch. Pure: ids and time come in. */
export function buildOnFailureRecord(input: OnFailureInput): OnFailureRecord {
  const recordsInfo: Record<string, OnFailureRecordsInfo> = {};
  const byPartition = new Map<string, KafkaRecord[]>();
  for (const r of input.records) {
    const id = partitionId(r.topic, r.partition);
    let list = byPartition.get(id);
    if (!list) byPartition.set(id, (list = []));
    list.push(r);
  }
  for (const id of [...byPartition.keys()].sort()) {
    const list = byPartition
      .get(id)!
      .slice()
      .sort((a, b) => a.offset - b.offset);
    const first = list[0]!;
    const last = list[list.length - 1]!;
    recordsInfo[id] = {
      firstRecordOffset: String(first.offset),
      lastRecordOffset: String(last.offset),
      firstRecordTimestamp: new Date(first.timestampMs).toISOString(),
      lastRecordTimestamp: new Date(last.timestampMs).toISOString(),
    };
  }
  const invoked = input.condition === 'RetryAttemptsExhausted';
  return {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    responseContext: invoked
      ? { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' }
      : null,
    version: '1.0',
    timestamp: new Date(input.nowMs).toISOString(),
    KafkaBatchInfo: {
      batchSize: input.records.length,
      ...(input.event.eventSourceArn ? { eventSourceArn: input.event.eventSourceArn } : {}),
      bootstrapServers: input.event.bootstrapServers ?? '',
      payloadSize: input.payloadSize,
      recordsInfo,
    },
    ...(input.includePayload ? { payload: input.event } : {}),
    ...(input.error === undefined ? {} : { error: describeError(input.error) }),
  };
}

function describeError(err: unknown): { name: string; message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'NonError', message: String(err) };
}
