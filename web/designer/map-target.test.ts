import { describe, expect, it } from 'vitest';
import type { Graph, WorkspaceObject } from '../../shared';
import { mapTargetOf } from './map-target';

const node = (id: string, kind: string, config: Record<string, unknown> = {}, label?: string) => ({ id, kind, label, position: { x: 0, y: 0 }, config });
const at = '2026-01-01T00:00:00.000Z';
const contacts: WorkspaceObject = { name: 'contacts', label: 'Contacts', key: ['email'], attributes: [{ name: 'email', type: 'text' }, { name: 'mrr', type: 'currency', currency: 'EUR' }], recordCount: 2, createdAt: at, updatedAt: at };

describe("a Map's target fields, for auto-map", () => {
  it('follows the Map through a filter to a workspace target and takes its object\'s attributes and key', () => {
    const g: Graph = {
      version: 1,
      nodes: [node('m', 'map'), node('f', 'filter'), node('t', 'workspace-target', { object: 'contacts', mode: 'upsert' }, 'Contacts')],
      edges: [
        { id: 'e1', source: 'm', target: 'f' },
        { id: 'e2', source: 'f', target: 't' },
      ],
    };
    expect(mapTargetOf(g, 'm', [contacts])).toEqual({ label: 'Contacts (contacts)', fields: contacts.attributes, key: ['email'] });
    // A new object (not in the workspace yet) has no fields to match.
    expect(mapTargetOf(g, 'm', [])).toBeNull();
  });

  it("takes a database target's columns and primary key; a table not picked yet gives nothing", () => {
    const columns = [{ name: 'id', type: 'number' }, { name: '__proto__', type: 'text' }];
    const g: Graph = { version: 1, nodes: [node('m', 'map'), node('t', 'sql-target', { connectionId: 'c', object: 'public.orders', mode: 'upsert', columns, key: ['id'] })], edges: [{ id: 'e', source: 'm', target: 't' }] };
    expect(mapTargetOf(g, 'm', [])).toEqual({ label: 'Write database table (public.orders)', fields: columns, key: ['id'] });
    g.nodes[1]!.config = { connectionId: 'c', object: '', mode: 'upsert', columns: [], key: [] };
    expect(mapTargetOf(g, 'm', [])).toBeNull();
    // No edge out of the Map, or a cycle, ends the walk.
    expect(mapTargetOf({ ...g, edges: [] }, 'm', [])).toBeNull();
    expect(mapTargetOf({ version: 1, nodes: [node('m', 'map'), node('f', 'filter')], edges: [{ id: 'a', source: 'm', target: 'f' }, { id: 'b', source: 'f', target: 'm' }] }, 'm', [])).toBeNull();
  });
});
