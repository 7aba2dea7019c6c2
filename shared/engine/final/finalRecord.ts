import type { OutputRecord } from '../output/outputRecord.js';
import { SOURCE_HEADER } from '../output/outputRecord.js';
import type { WindowResult } from '../store/FinalWindowStore.js';

/**
 * The {@link SOURCE_HEADER} of a final result: `<pipeline>/final/<window start ms>/<key,
 * URI-encoded>`. One value per (pipeline, key, window), so a consumer's OutputDeduplicator
 * drops the copies a crash between send and mark leaves (they carry the same frozen value).
 */
export function finalSource(pipeline: string, key: string, windowStartMs: number): string {
  return `${pipeline}/final/${windowStartMs}/${encodeURIComponent(key)}`;
}

/** The deterministic Kafka key of a final result: the pipeline's key and the window start. */
export function finalKey(key: string, windowStartMs: number): string {
  return `${key}@${new Date(windowStartMs).toISOString()}`;
}

/**
 * The record a closed window's final result is sent as. Key: the pipeline key and window
 * (so all copies land on one partition, in order); value: JSON with the window bounds and
 * the aggregates (decimals as strings, exact); timestamp: the window's last millisecond,
 * as Kafka Streams stamps windowed results with the window's time.
 */
export function finalRecord(topic: string, result: WindowResult): OutputRecord {
  const value = {
    pipeline: result.pipeline,
    key: result.key,
    windowStart: new Date(result.windowStartMs).toISOString(),
    windowEnd: new Date(result.windowEndMs).toISOString(),
    windowStartMs: result.windowStartMs,
    windowEndMs: result.windowEndMs,
    count: result.count,
    ...result.aggregates,
  };
  return {
    topic,
    key: Buffer.from(finalKey(result.key, result.windowStartMs)),
    value: Buffer.from(JSON.stringify(value)),
    headers: [
      {
        name: SOURCE_HEADER,
        value: Buffer.from(finalSource(result.pipeline, result.key, result.windowStartMs)),
      },
    ],
    timestampMs: result.windowEndMs - 1,
  };
}
