import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvent } from '../../../../shared/engine/event/index.js';
import { JsonlOnFailureDestination } from '../../../../shared/local/eventSourceMapping/JsonlOnFailureDestination.js';
import { buildOnFailureRecord } from '../../../../shared/local/eventSourceMapping/onFailureRecord.js';
import { kafkaRecord } from '../../../support/records.js';

describe('JsonlOnFailureDestination', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esm-dlq-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const record = (offset: number) => {
    const records = [kafkaRecord({ offset })];
    return buildOnFailureRecord({
      records,
      event: buildEvent(records),
      payloadSize: 1,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
      functionArn: 'arn',
      requestId: `r${offset}`,
      nowMs: 0,
      includePayload: false,
    });
  };

  it('appends one JSON record per line, creating folders, and reads them back in order', async () => {
    // Arrange
    const dest = new JsonlOnFailureDestination(join(dir, 'nested', 'f.jsonl'));
    // Act
    await dest.send(record(1));
    await dest.send(record(2));
    // Assert
    const lines = (await readFile(dest.path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect((await dest.list()).map((r) => r.requestContext.requestId)).toEqual(['r1', 'r2']);
  });

  it('lists nothing when no batch was discarded', async () => {
    expect(await new JsonlOnFailureDestination(join(dir, 'none.jsonl')).list()).toEqual([]);
  });
});
