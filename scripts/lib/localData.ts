import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { requireNotHeld } from './storeHolder.js';

/**
 * Deletes the embedded store's folder. Refuses a folder that holds anything but LevelDB
 * files (dynalite keeps its data in LevelDB: `CURRENT`, `LOCK`, `LOG`, `MANIFEST-*`,
 * `*.ldb`, `*.log`), so a mistyped `--data-dir` cannot wipe a source tree.
 * @returns true when something was deleted
 */
export function resetLocalData(dataDir: string): boolean {
  const dir = resolve(dataDir);
  requireNotHeld(dir, 'delete');
  if (!existsSync(dir)) return false;
  const entries = readdirSync(dir);
  const leveldb = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(ldb|log|sst))$/;
  const foreign = entries.filter((e) => !leveldb.test(e));
  if (foreign.length > 0) {
    throw new ConfigError(
      `${dir} does not look like an embedded DynamoDB folder (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); not deleting it. Check --data-dir / LOCAL_DATA_DIR`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}
