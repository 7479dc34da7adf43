// First start only: a demo integration (CSV -> Map -> Filter -> Workspace), published and ready to run.
import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/file-source';
import { publishIntegration } from '../api/publish';
import { sniffCsv } from '../files/csv';
import type { FileStorage } from '../files/storage';
import { saveUpload } from '../files/upload';
import { PROJECT_ROOT } from '../project-root';
import type { Store } from '../store/types';

export const DEMO_NAME = 'Demo: customers CSV → workspace';

export async function seedDemo(store: Store, opts: { dataDir: string; filesDir: string; files?: FileStorage }): Promise<string | null> {
  const marker = join(opts.dataDir, '.seeded');
  if (existsSync(marker)) return null;
  if ((await store.listIntegrations()).length > 0) {
    await writeFile(marker, new Date().toISOString());
    return null;
  }
  const source = join(PROJECT_ROOT, 'runtime', 'seed', 'customers.csv');
  const saved = await saveUpload(Readable.toWeb(createReadStream(source)) as ReadableStream<Uint8Array>, opts.files ?? opts.filesDir, Number.MAX_SAFE_INTEGER);
  const fileId = saved.id;
  const sniffed = await sniffCsv(saved.path);
  await store.saveFile({
    ...saved,
    name: 'customers.csv',
    columns: sniffed.columns,
    delimiter: sniffed.delimiter,
    sampleRows: sniffed.sampleRows,
    format: 'csv',
    compression: 'none',
    hasHeader: true,
    createdAt: new Date().toISOString(),
  });

  const graph: Graph = {
    version: 1,
    nodes: [
      {
        id: 'csv-source-1',
        kind: 'csv-source',
        label: 'Customers CSV',
        position: { x: 0, y: 80 },
        // Published without a person loading the preview: the seed stamps it as loaded.
        config: withFilePreview({ fileId, fileName: 'customers.csv', delimiter: sniffed.delimiter, hasHeader: true, columns: sniffed.columns }),
      },
      {
        id: 'map-1',
        kind: 'map',
        label: 'Clean up fields',
        position: { x: 320, y: 80 },
        config: {
          fields: [
            { source: 'Email', target: 'email', type: 'text', key: true },
            { source: 'Full Name', target: 'name', type: 'text', key: false },
            { source: 'Plan', target: 'plan', type: 'text', key: false },
            { source: 'MRR', target: 'mrr', type: 'currency', key: false },
            { source: 'Signed Up', target: 'signed_up', type: 'date', key: false },
            { source: 'Active', target: 'active', type: 'boolean', key: false },
          ],
        },
      },
      {
        id: 'filter-1',
        kind: 'filter',
        label: 'Active customers',
        position: { x: 640, y: 80 },
        config: { match: 'all', conditions: [{ field: 'active', op: 'eq', value: 'true' }] },
      },
      {
        id: 'workspace-target-1',
        kind: 'workspace-target',
        label: 'Customers',
        position: { x: 960, y: 80 },
        config: { object: 'customers', mode: 'upsert' },
      },
    ],
    edges: [
      { id: 'e-csv-source-1-map-1', source: 'csv-source-1', target: 'map-1' },
      { id: 'e-map-1-filter-1', source: 'map-1', target: 'filter-1' },
      { id: 'e-filter-1-workspace-target-1', source: 'filter-1', target: 'workspace-target-1' },
    ],
  };
  const integration = await store.createIntegration({
    name: DEMO_NAME,
    description: 'Loads active customers from a CSV export into the workspace object "customers", keyed by email.',
    graph,
  });
  await publishIntegration(store, integration.id);
  await writeFile(marker, new Date().toISOString());
  return integration.id;
}
