import { request } from 'node:http';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../../shared/engine/store/dynamo/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../../shared/local/index.js';

/** A raw HTTP request to the store, as a browser (or anything else) could send it. */
function send(
  endpoint: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/', method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

const listTables = {
  'Content-Type': 'application/x-amz-json-1.0',
  'X-Amz-Target': 'DynamoDB_20120810.ListTables',
};

describe('the embedded DynamoDB and web pages', () => {
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('serves the SDK, which sends no Origin', async () => {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    await expect(doc.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    doc.destroy();
  });

  it('refuses a request from a web page, a CORS preflight and a non-loopback Host, saying why', async () => {
    const port = new URL(dynamo.endpoint).port;
    const fromPage = await send(dynamo.endpoint, 'POST', { ...listTables, Origin: 'https://evil.example' });
    const preflight = await send(dynamo.endpoint, 'OPTIONS', {
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
    });
    const rebound = await send(dynamo.endpoint, 'POST', { ...listTables, Host: `evil.example:${port}` });

    expect([fromPage.status, preflight.status, rebound.status]).toEqual([403, 403, 403]);
    expect(fromPage.body).toContain('Origin https://evil.example');
    expect(preflight.body).toContain('CORS preflight');
    expect(rebound.body).toContain('Host evil.example is not loopback');
    // Without an Origin, from loopback, the same request reaches dynalite (which then wants a signature).
    const plain = await send(dynamo.endpoint, 'POST', listTables);
    expect(plain.status).not.toBe(403);
    expect(plain.body).toContain('MissingAuthenticationToken');
  });
});
