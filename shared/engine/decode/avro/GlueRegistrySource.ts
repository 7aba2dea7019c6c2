import { GetSchemaVersionCommand, GlueClient, type GlueClientConfig } from '@aws-sdk/client-glue';
import type { GlueSchemaVersionSource } from './GlueSchemaVersionSource.js';
import { SchemaRegistryError } from './SchemaRegistryError.js';

/**
 * Writer schemas of Glue-framed records from the AWS Glue Schema Registry, by schema version
 * id (`GetSchemaVersion`), for {@link glueAvroCodec}. The codec caches what it resolves, so
 * each container asks once per version. Not exported from the avro index: importing it pulls
 * in `@aws-sdk/client-glue`, which only handlers reading Glue-framed records need.
 *
 * `EntityNotFoundException` means no such version: `undefined`, a dead letter. Anything else
 * (throttling, access denied, network) is an outage: {@link SchemaRegistryError}, a retried batch.
 * @see https://docs.aws.amazon.com/glue/latest/webapi/API_GetSchemaVersion.html
 */
export class GlueRegistrySource implements GlueSchemaVersionSource {
  readonly description: string;
  private readonly client: GlueClient;

  constructor(options: { readonly client?: GlueClient; readonly clientConfig?: GlueClientConfig } = {}) {
    // Few retries: Lambda retries the whole batch anyway.
    this.client = options.client ?? new GlueClient({ maxAttempts: 2, ...options.clientConfig });
    this.description = 'AWS Glue Schema Registry';
  }

  async schemaByVersionId(schemaVersionId: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSchemaVersionCommand({ SchemaVersionId: schemaVersionId }));
      return out.SchemaDefinition;
    } catch (err) {
      if ((err as { name?: string }).name === 'EntityNotFoundException') return undefined;
      throw new SchemaRegistryError(
        `${this.description}: schema version ${schemaVersionId}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
