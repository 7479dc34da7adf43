import { describe, expect, it } from 'vitest';
import fixture from '../test/fixtures/graphs/csv-map-workspace.json';
import { compile } from './compiler';
import { applyOp } from './graph/ops';
import { Graph } from './graph/schema';
import { previewAt, upstreamChain } from './preview';

const graph = () => Graph.parse(structuredClone(fixture));
const samples = [
  { Email: 'a@x.io', 'Full Name': 'Ann', Plan: 'Pro', MRR: '100', 'Signed Up': '2026-01-02', Active: 'true' },
  { Email: 'b@x.io', 'Full Name': 'Bob', Plan: 'Free', MRR: 'n/a', 'Signed Up': '2026-01-03', Active: 'true' },
  { Email: 'c@x.io', 'Full Name': 'Cy', Plan: 'Free', MRR: '0', 'Signed Up': '01/04/2026', Active: 'false' },
];

describe('previewAt', () => {
  it('walks from the source to the node', () => {
    expect(upstreamChain(graph(), 'target')).toEqual(['source', 'map', 'filter', 'target']);
  });

  it('types the sample rows and runs the upstream transforms, keeping rejections with reasons', () => {
    const g = graph();
    const { schemas } = compile(g);
    const result = previewAt(g, schemas, 'filter', (id) => (id === 'source' ? samples : null));
    expect(result.problem).toBeNull();
    expect(result.input.map((r) => r.values.email)).toEqual(['a@x.io', 'c@x.io']);
    expect(result.input[1]?.values).toMatchObject({ mrr: 0, signed_up: '2026-01-04', active: false });
    expect(result.output.map((r) => r.values.email)).toEqual(['a@x.io']);
    expect(result.rejected).toEqual([expect.objectContaining({ nodeId: 'source', rowNumber: 2, reason: 'MRR: "n/a" is not a number' })]);
  });

  it('says why there is no preview', () => {
    const g = graph();
    const { schemas } = compile(g);
    expect(previewAt(g, schemas, 'map', () => null).problem).toMatch(/Load a file/);
    const cut = applyOp(g, { type: 'removeEdges', ids: ['e1'] });
    expect(previewAt(cut, compile(cut).schemas, 'map', () => samples).problem).toMatch(/Connect a source/);
  });
});
