import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { CONFLUENT, resourcesOf, synth } from './support/synth.js';

/** Everything a function's environment may hold: names and settings, never a credential. */
const ALLOWED_ENV = new Set([
  'AGGREGATES_TABLE',
  'DEAD_LETTER_TABLE',
  'STATE_TABLE',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
  // Final results: the partition count of the topic the stack created (a number, no secret).
  'SOURCE_TOPIC_PARTITIONS',
  // Gap detection off where the mapping filters or validates records (offsets jump legitimately).
  'OFFSET_GAPS',
  // The final-results sweeper: the pipelines it sweeps (names, topics, partition counts).
  'SWEEP_PIPELINES',
  // Avro handlers behind Lambda's schema registry: the mapping's EventRecordFormat (json|source).
  'SCHEMA_REGISTRY_RECORD_FORMAT',
  // Functions that write topics: broker addresses, the auth mechanism, a secret's ARN (not its value).
  'KAFKA_BROKERS',
  'KAFKA_AUTH',
  'KAFKA_SECRET_ARN',
  // The CDK provider framework's pointer to the topic-admin function.
  'USER_ON_EVENT_FUNCTION_ARN',
]);

describe('pipeline functions', () => {
  const { template } = synth({});
  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  // The handlers: functions with the tables, less the final-results sweeper (its own tests).
  const pipelineFunctions = functions.filter(
    ([, f]) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes('AGGREGATES_TABLE') &&
      !JSON.stringify(f.Properties.Environment ?? {}).includes('SWEEP_PIPELINES'),
  );

  it('are one per handler spec, on Node.js 24, arm64', () => {
    expect(pipelineFunctions).toHaveLength(catalog.handlers.length);
    for (const [, f] of pipelineFunctions) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
    }
  });

  it('name their Powertools service after the handler, and publish to the configured namespace', () => {
    const services = pipelineFunctions.map(
      ([, f]) => (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );

    expect(services.map((v) => v.POWERTOOLS_SERVICE_NAME).sort()).toEqual(
      catalog.handlers.map((h) => h.name).sort(),
    );
    for (const v of services) {
      expect(v.POWERTOOLS_METRICS_NAMESPACE).toBe('KafkaLambdaStreams');
      expect(v.AGGREGATES_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesAggregates/) });
      expect(v.DEAD_LETTER_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesDeadLetters/) });
      expect(v.STATE_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesState/) });
    }
  });

  it('can run on Node.js 22 when configured, the topic admin too', () => {
    const { template: t22 } = synth({ runtime: 'nodejs22.x' });
    // Not the CDK's own: the provider framework and the AwsCustomResource singleton (broker lookup).
    const ours = resourcesOf(t22, 'AWS::Lambda::Function').filter(
      ([id]) => !id.includes('framework') && !id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'),
    );

    // The handlers, the topic admin and the final-results sweeper.
    expect(ours).toHaveLength(catalog.handlers.length + 2);
    for (const [, f] of ours) expect(f.Properties.Runtime).toBe('nodejs22.x');
  });

  it('write to their own log group with the configured retention', () => {
    for (const [, f] of pipelineFunctions) {
      const logGroup = (f.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(template.toJSON().Resources[logGroup].Properties.RetentionInDays).toBe(30);
    }
  });

  it('use roles without managed policies (no AWSLambdaBasicExecutionRole, no AWSLambdaMSKExecutionRole)', () => {
    for (const [, role] of resourcesOf(template, 'AWS::IAM::Role'))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe.each([
  ['msk-serverless', {}, undefined],
  ['self-managed', { ...CONFLUENT }, CONFLUENT.secretArn],
])('no secret in any environment (%s)', (_mode, raw, secretArn) => {
  it('holds only table names and settings; secrets stay in Secrets Manager, referenced by ARN', () => {
    const { template } = synth(raw);

    for (const [id, f] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const { KAFKA_SECRET_ARN, ...variables } =
        (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const unexpected = Object.keys(variables).filter((k) => !ALLOWED_ENV.has(k));
      expect(unexpected, id).toEqual([]);
      expect(JSON.stringify(variables), id).not.toMatch(/secretsmanager|password|secret/i);
      // The one secret-shaped value is the ARN of the secret the mapping uses, never its content.
      if (KAFKA_SECRET_ARN !== undefined) expect(KAFKA_SECRET_ARN, id).toBe(secretArn);
    }
  });
});
