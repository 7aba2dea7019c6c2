import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRun } from '../../scripts/commands/run.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { ConfigError } from '../../shared/engine/errors/index.js';

/**
 * `run` checks its flags before it connects: a mistyped function is named with the known ones,
 * and no broker (nor DynamoDB) is contacted first.
 */
describe('run with a wrong --function', () => {
  let server: Server;
  let connections = 0;
  const sockets: Socket[] = [];
  let brokers: string;

  beforeAll(async () => {
    // Counts connection attempts; accepts and stays silent, like a port that is no broker.
    server = createServer((socket) => {
      connections++;
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    brokers = `127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('names the unknown function and the known ones before connecting to any broker', async () => {
    const before = connections;

    const error = await runRun({ brokers, functions: ['nope'], output: captureOutput() }).catch((e) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/unknown function "nope"; known: .*rides-count-by-dropoff/);
    expect(connections - before).toBe(0);
  });

  it('names the unknown function even when no broker listens at all', async () => {
    const error = await runRun({
      brokers: '127.0.0.1:1',
      functions: ['rides-count-by-dropoff', 'nope'],
      output: captureOutput(),
    }).catch((e) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/unknown function "nope"/);
  });

  it('asks for --topic for a function without a topic of its own before connecting', async () => {
    const before = connections;

    const error = await runRun({ brokers, functions: ['topic-admin'], output: captureOutput() }).catch(
      (e) => e,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/topic-admin has no topic of its own: pass --topic/);
    expect(connections - before).toBe(0);
  });
});
