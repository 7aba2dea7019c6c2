import { StreamError } from '../engine/errors/index.js';
import type { KafkaConnection } from './kafkaClient.js';

/**
 * The secret formats Lambda's Kafka event-source mappings read from Secrets Manager, parsed
 * by one piece of code whether the string came from Secrets Manager (topic admin, producing
 * handlers) or from a local file (`KAFKA_SECRET_FILE`, the files `broker.sh start --secure`
 * writes). So the format a deployment stores is the format the local tests exercise.
 *
 * No error here ever echoes the secret string or a field's value: only where the secret came
 * from and which field is wrong.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-configure.html (BASIC_AUTH, SASL_SCRAM_*_AUTH, CLIENT_CERTIFICATE_TLS_AUTH, SERVER_ROOT_CA_CERTIFICATE)
 */

/** A secret is missing, not JSON, or lacks a field. Code `BAD_SECRET`. */
export class KafkaSecretError extends StreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_SECRET', message, options);
    this.name = 'KafkaSecretError';
  }
}

/** `BASIC_AUTH` (SASL/PLAIN, e.g. a Confluent API key) and `SASL_SCRAM_*_AUTH` secrets. */
export interface SaslCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * `CLIENT_CERTIFICATE_TLS_AUTH` (mTLS): the client certificate chain and its PKCS#8 key, both
 * PEM; `privateKeyPassword` only when the key is encrypted.
 */
export interface ClientCertificate {
  readonly certificate: string;
  readonly privateKey: string;
  readonly privateKeyPassword?: string;
}

/** Parses `{"username","password"}`. `source` (an ARN or a file path) names the secret in errors. */
export function parseSaslSecret(source: string, secretString: string | undefined): SaslCredentials {
  const record = secretFields(source, secretString, '{"username":"...","password":"..."}');
  return {
    username: requiredString(source, record, 'username'),
    password: requiredString(source, record, 'password'),
  };
}

/** Parses `{"certificate","privateKey"[,"privateKeyPassword"]}` (PEM strings). */
export function parseClientCertificateSecret(
  source: string,
  secretString: string | undefined,
): ClientCertificate {
  const record = secretFields(
    source,
    secretString,
    '{"certificate":"-----BEGIN CERTIFICATE-----...","privateKey":"-----BEGIN PRIVATE KEY-----..."}',
  );
  const certificate = requiredString(source, record, 'certificate');
  const privateKey = requiredString(source, record, 'privateKey');
  requirePem(source, 'certificate', certificate, 'CERTIFICATE');
  requirePem(source, 'privateKey', privateKey, 'PRIVATE KEY');
  const password = record.privateKeyPassword;
  if (password !== undefined && typeof password !== 'string') {
    throw new KafkaSecretError(`secret ${source}: "privateKeyPassword" must be a string`);
  }
  return { certificate, privateKey, ...(password ? { privateKeyPassword: password } : {}) };
}

/** Parses `SERVER_ROOT_CA_CERTIFICATE`: `{"certificate"}`, the PEM of the brokers' root CA. */
export function parseRootCaSecret(source: string, secretString: string | undefined): string {
  const record = secretFields(source, secretString, '{"certificate":"-----BEGIN CERTIFICATE-----..."}');
  const certificate = requiredString(source, record, 'certificate');
  requirePem(source, 'certificate', certificate, 'CERTIFICATE');
  return certificate;
}

/** A secret's string as read from where it lives; `source` (ARN or path) names it in errors. */
export interface SecretText {
  readonly source: string;
  readonly text: string | undefined;
}

/**
 * A connection with what its secrets hold, as Lambda's mappings read them: the auth secret
 * gives SASL credentials, or the client certificate for `mtls`; the root CA secret the CA to
 * trust. One place for the rule, whatever read the strings (Secrets Manager for the topic
 * admin and the producers, a file for the CLI).
 */
export function withSecrets(
  connection: KafkaConnection,
  secrets: { readonly auth?: SecretText | undefined; readonly rootCa?: SecretText | undefined },
): KafkaConnection {
  let out = connection;
  if (secrets.rootCa) out = { ...out, caPem: parseRootCaSecret(secrets.rootCa.source, secrets.rootCa.text) };
  const auth = secrets.auth;
  if (!auth || out.auth === undefined || out.auth === 'none' || out.auth === 'aws-iam') return out;
  if (out.auth === 'mtls') {
    return { ...out, clientCertificate: parseClientCertificateSecret(auth.source, auth.text) };
  }
  return { ...out, ...parseSaslSecret(auth.source, auth.text) };
}

function secretFields(
  source: string,
  secretString: string | undefined,
  shape: string,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    // The parser's message quotes the text around the error: never pass it on.
    throw new KafkaSecretError(`secret ${source} is not JSON; store ${shape} as the secret string`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new KafkaSecretError(`secret ${source} is not a JSON object; store ${shape}`);
  }
  return parsed as Record<string, unknown>;
}

function requiredString(source: string, record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') {
    throw new KafkaSecretError(`secret ${source} has no string field "${field}"`);
  }
  return value;
}

function requirePem(source: string, field: string, value: string, label: string): void {
  // "PRIVATE KEY" also matches "RSA PRIVATE KEY" and "ENCRYPTED PRIVATE KEY".
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(value)) {
    throw new KafkaSecretError(
      `secret ${source}: "${field}" is not PEM (no -----BEGIN ...${label}----- line)`,
    );
  }
}
