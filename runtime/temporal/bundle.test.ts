// The workflow bundle is rebuilt when anything it is made from changes: its sources, the locked dependencies, and the
// options it is bundled with (a bundle built with other options must not be reused).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../project-root';
import { bundleInputs, WORKFLOWS_PATH } from './bundle';

describe('the workflow bundle hash', () => {
  it('covers the workflow sources, the lock file and the bundler options', async () => {
    const inputs = await bundleInputs();
    expect(inputs).toContain(WORKFLOWS_PATH);
    expect(inputs).toContain(join(PROJECT_ROOT, 'package-lock.json'));
    expect(inputs).toContain(join(PROJECT_ROOT, 'runtime', 'temporal', 'bundle-child.mjs'));
    expect(inputs.some((f) => f.endsWith('.test.ts'))).toBe(false);
  });
});
