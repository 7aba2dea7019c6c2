import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputRecord, RecordSink } from '../../engine/output/index.js';

/**
 * A RecordSink for runs without a broker (`replay`, `npm start` on embedded defaults): each
 * output topic becomes `<dir>/<topic>.jsonl`, one JSON line per record (key and value as
 * UTF-8 text, headers as an object, `timestampMs`), appended in send order. Like the topic
 * it stands for it keeps duplicates: a replayed file appends its outputs again, each with
 * the same `kls-source` header, which `consume --dedupe` style readers drop.
 *
 * Written by hand: a JSON-lines append is a few lines and no library does this mapping.
 */
export class TopicFilesSink implements RecordSink {
  /** Records appended per topic by this sink (this run only). */
  readonly counts = new Map<string, number>();

  /** @param dir where the topic files go; undefined: count only, write nothing (in-memory runs) */
  constructor(readonly dir: string | undefined) {}

  async send(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.dir) mkdirSync(this.dir, { recursive: true });
    const linesByTopic = new Map<string, string[]>();
    for (const r of records) {
      const line = JSON.stringify({
        key: r.key?.toString('utf8') ?? null,
        value: r.value?.toString('utf8') ?? null,
        headers: Object.fromEntries(r.headers.map((h) => [h.name, h.value.toString('utf8')])),
        timestampMs: r.timestampMs,
      });
      const lines = linesByTopic.get(r.topic) ?? [];
      lines.push(line);
      linesByTopic.set(r.topic, lines);
    }
    for (const [topic, lines] of linesByTopic) {
      if (this.dir) appendFileSync(join(this.dir, `${topic}.jsonl`), `${lines.join('\n')}\n`);
      this.counts.set(topic, (this.counts.get(topic) ?? 0) + lines.length);
    }
  }

  /** `topic: n records (file)` lines for a run summary; empty when nothing was sent. */
  summaryLines(): string[] {
    return [...this.counts].map(
      ([topic, n]) =>
        `${topic}: ${n} record(s)${this.dir ? ` appended to ${join(this.dir, `${topic}.jsonl`)}` : ''}`,
    );
  }
}

/** Deletes the `*.jsonl` topic files a {@link TopicFilesSink} wrote in `dir` (`--fresh`). */
export function resetTopicFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) if (f.endsWith('.jsonl')) rmSync(join(dir, f));
}
