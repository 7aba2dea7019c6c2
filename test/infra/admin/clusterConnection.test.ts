import { describe, expect, it } from 'vitest';
import {
  type ClusterLookups,
  parseSaslSecret,
  resolveConnection,
} from '../../../shared/admin/clusterConnection.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:confluent-AbCdEf';
const CLUSTER =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/rides-kafka/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-s1';

/** Lookups that record what they were asked and answer from fixed data. */
function fakeLookups(): ClusterLookups & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async readSecret(arn) {
      calls.push(`secret ${arn}`);
      return '{"username":"api-key","password":"api-secret"}';
    },
    async bootstrapBrokers(arn, auth) {
      calls.push(`brokers ${arn} ${auth}`);
      return 'b-1.msk:9098,b-2.msk:9098';
    },
  };
}

describe('resolveConnection', () => {
  it('looks up MSK brokers for the auth mode when only the cluster ARN is given, and reads no secret for IAM', async () => {
    const lookups = fakeLookups();

    const connection = await resolveConnection({ clusterArn: CLUSTER, auth: 'aws-iam' }, lookups);

    expect(connection).toMatchObject({ brokers: ['b-1.msk:9098', 'b-2.msk:9098'], auth: 'aws-iam' });
    expect(lookups.calls).toEqual([`brokers ${CLUSTER} aws-iam`]);
  });

  it('reads SASL credentials from the secret and makes no MSK call when bootstrap servers are given', async () => {
    const lookups = fakeLookups();

    const connection = await resolveConnection(
      { bootstrapServers: ['pkc-1:9092'], auth: 'plain', secretArn: SECRET },
      lookups,
    );

    expect(connection).toMatchObject({
      brokers: ['pkc-1:9092'],
      auth: 'plain',
      username: 'api-key',
      password: 'api-secret',
    });
    expect(lookups.calls).toEqual([`secret ${SECRET}`]);
  });

  it('connects to a local broker in plaintext without any lookup', async () => {
    const lookups = fakeLookups();

    const connection = await resolveConnection(
      { bootstrapServers: ['127.0.0.1:9092'], auth: 'none' },
      lookups,
    );

    expect(connection).toMatchObject({ brokers: ['127.0.0.1:9092'], auth: 'none' });
    expect(lookups.calls).toEqual([]);
  });
});

describe('parseSaslSecret', () => {
  it('reads Lambda’s {"username","password"} format', () => {
    expect(parseSaslSecret(SECRET, '{"username":"u","password":"p"}')).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  it.each([
    ['not JSON', 'hunter2-plain-text', /is not JSON/],
    ['no password', '{"username":"u","pass":"hunter2"}', /no string field "password"/],
  ])('fails on %s without echoing the secret', (_case, secretString, message) => {
    let error: Error | undefined;
    try {
      parseSaslSecret(SECRET, secretString);
    } catch (e) {
      error = e as Error;
    }

    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('hunter2');
  });
});
