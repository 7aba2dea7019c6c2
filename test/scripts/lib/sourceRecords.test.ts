import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSourceIssues, readProducerRecords } from '../../../scripts/lib/sourceRecords.js';

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

  it('with --strict, names the line and the field of a malformed records line', async () => {
    const file = join(dir, 'bad.records.jsonl');
    writeFileSync(file, '{"key":"a","value":{}}\n{"key":"a","valu":{}}\n');

    await expect(all(readProducerRecords({ file, strict: true }))).rejects.toThrow(
      /bad\.records\.jsonl:2: .*valu/,
    );
  });

  it('delivers a malformed line as is, key-less, with the previous timestamp, and counts it', async () => {
    const file = join(dir, 'bad.records.jsonl');
    writeFileSync(file, '{"key":"a","value":{},"timestampMs":5}\n{"key":"a","valu":{}}\nnot json\n\n');
    const issues = createSourceIssues();

    const records = await all(readProducerRecords({ file, issues }));

    expect(records.map((r) => [r.key, r.value, r.timestampMs])).toEqual([
      ['a', '{}', 5],
      [null, '{"key":"a","valu":{}}', 5],
      [null, 'not json', 5],
    ]);
    expect(issues.counts).toEqual({ malformed: 2, badTimestamps: 0, missingKeys: 0, blankLines: 1 });
    expect(issues.messages).toEqual([
      expect.stringMatching(/bad\.records\.jsonl:2: not a record: .*; delivered as is$/),
      expect.stringMatching(/bad\.records\.jsonl:3: not a JSON line .*; delivered as is$/),
    ]);
  });

  it("stamps a row whose timestamp does not parse with the previous record's timestamp, or fails with --strict", async () => {
    const file = join(dir, 'ts.csv');
    writeFileSync(
      file,
      'DOLocationID,tpep_pickup_datetime\n1,2020-07-01 00:00:05\n2,yesterday\n3,2020-07-01 00:00:01\n',
    );
    const issues = createSourceIssues();

    const records = await all(readProducerRecords({ file, issues }));

    const t0 = Date.UTC(2020, 6, 1, 0, 0, 5);
    expect(records.map((r) => [r.key, r.timestampMs])).toEqual([
      ['1', t0],
      ['2', t0],
      ['3', t0 - 4000],
    ]);
    expect(issues.messages).toEqual([
      `${records[1]!.origin}: timestamp field "tpep_pickup_datetime" is "yesterday", not a datetime or epoch ms: stamped with the previous record's timestamp (${t0})`,
    ]);
    expect(records[1]!.origin).toMatch(/ts\.csv:3$/);
    await expect(all(readProducerRecords({ file, strict: true }))).rejects.toThrow(
      /ts\.csv:3: timestamp field "tpep_pickup_datetime" is "yesterday"/,
    );
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
