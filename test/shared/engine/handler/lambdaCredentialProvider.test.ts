import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../../../shared/engine/handler/lambdaCredentialProvider.js';

const VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_PROFILE',
];

describe('the credential chain of function bundles (in place of credential-provider-node)', () => {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const name of VARIABLES) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("reads the execution role's credentials from the variables Lambda sets", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fetches them from a container credentials endpoint when no variables hold them', async () => {
    const server = await credentialsServer({
      AccessKeyId: 'ASIACONTAINER',
      SecretAccessKey: 'container-secret',
      Token: 'container-token',
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    });
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;

      const credentials = await defaultProvider()();

      expect(credentials).toMatchObject({ accessKeyId: 'ASIACONTAINER', sessionToken: 'container-token' });
      expect(credentials.expiration).toBeInstanceOf(Date);
    } finally {
      server.close();
    }
  });

  it('fails with a message naming the variables it looked for, and no profile lookup', async () => {
    process.env.AWS_PROFILE = 'someone'; // a workstation setting: not followed in a Lambda bundle

    await expect(defaultProvider()()).rejects.toThrow(
      /no AWS credentials: neither AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY nor a container credentials endpoint/,
    );
  });
});

/** A container credentials endpoint (as ECS and the Lambda-like runtimes serve) on loopback. */
async function credentialsServer(body: Record<string, string>): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
