import { describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../infra/config/index.js';

/**
 * Test what you deploy: the functions run on `nodejs24.x` by default, so the tests (and the
 * CLI and local runner, started the same way) must run on that major too. `npm test` gets
 * Node 24 from the `node` dev dependency in node_modules/.bin, whatever the machine's Node.
 */
describe('the Node.js the tests run on', () => {
  it('is the major the functions deploy to by default', () => {
    const runtime = parseDeploymentConfig({}).functions.runtime; // 'nodejs24.x'
    const deployedMajor = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);

    expect(deployedMajor).toBe(24);
    expect(
      Number(process.versions.node.split('.')[0]),
      `tests run on Node ${process.version} (${process.execPath}); start them with npm test or npx vitest, which put node_modules/.bin/node (Node 24) first on the PATH`,
    ).toBe(deployedMajor);
  });
});
