// The workflow bundle is rebuilt when anything it is made from changes: its sources, the locked dependencies, and the
// options it is bundled with (a bundle built with other options must not be reused).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../project-root';
import { bundleInputs, workflowBundlePath, WORKFLOWS_PATH } from './bundle';

describe('the workflow bundle hash', () => {
  it('covers the workflow sources, the lock file and the bundler options', async () => {
    const inputs = await bundleInputs();
    expect(inputs).toContain(WORKFLOWS_PATH);
    expect(inputs).toContain(join(PROJECT_ROOT, 'package-lock.json'));
    expect(inputs).toContain(join(PROJECT_ROOT, 'runtime', 'temporal', 'bundle-child.mjs'));
    expect(inputs.some((f) => f.endsWith('.test.ts'))).toBe(false);
  });
});

// Every module of the workflow bundle is evaluated again for each new workflow (the SDK's sandbox shares only
// preloaded modules), so what the bundle holds is paid on the worker's workflow thread by every run (issue 16).
// zod schemas built at load were most of it; the workflows check their inputs by hand (workflows/inputs.ts).
describe('the workflow bundle', () => {
  it('holds no zod and no module that builds schemas, and stays small', { timeout: 180_000 }, async () => {
    const code = await readFile(await workflowBundlePath(), 'utf8');
    // webpack names each module by its path: `/***/ "./node_modules/zod/v4/core/core.js"`.
    const modules = [...code.matchAll(/^\/\*{3}\/ "(\.\/[^"]+)"/gm)].map((m) => m[1]!);
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter((m) => /(^|\/)zod(\/|$)/.test(m))).toEqual([]);
    // The shared modules it takes are the zod-free ones split out for it; a schema module here brings zod back.
    expect(modules.filter((m) => m.startsWith('./shared/')).sort()).toEqual(['./shared/api/run-status.ts', './shared/api/set-runs.ts', './shared/compiler/plan-steps.ts', './shared/sync/partition-shape.ts']);
    // 1.7 MB with the SDK's own modules (3.0 MB with zod and the shared schemas); room for the SDK to grow a little.
    expect(code.length).toBeLessThan(2_200_000);
  });
});
