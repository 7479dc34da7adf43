// A webhook integration for tests: Receive webhook (id, name, amount) -> Map (id the key) -> workspace object.
import type { Graph } from '../../shared';

export const WEBHOOK_SAMPLE = '{"id": "c1", "name": "Ada", "amount": 12.5}';

export function webhookGraph(object: string, opts: { recordsPath?: string } = {}): Graph {
  return {
    version: 1,
    nodes: [
      {
        id: 'hook',
        kind: 'webhook-source',
        label: 'Orders webhook',
        position: { x: 0, y: 0 },
        config: {
          recordsPath: opts.recordsPath ?? '',
          sample: WEBHOOK_SAMPLE,
          emptyTextIsNull: true,
          columns: [
            { name: 'id', type: 'text' },
            { name: 'name', type: 'text' },
            { name: 'amount', type: 'number' },
          ],
        },
      },
      {
        id: 'map',
        kind: 'map',
        position: { x: 300, y: 0 },
        config: {
          fields: [
            { source: 'id', target: 'id', type: 'text', key: true },
            { source: 'name', target: 'name', type: 'text', key: false },
            { source: 'amount', target: 'amount', type: 'number', key: false },
          ],
        },
      },
      { id: 'target', kind: 'workspace-target', position: { x: 600, y: 0 }, config: { object, mode: 'upsert' } },
    ],
    edges: [
      { id: 'e1', source: 'hook', target: 'map' },
      { id: 'e2', source: 'map', target: 'target' },
    ],
  } as Graph;
}
