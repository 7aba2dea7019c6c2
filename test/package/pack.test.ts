import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lib/paths.js';

const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, 'fixtures');
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** The version this repository resolved, so the scratch install is served from the warm npm cache. */
const installed = (name: string): string =>
  `${name}@${(JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`;

/** Rows as the page-views pipeline must leave them for fixtures/events.jsonl. */
const EXPECTED_ROWS = [
  { key: 'cart', windowStartMs: 0, windowEndMs: 60_000, count: 1, aggregates: { sum_ms: '50' } },
  { key: 'home', windowStartMs: 0, windowEndMs: 60_000, count: 2, aggregates: { sum_ms: '200' } },
  { key: 'home', windowStartMs: 60_000, windowEndMs: 120_000, count: 1, aggregates: { sum_ms: '10' } },
];

const byKeyAndWindow = (rows: Array<{ key: string; windowStartMs: number | null }>) =>
  [...rows].sort((a, b) => a.key.localeCompare(b.key) || (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0));

/**
 * The package as a user gets it: `npm pack` (which builds through `prepack`), installed into a
 * scratch project outside the repository with a catalog of its own (plain .mjs: no TypeScript
 * there), then used through each entry point: the CLI (`npx kafka-lambda-streams`), the test
 * driver (`/testing`), the CDK construct (`/cdk`, bundled with the user's esbuild), the generic
 * handler bundle run against the embedded store (`/local`). Slow (a build, an install, a
 * synth): it runs once, in its own vitest project.
 */
describe('the packed library in a project of its own', () => {
  const work = mkdtempSync(join(tmpdir(), 'kls-pack-'));
  const app = join(work, 'app');
  const timings: Record<string, number> = {};
  let tarball = '';
  let packedBytes = 0;
  let packedFiles: string[] = [];

  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await fn();
    } finally {
      timings[label] = Date.now() - start;
    }
  };
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The scratch project must not find this repository's packages through a parent folder.
    NODE_PATH: '',
  };
  const inApp = (file: string, args: string[], extraEnv: Record<string, string> = {}) =>
    run(file, args, {
      cwd: app,
      env: { ...env, ...extraEnv },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });

  beforeAll(async () => {
    const [packed] = await timed('npm pack (build included)', async () => {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: REPO_ROOT,
        env,
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      // prepack's own output comes first; the JSON report is the last thing printed.
      return JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as Array<{
        filename: string;
        size: number;
        files: Array<{ path: string }>;
      }>;
    });
    tarball = join(work, packed!.filename);
    packedBytes = packed!.size;
    packedFiles = packed!.files.map((f) => f.path);

    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    );
    for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(app, file));
    await timed('npm install', () =>
      inApp('npm', [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tarball,
        // What a user's CDK app brings itself (optional peers of the package).
        installed('aws-cdk-lib'),
        installed('constructs'),
        installed('cdk-nag'),
        installed('esbuild'),
      ]),
    );
  }, 600_000);

  afterAll(() => {
    console.log(
      `packed ${(packedBytes / 1024).toFixed(0)} KiB, ${packedFiles.length} files; ${Object.entries(timings)
        .map(([label, ms]) => `${label}: ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
    rmSync(work, { recursive: true, force: true });
  });

  it('packs the compiled entry points, types and bin, and no sources or tests', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/shared/engine/index.js',
        'dist/shared/engine/index.d.ts',
        'dist/shared/engine/handler/specHandler.js',
        'dist/shared/testing/index.d.ts',
        'dist/shared/kafka/entry.d.ts',
        'dist/infra/constructs/index.d.ts',
        'dist/shared/local/index.d.ts',
        'dist/scripts/cli.js',
        'docs/library.md',
      ]),
    );
    expect(packedFiles.filter((f) => /(^|\/)test\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(readFileSync(join(app, 'node_modules/kafka-lambda-streams/dist/scripts/cli.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it('runs the CLI as npx kafka-lambda-streams and reads its version from the package', async () => {
    const { stdout } = await inApp('npx', ['--no-install', 'kafka-lambda-streams', '--version']);
    expect(stdout.trim()).toBe(version);
  });

  it("pipes records through the user's pipeline with the test driver", async () => {
    const { stdout } = await timed('test driver', () => inApp(process.execPath, ['driver.mjs']));
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      rows: Array<{ key: string; windowStartMs: number }>;
      deadLetters: number;
    };
    expect(byKeyAndWindow(result.rows)).toMatchObject(EXPECTED_ROWS);
    expect(result.deadLetters).toBe(1);
  });

  it("routes with the user's route pipeline through the test driver, and the producer comes from /kafka", async () => {
    const { stdout } = await timed('route pipeline', () => inApp(process.execPath, ['route.mjs']));
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      handler: string;
      noBrokers: string;
      sent: Array<{ key: string; source: string }>;
    };
    expect(result.handler).toBe('function');
    expect(result.noBrokers).toBe('ConfigError');
    expect(result.sent).toEqual([
      { key: 'cart', source: 'slow-pages/page-views/0/1' },
      { key: 'home', source: 'slow-pages/page-views/0/2' },
    ]);
  });

  it("synthesizes the user's stack with KafkaPipelineHandler, and its bundle runs the spec from PIPELINE_SPEC", async () => {
    const outdir = join(work, 'cdk.out');
    const { stdout } = await timed('cdk synth (esbuild bundling)', () =>
      inApp(process.execPath, ['synth.mjs'], { CDK_OUTDIR: outdir }),
    );
    const synth = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      functions: number;
      mappings: Array<{ topics: string[]; group: string }>;
      spec: string;
      asset: string;
    };
    expect(synth.functions).toBe(1);
    expect(synth.mappings).toEqual([{ topics: ['page-views'], group: 'page-views' }]);
    expect(synth.spec).toBe('page-views');

    // The generic handler bundled from node_modules: none of the package's tool dependencies.
    const bundle = join(outdir, `asset.${synth.asset.replace(/\.zip$/, '')}`, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    for (const heavy of ['kafkajs', 'dynalite', 'aws-cdk-lib', 'commander'])
      expect(code).not.toContain(heavy);

    const { stdout: invoked } = await timed('bundle invoke', () =>
      inApp(process.execPath, ['invoke.mjs'], { BUNDLE: bundle }),
    );
    const result = JSON.parse(
      invoked
        .trim()
        .split('\n')
        .find((l) => l.startsWith('{'))!,
    ) as {
      response: unknown;
      rows: Array<{ key: string; windowStartMs: number }>;
    };
    expect(result.response).toEqual({ batchItemFailures: [] });
    expect(byKeyAndWindow(result.rows)).toMatchObject(EXPECTED_ROWS);
  });

  // Needs the CLI's `--catalog <module>` (and STREAMS_CATALOG), which lands with the CLI branch.
  it("replays a file through the user's catalog with the CLI and queries the rows as JSON", async () => {
    const catalogEnv = { STREAMS_CATALOG: './catalog.mjs' };
    await timed('cli replay + query', async () => {
      await inApp(
        'npx',
        [
          '--no-install',
          'kafka-lambda-streams',
          'replay',
          '--catalog',
          './catalog.mjs',
          '--file',
          'events.jsonl',
          '--topic',
          'page-views',
          '--key-field',
          'page',
          '--timestamp-field',
          'ts',
          '--fresh',
        ],
        catalogEnv,
      );
      const { stdout } = await inApp(
        'npx',
        [
          '--no-install',
          'kafka-lambda-streams',
          'query',
          '--catalog',
          './catalog.mjs',
          'page-views-1m',
          '--json',
        ],
        catalogEnv,
      );
      const rows = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { key: string; windowStart: string; count: number })
        // query --json gives window starts as ISO-8601 (its stable interface).
        .map((r) => ({ key: r.key, windowStartMs: Date.parse(r.windowStart), count: r.count }));
      expect(byKeyAndWindow(rows)).toMatchObject(
        EXPECTED_ROWS.map(({ key, windowStartMs, count }) => ({ key, windowStartMs, count })),
      );
    });
  });
});
