import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsume } from '../../../scripts/commands/consume.js';
import { runProduce } from '../../../scripts/commands/produce.js';
import { createTopic, listTopics } from '../../../scripts/commands/topics.js';
import { KafkaUnavailableError } from '../../../scripts/lib/kafkaConnect.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { dataPath } from '../../support/rides.js';

/**
 * A port that accepts TCP connections but never speaks Kafka (another program on the port, a
 * hung broker) fails the Kafka commands within the connect timeout, with the message and code
 * of a refused connection, instead of kafkajs' "Broker not connected" after its ~30 s request
 * timeout.
 */

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** The commands' default probe timeout is 3 s; the bound leaves room for a slow machine. */
const WITHIN_MS = 15_000;

let server: Server;
const sockets: Socket[] = [];
let silent: string;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined); // accepts, reads nothing back, writes nothing
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the silent server has no TCP address');
  silent = `127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => server.close(done));
});

/** The refused-connection message, for a given address. */
const unavailable = (address: string) =>
  new RegExp(
    `^no Kafka broker answered at ${address.replace(/\./g, '\\.')} \\(.+\\) within 3000 ms\\. ` +
      'Check --brokers / KAFKA_BROKERS, or start the local broker with `bash scripts/kafka/broker\\.sh start`',
  );

/** Runs `act`, returning what it threw and how long it took. */
async function failure(
  act: () => Promise<unknown>,
): Promise<{ error: Error & { code?: string }; elapsedMs: number }> {
  const startedMs = Date.now();
  const error = await act().then(
    () => {
      throw new Error('expected the command to fail');
    },
    (e: Error) => e,
  );
  return { error, elapsedMs: Date.now() - startedMs };
}

describe.each([
  ['consume', () => runConsume({ brokers: silent, topic: 'rides', output: captureOutput() })],
  [
    'produce',
    () =>
      runProduce({ brokers: silent, topic: 'rides', file: dataPath('rides.csv'), output: captureOutput() }),
  ],
  ['topics list', () => listTopics({ brokers: silent, output: captureOutput() })],
  ['topics create', () => createTopic({ brokers: silent, name: 'rides', output: captureOutput() })],
])('%s against a port that accepts but never answers', (_name, act) => {
  it('fails within seconds with the refused-connection message and code', async () => {
    const { error, elapsedMs } = await failure(act);

    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error.code).toBe('KAFKA_UNAVAILABLE');
    expect(error.message).toMatch(unavailable(silent));
    expect(error.message).toContain('accepted the connection but sent no Kafka answer');
    expect(error.message).not.toContain('Broker not connected');
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  });
});

describe('a refused connection', () => {
  it('gets the same message and code', async () => {
    const { error } = await failure(() => listTopics({ brokers: '127.0.0.1:1', output: captureOutput() }));

    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error.code).toBe('KAFKA_UNAVAILABLE');
    expect(error.message).toMatch(unavailable('127.0.0.1:1'));
  });
});

describe('the CLI process', () => {
  it('exits 1 within seconds printing the message and [KAFKA_UNAVAILABLE]', async () => {
    const startedMs = Date.now();

    const error = (await promisify(execFile)(
      'npx',
      ['tsx', 'scripts/cli.ts', 'consume', '--topic', 'rides', '--brokers', silent],
      { cwd: REPO_ROOT, timeout: 60_000 },
    ).catch((e: unknown) => e)) as { code?: number; stderr?: string };

    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(
      /error: no Kafka broker answered at 127\.0\.0\.1:\d+ \(accepted the connection/,
    );
    expect(error.stderr).toContain('[KAFKA_UNAVAILABLE]');
    expect(error.stderr).not.toContain('Broker not connected');
    // A tsx start costs a few seconds of its own on top of the 3 s probe.
    expect(Date.now() - startedMs).toBeLessThan(WITHIN_MS + 10_000);
  });
});
