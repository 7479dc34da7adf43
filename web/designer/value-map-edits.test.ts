import { describe, expect, it } from 'vitest';
import { applyOp, emptyGraph, type ValueMap } from '../../shared';
import { addEntry, addValueMap, freshMapName, parseEntries, pasteEntries, removeEntry, removeValueMap, renameValueMap, setEntry } from './value-map-edits';
import { commit, createHistory, undo } from './history';

const tiers: ValueMap = { name: 'tiers', entries: [{ from: 'g', to: 'Gold' }] };

describe('value map edits', () => {
  it('adds maps with fresh names and an empty first entry', () => {
    const one = addValueMap([]);
    expect(one).toEqual([{ name: 'new_map', entries: [{ from: '', to: '' }] }]);
    expect(addValueMap(one).map((m) => m.name)).toEqual(['new_map', 'new_map_2']);
    expect(freshMapName([{ name: 'new_map', entries: [] }, { name: 'new_map_2', entries: [] }])).toBe('new_map_3');
  });

  it('renames, removes and edits entries without touching other maps', () => {
    const maps = [tiers, { name: 'countries', entries: [] }];
    expect(renameValueMap(maps, 1, 'country_codes')[1]?.name).toBe('country_codes');
    expect(renameValueMap(maps, 1, 'x')[0]).toBe(tiers);
    expect(removeValueMap(maps, 0)).toEqual([{ name: 'countries', entries: [] }]);
    const edited = setEntry(addEntry(maps, 0), 0, 1, { from: 's' });
    expect(edited[0]?.entries).toEqual([{ from: 'g', to: 'Gold' }, { from: 's', to: '' }]);
    expect(setEntry(edited, 0, 1, { to: 'Silver' })[0]?.entries[1]).toEqual({ from: 's', to: 'Silver' });
    expect(removeEntry(edited, 0, 0)[0]?.entries).toEqual([{ from: 's', to: '' }]);
    expect(maps[0]).toBe(tiers);
  });

  it('parses pasted rows from a spreadsheet or comma lines', () => {
    expect(parseEntries('US\tUnited States\nFR\tFrance, Republic of\n\n')).toEqual([
      { from: 'US', to: 'United States' },
      { from: 'FR', to: 'France, Republic of' },
    ]);
    expect(parseEntries('a,1\r\nb, 2\nc')).toEqual([
      { from: 'a', to: '1' },
      { from: 'b', to: '2' },
      { from: 'c', to: '' },
    ]);
    expect(pasteEntries(addValueMap([]), 0, 'x,y')[0]?.entries).toEqual([{ from: 'x', to: 'y' }]);
  });

  it('lands in the graph through one undoable setValueMaps op', () => {
    const h0 = createHistory(emptyGraph());
    const h1 = commit(h0, [{ type: 'setValueMaps', valueMaps: addValueMap(h0.graph.valueMaps ?? []) }]);
    expect(h1.graph.valueMaps?.[0]?.name).toBe('new_map');
    const h2 = commit(h1, [{ type: 'setValueMaps', valueMaps: renameValueMap(h1.graph.valueMaps ?? [], 0, 'tiers') }]);
    expect(applyOp(h2.graph, { type: 'setValueMaps', valueMaps: [] }).valueMaps).toEqual([]);
    expect(undo(h2).graph.valueMaps?.[0]?.name).toBe('new_map');
    expect(undo(undo(h2)).graph.valueMaps).toBeUndefined();
  });
});
