import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaRegistryError } from './SchemaRegistryError.js';
import type { SchemaRegistrar } from './WriterSchemaSource.js';

/** How to reach a Confluent-compatible registry (Confluent Cloud or Platform, Apicurio's ccompat API). */
export interface ConfluentRegistryOptions {
  /** Base URL, e.g. `https://psrc-xxxx.eu-central-1.aws.confluent.cloud`. */
  readonly url: string;
  /** Basic auth (Confluent Cloud: API key and secret). @default none */
  readonly auth?: { readonly username: string; readonly password: string } | undefined;
  /**
   * Retries of the client before an outage fails the batch. Lambda retries the whole batch
   * anyway, so few and short.
   * @default 2 retries within 2 s
   */
  readonly retries?: number;
}

/**
 * A Confluent-compatible schema registry through `@kafkajs/confluent-schema-registry`
 * (chosen over `@confluentinc/schemaregistry`: about 370 KB minified against 5 MB, and a
 * release line for Node 20 (3.x) beside the one for Node 22+ (4.x); see the README's Avro
 * section). The client caches schemas by id, so each container asks once per id.
 *
 * An HTTP 404 for an id means no such schema: `undefined`, a dead letter. Anything else
 * (connection refused, 5xx, 401) is an outage: {@link SchemaRegistryError}, a retried batch.
 */
export class ConfluentRegistrySource implements SchemaRegistrar {
  readonly description: string;
  private readonly client: SchemaRegistry;

  constructor(options: ConfluentRegistryOptions) {
    this.description = `schema registry ${options.url}`;
    this.client = new SchemaRegistry({
      host: options.url,
      ...(options.auth ? { auth: options.auth } : {}),
      retry: { retries: options.retries ?? 2, maxRetryTimeInSecs: 2 },
    });
  }

  async schemaById(id: number): Promise<string | undefined> {
    try {
      const schema = await this.client.getSchema(id);
      // The client hands back a parsed avsc Type; schema() gives the writer schema back as
      // JSON, and only with exportAttrs does it keep defaults and logical types.
      const type = schema as unknown as { schema(options: { exportAttrs: boolean }): unknown };
      return JSON.stringify(type.schema({ exportAttrs: true }));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new SchemaRegistryError(`${this.description}: schema id ${id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Registers under `subject` (`POST /subjects/{subject}/versions`); the registry answers
   * with the existing id when the subject already has this schema, and refuses a schema that
   * breaks the subject's compatibility level (409), which surfaces as a SchemaRegistryError
   * with code `SCHEMA_INCOMPATIBLE`.
   */
  async register(subject: string, schema: string): Promise<number> {
    try {
      // The client sets BACKWARD (Confluent's default level) on a subject it creates and
      // refuses to register under a subject configured otherwise.
      const { id } = await this.client.register({ type: SchemaType.AVRO, schema }, { subject });
      return id;
    } catch (err) {
      const status = statusOf(err);
      throw new SchemaRegistryError(
        `${this.description}: register under ${subject}: ${(err as Error).message}`,
        {
          cause: err,
          ...(status === 409 ? { code: 'SCHEMA_INCOMPATIBLE' } : {}),
        },
      );
    }
  }

  /** The id of a subject's version (`GET /subjects/{s}/versions/{v}`), for `--schema-version`. */
  async idOfVersion(subject: string, version: number | 'latest'): Promise<number> {
    try {
      return version === 'latest'
        ? await this.client.getLatestSchemaId(subject)
        : await this.client.getRegistryId(subject, version);
    } catch (err) {
      throw new SchemaRegistryError(
        `${this.description}: ${subject} version ${version}: ${(err as Error).message}`,
        {
          cause: err,
          ...(statusOf(err) === 404 ? { code: 'SCHEMA_NOT_FOUND' } : {}),
        },
      );
    }
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
