import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReset } from '../../../scripts/commands/reset.js';
import { openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../../scripts/lib/output.js';

describe('reset', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-reset-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes an embedded store folder', async () => {
    const dataDir = join(dir, 'dynamo');
    await (await openDynamo({ dataDir, forceEmbedded: true })).close();
    expect(existsSync(join(dataDir, 'CURRENT'))).toBe(true);

    expect(runReset({ dataDir }, captureOutput())).toBe(true);

    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a folder holding anything but LevelDB files', () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'package.json'), '{}');

    expect(() => runReset({ dataDir: dir }, captureOutput())).toThrow(
      /does not look like an embedded DynamoDB folder.*not deleting/,
    );
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
  });

  it('reports when there is nothing to delete', () => {
    const output = captureOutput();

    expect(runReset({ dataDir: join(dir, 'missing') }, output)).toBe(false);
    expect(output.stderr[0]).toMatch(/nothing to delete/);
  });
});
