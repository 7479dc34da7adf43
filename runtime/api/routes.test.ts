// Every operation the server documents is a contract of shared/api/routes, and every contract is served: a route
// written only on the server (which the web client could not call) or a contract nobody serves fails here.
import { describe, expect, it } from 'vitest';
import * as routes from '../../shared/api/routes';
// Contracts kept out of routes/index.ts so the web app loads them lazily: served and documented all the same.
import * as lazyRoutes from '../../shared/api/routes/create-table';
import { openStore } from '../store';
import { createApi } from './app';
import { testConnections } from '../../test/support/connections';

const isContract = (value: unknown): value is routes.RouteContract =>
  typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'responses' in value;

describe('route contracts', () => {
  it('are exactly the operations of the OpenAPI document', async () => {
    const store = await openStore({ memory: true });
    try {
      const app = createApi({
        store,
        launcher: { start: async (r) => ({ workflowId: `w-${r.runId}` }) },
        filesDir: '/nonexistent',
        maxUploadBytes: 4096,
        connections: testConnections(store),
      });
      const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'Weft API', version: 'test' } });
      const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
        Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
      );
      const contracts = [...Object.values(routes), ...Object.values(lazyRoutes)].filter(isContract).map((r) => `${r.method.toUpperCase()} ${routes.API_BASE}${r.path}`);
      expect(contracts.length).toBeGreaterThan(45);
      expect(new Set(contracts).size).toBe(contracts.length);
      expect([...documented].sort()).toEqual([...contracts].sort());
    } finally {
      await store.close();
    }
  });
});
