import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { OnFailureRecord } from './onFailureRecord.js';

/**
 * Where a mapping sends the batches it gives up on. In AWS: SQS, SNS, S3 or a Kafka topic;
 * locally: anything with `send`.
 */
export interface OnFailureDestination {
  /** A short description for logs, e.g. the file path. */
  readonly description: string;
  send(record: OnFailureRecord): Promise<void>;
}

/**
 * The local on-failure destination: one JSON on-failure record per line, appended to a file
 * (by default under `.local/`). Appending is at-least-once, as AWS destinations are: a crash
 * after the append and before the offset commit writes the record again on redelivery.
 */
export class JsonlOnFailureDestination implements OnFailureDestination {
  readonly path: string;
  readonly description: string;

  constructor(path: string) {
    this.path = resolve(path);
    this.description = this.path;
  }

  async send(record: OnFailureRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(record)}\n`, 'utf8');
  }

  /** Every record in the file, oldest first; none when the file does not exist. */
  async list(): Promise<OnFailureRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as OnFailureRecord);
  }
}
