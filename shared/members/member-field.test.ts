// A Map field set to "Align member from <system>" (from: 'member'): compiled as MEMBER("<system>", [<source>]) is —
// the same checks, the same lookup, the same reject-or-default-member setting — and exported with that formula.
import { describe, expect, it } from 'vitest';
import { compile } from '../compiler/compile';
import type { Graph } from '../graph/schema';
import { fieldFormula, memberFormula, MapConfig } from '../graph/kinds/map';
import { createMapTransform } from '../transforms/map';
import { mappingCsv } from '../transforms/map-export';
import { buildMemberDirectory } from './directory';

const members = buildMemberDirectory(
  {
    systems: ['hubspot', 'salesforce'],
    members: [
      { id: 'm1', email: 'ada@example.com', name: 'Ada' },
      { id: 'm2', email: 'bob@example.com', name: 'Bob' },
      { id: 'm3', email: 'queue@example.com', name: 'Queue' },
    ],
    accounts: [
      { system: 'hubspot', externalId: '301', memberId: 'm1' },
      { system: 'salesforce', externalId: '005A', memberId: 'm1' },
      { system: 'hubspot', externalId: '9007199254740993', memberId: 'm2' },
      { system: 'salesforce', externalId: '005Q', memberId: 'm3' },
    ],
  },
  'salesforce',
);

function graph(field: Record<string, unknown>, extra: Record<string, unknown> = {}): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'src', kind: 'workspace-source', label: 'Deals', position: { x: 0, y: 0 }, config: { object: 'deals', columns: [{ name: 'deal', type: 'text' }, { name: 'owner_id', type: 'text' }, { name: 'a]b', type: 'text' }] } },
      { id: 'map', kind: 'map', label: 'Map', position: { x: 300, y: 0 }, config: { fields: [{ from: 'field', source: 'deal', target: 'deal', type: 'text', key: true }, { target: 'owner', type: 'text', ...field }], ...extra } },
      { id: 'dst', kind: 'workspace-target', label: 'Out', position: { x: 600, y: 0 }, config: { object: 'out', mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'map' },
      { id: 'e2', source: 'map', target: 'dst' },
    ],
  };
}

const problems = (g: Graph, systems: string[] = ['hubspot', 'salesforce']) =>
  compile(g, { memberSystems: systems })
    .diagnostics.filter((d) => d.severity === 'error' && d.nodeId === 'map')
    .map((d) => `${d.path}: ${d.code}: ${d.message}`);

describe('a member field in the Map', () => {
  it('is the MEMBER() formula, with names quoted as formulas quote them', () => {
    expect(memberFormula('hubspot', 'owner_id')).toBe('MEMBER("hubspot", [owner_id])');
    expect(memberFormula('x"y', 'a]b')).toBe('MEMBER("x""y", [a]]b])');
    expect(fieldFormula(MapConfig.parse({ fields: [{ from: 'member', system: 'hubspot', source: 'owner_id', target: 'o', type: 'text' }] }).fields[0]!)).toBe('MEMBER("hubspot", [owner_id])');
    expect(fieldFormula(MapConfig.parse({ fields: [{ from: 'field', source: 'owner_id', target: 'o', type: 'text' }] }).fields[0]!)).toBeNull();
  });

  it('compiles clean with a known system and field, and says what is wrong otherwise (system, field, type)', () => {
    expect(problems(graph({ from: 'member', system: 'hubspot', source: 'owner_id' }))).toEqual([]);
    expect(problems(graph({ from: 'member', system: 'weft', source: 'a]b' }))).toEqual([]);
    expect(problems(graph({ from: 'member', system: 'hubspt', source: 'owner_id' }))).toEqual(['fields.1.system: formula-unknown-member-system: Unknown member system "hubspt". Did you mean "hubspot"?']);
    expect(problems(graph({ from: 'member', system: '__proto__', source: 'owner_id' }))[0]).toMatch(/^fields\.1\.system: formula-unknown-member-system: Unknown member system "__proto__"/);
    expect(problems(graph({ from: 'member', system: '', source: 'owner_id' }))).toEqual(['fields.1.system: invalid-config: Choose the member system the ids come from']);
    expect(problems(graph({ from: 'member', system: 'hubspot', source: '' }))).toEqual(['fields.1.source: invalid-config: Choose the field that holds the person’s id']);
    expect(problems(graph({ from: 'member', system: 'hubspot', source: 'ownr_id' }))).toEqual(['fields.1.source: unknown-field: Unknown field "ownr_id" — did you mean "owner_id"?']);
    // MEMBER gives Text: a Number field cannot hold it.
    expect(problems(graph({ from: 'member', system: 'hubspot', source: 'owner_id', type: 'number' }))[0]).toMatch(/^fields\.1\.system: /);
    // The default member is asked for when the Map falls back to one.
    expect(problems(graph({ from: 'member', system: 'hubspot', source: 'owner_id' }, { unmatchedMembers: 'default', defaultMember: '' }))).toEqual(["defaultMember: invalid-config: Name the default member's email, or reject records MEMBER() finds no one for"]);
  });

  it('looks the person up like MEMBER(): the id in the target, rejected with the reason, or the default member', () => {
    const step = (extra: Record<string, unknown> = {}) => {
      const config = MapConfig.parse({ fields: [{ from: 'field', source: 'deal', target: 'deal', type: 'text', key: true }, { from: 'member', system: 'hubspot', source: 'owner_id', target: 'owner', type: 'text' }], ...extra });
      const input = { fields: [{ name: 'deal', type: 'text' as const }, { name: 'owner_id', type: 'text' as const }], key: [] };
      return createMapTransform(config, { nodeId: 'map', label: 'Map', kind: 'map', config, input, output: null } as never, { valueMaps: {}, members, memberSystems: ['hubspot', 'salesforce'] });
    };
    const rows = [
      { rowNumber: 1, values: { deal: 'd1', owner_id: '301' }, source: {} },
      { rowNumber: 2, values: { deal: 'd2', owner_id: '9007199254740993' }, source: {} },
      { rowNumber: 3, values: { deal: 'd3', owner_id: '999' }, source: {} },
      { rowNumber: 4, values: { deal: 'd4', owner_id: null }, source: {} },
    ];
    const rejecting = step().apply(rows);
    expect(rejecting.rows.map((r) => [r.rowNumber, r.values.owner])).toEqual([
      [1, '005A'],
      [4, null],
    ]);
    expect(rejecting.rejected.map((r) => [r.rowNumber, r.reason])).toEqual([
      [2, 'owner: #N/A Bob (bob@example.com) has no id in salesforce in MEMBER("hubspot", [owner_id])'],
      [3, 'owner: #N/A No member has hubspot id "999" (Members page: link it to a member) in MEMBER("hubspot", [owner_id])'],
    ]);
    const defaulting = step({ unmatchedMembers: 'default', defaultMember: 'queue@example.com' }).apply(rows);
    expect(defaulting.rejected).toEqual([]);
    expect(defaulting.rows.map((r) => r.values.owner)).toEqual(['005A', '005Q', '005Q', null]);
  });

  it('is exported with its MEMBER() formula', () => {
    const csv = mappingCsv('Map', [{ from: 'member', system: 'hubspot', source: 'owner_id', target: 'owner', type: 'text', key: false }]);
    expect(csv.split('\r\n')[1]).toBe('Map,owner,Text,,,,member,"MEMBER(""hubspot"", [owner_id])",');
  });
});
