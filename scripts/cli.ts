#!/usr/bin/env -S npx tsx
/**
 * The project's command line: `npm run cli -- <command> --help`.
 * Each command lives in scripts/commands/<name>.ts and exports `register(program)`.
 */
import { Command } from 'commander';

// Local runs are for people: quiet the Lambda-oriented JSON logs and EMF metrics unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const program = new Command('cli')
  .description('Serverless Kafka stream processing: local tools')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

const registrations: Array<Promise<{ register: (p: Command) => void }>> = [
  // one line per command module
];
for (const mod of await Promise.all(registrations)) mod.register(program);

await program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { code?: string };
  process.stderr.write(`error: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
  if (process.env.DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
