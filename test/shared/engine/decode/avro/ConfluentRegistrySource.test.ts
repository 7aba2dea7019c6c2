import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfluentRegistrySource,
  SchemaRegistryError,
  topicSubject,
} from '../../../../../shared/engine/decode/avro/index.js';
import { ConfluentRegistryFixture } from '../../../../support/confluentRegistryFixture.js';

const v1 = JSON.stringify({
  type: 'record',
  name: 'Ride',
  fields: [{ name: 'vendor_id', type: 'int' }],
});
const v2 = JSON.stringify({
  type: 'record',
  name: 'Ride',
  fields: [
    { name: 'vendor_id', type: 'int' },
    { name: 'tip', type: 'double', default: 0 },
  ],
});
/** A new required field without a default: BACKWARD-incompatible with v1. */
const breaking = JSON.stringify({
  type: 'record',
  name: 'Ride',
  fields: [
    { name: 'vendor_id', type: 'int' },
    { name: 'tip', type: 'double' },
  ],
});
/** Confluent's content type for requests and responses. */
const CONFLUENT_JSON = 'application/vnd.schemaregistry.v1+json';

describe('ConfluentRegistrySource against the REST API as Confluent documents it (in-test fixture)', () => {
  let fixture: ConfluentRegistryFixture;
  beforeAll(async () => {
    fixture = await ConfluentRegistryFixture.start();
  });
  afterAll(async () => {
    await fixture.close();
  });
  beforeEach(() => {
    fixture.failWith = undefined;
    fixture.requests.length = 0;
  });
  const client = () => new ConfluentRegistrySource({ url: fixture.url, retries: 0 });

  it('registers under the TopicNameStrategy subject with POST /subjects/{subject}/versions', async () => {
    const id = await client().register(topicSubject('rides-avro', 'value'), v1);
    const post = fixture.requests.find((r) => r.method === 'POST');
    expect(post).toMatchObject({
      path: '/subjects/rides-avro-value/versions',
      contentType: CONFLUENT_JSON,
      body: { schema: v1 },
    });
    expect(id).toBeGreaterThan(0);
  });

  it('gets the same id back for a schema the subject already has, and a new one for a compatible evolution', async () => {
    const source = client();
    const first = await source.register('evolve-value', v1);
    const again = await source.register('evolve-value', v1);
    const next = await source.register('evolve-value', v2);
    expect(again).toBe(first);
    expect(next).not.toBe(first);
    expect(await source.idOfVersion('evolve-value', 'latest')).toBe(next);
    expect(await source.idOfVersion('evolve-value', 1)).toBe(first);
    expect(fixture.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'GET /subjects/evolve-value/versions/1',
    );
  });

  it('a BACKWARD-incompatible schema is refused (409): SCHEMA_INCOMPATIBLE', async () => {
    const source = client();
    await source.register('strict-value', v1);
    await expect(source.register('strict-value', breaking)).rejects.toMatchObject({
      name: 'SchemaRegistryError',
      code: 'SCHEMA_INCOMPATIBLE',
    });
  });

  it('reads a writer schema with GET /schemas/ids/{id}', async () => {
    const id = fixture.seed('ids-value', v2);
    const text = await client().schemaById(id);
    expect(JSON.parse(text ?? 'null')).toEqual(JSON.parse(v2));
    expect(fixture.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /schemas/ids/${id}`]);
  });

  it('an id the registry does not have (404, error 40403) is undefined: a dead letter, not an outage', async () => {
    expect(await client().schemaById(4242)).toBeUndefined();
  });

  it.each([500, 503, 401])(
    'HTTP %i is an outage: SchemaRegistryError, the batch is retried',
    async (status) => {
      fixture.failWith = status;
      const err = await client()
        .schemaById(1)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaRegistryError);
      expect((err as SchemaRegistryError).code).toBe('SCHEMA_REGISTRY_UNAVAILABLE');
    },
  );

  it('a registry that does not listen is an outage too', async () => {
    const gone = new ConfluentRegistrySource({ url: 'http://127.0.0.1:9', retries: 0 });
    await expect(gone.schemaById(1)).rejects.toBeInstanceOf(SchemaRegistryError);
  });
});
