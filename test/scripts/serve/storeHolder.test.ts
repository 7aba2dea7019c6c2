import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServe, runServe } from '../../../scripts/commands/serve.js';
import { resetLocalData } from '../../../scripts/lib/localData.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { claimStore, holderFileOf, liveHolderOf } from '../../../scripts/lib/storeHolder.js';

/** The files LevelDB keeps (what `reset` agrees to delete). */
const LEVELDB_FILE = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(ldb|log|sst))$/;

/** Runs the CLI in another process, as a second terminal would. */
function cli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'scripts/cli.ts', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('one process holds the embedded store: serve says so to the others', () => {
  let dir: string;
  let serve: RunningServe;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-holder-'));
    serve = await runServe({ dataDir: join(dir, 'dynamo'), port: 0 }, captureOutput());
  });
  afterAll(async () => {
    await serve.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a command in another process fail with the endpoint to use, not a LevelDB crash', async () => {
    const run = await cli(['query', 'tips-1h', '--data-dir', join(dir, 'dynamo')]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`pass --endpoint ${serve.storeEndpoint}`);
    expect(run.stderr).toContain('[INVALID_CONFIG]');
    expect(run.stderr).not.toContain('LEVEL_DATABASE_NOT_OPEN');
  });

  it('leaves the note beside the folder, never inside it (reset deletes LevelDB folders only)', () => {
    expect(existsSync(holderFileOf(join(dir, 'dynamo')))).toBe(true);
    expect(readdirSync(join(dir, 'dynamo')).filter((f) => !LEVELDB_FILE.test(f))).toEqual([]);
  });
});

describe('the holder note', () => {
  it('names a live process other than this one, and is ignored once that process is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holder-'));
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      claimStore(join(dir, 'dynamo'), { pid: child.pid!, endpoint: 'http://127.0.0.1:1', command: 'serve' });

      expect(liveHolderOf(join(dir, 'dynamo'))?.pid).toBe(child.pid);
      expect(() => resetLocalData(join(dir, 'dynamo'))).toThrow(
        /cannot delete .* pass --endpoint http:\/\/127\.0\.0\.1:1/,
      );

      child.kill();
      await new Promise((r) => child.once('exit', r));
      expect(liveHolderOf(join(dir, 'dynamo'))).toBeUndefined();
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not stop the process that left it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holder-'));
    const release = claimStore(join(dir, 'dynamo'), {
      pid: process.pid,
      endpoint: 'http://127.0.0.1:1',
      command: 'serve',
    });

    expect(liveHolderOf(join(dir, 'dynamo'))).toBeUndefined();
    release();
    expect(existsSync(holderFileOf(join(dir, 'dynamo')))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
