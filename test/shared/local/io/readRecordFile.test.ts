import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FileRecord,
  type ReadRecordFileOptions,
  readRecordFile,
} from '../../../../shared/local/io/index.js';

const all = async (path: string, options: ReadRecordFileOptions = {}) => {
  const out: FileRecord[] = [];
  for await (const r of readRecordFile(path, options)) out.push(r);
  return out;
};

describe('readRecordFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'io-read-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('a stray quote closed by a later line costs one record, not the rows in between', async () => {
    const rows = Array.from({ length: 199 }, (_, i) => `${i + 3},ok,${i}`);
    const path = file(
      'stray.csv',
      ['id,a,b', '1,"oops,3', '2,"fine",4', ...rows, '202,"q",7', ''].join('\n'),
    );

    const records = await all(path, { malformed: 'pass' });

    expect(records.filter((r) => r.invalid).map((r) => [r.line, r.lines])).toEqual([[2, 1]]);
    expect(records.filter((r) => !r.invalid)).toHaveLength(201);
    expect(records.find((r) => r.line === 3)?.fields).toEqual({ id: 2, a: 'fine', b: 4 });
  });

  it('survives a quote that never closes before hundreds of thousands of lines', async () => {
    const path = file('long.csv', `id,a\n1,"oops\n${'2,x\n'.repeat(300_000)}`);

    const records = await all(path, { malformed: 'pass' });

    expect(records).toHaveLength(300_001);
    expect(records.filter((r) => r.invalid).map((r) => r.line)).toEqual([2]);
  });

  it('numbers records by file line: the header is line 1, a quoted field with line breaks spans lines', async () => {
    const path = file('x.csv', 'id,note\n1,plain\n2,"two\nlines"\n\n3,"a ""quoted"" word"\n');
    const blank: number[] = [];

    const records = await all(path, { onBlankLine: (l) => blank.push(l) });

    expect(records.map((r) => [r.line, r.lines, r.fields])).toEqual([
      [2, 1, { id: 1, note: 'plain' }],
      [3, 2, { id: 2, note: 'two\nlines' }],
      [6, 1, { id: 3, note: 'a "quoted" word' }],
    ]);
    expect(blank).toEqual([5]);
  });

  it('passes on every malformed CSV line as written, and reads every good line after it', async () => {
    const lines = [
      'a,b,c',
      '1,2,3', // 2 good
      '1,2', // 3 short
      '1,2,3,4', // 4 long
      '1,x"y,3', // 5 a quote inside an unquoted field
      '1,"2"x,3', // 6 text after a closing quote
      '1,"2,3', // 7 a quote never closed
      '4,5,6', // 8 good
      '', // 9 blank
      '7,8,9', // 10 good
    ];
    const path = file('bad.csv', `${lines.join('\r\n')}\r\n`);

    const records = await all(path, { malformed: 'pass', keyField: 'a' });

    expect(records.filter((r) => !r.invalid).map((r) => [r.line, r.key, r.value])).toEqual([
      [2, '1', '{"a":1,"b":2,"c":3}'],
      [8, '4', '{"a":4,"b":5,"c":6}'],
      [10, '7', '{"a":7,"b":8,"c":9}'],
    ]);
    const broken = records.filter((r) => r.invalid);
    expect(broken.map((r) => [r.line, r.key, r.value])).toEqual(
      [3, 4, 5, 6, 7].map((l) => [l, null, lines[l - 1]]),
    );
    expect(broken[0]!.invalid).toBe('2 fields, the header has 3');
    expect(broken[1]!.invalid).toBe('4 fields, the header has 3');
    expect(broken[2]!.invalid).toMatch(/^not valid CSV: .*quote/i);
    expect(broken[3]!.invalid).toMatch(/^not valid CSV: .*quote/i);
    expect(broken[4]!.invalid).toBe('a quote opened on this line is not closed within the row');
  });

  it('throws at the first malformed line by default, naming the file line', async () => {
    const path = file('short.csv', 'a,b,c\n1,2,3\n\n1,2\n');

    await expect(all(path)).rejects.toThrow(/short\.csv:4: 2 fields, the header has 3$/);
  });

  it('passes on JSON lines that are not JSON objects, skipping blank lines', async () => {
    const path = file('x.jsonl', '{"k":1}\n{"k":\n\n[1,2]\n{"k":2}\n');
    const blank: number[] = [];

    const records = await all(path, { malformed: 'pass', keyField: 'k', onBlankLine: (l) => blank.push(l) });

    expect(records.map((r) => [r.line, r.key, r.value, r.invalid !== undefined])).toEqual([
      [1, '1', '{"k":1}', false],
      [2, null, '{"k":', true],
      [4, null, '[1,2]', true],
      [5, '2', '{"k":2}', false],
    ]);
    expect(blank).toEqual([3]);
  });

  it('delivers a row without its key field key-less when passing malformed input', async () => {
    const path = file('k.csv', 'a,b\n,1\n2,2\n');

    const records = await all(path, { malformed: 'pass', keyField: 'a' });

    expect(records.map((r) => [r.line, r.key, r.invalid])).toEqual([
      [2, null, undefined],
      [3, '2', undefined],
    ]);
  });

  it('says a CSV has no header row, naming the file and the header expected', async () => {
    const path = file('noheader.csv', '1,2020-07-01 00:25:32,75\n2,2020-07-01 00:30:00,76\n');

    await expect(
      all(path, { expectedHeader: ['VendorID', 'tpep_pickup_datetime', 'DOLocationID'] }),
    ).rejects.toThrow(
      /noheader\.csv has no header row: line 1 \(1,2020-07-01 00:25:32,75\) holds data .*expected a header such as: VendorID,tpep_pickup_datetime,DOLocationID/,
    );
  });

  it('names the key field missing from the header', async () => {
    const path = file('h.csv', 'a,b\n1,2\n');

    await expect(all(path, { keyField: 'zone', malformed: 'pass' })).rejects.toThrow(
      /h\.csv:1: key field "zone" is missing from the header \(columns: a, b\)/,
    );
  });

  it.each([
    ['binary data', Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0xff]), /a NUL byte at offset 4/],
    ['a gzip file', gzipSync('a,b\n1,2\n'), /gzip header/],
    ['Latin-1 text', Buffer.from('a,b\nna\xefve,1\n', 'latin1'), /not UTF-8/],
  ])('says a .csv holding %s is not a text file, naming it', async (_what, bytes, reason) => {
    const path = file('rides.csv', bytes);

    await expect(all(path, { malformed: 'pass' })).rejects.toThrow(/rides\.csv is not a text file/);
    await expect(all(path)).rejects.toThrow(reason);
  });
});
