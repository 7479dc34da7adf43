// "Test a record" (docs/runs.md): the designer's graph compiled on the server, its source searched, one record traced
// through every step and its target's write planned — nothing is written.
import { OpenAPIHono } from '@hono/zod-openapi';
import { hasErrors } from '../../shared/compiler/diagnostics';
import { TestRecordInput } from '../../shared/api/test-record';
import { ConnectorError } from '../connections';
import { PlanError } from '../executors';
import { testRecord } from '../test-record/trace';
import { compileOnServer } from './compile-context';
import type { ApiDeps } from './deps';
import { HttpError, notFound, usual, validationHook } from './errors';
import { access, serve, type AuthEnv } from './guard';
import * as routes from '../../shared/api/routes';

const route = serve(routes.testRecord, {
  ...access('design'),
  tags: ['Integrations'],
  summary: "Test a record: find source records by any field, follow one through every step (filters' values, mapped values) and plan its target's write (create, update which fields, unchanged, reject) without writing",
  responses: { 200: 'The matches, and the traced record', 400: usual[400], 404: usual[404], 422: 'The graph has errors, or the source could not be read (the message says why)' },
});

export function testRecordRoutes(deps: ApiDeps) {
  const { store } = deps;
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook }).openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const input = TestRecordInput.parse(c.req.valid('json'));
    const integration = await store.getIntegration(id);
    if (!integration) throw notFound('Integration', id);
    const graph = input.graph ?? integration.graph;
    const compiled = await compileOnServer(store, graph);
    if (!compiled.plan || hasErrors(compiled.diagnostics)) {
      const count = compiled.diagnostics.filter((d) => d.severity === 'error').length;
      throw new HttpError(422, 'compile_failed', `Fix the integration's ${count} problem${count === 1 ? '' : 's'} before testing a record`, { diagnostics: compiled.diagnostics });
    }
    try {
      return c.json(await testRecord({ store, sessions: deps.connections }, compiled.plan, graph.parameters, input), 200);
    } catch (err) {
      if (err instanceof PlanError || err instanceof ConnectorError || (err instanceof Error && err.name === 'ConnectionServiceError')) throw new HttpError(422, 'test_failed', err.message);
      throw err;
    }
  });
}
