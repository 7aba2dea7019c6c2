import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../infra/config/index.js';
import {
  CONFLUENT_SCHEMA_REGISTRY,
  GLUE_SCHEMA_REGISTRY,
  policyStatements,
  type ResourceJson,
  resourcesOf,
  SECRET_ARN,
  synth,
} from './support/synth.js';

/** A function's SCHEMA_REGISTRY_RECORD_FORMAT, if it has one. */
function recordFormatOf(fn: ResourceJson | undefined): string | undefined {
  const props = fn?.Properties as { Environment?: { Variables?: Record<string, string> } } | undefined;
  return props?.Environment?.Variables?.SCHEMA_REGISTRY_RECORD_FORMAT;
}

describe("Lambda's schema-registry integration on the mapping (provisioned pollers)", () => {
  it('puts the registry on the mappings of Avro handlers only, and tells their codec the record format', () => {
    const { template } = synth(CONFLUENT_SCHEMA_REGISTRY);
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
    const withRegistry = mappings
      .filter(([, m]) => JSON.stringify(m.Properties).includes('SchemaRegistryConfig'))
      .map(([id]) => id);
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const formatOf = (prefix: string) =>
      functions.find(
        ([id]) => id.startsWith(prefix) && (prefix.endsWith('Avro') || !id.startsWith(`${prefix}Avro`)),
      )?.[1];

    expect(mappings.length).toBeGreaterThan(5);
    expect(withRegistry).toHaveLength(1);
    expect(withRegistry[0]).toMatch(/^RidesTumblingByPickupAvro/);
    expect(recordFormatOf(formatOf('RidesTumblingByPickupAvro'))).toBe('json');
    expect(recordFormatOf(formatOf('RidesTumblingByPickup'))).toBeUndefined();
    expect(recordFormatOf(formatOf('RidesCountByDropoff'))).toBeUndefined();
    const glue = synth(GLUE_SCHEMA_REGISTRY).template;
    expect(
      recordFormatOf(
        resourcesOf(glue, 'AWS::Lambda::Function').find(([id]) =>
          id.startsWith('RidesTumblingByPickupAvro'),
        )?.[1],
      ),
    ).toBe('source');
  });

  it('sets SchemaRegistryConfig for a Confluent registry: JSON records, BASIC_AUTH secret, values validated', () => {
    const { template } = synth(CONFLUENT_SCHEMA_REGISTRY);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SelfManagedKafkaEventSourceConfig: {
        SchemaRegistryConfig: {
          SchemaRegistryURI: 'https://psrc-abc12.eu-west-1.aws.confluent.cloud',
          EventRecordFormat: 'JSON',
          AccessConfigs: [{ Type: 'BASIC_AUTH', URI: SECRET_ARN }],
          SchemaValidationConfigs: [{ Attribute: 'VALUE' }],
        },
      },
    });
  });

  it('lets the function role read the registry secret (Lambda reads it with that role)', () => {
    const { template } = synth(CONFLUENT_SCHEMA_REGISTRY);
    const reads = policyStatements(template, 'RidesTumblingByPickupAvroRoleDefaultPolicy').filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(reads)).toContain(SECRET_ARN);
  });

  it('sets a Glue registry by ARN: SOURCE records, keys and values validated, Glue read grants', () => {
    const { template } = synth(GLUE_SCHEMA_REGISTRY);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: {
        SchemaRegistryConfig: {
          SchemaRegistryURI: 'arn:aws:glue:eu-west-1:123456789012:registry/rides',
          EventRecordFormat: 'SOURCE',
          SchemaValidationConfigs: [{ Attribute: 'KEY' }, { Attribute: 'VALUE' }],
        },
      },
    });
    const glue = policyStatements(template, 'RidesTumblingByPickupAvroRoleDefaultPolicy')
      .flatMap((st) => st.Action)
      .filter((a) => String(a).startsWith('glue:'));
    expect(new Set(glue)).toEqual(new Set(['glue:GetRegistry', 'glue:GetSchemaVersion']));
  });

  it('creates the mapping after the grants the registry added (Lambda checks them at creation)', () => {
    const { template } = synth(CONFLUENT_SCHEMA_REGISTRY);
    const [, mapping] = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(([id]) =>
      id.startsWith('RidesTumblingByPickupAvro'),
    )!;
    expect(JSON.stringify(mapping.DependsOn)).toMatch(/RidesTumblingByPickupAvroRoleDefaultPolicy/);
  });

  it('sets no SchemaRegistryConfig without a registry', () => {
    const { template } = synth({
      ...CONFLUENT_SCHEMA_REGISTRY,
      schemaRegistryUri: undefined,
      schemaRegistrySecretArn: undefined,
    });
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      expect(JSON.stringify(m.Properties)).not.toContain('SchemaRegistryConfig');
    }
  });

  it.each([
    ['on-demand pollers', { ...CONFLUENT_SCHEMA_REGISTRY, pollerMode: 'on-demand' }, /provisioned mode only/],
    [
      'a Confluent registry without a secret',
      { ...CONFLUENT_SCHEMA_REGISTRY, schemaRegistrySecretArn: undefined },
      /needs schemaRegistrySecretArn/,
    ],
    [
      'an http:// registry URL',
      { ...CONFLUENT_SCHEMA_REGISTRY, schemaRegistryUri: 'http://registry:8081' },
      /https:\/\/ Confluent registry URL or a Glue registry ARN/,
    ],
  ])('refuses %s at synth', (_name, raw, message) => {
    expect(() => parseDeploymentConfig(raw as Record<string, unknown>)).toThrow(message);
  });
});

describe('an Avro handler deployed without a schema registry', () => {
  const avroWarnings = (stack: Parameters<typeof Annotations.fromStack>[0]) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('reads Avro from'));

  it('is flagged at synth: its records would all be UNKNOWN_SCHEMA_ID dead letters', () => {
    const { stack } = synth();

    const warnings = avroWarnings(stack);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.entry.data)).toContain(
      'rides-tumbling-by-pickup-avro reads Avro from rides-avro, but no schemaRegistryUri is configured',
    );
  });

  it('is not flagged once the registry is configured', () => {
    const { stack } = synth(CONFLUENT_SCHEMA_REGISTRY);

    expect(avroWarnings(stack)).toEqual([]);
  });
});
