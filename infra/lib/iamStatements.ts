import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * Writing to one log group. The GetAtt Arn of a log group already ends in ":*" (all its
 * streams), so the policy names the group and nothing else.
 */
export function logWriteStatement(logGroup: ILogGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteOwnLogGroup',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  });
}

/**
 * The network interfaces Lambda manages for a VPC-attached function (the actions of the
 * AWSLambdaVPCAccessExecutionRole managed policy). EC2 Describe* actions support no resource
 * ARNs, hence "*".
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export function lambdaVpcStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ManageFunctionEnis',
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    }),
  ];
}

/**
 * The network interfaces an event-source mapping creates in the cluster's subnets (with the
 * function's execution role). Creating one is scoped to this account and region's interfaces,
 * subnets and security groups; the Describe* calls support no resource ARNs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
 */
export function esmNetworkStatements(scope: IConstruct): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string) =>
    stack.formatArn({
      service: 'ec2',
      resource,
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  return [
    new iam.PolicyStatement({
      sid: 'DescribeClusterNetwork',
      actions: [
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ManageMappingEnis',
      actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface'],
      resources: [ec2Arn('network-interface'), ec2Arn('subnet'), ec2Arn('security-group')],
    }),
  ];
}

/** Statement ids of {@link secretReadStatements}; IAM wants each Sid once per policy. */
export interface SecretStatementSids {
  readonly read: string;
  readonly decrypt: string;
}

/** The mapping's (and the topic admin's) secret statements. */
export const MAPPING_SECRET_SIDS: SecretStatementSids = {
  read: 'ReadKafkaSecrets',
  decrypt: 'DecryptKafkaSecrets',
};
/**
 * A producing function's own grant on the same secret. Its role also holds the mapping's
 * statements (the mapping uses the function's role), but the producer's access is written
 * down by itself, so removing the mapping's never silently breaks producing.
 */
export const PRODUCER_SECRET_SIDS: SecretStatementSids = {
  read: 'ProducerReadsKafkaSecret',
  decrypt: 'ProducerDecryptsKafkaSecret',
};

/**
 * Reading one secret (and decrypting it when a customer-managed key encrypts it; the
 * kms:ViaService condition limits the key to Secrets Manager's use).
 */
export function secretReadStatements(
  scope: IConstruct,
  secretArns: readonly string[],
  kmsKeyArn?: string,
  sids: SecretStatementSids = MAPPING_SECRET_SIDS,
): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: sids.read,
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...secretArns],
    }),
  ];
  if (kmsKeyArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: sids.decrypt,
        actions: ['kms:Decrypt'],
        resources: [kmsKeyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
        },
      }),
    );
  }
  return statements;
}
