// Integrations: CRUD over drafts, server-side compile, and publish (the gate that refuses errors).
import { OpenAPIHono } from '@hono/zod-openapi';
import { describeCadence, hasErrors, isCancellableRun, NAME_CONTROL_MESSAGE } from '../../shared';
import { hasControlCharacters } from '../../shared/util/control-characters';
import { engineDown, pendingTimes, requireKeeper } from './schedules';
import { compileOnServer } from './compile-context';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { access, serve } from './guard';
import { HttpError, notFound, validationHook, usual } from './errors';
import { publishIntegration } from './publish';
import * as routes from '../../shared/api/routes';

const list = serve(routes.listIntegrations, {
  ...access('read'),
  tags: ['Integrations'],
  summary: 'List integrations with their last run',
  responses: { 200: 'Integrations' },
});

const create = serve(routes.createIntegration, {
  ...access('design'),
  tags: ['Integrations'],
  summary: 'Create an integration (a draft graph)',
  responses: { 201: 'Created', 400: usual[400] },
});

const get = serve(routes.getIntegration, {
  ...access('read'),
  tags: ['Integrations'],
  summary: 'One integration with its draft graph',
  responses: { 200: 'The integration', 404: usual[404] },
});

const update = serve(routes.updateIntegration, {
  ...access('design'),
  tags: ['Integrations'],
  summary: 'Save the draft (name, description, graph)',
  responses: { 200: 'Saved', 400: usual[400], 404: usual[404] },
});

const remove = serve(routes.deleteIntegration, {
  ...access('design'),
  tags: ['Integrations'],
  summary: 'Delete an integration, its versions, its runs and its schedule (the Temporal Schedule is deleted)',
  responses: { 204: 'Deleted', 404: usual[404], 409: 'A run is in progress', 503: 'It has a schedule and the execution engine (Temporal) is unreachable' },
});

const compileRoute = serve(routes.compileGraph, {
  ...access('read'),
  tags: ['Integrations'],
  summary: 'Compile a graph and return its diagnostics (nothing is saved)',
  responses: { 200: 'Diagnostics and per-node schemas', 400: usual[400] },
});

const publish = serve(routes.publishIntegration, {
  ...access('design'),
  tags: ['Integrations'],
  summary: 'Publish the draft as a new immutable version (refused when it has errors)',
  responses: { 200: 'Published (or unchanged since the last version)', 404: usual[404], 422: 'The graph has errors: error.diagnostics lists them' },
});

export function integrationRoutes({ store, schedules }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json(await store.listIntegrations(), 200))
    .openapi(create, async (c) => {
      const created = await store.createIntegration(c.req.valid('json'));
      await audit(c, store, 'integration.created', { type: 'integration', id: created.id, name: created.name });
      return c.json(created, 201);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const found = await store.getIntegration(id);
      if (!found) throw notFound('Integration', id);
      return c.json(found, 200);
    })
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      if (patch.name !== undefined && hasControlCharacters(patch.name) && (await store.getIntegration(id))?.name !== patch.name) {
        throw new HttpError(400, 'invalid_request', `Invalid request: name: ${NAME_CONTROL_MESSAGE}`, { issues: [{ path: 'name', message: NAME_CONTROL_MESSAGE }] });
      }
      const saved = await store.updateIntegration(id, patch);
      if (!saved) throw notFound('Integration', id);
      await audit(c, store, 'integration.saved', { type: 'integration', id, name: saved.name }, { changed: Object.keys(patch).sort() });
      return c.json(saved, 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      // Any run in progress, not only among the newest twenty: runs overlap, and a long one followed by twenty quick
      // ones was missed, deleting its rows under its workflow (review13b; sched13 fixed the same for sets).
      const { items } = await store.listRuns(id, { limit: 1, status: ['queued', 'running'] });
      if (items.some((r) => isCancellableRun(r.status))) {
        throw new HttpError(409, 'run_in_progress', 'A run of this integration is in progress; delete it when the run has finished');
      }
      const gone = await store.getIntegration(id);
      if (!gone) throw notFound('Integration', id);
      const inSets = await store.sets.setsContaining(id);
      if (inSets.length > 0) {
        throw new HttpError(409, 'in_set', `"${gone.name}" is a member of the set${inSets.length > 1 ? 's' : ''} ${inSets.map((s) => `"${s.name}"`).join(', ')}; remove it from ${inSets.length > 1 ? 'them' : 'it'} first`);
      }
      // Its Temporal Schedule goes first: were Temporal down, the integration stays rather than leave a Schedule firing at nothing.
      const schedule = await store.getSchedule(id);
      // Its runs go with it, so the scheduled time it had pending is kept as "Scheduled but deleted" in the audit log.
      const scheduledButDeleted = schedule ? await pendingTimes(schedules, id) : [];
      if (schedule) {
        try {
          await requireKeeper(schedules).remove(id);
        } catch (err) {
          throw err instanceof HttpError ? err : engineDown(err);
        }
      }
      if (!(await store.deleteIntegration(id))) throw notFound('Integration', id);
      await audit(c, store, 'integration.deleted', { type: 'integration', id, name: gone.name }, schedule ? { scheduleDeleted: describeCadence(schedule.cadence, schedule.timeZone), scheduledButDeleted } : {});
      return c.body(null, 204);
    })
    .openapi(compileRoute, async (c) => {
      const result = await compileOnServer(store, c.req.valid('json').graph);
      return c.json({ ok: !hasErrors(result.diagnostics), diagnostics: result.diagnostics, schemas: result.schemas }, 200);
    })
    .openapi(publish, async (c) => {
      const { id } = c.req.valid('param');
      const published = await publishIntegration(store, id);
      const name = (await store.getIntegration(id))?.name ?? null;
      await audit(c, store, 'integration.published', { type: 'integration', id, name }, { version: published.version.number, versionId: published.version.id });
      return c.json(published, 200);
    });
}
