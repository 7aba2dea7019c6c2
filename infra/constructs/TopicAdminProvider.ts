import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { functionBundling } from '../lib/bundling.js';
import { lambdaVpcStatements, logWriteStatement } from '../lib/iamStatements.js';
import { acknowledge, acknowledgeWildcards } from '../lib/nag.js';
import { functionEntry, packageBundlingRoot } from '../lib/paths.js';

/** Properties of {@link TopicAdminProvider}. */
export interface TopicAdminProviderProps {
  /**
   * What the admin may do on the cluster: `kafka-cluster:*Topic*` actions on the declared
   * topics (MSK IAM), or reading the SASL secret (self-managed).
   */
  readonly statements: iam.PolicyStatement[];
  /** The VPC to run in, when the brokers are private. @default not in a VPC (internet brokers) */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Required with `vpc`: groups allowed to reach the brokers. */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Create and delete wait for leaders and retries; 2 minutes covers them. @default Duration.minutes(2) */
  readonly timeout?: Duration;
}

/**
 * The Lambda behind `Custom::KafkaTopic` (functions/topic-admin), wrapped in the CDK Provider
 * framework, which answers CloudFormation for it: the handler can live in a private subnet
 * without a route to CloudFormation's S3 response URL, and a failed Create is never followed
 * by a Delete that could remove a topic someone else owns.
 */
export class TopicAdminProvider extends Construct {
  /** The service token custom resources point at. */
  readonly serviceToken: string;
  /** The handler's permissions; topic resources depend on it so it exists before they run. */
  readonly policy: iam.Policy;
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: TopicAdminProviderProps) {
    super(scope, id);
    if (props.vpc && !props.securityGroups?.length) {
      throw new Error(
        `${this.node.path}: securityGroups are required with vpc: the admin must be allowed to reach the brokers`,
      );
    }
    if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
      throw new Error(`${this.node.path}: vpcSubnets and securityGroups need vpc`);
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Kafka topic admin custom resource',
    });
    const statements = [
      logWriteStatement(logGroup),
      ...(props.vpc ? lambdaVpcStatements() : []),
      ...props.statements,
    ];
    this.policy = new iam.Policy(this, 'Policy', { roles: [role], statements });
    acknowledgeWildcards(this.policy, statements);

    this.function = new nodejs.NodejsFunction(this, 'Handler', {
      entry: functionEntry('topic-admin'),
      ...packageBundlingRoot(),
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.minutes(2),
      role,
      logGroup,
      description: 'Creates, updates and deletes Kafka topics for CloudFormation (Custom::KafkaTopic)',
      environment: {
        POWERTOOLS_SERVICE_NAME: 'topic-admin',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: functionBundling(),
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: props.vpcSubnets,
            securityGroups: props.securityGroups,
            allowPublicSubnet: false,
          }
        : {}),
    });
    // Lambda checks the ENI permissions when it creates a VPC function: the policy comes first.
    this.function.node.addDependency(this.policy);

    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'CDK custom resource provider framework for Kafka topics',
    });
    const frameworkPolicy = new iam.Policy(this, 'FrameworkPolicy', {
      roles: [frameworkRole],
      statements: [logWriteStatement(frameworkLogs)],
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    provider.node.addDependency(frameworkPolicy);
    this.serviceToken = provider.serviceToken;

    acknowledge(
      frameworkRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'The provider framework invokes the topic-admin function by qualified ARN (<arn>:*); the grant is written by the CDK Provider and names that one function.',
    );
  }
}
