import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EmbeddedDynamo } from './embeddedDynamo.js';

/** What the child sends once its server listens (see embeddedDynamoMain.ts). */
export interface EmbeddedDynamoReady {
  readonly endpoint: string;
}

/** A fresh dynalite answers in well under a second; 30 s means the child is stuck. */
const READY_TIMEOUT_MS = 30_000;

// The entry point beside this file, in the same form this file runs in (.ts from source, .js
// built). From source the child loads tsx itself: under vitest or another loader the parent's
// execArgv need not carry one.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const MAIN = fileURLToPath(new URL(`./embeddedDynamoMain${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url));
const EXEC_ARGV = FROM_SOURCE
  ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
  : [];

/**
 * Starts the same embedded DynamoDB as {@link startEmbeddedDynamo} (dynalite with the project's
 * DynamoDB limits and browser guard, in memory or on LevelDB at `path`) in a child Node process,
 * and returns its loopback endpoint.
 *
 * Why a process: dynalite does its work (request parsing, validation, LevelDB) on the event
 * loop of whoever hosts it. In the runner's process it competes with the runner, the handlers
 * and the AWS SDK for one thread, and the store is where the local path spends over 90 % of its
 * time; in its own process it gets a core of its own, and the handler still talks HTTP to a
 * real DynamoDB implementation exactly as in-process. The child exits when this process
 * disconnects or exits, so it never outlives its owner.
 */
export async function startEmbeddedDynamoProcess(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const child = fork(MAIN, options.path ? ['--path', options.path] : [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: EXEC_ARGV,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ready = await new Promise<EmbeddedDynamoReady>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`the embedded DynamoDB process sent no endpoint within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as EmbeddedDynamoReady);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the embedded DynamoDB process exited (code ${code}) before it listened`));
      });
    });
    return { endpoint: ready.endpoint, pid: child.pid!, close: () => stopChild(child, exited) };
  } catch (err) {
    await stopChild(child, exited);
    throw err;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await exited;
}
