import { describe, expect, it } from 'vitest';
import { overviewPaths, type OverviewStep } from './overview';

const step = (id: string, kind: string, x: number, y: number, extra: Partial<OverviewStep> = {}): OverviewStep => ({
  id,
  position: { x, y },
  data: { node: { kind }, errors: [] },
  ...extra,
});
const SIZE = { width: 216, height: 76 };
/** How many subpaths (blocks, dots or line runs) a path holds. */
const count = (d: string) => (d.match(/M/g) ?? []).length;

describe('overviewPaths', () => {
  it('draws each unselected step as a block of its category, a dot for its problems, and its lines', () => {
    const steps = [
      step('a', 'csv-source', 0, 0),
      step('b', 'filter', 280, 0, { data: { node: { kind: 'filter' }, errors: ['x'] } }),
      step('c', 'workspace-target', 560, 140, { measured: { width: 200, height: 90 } }),
    ];
    const p = overviewPaths(steps, [{ source: 'a', target: 'b' }, { source: 'b', target: 'c', className: 'weft-edge weft-edge--error' }], SIZE);
    expect([count(p.source), count(p.transform), count(p.target), count(p.problems)]).toEqual([1, 1, 1, 1]);
    // A measured step is drawn at its measured size; the line in one row is one straight run, between rows three.
    expect(p.target).toContain('M572 140h176');
    expect(p['line-plain']).toBe('M216 38H280');
    expect(p['line-error']).toBe('M496 38H528V185H560');
    expect(p['line-plain-moving'] + p['line-error-moving'] + p['line-selected']).toBe('');
  });

  it('leaves selected steps to their own elements and keeps their lines apart (only those change in a drag)', () => {
    const steps = [step('a', 'csv-source', 0, 0), step('b', 'filter', 280, 0, { selected: true }), step('c', 'filter', 560, 0)];
    const lines = [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'a', target: 'c', selected: true },
    ];
    const before = overviewPaths(steps, lines, SIZE);
    expect(count(before.transform)).toBe(1);
    expect(count(before['line-plain-moving'])).toBe(2);
    expect(before['line-plain']).toBe('');
    expect(count(before['line-selected'])).toBe(1);
    // The selected step dragged: every path but its lines' stays the same string, so React leaves the SVG alone.
    const after = overviewPaths([steps[0]!, { ...steps[1]!, position: { x: 300, y: 40 } }, steps[2]!], lines, SIZE);
    for (const k of Object.keys(before) as (keyof typeof before)[]) if (k !== 'line-plain-moving') expect(after[k], k).toBe(before[k]);
    expect(after['line-plain-moving']).not.toBe(before['line-plain-moving']);
  });
});
