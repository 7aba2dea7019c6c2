import type { OutputRecord, RecordSink } from '../engine/output/index.js';
import { sourceHeader } from '../engine/output/index.js';

/** An output record as a test reads it: key and value as text, JSON values parsed. */
export interface SentRecord {
  readonly topic: string;
  readonly key: string | null;
  /** The value parsed as JSON when it is JSON, else its text; null for a tombstone. */
  readonly value: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** The `kls-source` header: `<pipeline>/<topic>/<partition>/<offset>`. */
  readonly source: string | undefined;
  readonly timestampMs: number;
}

/**
 * A RecordSink that keeps what it is sent, in order, for tests and the test driver: the
 * output topics of route pipelines, readable without a broker. `failNext` makes the next
 * send reject (after keeping none, some or all of its records), as a broker outage would.
 */
export class MemoryRecordSink implements RecordSink {
  readonly sent: OutputRecord[] = [];
  private failure: { keep: number } | undefined;

  async send(records: readonly OutputRecord[]): Promise<void> {
    if (this.failure) {
      const { keep } = this.failure;
      this.failure = undefined;
      this.sent.push(...records.slice(0, keep));
      throw new Error(
        `broker unavailable (test): ${Math.min(keep, records.length)} of ${records.length} record(s) written`,
      );
    }
    this.sent.push(...records);
  }

  /** The next send fails after writing its first `keep` records (0: none reach the topic). */
  failNext(keep = 0): void {
    this.failure = { keep };
  }

  /** Every record sent to `topic`, in order, duplicates included. */
  topic(topic: string): SentRecord[] {
    return this.sent.filter((r) => r.topic === topic).map(readable);
  }
}

function readable(r: OutputRecord): SentRecord {
  const text = r.value?.toString('utf8') ?? null;
  let value: unknown = text;
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  return {
    topic: r.topic,
    key: r.key?.toString('utf8') ?? null,
    value,
    headers: Object.fromEntries(r.headers.map((h) => [h.name, h.value.toString('utf8')])),
    source: sourceHeader(r.headers),
    timestampMs: r.timestampMs,
  };
}
