import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { avroSerializer } from '../../../scripts/lib/avroValues.js';
import { ConfigError } from '../../../shared/engine/errors/index.js';

describe('produce --value-schema FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'avsc-'));
  const registered: string[] = [];
  // A registrar that records what reaches it: a bad file must be refused before registering.
  const registrar = {
    description: 'a test registrar',
    schemaById: async () => undefined,
    latest: async () => undefined,
    register: async (subject: string) => {
      registered.push(subject);
      return 1;
    },
  };

  it.each([
    ['broken JSON', 'broken.avsc', '{"type":"nope"', /broken\.avsc is not an Avro schema: .*JSON/],
    [
      'an unknown type',
      'unknown.avsc',
      '{"type":"nope"}',
      /unknown\.avsc is not an Avro schema: unknown type/,
    ],
    ['a missing file', 'missing.avsc', undefined, /cannot read the Avro schema file .*missing\.avsc/],
  ])('refuses %s, naming the file, and registers nothing', async (_what, name, text, message) => {
    const file = join(dir, name);
    if (text !== undefined) writeFileSync(file, text);

    const error = await avroSerializer({
      registrar: registrar as never,
      subject: 'x-value',
      schemaFile: file,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect(registered).toEqual([]);
  });
});
