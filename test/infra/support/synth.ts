import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { catalog } from '../../../functions/catalog.js';
import { parseDeploymentConfig } from '../../../infra/config/index.js';
import { StreamProcessingStack } from '../../../infra/stacks/StreamProcessingStack.js';
import { outputTopicsOf } from '../../../shared/engine/catalog.js';
import type { HandlerSpec } from '../../../shared/engine/process/index.js';

/** A literal MSK cluster ARN for tests. */
export const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-3';
export const CLUSTER_UUID = '0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-3';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_rides-AbCdEf';
export const KMS_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const CONFLUENT = {
  mode: 'self-managed',
  bootstrapServers: 'pkc-abc12.eu-west-1.aws.confluent.cloud:9092',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:confluent-rides-AbCdEf',
} as const;

/** Where an existing MSK cluster's producing functions run (subnets and a group the brokers admit). */
export const MSK_PRODUCER_NETWORK = {
  vpcId: 'vpc-0abc1234',
  subnetIds: 'subnet-0aa,subnet-0bb',
  securityGroupIds: 'sg-0feed123',
} as const;

/** The catalog's handlers that write no topic, as `-c handlers=` takes them. */
export const NON_PRODUCING_HANDLERS = catalog.handlers
  .filter((h) => outputTopicsOf(h).length === 0)
  .map((h) => h.name)
  .join(',');

/** Self-managed brokers inside a VPC, SCRAM-512: the mapping's (and producers') network given. */
export const SELF_MANAGED_VPC = {
  mode: 'self-managed',
  bootstrapServers: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096',
  auth: 'scram-512',
  secretArn: SECRET_ARN,
  vpcId: 'vpc-0abc1234',
  subnetIds: 'subnet-0aa,subnet-0bb',
  securityGroupIds: 'sg-0123abcd',
} as const;

/** Lambda's schema-registry integration on a Confluent Cloud mapping: decoded JSON for the JSON codecs. */
export const CONFLUENT_SCHEMA_REGISTRY = {
  ...CONFLUENT,
  pollerMode: 'provisioned',
  schemaRegistryUri: 'https://psrc-abc12.eu-west-1.aws.confluent.cloud',
  schemaRegistrySecretArn: SECRET_ARN,
} as const;

/** The same through a Glue registry, Avro delivered without its frame (SOURCE), keys validated too. */
export const GLUE_SCHEMA_REGISTRY = {
  mode: 'msk',
  clusterArn: CLUSTER_ARN,
  ...MSK_PRODUCER_NETWORK,
  pollerMode: 'provisioned',
  schemaRegistryUri: 'arn:aws:glue:eu-west-1:123456789012:registry/rides',
  schemaRegistryRecordFormat: 'source',
  schemaRegistryValidate: 'key,value',
} as const;

/** One config per source mode and network shape, as the nag and lint runs cover them. */
export const MODE_VARIANTS: Record<string, Record<string, unknown>> = {
  'msk-serverless, new VPC': {},
  'msk-serverless, new VPC without NAT': { natGateways: 0 },
  'msk-serverless, explicit account and region': { account: '123456789012', region: 'eu-west-1' },
  'msk-serverless, new VPC in chosen AZs': {
    region: 'eu-west-1',
    availabilityZones: 'eu-west-1a,eu-west-1c',
  },
  'msk-serverless, existing VPC, provisioned pollers': {
    vpcId: 'vpc-0abc1234',
    subnetIds: 'subnet-0aa,subnet-0bb',
    pollerMode: 'provisioned',
  },
  'msk, IAM': { mode: 'msk', clusterArn: CLUSTER_ARN, ...MSK_PRODUCER_NETWORK },
  'msk, SASL/SCRAM': {
    mode: 'msk',
    clusterArn: CLUSTER_ARN,
    auth: 'scram-512',
    secretArn: SECRET_ARN,
    secretKmsKeyArn: KMS_KEY_ARN,
    ...MSK_PRODUCER_NETWORK,
  },
  'msk, mTLS': {
    mode: 'msk',
    clusterArn: CLUSTER_ARN,
    auth: 'mtls',
    secretArn: SECRET_ARN,
    ...MSK_PRODUCER_NETWORK,
  },
  'self-managed (Confluent Cloud)': { ...CONFLUENT },
  'self-managed in a VPC, SCRAM-512': SELF_MANAGED_VPC,
  'self-managed (Confluent Cloud), provisioned, Confluent schema registry (JSON)': CONFLUENT_SCHEMA_REGISTRY,
  'msk, IAM, provisioned, Glue schema registry (SOURCE)': GLUE_SCHEMA_REGISTRY,
};

/**
 * Builds the stack from raw settings (as `-c key=value` would give them) without bundling and
 * without CDK's built-in template validation (cfn-lint covers templates), so a synth takes a
 * second, not ten.
 */
export function synth(
  raw: Record<string, unknown> = {},
  handlers?: readonly HandlerSpec[],
): { app: App; stack: StreamProcessingStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const config = parseDeploymentConfig(raw);
  const stack = new StreamProcessingStack(app, 'Test', { config, ...(handlers ? { handlers } : {}) });
  return { app, stack, template: Template.fromStack(stack) };
}

/** A resource as it appears in the synthesized template. */
export interface ResourceJson {
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
}

/** The resources of a type, as [logical id, resource] pairs. */
export function resourcesOf(template: Template, type: string): Array<[string, ResourceJson]> {
  return Object.entries(template.findResources(type)) as Array<[string, ResourceJson]>;
}

/** The one element of a list; fails the test when there are none or several. */
export function only<T>(items: readonly T[], what = 'item'): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

/** The statements of the IAM policy whose logical id starts with `prefix`. */
export function policyStatements(template: Template, prefix: string): Array<Record<string, unknown>> {
  const [, policy] = only(
    resourcesOf(template, 'AWS::IAM::Policy').filter(([id]) => id.startsWith(prefix)),
    `policy ${prefix}`,
  );
  return (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
}
