import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ServeError } from './serveErrors.js';

/** The page as the server hands it out: three files, all built in memory. */
export interface PageBundle {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

/** The page's sources, beside `scripts/` in the repository. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Bundles `web/main.ts` with its charting library (uPlot) and styles into one script and one
 * stylesheet with esbuild, the bundler the CDK app already uses for the Lambda functions. The
 * page loads nothing from elsewhere, so it works offline. Built at start-up (about 50 ms)
 * rather than committed, so the page cannot drift from its sources.
 */
export async function buildPage(webDir = WEB_DIR): Promise<PageBundle> {
  const entry = `${webDir}main.ts`;
  if (!existsSync(entry)) {
    throw new ServeError(
      'PAGE_BUILD_FAILED',
      `the page's sources are not at ${webDir}: serve runs from a clone of the repository`,
    );
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (cause) {
    throw new ServeError('PAGE_BUILD_FAILED', 'serve bundles the page with esbuild: npm install esbuild', {
      cause,
    });
  }
  try {
    const result = await esbuild.build({
      entryPoints: { app: entry },
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      outdir: 'out',
      write: false,
      logLevel: 'silent',
    });
    const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
    return { html: readFileSync(`${webDir}index.html`, 'utf8'), js: text('.js'), css: text('.css') };
  } catch (cause) {
    throw new ServeError('PAGE_BUILD_FAILED', `bundling ${entry} failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}
