import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * English issue messages for the zod/mini schemas of everything that runs in Lambda (specs,
 * record schemas). zod/mini loads no locale, so without this every issue would read "Invalid
 * input"; classic `zod` loads English on import, and both share this one global setting, so
 * messages are the same whichever loaded first. Imported for its effect by each module that
 * builds a zod/mini schema.
 *
 * Why zod/mini there: the classic API hangs every method on every schema, which keeps about
 * 90 KB of zod in each function bundle whatever is used; zod/mini's functions tree-shake to
 * about 25 KB (npm run bench:bundle). Tools (CLI, CDK config) keep the classic API.
 */
config(en());
