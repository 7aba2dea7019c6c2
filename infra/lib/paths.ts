import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: bundling resolves entries, the lock file and tsconfig from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The handler file of a function folder, `functions/<name>/handler.ts`. */
export function functionEntry(name: string): string {
  return join(REPO_ROOT, 'functions', name, 'handler.ts');
}
