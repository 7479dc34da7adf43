import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migratePlan, Plan, PLAN_VERSION } from './plan';

const firstShape = (JSON.parse(readFileSync(join(import.meta.dirname, '../../test/fixtures/plans/v1-first-shape.json'), 'utf8')) as { plan: Record<string, unknown> }).plan;

describe('migratePlan', () => {
  it('reads a plan of the first published shape (no value maps, no settings)', () => {
    expect(firstShape).not.toHaveProperty('valueMaps');
    const plan = migratePlan(firstShape);
    expect(plan.version).toBe(PLAN_VERSION);
    expect(plan.valueMaps).toEqual({});
    expect(plan.settings).toBeUndefined();
    expect(plan.steps.map((s) => s.nodeId)).toEqual(['source', 'map', 'target']);
    expect(plan.pipelines).toEqual([{ id: 'p-target', nodeIds: ['source', 'map', 'target'] }]);
  });

  it('applies the upgrades from an older version in order, then validates', () => {
    const seen: number[] = [];
    const upgrades = {
      [PLAN_VERSION - 2]: (p: Record<string, unknown>) => (seen.push(PLAN_VERSION - 2), { ...p, version: PLAN_VERSION - 1, pipelines: p.chains }),
      [PLAN_VERSION - 1]: (p: Record<string, unknown>) => (seen.push(PLAN_VERSION - 1), { ...p, version: PLAN_VERSION }),
    };
    const old = { ...firstShape, version: PLAN_VERSION - 2, chains: firstShape.pipelines, pipelines: undefined };
    const plan = migratePlan(old, upgrades);
    expect(seen).toEqual([PLAN_VERSION - 2, PLAN_VERSION - 1]);
    expect(plan.pipelines).toEqual(firstShape.pipelines);
  });

  it('refuses a version it has no upgrade from, a newer version, and what is not a plan', () => {
    expect(() => migratePlan({ ...firstShape, version: PLAN_VERSION - 1 }, {})).toThrow(`no upgrade from it to version ${PLAN_VERSION}`);
    expect(() => migratePlan({ ...firstShape, version: PLAN_VERSION + 1 })).toThrow(`published by a newer Weft (plan version ${PLAN_VERSION + 1})`);
    expect(() => migratePlan({ ...firstShape, pipelines: [] })).toThrow();
    expect(() => migratePlan(null)).toThrow();
  });

  it('leaves a current plan as the schema reads it', () => {
    const current = Plan.parse({ ...firstShape, valueMaps: { Regions: { EU: 'Europe' } }, settings: { outageWindowMinutes: 5 } });
    expect(migratePlan(JSON.parse(JSON.stringify(current)))).toEqual(current);
  });
});
