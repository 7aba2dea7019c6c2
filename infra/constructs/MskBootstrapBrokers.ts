import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { logWriteStatement } from '../lib/iamStatements.js';

/** The GetBootstrapBrokers fields this app reads, one per listener the producer can use. */
export type MskBrokerListener =
  | 'BootstrapBrokerStringSaslIam'
  | 'BootstrapBrokerStringSaslScram'
  | 'BootstrapBrokerStringTls';

/** Properties of {@link MskBootstrapBrokers}. */
export interface MskBootstrapBrokersProps {
  /** The cluster (a literal ARN, or this stack's cluster's `attrArn`). */
  readonly clusterArn: string;
  /** The listener of the auth the producers use: IAM (9098), SASL/SCRAM (9096) or mTLS (9094). */
  readonly listener: MskBrokerListener;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The bootstrap-broker string of an MSK cluster, looked up at deploy time with the MSK API's
 * GetBootstrapBrokers: CloudFormation returns no broker addresses for `AWS::MSK::Cluster`
 * (attributes `Arn`, `CurrentVersion`) or `AWS::MSK::ServerlessCluster` (`Arn`), and looking
 * them up at synth time would need credentials. The lookup runs in the CDK's AwsCustomResource function,
 * outside any VPC (the MSK API is a public AWS endpoint), with a role that may call
 * GetBootstrapBrokers on this one cluster and write its own log group, nothing else.
 *
 * Re-read on every update of the resource, i.e. when the cluster ARN or listener changes; a
 * broker replacement inside MSK keeps the bootstrap names, so nothing else needs it.
 */
export class MskBootstrapBrokers extends Construct {
  // One per stack: AwsCustomResource runs every instance of a stack in one singleton function,
  // whose role is the first instance's, so a second instance's role and log group would be
  // ignored (ExistingMskCluster and MskServerlessCluster each make at most one).
  /** `host:port,host:port,...` of the chosen listener (a deploy-time token). */
  readonly brokers: string;
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: MskBootstrapBrokersProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role: the default one carries the AWSLambdaBasicExecutionRole managed policy.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Looks up the bootstrap brokers of one MSK cluster for CloudFormation',
    });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [logWriteStatement(logGroup)],
    });
    const call: cr.AwsSdkCall = {
      service: 'Kafka',
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: props.clusterArn },
      physicalResourceId: cr.PhysicalResourceId.of(`${props.listener}@${props.clusterArn}`),
      outputPaths: [props.listener],
    };
    this.resource = new cr.AwsCustomResource(this, 'Lookup', {
      resourceType: 'Custom::MskBootstrapBrokers',
      onCreate: call,
      onUpdate: call,
      role,
      logGroup,
      // The SDK in the Lambda runtime has GetBootstrapBrokers; downloading a newer one at
      // deploy time would make the deploy depend on npm.
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          sid: 'FindBrokers',
          actions: ['kafka:GetBootstrapBrokers'],
          resources: [props.clusterArn],
        }),
      ]),
    });
    this.resource.node.addDependency(policy);
    this.brokers = this.resource.getResponseField(props.listener);
  }
}
