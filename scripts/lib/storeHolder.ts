import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../../shared/engine/errors/index.js';

/**
 * Who holds an embedded store open for others. LevelDB lets one process open a folder; a
 * second one makes dynalite throw `LEVEL_DATABASE_NOT_OPEN` from inside its request handler,
 * where no caller can catch it. So `serve`, which holds the store for a while and offers its
 * endpoint, leaves a note beside the folder, and other commands read it before opening the
 * folder and say which endpoint to use instead.
 */
export interface StoreHolder {
  readonly pid: number;
  /** The loopback endpoint that writes to the held store go through. */
  readonly endpoint: string;
  readonly command: string;
}

/** The note's path: beside the folder, since `reset` refuses folders holding non-LevelDB files. */
export function holderFileOf(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.holder.json`;
}

/** Leaves the note; returns a function that removes it. */
export function claimStore(dataDir: string, holder: StoreHolder): () => void {
  const file = holderFileOf(dataDir);
  writeFileSync(file, `${JSON.stringify(holder)}\n`);
  return () => rmSync(file, { force: true });
}

/** The process holding the folder, if the note names one that still runs (a crashed holder's note is ignored). */
export function liveHolderOf(dataDir: string): StoreHolder | undefined {
  let holder: StoreHolder;
  try {
    holder = JSON.parse(readFileSync(holderFileOf(dataDir), 'utf8')) as StoreHolder;
  } catch {
    return undefined;
  }
  if (holder.pid === process.pid) return undefined;
  try {
    process.kill(holder.pid, 0); // signal 0: only asks whether the process exists
    return holder;
  } catch {
    return undefined;
  }
}

/**
 * Throws when another process holds the folder, saying which endpoint to use: before
 * opening it (the crash would come later, uncatchable) and before deleting it (under a
 * running `serve`).
 */
export function requireNotHeld(dataDir: string, doing: string): void {
  const holder = liveHolderOf(dataDir);
  if (holder) {
    throw new ConfigError(
      `cannot ${doing} the embedded store in ${dataDir}: \`${holder.command}\` (pid ${holder.pid}) holds it open and LevelDB allows one process; ` +
        `pass --endpoint ${holder.endpoint} to go through it, or stop it first`,
    );
  }
}
