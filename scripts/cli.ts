#!/usr/bin/env -S npx tsx
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addCatalogOption } from './lib/catalog.js';

/**
 * The project's command line: `npm run cli -- <command> --help`.
 * Each command lives in scripts/commands/<name>.ts and exports `register(program)`.
 */

// Local runs are for people: quiet the Lambda-oriented JSON logs and EMF metrics unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The AWS SDK warns on every run that releases after January 2027 will need Node 22; this
// project needs Node 22+ (engines) and its scripts run on Node 24, so the warning is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// kafkajs 2.2.4 (its last release) schedules a timer with a negative delay on every connection
// (tulios/kafkajs#1751, open); Node 24 reports it as a TimeoutNegativeWarning, though the delay
// is clamped to 1 ms as on earlier Nodes. Nothing a user can act on: drop that one warning.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'TimeoutNegativeWarning') return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// The version is package.json's, read at run time so it cannot drift from a copy. This file
// runs as scripts/cli.ts (tsx, in the repository) or as dist/scripts/cli.js (the package's bin).
const packageJson = ['../package.json', '../../package.json']
  .map((path) => new URL(path, import.meta.url))
  .find((url) => existsSync(url));
const { version } = JSON.parse(packageJson ? readFileSync(packageJson, 'utf8') : '{"version":"unknown"}') as {
  version: string;
};

const program = new Command('cli')
  .description('Serverless Kafka stream processing: local tools')
  .version(version, '-V, --version', 'print the version (from package.json)')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });
// One --catalog for every command (before or after the command name).
addCatalogOption(program);

const registrations: Array<Promise<{ register: (p: Command) => void }>> = [
  // one line per command module
  import('./commands/produce.js'),
  import('./commands/topics.js'),
  import('./commands/consume.js'),
  import('./commands/datagen.js'),
  import('./commands/events.js'),
  import('./commands/invoke.js'),
  import('./commands/replay.js'),
  import('./commands/query.js'),
  import('./commands/deadLetters.js'),
  import('./commands/reset.js'),
  import('./commands/recover.js'),
  import('./commands/start.js'),
  import('./commands/run.js'),
  import('./commands/serve.js'),
  import('./commands/sweep.js'),
];
for (const mod of await Promise.all(registrations)) mod.register(program);

await program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { code?: string };
  process.stderr.write(`error: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
  if (process.env.DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
