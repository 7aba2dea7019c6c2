import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSchemaDirectory } from '../../../../../shared/engine/decode/avro/index.js';

const schemaA = '{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}';
const schemaB =
  '{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":0}]}';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'schemas-'));
}

describe('LocalSchemaDirectory: <subject>.<id>.avsc files as a registry with fixed ids', () => {
  it('finds a schema by the id in its file name, subjects with dots included', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'trips.v2-value.7.avsc'), schemaA);
    writeFileSync(join(dir, 'README.md'), 'not a schema');
    const local = new LocalSchemaDirectory(dir);
    expect(await local.schemaById(7)).toBe(schemaA);
    expect(await local.schemaById(8)).toBeUndefined();
    expect(local.entries().map((e) => e.subject)).toEqual(['trips.v2-value']);
  });

  it('registering a schema the subject has returns its id; a new one gets the next id across the directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'other-value.4.avsc'), schemaB);
    writeFileSync(join(dir, 'rides-value.1.avsc'), schemaA);
    const local = new LocalSchemaDirectory(dir);
    // Whitespace and key order do not make a new version.
    expect(await local.register('rides-value', JSON.stringify(JSON.parse(schemaA), null, 4))).toBe(1);
    expect(await local.register('rides-value', schemaB)).toBe(5);
    expect(local.latest('rides-value')?.id).toBe(5);
    expect(readdirSync(dir).sort()).toEqual([
      'other-value.4.avsc',
      'rides-value.1.avsc',
      'rides-value.5.avsc',
    ]);
  });

  it('an id used by two files is a configuration error naming both', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-value.1.avsc'), schemaA);
    writeFileSync(join(dir, 'b-value.1.avsc'), schemaB);
    expect(() => new LocalSchemaDirectory(dir).entries()).toThrow(/a-value\.1\.avsc and b-value\.1\.avsc/);
  });

  it('a missing directory has no schemas (every id is unknown)', async () => {
    expect(await new LocalSchemaDirectory(join(tempDir(), 'absent')).schemaById(1)).toBeUndefined();
  });
});
