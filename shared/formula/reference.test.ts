import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from './index';
import { updateFormulaDocs } from './reference';

const DOC = join(__dirname, '../../docs/formulas.md');

describe('docs/formulas.md', () => {
  it('has up-to-date generated sections (run this test with -u to rewrite them)', async () => {
    const current = readFileSync(DOC, 'utf8');
    await expect(updateFormulaDocs(current)).toMatchFileSnapshot(DOC);
  });

  it('documents every function with its signature', () => {
    const doc = updateFormulaDocs(readFileSync(DOC, 'utf8'));
    for (const f of FUNCTIONS) expect(doc).toContain(f.signature);
  });
});
