import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';

/**
 * Bytes of a minified bundle attributed to the package (or project folder) they came from,
 * read from the bundle's own source map, so the figures are those of the artifact `cdk synth`
 * deploys (no second build with another configuration). Each mapped segment owns the
 * generated text up to the next segment; text before the first segment of a line (the banner,
 * esbuild's runtime helpers) counts as `(unmapped)`. Columns are UTF-16 units, which equal
 * bytes for this ASCII output; the total is the file's byte size.
 */
export function bundleBreakdown(bundlePath: string, repoRoot: string): Map<string, number> {
  const code = readFileSync(bundlePath, 'utf8');
  const map = JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as {
    sources: string[];
    mappings: string;
  };
  const groups = map.sources.map((s) => groupOf(relative(repoRoot, resolve(dirname(bundlePath), s))));
  const lines = code.split('\n');
  const out = new Map<string, number>();
  const add = (group: string, n: number) => out.set(group, (out.get(group) ?? 0) + n);
  const mappings = decode(map.mappings);
  mappings.forEach((segments, lineIndex) => {
    const line = lines[lineIndex] ?? '';
    let last = 0;
    let owner = '(unmapped)';
    for (const segment of segments) {
      add(owner, segment[0] - last);
      last = segment[0];
      owner = segment.length > 1 ? groups[segment[1]!]! : '(unmapped)';
    }
    add(owner, line.length - last + 1); // + the newline
  });
  // Lines past the mappings (the sourceMappingURL comment).
  for (const line of lines.slice(mappings.length)) add('(unmapped)', line.length + 1);
  return out;
}

/**
 * A package (`node_modules/@smithy/core/...` -> `@smithy/core`) or a project folder
 * (`shared/engine/x.ts` -> `shared/engine`), from a path relative to the repository.
 */
export function groupOf(source: string): string {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const parts = source.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}
