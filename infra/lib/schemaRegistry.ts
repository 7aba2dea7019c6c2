import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfluentSchemaRegistry, GlueSchemaRegistry } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import {
  readsSchemaRegistryRecords,
  SCHEMA_REGISTRY_RECORD_FORMAT_ENV,
} from '../../shared/engine/decode/avro/lambdaDeliveredAvroCodec.js';
import { codecByName } from '../../shared/engine/decode/registry.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import type { DeploymentConfig } from '../config/index.js';
import { acknowledge } from './nag.js';

type SchemaRegistryConfig = NonNullable<DeploymentConfig['consumer']['schemaRegistry']>;

/**
 * The mapping's schema registry from the deployment config: Glue for a Glue registry ARN,
 * Confluent (BASIC_AUTH with the given secret, as Confluent Cloud API keys are) for an
 * https URL. aws-cdk-lib's own classes, so the grants (the secret, or Glue's GetRegistry and
 * GetSchemaVersion) come with them and the template's `SchemaRegistryConfig` is the L2's.
 */
export function schemaRegistryOf(
  scope: Construct,
  id: string,
  config: SchemaRegistryConfig,
): lambda.ISchemaRegistry {
  const common = {
    eventRecordFormat:
      config.recordFormat === 'json' ? lambda.EventRecordFormat.JSON : lambda.EventRecordFormat.SOURCE,
    schemaValidationConfigs: config.validate.map((a) => ({
      attribute:
        a === 'key' ? lambda.KafkaSchemaValidationAttribute.KEY : lambda.KafkaSchemaValidationAttribute.VALUE,
    })),
  };
  if (config.uri.startsWith('arn:')) {
    const registryName = config.uri.slice(config.uri.indexOf(':registry/') + ':registry/'.length);
    // The resource GlueSchemaRegistry grants GetSchemaVersion on, as cdk-nag renders it.
    const schemas = flattenCfnReference({
      'Fn::Sub': [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:schema/${registryName}/*',
        { registryName },
      ],
    });
    acknowledge(
      scope,
      `AwsSolutions-IAM5[Resource::${schemas}]`,
      `Lambda reads the writer schema of each record by version id from the registry ${registryName}: every schema of that registry, and nothing outside it (aws-cdk-lib's GlueSchemaRegistry grant).`,
    );
    return new GlueSchemaRegistry({ ...common, schemaRegistryArn: config.uri });
  }
  if (!config.secretArn) throw new Error(`${id}: a Confluent schema registry needs schemaRegistrySecretArn`);
  return new ConfluentSchemaRegistry({
    ...common,
    schemaRegistryUri: config.uri,
    authenticationType: lambda.KafkaSchemaRegistryAccessConfigType.BASIC_AUTH,
    secret: Secret.fromSecretCompleteArn(scope, id, config.secretArn),
  });
}

/**
 * Whether a handler's mapping gets the deployment's schema registry: only handlers whose
 * pipelines read Avro with a codec that follows Lambda's delivery (`ride-avro`). A JSON topic
 * behind a registry would fail validation record by record, so the registry is per handler,
 * not per stack.
 */
export function usesSchemaRegistry(handler: HandlerSpec): boolean {
  return handler.pipelines.some((p) => readsSchemaRegistryRecords(codecByName(p.codec)));
}

/**
 * The function variable that tells the handler's Avro codec what Lambda delivers (see
 * `lambdaDeliveredAvroCodec`): the mapping's `EventRecordFormat`, lower case.
 */
export function schemaRegistryEnvironment(config: SchemaRegistryConfig): Record<string, string> {
  return { [SCHEMA_REGISTRY_RECORD_FORMAT_ENV]: config.recordFormat };
}
