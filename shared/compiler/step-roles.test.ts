import { describe, expect, it } from 'vitest';
import { KIND_IDS, KINDS } from '../graph/kinds';
import { kindIdsOf, stepRole } from './step-roles';

describe('step roles', () => {
  it("come from each kind's registry category, for every kind", () => {
    for (const id of KIND_IDS) expect(stepRole(id)).toBe(KINDS[id].category);
    expect(stepRole('legacy-target')).toBeUndefined();
  });

  it('list the kinds of one category, which together are every kind once', () => {
    expect(kindIdsOf('target')).toEqual(expect.arrayContaining(['workspace-target', 'sql-target']));
    expect(kindIdsOf('source')).toEqual(expect.arrayContaining(['csv-source', 'sql-source', 'workspace-source']));
    expect(kindIdsOf('transform')).toEqual(expect.arrayContaining(['map', 'filter']));
    expect([...kindIdsOf('source'), ...kindIdsOf('transform'), ...kindIdsOf('target')].sort()).toEqual([...KIND_IDS].sort());
  });
});
