import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProducerRecords } from '../../../scripts/lib/sourceRecords.js';

const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('readProducerRecords', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-src-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a records file: objects as JSON, strings as is, null as a tombstone; timestamps carry over', async () => {
    const file = join(dir, 'x.records.jsonl');
    writeFileSync(
      file,
      [
        '{"key":"a","value":{"n":1},"timestampMs":"2020-07-01 00:00:05"}',
        '{"key":null,"value":"{broken","headers":{"h":"v"}}',
        '',
        '{"key":7,"value":null,"timestampMs":1000}',
      ].join('\n'),
    );

    const records = await all(readProducerRecords({ file }));

    expect(records).toEqual([
      {
        key: 'a',
        value: '{"n":1}',
        timestampMs: Date.UTC(2020, 6, 1, 0, 0, 5),
        headers: [],
        origin: expect.stringMatching(/x\.records\.jsonl:1$/),
      },
      {
        key: null,
        value: '{broken',
        timestampMs: Date.UTC(2020, 6, 1, 0, 0, 5),
        headers: [{ name: 'h', value: 'v' }],
        origin: expect.stringMatching(/:2$/),
      },
      { key: '7', value: null, timestampMs: 1000, headers: [], origin: expect.stringMatching(/:4$/) },
    ]);
  });

  it('names the line and the field of a malformed records line', async () => {
    const file = join(dir, 'bad.records.jsonl');
    writeFileSync(file, '{"key":"a","value":{}}\n{"key":"a","valu":{}}\n');

    await expect(all(readProducerRecords({ file }))).rejects.toThrow(/bad\.records\.jsonl:2: .*valu/);
  });

  it('says which file does not exist', async () => {
    await expect(all(readProducerRecords({ file: join(dir, 'nope.csv') }))).rejects.toThrow(
      /input file .*nope\.csv does not exist/,
    );
  });

  it('stops after --limit records', async () => {
    expect(await all(readProducerRecords({ file: 'data/rides.csv', limit: 4 }))).toHaveLength(4);
  });
});
