import { ArnFormat, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Subscribed by email (confirm the message AWS sends). @default no subscription */
  readonly email?: string;
}

/**
 * The SNS topic alarms notify, encrypted with its own KMS key: the AWS managed SNS key does
 * not let CloudWatch publish, so the key policy here admits CloudWatch alarms of this account.
 *
 * The topic policy lets CloudWatch publish, for this account's alarms only. A topic policy
 * replaces SNS's default one (which admits the owner account), so without that statement the
 * TLS-only deny would be the whole policy and no alarm could ever notify. The shape is AWS's:
 * principal `cloudwatch.amazonaws.com`, `sns:Publish`, conditioned on `aws:SourceAccount` and
 * `aws:SourceArn` against confused-deputy use.
 * @see https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  private readonly alarmArns: string[] = [];

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    if (props.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
      throw new Error(`${this.node.path}: "${props.email}" is not an email address`);
    }
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the pipeline alarm topic',
      enableKeyRotation: true,
      // It protects notifications in flight only, nothing stored: delete it with the stack
      // (after the shortest waiting period) instead of leaving a $1/month key behind.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.key,
      enforceSSL: true,
      displayName: 'Kafka pipeline alarms',
    });
    const stack = Stack.of(this);
    // Any alarm of this account and region, until alarms are named with allowAlarms.
    const anyAlarmHere = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': Lazy.list({
              produce: () => (this.alarmArns.length > 0 ? [...this.alarmArns] : [anyAlarmHere]),
            }),
          },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /**
   * Narrows who may publish to exactly these alarms (by ARN). Without a call, any CloudWatch
   * alarm of this account and region may publish.
   */
  allowAlarms(...alarms: cloudwatch.IAlarm[]): void {
    this.alarmArns.push(...alarms.map((a) => a.alarmArn));
  }
}
