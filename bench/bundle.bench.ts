/**
 * Lambda bundles (`npm run bench:bundle`): size and import time of each function bundle that
 * `cdk synth` builds, against a bare three-line handler (bench/bareHandler.ts) built the same
 * way. Prints tables; asserts nothing: the size limit is a test (test/infra/bundle.test.ts),
 * import time only ever a figure here, because this machine is noisy.
 *
 * Import time is `await import(bundle)` in a fresh Node process (what a Lambda cold start
 * pays after the runtime is up), with the environment a deployed function has, so each
 * bundle's top-level code runs as in Lambda. Rounds interleave every bundle and the bare
 * handler, so load on the machine hits all alike; the figure is the median over rounds.
 *
 * Env: BENCH_ROUNDS (default 9).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { parseDeploymentConfig } from '../infra/config/index.js';
import { functionBundling } from '../infra/lib/bundling.js';
import { REPO_ROOT } from '../infra/lib/paths.js';
import { StreamProcessingStack } from '../infra/stacks/StreamProcessingStack.js';
import { median, printTable } from './benchData.js';
import { bundleBreakdown } from './bundleBreakdown.js';

/** The goals of the Performance issue, per handler bundle. */
const LIMIT_KB = 400;
const LIMIT_IMPORT_MS = 40;
const BARE = '(bare handler)';
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);

/** Measures one import in a fresh process; prints milliseconds. */
const IMPORT = `
const t0 = performance.now();
await import(process.env.BUNDLE);
process.stdout.write(String(performance.now() - t0));
`;

interface Bundle {
  readonly service: string;
  readonly path: string;
}

const outdir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
try {
  const bundles = synth(outdir);
  const names = bundles.map((b) => b.service);

  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const b of bundles) times.get(b.service)!.push(importMs(b.path));
  }
  const bareMs = median(times.get(BARE)!);

  console.log(
    `## Function bundles from cdk synth: size and import time (median of ${rounds} interleaved rounds)\n`,
  );
  printTable(
    ['handler', 'KB', `<= ${LIMIT_KB} KB`, 'import ms', `<= ${LIMIT_IMPORT_MS} ms`, 'vs bare'],
    bundles.map((b) => {
      const kb = statSync(b.path).size / 1024;
      const ms = median(times.get(b.service)!);
      return [
        b.service,
        kb.toFixed(0),
        b.service === BARE ? '' : kb <= LIMIT_KB ? 'yes' : 'no',
        ms.toFixed(1),
        b.service === BARE ? '' : ms <= LIMIT_IMPORT_MS ? 'yes' : 'no',
        (ms / bareMs).toFixed(1),
      ];
    }),
  );

  console.log("\n## What the bundles carry, KB by package (from each bundle's source map)\n");
  const breakdowns = new Map(bundles.map((b) => [b.service, bundleBreakdown(b.path, REPO_ROOT)]));
  const totals = new Map<string, number>();
  for (const bd of breakdowns.values()) for (const [g, n] of bd) totals.set(g, (totals.get(g) ?? 0) + n);
  // Packages by their weight over all bundles; the small ones folded into one row.
  const shown = [...totals].sort((a, b) => b[1] - a[1]).filter(([, n]) => n / bundles.length >= 2048);
  const shownNames = new Set(shown.map(([g]) => g));
  const pipelineBundles = bundles.filter((b) => b.service !== BARE);
  printTable(
    ['package', ...pipelineBundles.map((b) => abbreviate(b.service))],
    [
      ...shown.map(([g]) => [
        g,
        ...pipelineBundles.map((b) => kbOrBlank(breakdowns.get(b.service)!.get(g) ?? 0)),
      ]),
      [
        '(the rest)',
        ...pipelineBundles.map((b) =>
          kbOrBlank(
            [...breakdowns.get(b.service)!]
              .filter(([g]) => !shownNames.has(g))
              .reduce((s, [, n]) => s + n, 0),
          ),
        ),
      ],
    ],
  );
  console.log(
    `\ncolumns: ${pipelineBundles.map((b) => `${abbreviate(b.service)} = ${b.service}`).join(', ')}`,
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

/** Synthesizes the default stack and the bare handler, bundling with esbuild as `cdk synth` does. */
function synth(dir: string): Bundle[] {
  const app = new App({ outdir: dir, builtinCloudFormationValidation: false });
  const stack = new StreamProcessingStack(app, 'Bench', { config: parseDeploymentConfig({}) });
  const bare = new Stack(app, 'Bare');
  new NodejsFunction(bare, 'Bare', {
    entry: join(REPO_ROOT, 'bench', 'bareHandler.ts'),
    runtime: Runtime.NODEJS_24_X,
    bundling: functionBundling(),
  });
  const assembly = app.synth();
  const out: Bundle[] = [];
  for (const s of [stack, bare]) {
    const template = assembly.getStackByName(s.stackName).template as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    for (const r of Object.values(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const env = (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
      const service = s === bare ? BARE : env?.POWERTOOLS_SERVICE_NAME;
      if (!service) continue; // CDK's own helper functions (log retention, providers)
      const key = String((r.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      out.push({ service, path: join(dir, `asset.${key}`, 'index.mjs') });
    }
  }
  return out.sort((a, b) =>
    a.service === BARE ? -1 : b.service === BARE ? 1 : a.service.localeCompare(b.service),
  );
}

function importMs(bundle: string): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT], {
    cwd: tmpdir(), // outside the repo: nothing resolves from node_modules
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      BUNDLE: bundle,
      AWS_REGION: 'eu-west-1',
      AGGREGATES_TABLE: 'aggregates',
      DEAD_LETTER_TABLE: 'dead-letters',
      STATE_TABLE: 'state',
      POWERTOOLS_SERVICE_NAME: 'bench',
      POWERTOOLS_METRICS_NAMESPACE: 'Bench',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      KAFKA_BROKERS: '127.0.0.1:1',
    },
  });
  return Number(out);
}

function kbOrBlank(bytes: number): string {
  return bytes < 512 ? '' : (bytes / 1024).toFixed(0);
}

/** `rides-count-by-dropoff` -> `rcbd`: short column heads. */
function abbreviate(service: string): string {
  return service
    .split('-')
    .map((w) => w[0])
    .join('');
}
