import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag's own rendering of a resource in IAM5 finding ids (`<Bucket.Arn>/*`, `arn:<AWS::Partition>:...`).
// An internal module: if an upgrade moves it, the nag tests fail loudly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct (and its children) with the reason it is
 * acceptable. cdk-nag 3 uses CDK's own `Validations.of().acknowledge`; findings of rules that
 * report several (IAM5) are acknowledged one by one, e.g. `AwsSolutions-IAM5[Resource::*]`.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledging ${id} needs a real reason, got "${reason}"`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Why a statement (by Sid) may name a wildcard resource. Every wildcard this app writes must
 * have an entry: {@link acknowledgeWildcards} throws for one that has none, so no wildcard is
 * ever granted without a written reason.
 */
export const WILDCARD_REASONS: Readonly<Record<string, string>> = {
  ManageFunctionEnis:
    'Lambda creates and deletes the network interfaces of a VPC function with its role; EC2 Describe* actions accept no resource ARN (the AWSLambdaVPCAccessExecutionRole actions, nothing more).',
  DescribeClusterNetwork:
    'The event-source mapping describes the cluster’s subnets, security groups and interfaces with the function’s role; EC2 Describe* actions accept no resource ARN.',
  ManageMappingEnis:
    'The mapping creates its interfaces in the cluster’s subnets with the function’s role; interface ids are unknown before creation, so the ARNs are limited to this account and region.',
  WriteFailedBatches:
    'Lambda chooses the object keys of failed batches; the grant is PutObject only, on this one bucket.',
};

/**
 * Acknowledges the IAM5 finding of each wildcard resource in `statements`, on `scope` (the
 * policy that holds them), with the reason registered for the statement's Sid.
 */
export function acknowledgeWildcards(scope: IConstruct, statements: readonly iam.PolicyStatement[]): void {
  const stack = Stack.of(scope);
  for (const statement of statements) {
    for (const resource of statement.resources) {
      const flat = flattenCfnReference(stack.resolve(resource));
      if (!flat.includes('*')) continue;
      const reason = statement.sid ? WILDCARD_REASONS[statement.sid] : undefined;
      if (!reason) {
        throw new Error(
          `${scope.node.path}: statement ${statement.sid ?? '(no Sid)'} grants ${flat} without a reason in WILDCARD_REASONS`,
        );
      }
      acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
    }
  }
}
