import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';

/** One request the fixture served, for tests that check what a client sent. */
export interface RegistryRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly body: unknown;
}

interface Version {
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

/**
 * A TEST FIXTURE, not a schema registry: the subset of Confluent Schema Registry's REST API
 * that the client uses, served over real HTTP so the client's requests (paths, methods,
 * content types, bodies) are checked against the API as Confluent documents it. No real
 * registry runs on these machines (see the README's Avro section); this stands in for one.
 *
 * Served: `POST /subjects/{s}/versions` (register; the existing id for a schema the subject
 * has; 409 when BACKWARD-incompatible with the latest version; 422 for an invalid schema),
 * `POST /subjects/{s}` (look a schema up), `GET /schemas/ids/{id}`,
 * `GET /subjects/{s}/versions/{v|latest}`, `GET|PUT /config/{s}`,
 * `POST /compatibility/subjects/{s}/versions/{v|latest}`. Errors have Confluent's
 * `{error_code, message}` bodies (40401 subject, 40402 version, 40403 schema, 40408 no config).
 * @see https://docs.confluent.io/platform/current/schema-registry/develop/api.html
 */
export class ConfluentRegistryFixture {
  readonly requests: RegistryRequest[] = [];
  private readonly subjects = new Map<string, Version[]>();
  private readonly schemas = new Map<number, string>();
  private readonly configs = new Map<string, string>();
  private nextId = 1;
  /** When set, every request is answered with this status (an outage). */
  failWith: number | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ConfluentRegistryFixture> {
    let fixture: ConfluentRegistryFixture | undefined;
    const server = createServer((req, res) => {
      void fixture?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fixture = new ConfluentRegistryFixture(server, `http://127.0.0.1:${port}`);
    return fixture;
  }

  /** Registers directly (test setup), as a producer would have: the schema's id. */
  seed(subject: string, schema: string): number {
    return this.register(subject, schema).id;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = decodeURI((req.url ?? '/').split('?')[0] ?? '/');
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path,
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      body,
    });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(payload));
    };
    if (this.failWith !== undefined) return reply(this.failWith, { error_code: 50001, message: 'outage' });
    const m = (re: RegExp) => re.exec(path);
    let match: RegExpExecArray | null;
    if (req.method === 'GET' && (match = m(/^\/schemas\/ids\/(\d+)$/))) {
      const schema = this.schemas.get(Number(match[1]));
      return schema === undefined
        ? reply(404, { error_code: 40403, message: 'Schema not found' })
        : reply(200, { schema });
    }
    if (req.method === 'POST' && (match = m(/^\/subjects\/([^/]+)\/versions$/))) {
      const schema = (body as { schema?: unknown } | undefined)?.schema;
      if (typeof schema !== 'string') return reply(422, { error_code: 42201, message: 'Invalid schema' });
      try {
        avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
      } catch (e) {
        return reply(422, { error_code: 42201, message: `Invalid schema: ${(e as Error).message}` });
      }
      const latest = this.subjects.get(match[1] as string)?.at(-1);
      if (latest && latest.schema !== schema && !backwardCompatible(schema, latest.schema)) {
        return reply(409, {
          error_code: 409,
          message: 'Schema being registered is incompatible with an earlier schema',
        });
      }
      return reply(200, { id: this.register(match[1] as string, schema).id });
    }
    if (req.method === 'POST' && (match = m(/^\/subjects\/([^/]+)$/))) {
      const versions = this.subjects.get(match[1] as string);
      if (!versions) return reply(404, { error_code: 40401, message: 'Subject not found' });
      const schema = (body as { schema?: string }).schema;
      const found = versions.find((v) => v.schema === schema);
      return found
        ? reply(200, { subject: match[1], ...found })
        : reply(404, { error_code: 40403, message: 'Schema not found' });
    }
    if (req.method === 'GET' && (match = m(/^\/subjects\/([^/]+)\/versions\/(latest|\d+)$/))) {
      const versions = this.subjects.get(match[1] as string);
      if (!versions) return reply(404, { error_code: 40401, message: 'Subject not found' });
      const v =
        match[2] === 'latest' ? versions.at(-1) : versions.find((x) => x.version === Number(match?.[2]));
      return v
        ? reply(200, { subject: match[1], ...v })
        : reply(404, { error_code: 40402, message: 'Version not found' });
    }
    if ((match = m(/^\/config\/([^/]+)$/))) {
      if (req.method === 'PUT') {
        const level = (body as { compatibility: string }).compatibility;
        this.configs.set(match[1] as string, level);
        return reply(200, { compatibility: level });
      }
      const level = this.configs.get(match[1] as string);
      return level
        ? reply(200, { compatibilityLevel: level })
        : reply(404, {
            error_code: 40408,
            message: 'Subject does not have subject-level compatibility configured',
          });
    }
    if (
      req.method === 'POST' &&
      (match = m(/^\/compatibility\/subjects\/([^/]+)\/versions\/(latest|\d+)$/))
    ) {
      const latest = this.subjects.get(match[1] as string)?.at(-1);
      if (!latest) return reply(404, { error_code: 40401, message: 'Subject not found' });
      const schema = (body as { schema: string }).schema;
      return reply(200, { is_compatible: backwardCompatible(schema, latest.schema) });
    }
    return reply(404, { error_code: 404, message: `not served by the fixture: ${req.method} ${path}` });
  }

  private register(subject: string, schema: string): Version {
    const versions = this.subjects.get(subject) ?? [];
    const existing = versions.find((v) => v.schema === schema);
    if (existing) return existing;
    let id = [...this.schemas].find(([, s]) => s === schema)?.[0];
    if (id === undefined) {
      id = this.nextId++;
      this.schemas.set(id, schema);
    }
    const version = { id, version: versions.length + 1, schema };
    versions.push(version);
    this.subjects.set(subject, versions);
    return version;
  }
}

/** BACKWARD (Confluent's default): consumers on the new schema can read data of the latest. */
function backwardCompatible(next: string, latest: string): boolean {
  try {
    const reader = avro.Type.forSchema(JSON.parse(next) as avro.Schema);
    reader.createResolver(avro.Type.forSchema(JSON.parse(latest) as avro.Schema));
    return true;
  } catch {
    return false;
  }
}
