import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler';
import type { Diagnostic } from '../../compiler/diagnostics';
import type { Graph } from '../schema';
import { inferWorkspaceSource } from '../../compiler/infer/workspace-source';
import { WorkspaceSourceConfig } from './workspace-source';

const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'active', type: 'boolean' as const },
];
const workspaceObjects = { customers: { fields, key: ['email'] } };

function infer(config: Partial<WorkspaceSourceConfig>, ctx = { workspaceObjects }) {
  const found: Omit<Diagnostic, 'nodeId'>[] = [];
  const schema = inferWorkspaceSource(WorkspaceSourceConfig.parse(config), null, (d) => found.push({ severity: 'error', ...d }), ctx);
  return { schema, codes: found.map((d) => d.code), found };
}

describe('workspace-source kind', () => {
  it('asks for an object, and refuses one the workspace does not have', () => {
    expect(infer({}).codes).toEqual(['no-object']);
    const r = infer({ object: 'prospects' });
    expect(r.codes).toEqual(['unknown-object']);
    expect(r.found[0]?.message).toBe('The workspace has no object "prospects" yet. Run the integration that writes it first, or choose another object.');
    expect(r.schema).toBeNull();
  });

  it("emits the object's attributes and key as the workspace knows them now, over the fields saved with the node", () => {
    const r = infer({ object: 'customers', columns: [{ name: 'email', type: 'text' }], key: ['email'] });
    expect(r.codes).toEqual([]);
    expect(r.schema).toEqual({ fields, key: ['email'] });
  });

  it('uses the fields saved with the node when the compiler is not told the workspace', () => {
    expect(infer({ object: 'customers', columns: fields.slice(0, 2), key: ['email'] }, {} as { workspaceObjects: typeof workspaceObjects }).schema).toEqual({ fields: fields.slice(0, 2), key: ['email'] });
  });

  it("checks the filter as a TRUE/FALSE formula over the object's fields, at the filter's path", () => {
    expect(infer({ object: 'customers', filter: '[active] AND [amount] > 10' }).codes).toEqual([]);
    const unknown = infer({ object: 'customers', filter: '[amont] > 10' });
    expect(unknown.found).toEqual([expect.objectContaining({ path: 'filter', code: expect.stringMatching(/^formula-/), message: expect.stringMatching(/amont/) })]);
    const notBoolean = infer({ object: 'customers', filter: '[amount] + 1' });
    expect(notBoolean.found.map((d) => d.path)).toEqual(['filter']);
    expect(notBoolean.found[0]?.severity).toBe('error');
  });

  it('compiles workspace -> workspace into a plan whose source step carries the schema and the filter', () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: 'src', kind: 'workspace-source', position: { x: 0, y: 0 }, config: { object: 'customers', filter: '[active]' } },
        { id: 'dst', kind: 'workspace-target', position: { x: 300, y: 0 }, config: { object: 'active_customers', mode: 'upsert' } },
      ],
      edges: [{ id: 'e', source: 'src', target: 'dst' }],
    };
    const { plan, diagnostics } = compile(graph, { workspaceObjects });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plan?.steps.find((s) => s.nodeId === 'src')).toMatchObject({ kind: 'workspace-source', config: { object: 'customers', filter: '[active]' }, output: { fields, key: ['email'] } });

    const broken = compile({ ...graph, nodes: graph.nodes.map((n) => (n.id === 'src' ? { ...n, config: { object: 'customers', filter: '[vip]' } } : n)) }, { workspaceObjects });
    expect(broken.plan).toBeNull();
    expect(broken.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ nodeId: 'src', path: 'filter', severity: 'error' })]));
  });
});
