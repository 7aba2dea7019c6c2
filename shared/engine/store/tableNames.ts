import * as z from 'zod/mini';
import '../zodLocale.js';
import { ALL_TABLES } from './tableDesign.js';

/** Physical table names, from the environment in Lambda, defaults locally. */
export interface TableNames {
  readonly aggregates: string;
  readonly deadLetters: string;
  readonly state: string;
}

/** Reads table names from `AGGREGATES_TABLE`, `DEAD_LETTER_TABLE`, `STATE_TABLE`, with local defaults. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  const names: Record<string, string> = {};
  for (const t of ALL_TABLES) {
    names[t.logicalName] = z
      .string()
      .check(
        z.regex(
          /^[a-zA-Z0-9_.-]{3,255}$/,
          `${t.envVar} must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)`,
        ),
      )
      .parse(env[t.envVar] ?? t.localName);
  }
  return names as unknown as TableNames;
}
