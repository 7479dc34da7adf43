// The docs check: every example docs/formulas.md shows evaluates as the page says, whether written
// by hand (tables headed "| Formula | Gives |") or generated (the function reference's Example / Gives).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFormula } from './index';
import { formatResult, SAMPLE_FIELDS, SAMPLE_NOW, SAMPLE_MEMBERS, SAMPLE_ROW, SAMPLE_VALUE_MAPS } from './reference';

const DOC = readFileSync(join(__dirname, '../../docs/formulas.md'), 'utf8');

/** A table cell's code span, unescaped: `` `a \| b` `` -> a | b; `` `` x `` `` -> x. */
function codeOf(cellText: string): string | null {
  const t = cellText.trim().replace(/\\\|/g, '|');
  const m = /^``\s(.*)\s``$/.exec(t) ?? /^`(.*)`$/.exec(t);
  return m ? (m[1] as string) : null;
}

function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** [formula, expected] pairs from every table whose header names a formula column and a result column. */
export function documentedExamples(doc: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i] as string;
    if (!header.startsWith('|')) continue;
    const names = cells(header);
    const f = names.findIndex((n) => n === 'Formula' || n === 'Example');
    const g = names.indexOf('Gives');
    if (f < 0 || g < 0) continue;
    for (i += 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
      const row = cells(lines[i] as string);
      const formula = codeOf(row[f] ?? '');
      const gives = codeOf(row[g] ?? '');
      if (formula !== null && gives !== null) out.push([formula, gives]);
    }
  }
  return out;
}

const EXAMPLES = documentedExamples(DOC);

describe('every example in docs/formulas.md evaluates as documented', () => {
  it('finds the hand-written and the generated examples', () => {
    expect(EXAMPLES.length).toBeGreaterThan(150);
    expect(EXAMPLES).toContainEqual(['0.1 + 0.2 = 0.3', 'TRUE']);
    expect(EXAMPLES).toContainEqual(['DATE(2024, 2, 30)', '2024-03-01']);
  });

  it.each(EXAMPLES)('%s gives %s', (formula, gives) => {
    const c = compileFormula(formula, { fields: SAMPLE_FIELDS, valueMaps: SAMPLE_VALUE_MAPS });
    if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
    const r = c.evaluate(SAMPLE_ROW, { now: () => SAMPLE_NOW, members: SAMPLE_MEMBERS });
    if (!r.ok) throw new Error(r.error);
    expect(formatResult(r.value, c.type)).toBe(gives);
  });
});
