import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../lib/nag.js';

/** Properties of {@link FailureBucket}. */
export interface FailureBucketProps {
  /** How long failed batches are kept. @default Duration.days(30) */
  readonly retention?: Duration;
  /** @default RemovalPolicy.RETAIN (a non-empty bucket cannot be deleted by CloudFormation anyway) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where event-source mappings put batches they give up on. S3 rather than SQS or SNS because
 * an S3 destination receives the whole invocation payload (the records), not only metadata,
 * so a failed batch can be replayed from the bucket after the topic's retention has dropped it.
 * Private, SSE-S3, TLS-only, access-logged, expiring.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 */
export class FailureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: FailureBucketProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(30);
    if (retention.toDays() < 1) throw new Error(`${this.node.path}: retention must be at least one day`);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Grant log delivery with a bucket policy, not the legacy LogDeliveryWrite ACL, so both
    // buckets can keep ACLs disabled (BucketOwnerEnforced) whatever the app's feature flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      'This is the access-log bucket of the failure bucket; logging it to itself would loop.',
    );
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'failure-bucket/',
      lifecycleRules: [{ expiration: retention }],
    });
  }

  /**
   * The mapping's on-failure destination. It grants nothing itself (the CDK's
   * S3OnFailureDestination grants read-write on the whole bucket); {@link writerStatements}
   * go into the mapping's own policy instead.
   */
  destination(): lambda.IEventSourceDlq {
    const bucketArn = this.bucket.bucketArn;
    return { bind: () => ({ destination: bucketArn }) };
  }

  /** What Lambda needs to write failed batches: PutObject and ListBucket, nothing to read or delete. */
  writerStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'WriteFailedBatches',
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListFailureBucket',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    ];
  }
}
