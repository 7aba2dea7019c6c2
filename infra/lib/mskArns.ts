import { ArnFormat, Fn, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../../shared/engine/errors/index.js';

/**
 * The IAM resource ARNs of one MSK cluster. Kafka-level IAM actions (`kafka-cluster:*`) are
 * authorized on the cluster, on `topic/<cluster>/<uuid>/<topic>` and on
 * `group/<cluster>/<uuid>/<group>`, so a policy can name exactly the topics and consumer groups
 * a function uses instead of `*`.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#msk-iam-resources
 */
export interface MskArns {
  readonly cluster: string;
  topic(name: string): string;
  group(name: string): string;
}

const LITERAL = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/;

/**
 * Builds the ARNs from a cluster ARN: parsed at synth time when it is a literal (an existing
 * cluster from config), with `Fn::Split` when it is a token (a cluster of this stack), so the
 * policy still names one cluster and never needs a wildcard.
 */
export function mskArns(scope: IConstruct, clusterArn: string): MskArns {
  if (!Token.isUnresolved(clusterArn)) {
    const m = LITERAL.exec(clusterArn);
    if (!m) throw new ConfigError(`not an MSK cluster ARN: ${clusterArn}`);
    const [, partition, region, account, name, uuid] = m;
    const prefix = `arn:${partition}:kafka:${region}:${account}`;
    return {
      cluster: clusterArn,
      topic: (topic) => `${prefix}:topic/${name}/${uuid}/${topic}`,
      group: (group) => `${prefix}:group/${name}/${uuid}/${group}`,
    };
  }
  // arn:...:cluster/<name>/<uuid> split on "/" gives [arn:...:cluster, name, uuid].
  const [, name, uuid] = Fn.split('/', clusterArn, 3);
  const stack = Stack.of(scope);
  const arnOf = (resource: 'topic' | 'group', leaf: string) =>
    stack.formatArn({
      service: 'kafka',
      resource,
      resourceName: `${name}/${uuid}/${leaf}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  return { cluster: clusterArn, topic: (t) => arnOf('topic', t), group: (g) => arnOf('group', g) };
}
