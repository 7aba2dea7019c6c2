import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, RecoveryError, StreamError } from '../../shared/engine/errors/index.js';

/** A parsed `s3://bucket/key` address. */
export interface S3Address {
  readonly bucket: string;
  readonly key: string;
}

/** Whether `source` names an S3 object rather than a local file. */
export function isS3Url(source: string): boolean {
  return source.startsWith('s3://');
}

/** `s3://bucket/key` → bucket and key; a ConfigError names the accepted form. */
export function parseS3Url(url: string): S3Address {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new ConfigError(`expected s3://<bucket>/<key>, got "${url}"`);
  return { bucket: m[1]!, key: m[2]! };
}

/**
 * An S3 client for the CLI. With `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) set, which the
 * SDK reads itself, the endpoint is a local S3 (s3rver, MinIO): those answer path-style
 * requests only, so path style is forced there and nowhere else.
 */
export function cliS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL) });
}

/**
 * The text of one S3 object (an on-failure destination's object: Lambda writes one JSON
 * document per discarded batch). A missing object is a RecoveryError `RECORDS_NOT_FOUND`
 * naming it; any other failure keeps the SDK's error as the cause.
 */
export async function readS3Text(url: string, client: S3Client): Promise<string> {
  const { bucket, key } = parseS3Url(url);
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!out.Body) throw new Error('the object has no body');
    return await out.Body.transformToString('utf8');
  } catch (cause) {
    if (cause instanceof NoSuchKey || (cause as { name?: string }).name === 'NoSuchKey') {
      throw new RecoveryError(`no object ${key} in bucket ${bucket}`, { code: 'RECORDS_NOT_FOUND', cause });
    }
    throw new StreamError('S3_READ_FAILED', `reading ${url} failed: ${(cause as Error).message}`, { cause });
  }
}
