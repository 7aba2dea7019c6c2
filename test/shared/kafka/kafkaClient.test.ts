import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../shared/engine/errors/index.js';
import {
  createKafka,
  KafkaSecretError,
  kafkaConnectionFromEnv,
  mskIamTokenProvider,
  parseClientCertificateSecret,
  parseRootCaSecret,
  tlsOptions,
} from '../../../shared/kafka/index.js';

/**
 * How the environment becomes a connection: the variables users set for Confluent Cloud and
 * MSK, the local files in the Secrets Manager formats, and the MSK IAM token (which cannot be
 * tried against a broker outside AWS, so it is checked here against the signer's documented
 * shape and an independent SigV4 computation).
 */

const dir = mkdtempSync(join(tmpdir(), 'kafka-client-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const PASSWORD = 'hunter2-very-secret';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclientcert\n-----END CERTIFICATE-----\n';
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBcacert\n-----END CERTIFICATE-----\n';

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('kafkaConnectionFromEnv', () => {
  const brokers = { KAFKA_BROKERS: 'b-1:9096' };

  it('reads SASL credentials from KAFKA_SECRET_FILE in Lambda’s {"username","password"} format', () => {
    const secret = file('scram.json', JSON.stringify({ username: 'alice', password: PASSWORD }));

    const c = kafkaConnectionFromEnv({ ...brokers, KAFKA_AUTH: 'scram-sha-512', KAFKA_SECRET_FILE: secret });

    expect(c).toMatchObject({ auth: 'scram-sha-512', username: 'alice', password: PASSWORD });
  });

  it('lets KAFKA_USERNAME and KAFKA_PASSWORD win over the secret file', () => {
    const secret = file('plain.json', JSON.stringify({ username: 'alice', password: PASSWORD }));

    const c = kafkaConnectionFromEnv({
      ...brokers,
      KAFKA_AUTH: 'plain',
      KAFKA_SECRET_FILE: secret,
      KAFKA_USERNAME: 'key',
      KAFKA_PASSWORD: 'other',
    });

    expect(c).toMatchObject({ username: 'key', password: 'other' });
  });

  it('reads the mTLS client certificate from PEM files or from a {"certificate","privateKey"} secret file, and the CA', () => {
    const fromFiles = kafkaConnectionFromEnv({
      ...brokers,
      KAFKA_AUTH: 'mtls',
      KAFKA_CLIENT_CERT_FILE: file('client.pem', CERT),
      KAFKA_CLIENT_KEY_FILE: file('client.key', KEY),
      KAFKA_CA_FILE: file('ca.pem', CA),
    });
    const fromSecret = kafkaConnectionFromEnv({
      ...brokers,
      KAFKA_AUTH: 'mtls',
      KAFKA_SECRET_FILE: file('client.json', JSON.stringify({ certificate: CERT, privateKey: KEY })),
      KAFKA_CA_FILE: file('ca.pem', CA),
    });

    expect(fromFiles.clientCertificate).toEqual({ certificate: CERT, privateKey: KEY });
    expect(fromSecret).toEqual(fromFiles);
    expect(tlsOptions(fromFiles)).toEqual({ ca: [CA], cert: CERT, key: KEY });
  });

  it('names the variable and the path of a file it cannot read', () => {
    const error = thrown(() =>
      kafkaConnectionFromEnv({ ...brokers, KAFKA_AUTH: 'plain', KAFKA_CA_FILE: join(dir, 'nope.pem') }),
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`KAFKA_CA_FILE=${join(dir, 'nope.pem')} cannot be read (ENOENT)`);
  });

  it.each([
    ['not JSON', `password=${PASSWORD}`, /is not JSON; store \{"username"/],
    [
      'no password field',
      JSON.stringify({ username: 'alice', pass: PASSWORD }),
      /has no string field "password"/,
    ],
  ])('rejects a secret file that is %s without echoing it', (_case, text, message) => {
    const path = file('bad.json', text);

    const error = thrown(() =>
      kafkaConnectionFromEnv({ ...brokers, KAFKA_AUTH: 'plain', KAFKA_SECRET_FILE: path }),
    );

    expect(error).toBeInstanceOf(KafkaSecretError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(path);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('refuses KAFKA_SECRET_FILE for auth modes that take no secret', () => {
    expect(() =>
      kafkaConnectionFromEnv({ ...brokers, KAFKA_AUTH: 'aws-iam', KAFKA_SECRET_FILE: 'x' }),
    ).toThrow(/KAFKA_SECRET_FILE is for KAFKA_AUTH=plain, scram-sha-256, scram-sha-512 or mtls, not aws-iam/);
  });
});

describe('createKafka', () => {
  it.each([
    [
      { brokers: ['b:9094'], auth: 'mtls' as const },
      /mtls auth needs a client certificate: set KAFKA_CLIENT_CERT_FILE/,
    ],
    [
      { brokers: ['b:9096'], auth: 'plain' as const, username: 'u', password: PASSWORD, ssl: false },
      /KAFKA_SSL=false does not go with plain auth/,
    ],
    [
      { brokers: ['b:9096'], auth: 'scram-sha-512' as const, username: 'u' },
      /needs a username and a password/,
    ],
  ])('refuses a connection that cannot work: %o', (connection, message) => {
    const error = thrown(() => createKafka(connection));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('Secrets Manager formats', () => {
  it('reads SERVER_ROOT_CA_CERTIFICATE {"certificate"}', () => {
    expect(parseRootCaSecret('arn:ca', JSON.stringify({ certificate: CA }))).toBe(CA);
  });

  it('reads CLIENT_CERTIFICATE_TLS_AUTH with an optional privateKeyPassword', () => {
    const secret = JSON.stringify({ certificate: CERT, privateKey: KEY, privateKeyPassword: PASSWORD });

    expect(parseClientCertificateSecret('arn:c', secret)).toEqual({
      certificate: CERT,
      privateKey: KEY,
      privateKeyPassword: PASSWORD,
    });
  });

  it('says which field is not PEM, without its value', () => {
    const error = thrown(() =>
      parseClientCertificateSecret('arn:c', JSON.stringify({ certificate: CERT, privateKey: PASSWORD })),
    );

    expect(error.message).toBe(
      'secret arn:c: "privateKey" is not PEM (no -----BEGIN ...PRIVATE KEY----- line)',
    );
  });
});

describe('MSK IAM token (aws-msk-iam-sasl-signer-js)', () => {
  const ACCESS_KEY = 'AKIDEXAMPLE1234567890';
  const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  afterEach(() => vi.unstubAllEnvs());

  const hmac = (key: Buffer | string, text: string): Buffer =>
    createHmac('sha256', key).update(text).digest();
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  it('is the base64url of a SigV4-presigned kafka-cluster:Connect URL for the region, valid 900 s', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_KEY);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');

    const { value } = await mskIamTokenProvider('eu-west-1')();

    // The signer's documented shape: base64url without padding of the presigned URL.
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://kafka.eu-west-1.amazonaws.com/');
    const q = Object.fromEntries(url.searchParams);
    const amzDate = q['X-Amz-Date'] ?? '';
    const day = amzDate.slice(0, 8);
    expect(q).toEqual({
      Action: 'kafka-cluster:Connect',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${ACCESS_KEY}/${day}/eu-west-1/kafka-cluster/aws4_request`,
      'X-Amz-Date': expect.stringMatching(/^\d{8}T\d{6}Z$/),
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
      'User-Agent': expect.stringMatching(/^aws-msk-iam-sasl-signer-js\//),
    });
    expect(
      Math.abs(
        Date.parse(
          `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        ) - Date.now(),
      ),
    ).toBeLessThan(60_000);

    // And the signature is SigV4's, computed here without the signer (User-Agent is added after signing).
    const signed = Object.entries(q)
      .filter(([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .join('&');
    const canonical = ['GET', '/', signed, 'host:kafka.eu-west-1.amazonaws.com', '', 'host', sha256('')].join(
      '\n',
    );
    const scope = `${day}/eu-west-1/kafka-cluster/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
    const key = ['eu-west-1', 'kafka-cluster', 'aws4_request'].reduce(
      (k, part) => hmac(k, part),
      hmac(`AWS4${SECRET_KEY}`, day),
    );
    expect(q['X-Amz-Signature']).toBe(createHmac('sha256', key).update(toSign).digest('hex'));
    expect(value).not.toContain(SECRET_KEY);
  });

  it('needs a region', () => {
    vi.stubEnv('AWS_REGION', '');

    expect(() => createKafka({ brokers: ['b-1:9098'], auth: 'aws-iam' })).toThrow(
      /aws-iam auth needs a region: set AWS_REGION/,
    );
  });
});
