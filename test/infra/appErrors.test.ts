import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs the CDK app the way `cdk synth` does (context in CDK_CONTEXT_JSON), without the CLI. */
async function synth(context: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await run('node_modules/.bin/tsx', ['infra/app.ts'], {
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cdk-app-errors-')),
      },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('cdk synth with a wrong setting', () => {
  it('names a handler the catalog does not have, without a stack trace', async () => {
    const { code, stderr } = await synth({ handlers: 'rides-count-by-dropof' });
    expect(code).toBe(1);
    expect(stderr).toContain('unknown handler "rides-count-by-dropof"; known: rides-count-by-dropoff');
    expect(stderr).toContain('Settings and defaults: docs/infra.md');
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('names a setting out of range, without a stack trace', async () => {
    const { code, stderr } = await synth({ batchSize: 0 });
    expect(code).toBe(1);
    expect(stderr).toContain('batchSize: an integer from 1 to 10000');
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
