import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where this module runs from: `infra/lib/paths.ts` in the repository (tsx, vitest) or
 * `dist/infra/lib/paths.js` in the built package (this repo's `dist/`, or a user's
 * `node_modules/kafka-lambda-streams`). Every path of the package's own code is derived from
 * here and nowhere else.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The package root (the folder of package.json): the repository, or the installed package. */
export const PACKAGE_ROOT = fileURLToPath(new URL(FROM_SOURCE ? '../../' : '../../../', import.meta.url));

/** The repository root: bundling resolves entries, the lock file and tsconfig from here. */
export const REPO_ROOT = PACKAGE_ROOT;

/** The root of the code that gets bundled: the sources, or the compiled `dist/`. */
const CODE_ROOT = FROM_SOURCE ? PACKAGE_ROOT : join(PACKAGE_ROOT, 'dist');
const EXT = FROM_SOURCE ? 'ts' : 'js';

/** The handler file of a function folder, `functions/<name>/handler.ts` (`.js` in `dist/`). */
export function functionEntry(name: string): string {
  return join(CODE_ROOT, 'functions', name, `handler.${EXT}`);
}

/**
 * The package's generic handler (`shared/engine/handler/specHandler`), which runs the spec in
 * `PIPELINE_SPEC`: the only entry a user's stack bundles out of this package.
 */
export const GENERIC_HANDLER_ENTRY = join(CODE_ROOT, 'shared', 'engine', 'handler', `specHandler.${EXT}`);

/**
 * The credential chain function bundles use in place of `@aws-sdk/credential-provider-node`
 * (`shared/engine/handler/lambdaCredentialProvider`; why: see there and infra/lib/bundling.ts).
 */
export const LAMBDA_CREDENTIAL_PROVIDER = join(
  CODE_ROOT,
  'shared',
  'engine',
  'handler',
  `lambdaCredentialProvider.${EXT}`,
);

/**
 * The generic handler for specs that write topics (`shared/kafka/producingSpecHandler`): the
 * same, with a Kafka producer. Kept apart so that read-only generic bundles carry no kafkajs.
 */
export const GENERIC_PRODUCING_HANDLER_ENTRY = join(
  CODE_ROOT,
  'shared',
  'kafka',
  `producingSpecHandler.${EXT}`,
);

/** The scheduled final-results sweeper (`shared/kafka/finalSweeperHandler`): pipelines from `SWEEP_PIPELINES`. */
export const FINAL_SWEEPER_ENTRY = join(CODE_ROOT, 'shared', 'kafka', `finalSweeperHandler.${EXT}`);

/**
 * The project root and lock file the package's own functions are bundled with. In the
 * repository: its root and package-lock.json. Installed, the package ships no lock file and
 * its entries sit in the user's node_modules: NodejsFunction's defaults (the nearest lock file
 * from the working directory up, and its folder) find the user's project, which contains them.
 */
export function packageBundlingRoot(): { projectRoot?: string; depsLockFilePath?: string } {
  return FROM_SOURCE
    ? { projectRoot: REPO_ROOT, depsLockFilePath: join(REPO_ROOT, 'package-lock.json') }
    : {};
}
