import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { decodeEvent } from '../../shared/engine/event/decodeEvent.js';
import type { KafkaRecord } from '../../shared/engine/event/kafkaRecord.js';
import type { LambdaKafkaEvent } from '../../shared/engine/event/lambdaKafkaEvent.js';
import type { Coverage } from '../../shared/engine/recover/index.js';
import { cliS3Client, isS3Url, readS3Text } from './s3Object.js';

/** What recovery needs from on-failure records: the records, and the ranges they name. */
export interface OnFailureBatches {
  readonly records: KafkaRecord[];
  readonly coverage: Extract<Coverage, { kind: 'on-failure' }>;
  /** Topics the records belong to (to pick the handlers that read them). */
  readonly topics: Set<string>;
  /** On-failure records read, and those without a payload (an SQS/SNS destination: no records to recover from). */
  readonly batches: number;
  readonly withoutPayload: number;
}

/** The fields of Lambda's on-failure record for Kafka that recovery reads (see shared/local OnFailureRecord). */
interface OnFailureLike {
  readonly KafkaBatchInfo?: {
    readonly recordsInfo?: Record<
      string,
      { readonly firstRecordOffset: string; readonly lastRecordOffset: string }
    >;
  };
  readonly payload?: LambdaKafkaEvent;
}

/**
 * Reads on-failure records: a JSON-lines file (the local runner's destination appends one
 * per discarded batch) or one JSON object (an S3 destination's object), from a local path or
 * straight from S3 (`s3://bucket/key`). Offsets come from
 * `recordsInfo`, the records from `payload` (the whole batch, as S3 destinations carry it).
 */
export async function readOnFailureFile(path: string, s3?: S3Client): Promise<OnFailureBatches> {
  let text: string;
  if (isS3Url(path)) {
    text = await readS3Text(path, s3 ?? cliS3Client());
  } else {
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new ConfigError(`cannot read on-failure records from ${path}`, { cause });
    }
  }
  const trimmed = text.trim();
  const docs: OnFailureLike[] = [];
  try {
    if (trimmed.startsWith('{') && !trimmed.includes('\n{')) docs.push(JSON.parse(trimmed) as OnFailureLike);
    else
      for (const line of trimmed.split('\n')) if (line.trim()) docs.push(JSON.parse(line) as OnFailureLike);
  } catch (cause) {
    throw new ConfigError(`${path} is neither one on-failure record (JSON) nor JSON lines of them`, {
      cause,
    });
  }
  return fromOnFailureRecords(docs);
}

/** The records and ranges of parsed on-failure records. Pure. */
export function fromOnFailureRecords(docs: readonly OnFailureLike[]): OnFailureBatches {
  const records: KafkaRecord[] = [];
  const ranges = new Map<string, Array<readonly [number, number]>>();
  const topics = new Set<string>();
  let withoutPayload = 0;
  for (const doc of docs) {
    const info = doc.KafkaBatchInfo?.recordsInfo;
    if (!info)
      throw new ConfigError(
        'an on-failure record without KafkaBatchInfo.recordsInfo: not from a Kafka mapping',
      );
    if (!doc.payload) {
      withoutPayload++;
      continue;
    }
    for (const [pid, r] of Object.entries(info)) {
      const list = ranges.get(pid) ?? [];
      list.push([Number(r.firstRecordOffset), Number(r.lastRecordOffset)]);
      ranges.set(pid, list);
    }
    for (const group of decodeEvent(doc.payload)) {
      for (const r of group) {
        records.push(r);
        topics.add(r.topic);
      }
    }
  }
  return { records, coverage: { kind: 'on-failure', ranges }, topics, batches: docs.length, withoutPayload };
}
