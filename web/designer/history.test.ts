import { describe, expect, it } from 'vitest';
import { emptyGraph, type GraphOp } from '../../shared';
import { canRedo, canUndo, commit, createHistory, redo, undo } from './history';

const add = (id: string): GraphOp => ({ type: 'addNode', node: { id, kind: 'map', position: { x: 0, y: 0 }, config: { fields: [] } } });
const cfg = (n: number): GraphOp => ({ type: 'updateConfig', id: 'a', config: { fields: [], n } });

describe('history', () => {
  it('undoes and redoes op batches', () => {
    let h = createHistory(emptyGraph());
    h = commit(h, [add('a')], { at: 0 });
    h = commit(h, [add('b'), add('c')], { at: 10 });
    expect(h.graph.nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    h = undo(h);
    expect(h.graph.nodes.map((n) => n.id)).toEqual(['a']);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(h.graph.nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    h = undo(undo(h));
    expect(h.graph.nodes).toEqual([]);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
  });

  it('drops the redo stack on a new edit and ignores no-op ops', () => {
    let h = commit(createHistory(emptyGraph()), [add('a')], { at: 0 });
    h = undo(h);
    h = commit(h, [add('z')], { at: 5 });
    expect(canRedo(h)).toBe(false);
    const same = commit(h, [add('z')], { at: 6 });
    expect(same).toBe(h);
  });

  it('merges typing in one field into one undo step', () => {
    let h = commit(createHistory(emptyGraph()), [add('a')], { at: 0 });
    h = commit(h, [cfg(1)], { mergeKey: 'a:n', at: 100 });
    h = commit(h, [cfg(2)], { mergeKey: 'a:n', at: 600 });
    h = commit(h, [cfg(3)], { mergeKey: 'a:n', at: 1100 });
    expect(h.past).toHaveLength(2);
    h = undo(h);
    expect(h.graph.nodes[0]?.config).toEqual({ fields: [] });
    h = redo(h);
    expect(h.graph.nodes[0]?.config).toEqual({ fields: [], n: 3 });
    h = commit(h, [cfg(4)], { mergeKey: 'a:n', at: 9000 });
    expect(h.past).toHaveLength(3);
  });
});
