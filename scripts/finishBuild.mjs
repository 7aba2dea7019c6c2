// After `tsc -p tsconfig.build.json`: the compiled CLI is the package's bin, run by node, not
// tsx (the source keeps its tsx shebang so `./scripts/cli.ts` still runs in the repository).
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const cli = new URL('../dist/scripts/cli.js', import.meta.url);
const source = readFileSync(cli, 'utf8');
writeFileSync(cli, source.replace(/^#!.*\n/, '#!/usr/bin/env node\n'));
chmodSync(cli, 0o755);

// The CLI's datagen reads the taxi zones beside its own file (dist/data once compiled).
mkdirSync(new URL('../dist/data/', import.meta.url), { recursive: true });
for (const name of ['taxi_zone_lookup.csv', 'rides.csv']) {
  copyFileSync(new URL(`../data/${name}`, import.meta.url), new URL(`../dist/data/${name}`, import.meta.url));
}
