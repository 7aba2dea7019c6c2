import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { CredentialsProviderError, chain, memoize } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The container credentials endpoint variables (ECS, and runtimes that serve credentials over HTTP). */
const CONTAINER_URI_VARIABLES = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/** What the SDK passes a default provider: a logger and the client's settings. */
type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

/**
 * The AWS SDK's default credential chain as a Lambda function needs it, put in place of
 * `@aws-sdk/credential-provider-node` when a function is bundled (an esbuild alias in
 * infra/lib/bundling.ts). Every SDK client imports that module statically for its default
 * chain, and with it profile files, SSO, `credential_process`, web-identity token files and
 * the STS/SSO clients they call: about 125 KB of each bundle that Lambda never uses, since it
 * hands a function its execution role's credentials in the reserved variables
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (Lambda developer
 * guide, "Defined runtime environment variables").
 *
 * The chain kept: those variables (`fromEnv`), then a container credentials endpoint
 * (`fromHttp`) when one is configured, each the SDK's own provider; memoized and refreshed
 * five minutes before expiry, as the SDK's default chain is. Outside Lambda (the CLI, the
 * tests) nothing is aliased and the SDK's full chain runs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const defaultProvider = (init: ProviderInit = {}): AwsCredentialIdentityProvider =>
  memoize(
    chain(fromEnv(init), async () => {
      if (CONTAINER_URI_VARIABLES.some((name) => process.env[name])) return fromHttp(init)();
      throw new CredentialsProviderError(
        'no AWS credentials: neither AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY nor a container credentials ' +
          'endpoint is set (this bundle is built for Lambda, which sets them; profile, SSO and ' +
          'web-identity credentials are left out of it: infra/lib/bundling.ts)',
        { tryNextLink: false, ...(init.logger ? { logger: init.logger } : {}) },
      );
    }),
    credentialsTreatedAsExpired,
    credentialsWillNeedRefresh,
  );

/** As the SDK's: credentials with an expiry are fetched again before it. */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined;

/** As the SDK's: credentials expiring within five minutes count as expired. */
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
