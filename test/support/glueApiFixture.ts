import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fixture served. */
export interface GlueApiRequest {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/**
 * A TEST FIXTURE, not AWS Glue: the one Glue API operation the Glue source calls,
 * `GetSchemaVersion` by `SchemaVersionId`, served over real HTTP in Glue's protocol (AWS JSON
 * 1.1: `POST /` with `X-Amz-Target: AWSGlue.GetSchemaVersion`), so the AWS SDK's request and
 * its parsing of answers and errors (`EntityNotFoundException`, `ThrottlingException`) are
 * exercised as they would be against Glue. No Glue endpoint is reachable from here.
 * @see https://docs.aws.amazon.com/glue/latest/webapi/API_GetSchemaVersion.html
 */
export class GlueApiFixture {
  readonly requests: GlueApiRequest[] = [];
  /** Schema definitions by version id. */
  readonly versions = new Map<string, string>();
  /** When set, every request is throttled (an outage the client cannot retry past). */
  throttled = false;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<GlueApiFixture> {
    let fixture: GlueApiFixture | undefined;
    const server = createServer((req, res) => void fixture?.handle(req, res));
    fixture = new GlueApiFixture(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fixture;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as { SchemaVersionId?: string }) : {};
    const target = req.headers['x-amz-target'] as string | undefined;
    this.requests.push({ target, contentType: req.headers['content-type'], body });
    const send = (status: number, json: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(json));
    };
    if (this.throttled) {
      send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException');
      return;
    }
    if (req.method !== 'POST' || target !== 'AWSGlue.GetSchemaVersion') {
      send(400, { __type: 'UnknownOperationException' }, 'UnknownOperationException');
      return;
    }
    const id = body.SchemaVersionId ?? '';
    const definition = this.versions.get(id);
    if (definition === undefined) {
      send(
        400,
        { __type: 'EntityNotFoundException', Message: `Schema version is not found. SchemaVersionId: ${id}` },
        'EntityNotFoundException',
      );
      return;
    }
    send(200, {
      SchemaVersionId: id,
      SchemaDefinition: definition,
      DataFormat: 'AVRO',
      SchemaArn: 'arn:aws:glue:eu-west-1:123456789012:schema/rides/rides-value',
      VersionNumber: 1,
      Status: 'AVAILABLE',
      CreatedTime: '2026-12-02T00:00:00Z',
    });
  }
}
