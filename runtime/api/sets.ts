// Integration sets: save (members checked: known, published, integrations not sets, each once), run now, cancel, the
// set's history, its Temporal Schedule, and its trigger tokens and trigger API (the integration trigger-token
// mechanism, scoped to one set: same prefix, hashed, named, revocable, rate-limited).
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { recordSetRunCancelled } from '../activities/sets';
import { cadenceNote, describeCadence, isCancellableRun, NAME_CONTROL_MESSAGE, RUN_STATUS_LABELS, ScheduleInput, setRunWorkflowId, type IntegrationSet, type SetInput, type SetSchedule } from '../../shared';
import { createRateLimiter } from '../auth/rate-limit';
import { mintToken } from '../auth/secrets';
import type { StoredSet } from '../store/sets';
import type { Store } from '../store/types';
import type { SetEngine } from '../temporal/sets';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, notFound, validationHook, usual } from './errors';
import { hasControlCharacters } from '../../shared/util/control-characters';
import { access, principalOf, serve, TRIGGER_TOKEN_PREFIX, type AuthEnv, type Site } from './guard';
import { engineDown, scheduleRefused } from './schedules';
import { engineFailure, stamp } from './start-run';
import type { TriggerGate } from './trigger-gate';
import * as routes from '../../shared/api/routes';

const TAGS = ['Sets'];
const bad400 = 'Invalid request: error.issues names the field (members.<i> for a member: unknown, unpublished, a set, a duplicate)';

const list = serve(routes.listSets, { ...access('read'), tags: TAGS, summary: 'Every integration set with its members and last run', responses: { 200: 'Sets' } });
const create = serve(routes.createSet, { ...access('design'), tags: TAGS, summary: 'Create a set: a name, published integrations in run order, abort on failure', responses: { 201: 'Created', 400: bad400 } });
const get = serve(routes.getSet, { ...access('read'), tags: TAGS, summary: 'One set', responses: { 200: 'The set', 404: usual[404] } });
const update = serve(routes.updateSet, { ...access('design'), tags: TAGS, summary: 'Change the name, members or abort on failure (runs in progress keep the members they started with)', responses: { 200: 'Saved', 400: bad400, 404: usual[404] } });
const remove = serve(routes.deleteSet, { ...access('design'), tags: TAGS, summary: "Delete a set, its history and its Temporal Schedule (the members' own runs stay in their histories)", responses: { 204: 'Deleted', 404: usual[404], 409: 'A run of the set is in progress', 503: 'The execution engine (Temporal) is unreachable' } });
const run = serve(routes.runSet, { ...access('run'), tags: TAGS, summary: 'Run now: the members one after another, as child workflows of the set run', responses: { 202: 'Started', 404: usual[404], 503: 'The execution engine (Temporal) is unreachable' } });
const history = serve(routes.listSetRuns, { ...access('read'), tags: TAGS, summary: "The set's history: each set run with its member runs and their statuses, newest first", responses: { 200: 'Set runs', 404: usual[404] } });
const getRun = serve(routes.getSetRun, { ...access('read'), tags: TAGS, summary: 'One set run with its members', responses: { 200: 'The set run', 404: usual[404] } });
const cancel = serve(routes.cancelSetRun, { ...access('run'), tags: TAGS, summary: 'Cancel a set run: the current member is cancelled, later ones do not run', responses: { 202: 'Cancellation requested', 404: usual[404], 409: 'The set run has already ended', 503: 'The execution engine (Temporal) is unreachable' } });
const getSchedule = serve(routes.getSetSchedule, { ...access('read'), tags: TAGS, summary: "The set's schedule with Temporal's next times, or null", responses: { 200: 'The schedule or null', 404: usual[404], 503: 'The execution engine (Temporal) is unreachable' } });
const saveSchedule = serve(routes.saveSetSchedule, { ...access('run'), tags: TAGS, summary: "Create or change the set's schedule (a Temporal Schedule starting the set's parent workflow)", responses: { 200: 'Saved', 400: usual[400], 404: usual[404], 503: 'The execution engine (Temporal) is unreachable' } });
const deleteSchedule = serve(routes.deleteSetSchedule, { ...access('run'), tags: TAGS, summary: "Remove the set's schedule", responses: { 204: 'Removed', 404: 'No such set, or it has no schedule', 503: 'The execution engine (Temporal) is unreachable' } });
const listTokens = serve(routes.listSetTokens, { ...access('design'), tags: TAGS, summary: "The set's trigger tokens (never the tokens themselves)", responses: { 200: 'Tokens', 404: usual[404] } });
const createToken = serve(routes.createSetToken, { ...access('design'), tags: TAGS, summary: 'Create a token that may trigger this set only; the answer is the only time it is shown', responses: { 201: 'Created', 400: usual[400], 404: usual[404] } });
const revokeToken = serve(routes.revokeSetToken, { ...access('design'), tags: TAGS, summary: 'Revoke a set trigger token', responses: { 204: 'Revoked', 404: usual[404] } });
const trigger = serve(routes.triggerSet, {
  ...access('trigger'),
  tags: TAGS,
  summary: 'Run the set with `Authorization: Bearer <set trigger token>`; no session or CSRF token needed',
  responses: { 202: 'Started: the set run id and where to read its status', 401: 'No trigger token, or a wrong or revoked one', 403: "A token of another set or of an integration", 404: usual[404], 429: 'Too many triggers with this token; Retry-After says when', 503: 'The execution engine (Temporal) is unreachable' },
});
const triggeredRun = serve(routes.triggeredSetRun, { ...access('trigger'), tags: TAGS, summary: "A set run's status, read with the set's trigger token", responses: { 200: 'The set run', 401: 'No trigger token, or a wrong or revoked one', 403: 'A token of another set', 404: usual[404] } });

/** 400 with one issue per bad member, named `members.<i>` like zod's own. */
async function checkMembers(store: Store, members: string[]): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  for (const [i, id] of members.entries()) {
    const integration = await store.getIntegration(id);
    if (!integration) issues.push({ path: `members.${i}`, message: `No integration has the id "${id}"` });
    else if (!integration.publishedVersionId) issues.push({ path: `members.${i}`, message: `"${integration.name}" is not published; publish it before adding it to a set` });
  }
  if (issues.length > 0) throw new HttpError(400, 'invalid_request', `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

export async function servedSet(store: Store, set: StoredSet): Promise<IntegrationSet> {
  const members = await Promise.all(
    set.members.map(async (id) => {
      const i = await store.getIntegration(id);
      return { integrationId: id, name: i?.name ?? '', published: Boolean(i?.publishedVersionId), active: i?.active ?? false };
    }),
  );
  const [last] = (await store.sets.listSetRuns(set.id, { limit: 1 })).items;
  return {
    id: set.id,
    name: set.name,
    members,
    abortOnFailure: set.abortOnFailure,
    schedule: set.schedule ? { ...set.schedule, description: describeCadence(set.schedule.cadence, set.schedule.timeZone) } : null,
    lastRun: last ? { id: last.id, status: last.status, createdAt: last.createdAt } : null,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
  };
}

const requireEngine = (engine: SetEngine | undefined): SetEngine => {
  if (!engine) throw new HttpError(503, 'engine_unavailable', 'Sets need the execution engine (Temporal), which this server is not connected to');
  return engine;
};

/** Records a set run (members as they are now) and starts its parent workflow; 503 when Temporal does not answer. */
export async function startSetRun(store: Store, engine: SetEngine | undefined, set: StoredSet, input: { name: string; trigger: 'manual' | 'api'; startedBy: string | null }) {
  const sets = requireEngine(engine);
  const members = await Promise.all(set.members.map(async (id) => ({ integrationId: id, name: (await store.getIntegration(id))?.name ?? '' })));
  const created = await store.sets.createSetRun({
    setId: set.id,
    name: input.name || `${input.trigger === 'api' ? 'API run' : 'Manual run'}, ${stamp(new Date())}`,
    trigger: input.trigger,
    startedBy: input.startedBy,
    abortOnFailure: set.abortOnFailure,
    members,
  });
  try {
    const { workflowId } = await sets.start(created.id);
    await store.sets.setSetRunWorkflow(created.id, workflowId);
  } catch (err) {
    const reason = engineFailure(err);
    await store.sets.finishSetRun(created.id, 'failed', `Could not start the set: ${reason}`);
    throw new HttpError(503, 'engine_unavailable', `Could not start the set: the execution engine did not answer (${reason}). Try again in a moment.`);
  }
  return created;
}

export function setRoutes(deps: ApiDeps, site: Site, gate: TriggerGate) {
  const { store } = deps;
  const perToken = createRateLimiter(deps.triggerLimit ?? { max: 60, windowMs: 60_000 });

  const mustExist = async (id: string) => {
    const found = await store.sets.getSet(id);
    if (!found) throw notFound('Set', id);
    return found;
  };

  async function readSchedule(set: StoredSet): Promise<SetSchedule | null> {
    if (!set.schedule) return null;
    let state = null;
    try {
      state = await requireEngine(deps.sets).describeSchedule(set.id);
    } catch (err) {
      throw err instanceof HttpError ? err : engineDown(err);
    }
    const { cadence, timeZone, enabled } = set.schedule;
    return { cadence, timeZone, enabled, description: describeCadence(cadence, timeZone), note: cadenceNote(cadence, timeZone), nextRuns: state?.nextRuns ?? [], inTemporal: state !== null };
  }

  /** The trigger token of set `id`, or the 401/403/429 it earns (runtime/api/trigger-gate.ts). */
  const setTokenFor = (c: Context<AuthEnv>, id: string) => gate(c, id, { type: 'set', lookup: (hash) => store.sets.useSetToken(hash), ownerOf: (t) => t.setId });

  const saveInput = async (input: SetInput & { members: string[] }) => {
    await checkMembers(store, input.members);
    return { name: input.name, members: input.members, abortOnFailure: input.abortOnFailure ?? true };
  };

  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json(await Promise.all((await store.sets.listSets()).map((s) => servedSet(store, s))), 200))
    .openapi(create, async (c) => {
      const input = await saveInput(c.req.valid('json'));
      const created = await store.sets.createSet(input);
      await audit(c, store, 'set.created', { type: 'set', id: created.id, name: created.name }, { members: created.members.length, abortOnFailure: created.abortOnFailure });
      return c.json(await servedSet(store, created), 201);
    })
    .openapi(get, async (c) => c.json(await servedSet(store, await mustExist(c.req.valid('param').id)), 200))
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const stored = await mustExist(id);
      const body = c.req.valid('json');
      if (body.name !== stored.name && hasControlCharacters(body.name)) {
        throw new HttpError(400, 'invalid_request', `Invalid request: name: ${NAME_CONTROL_MESSAGE}`, { issues: [{ path: 'name', message: NAME_CONTROL_MESSAGE }] });
      }
      const input = await saveInput(body);
      const saved = await store.sets.updateSet(id, input);
      if (!saved) throw notFound('Set', id);
      await audit(c, store, 'set.saved', { type: 'set', id, name: saved.name }, { members: saved.members.length, abortOnFailure: saved.abortOnFailure });
      return c.json(await servedSet(store, saved), 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      const set = await mustExist(id);
      // Any run in progress, not only among the newest few (a long run followed by ten quick ones was missed).
      if (await store.sets.hasSetRunInProgress(id)) throw new HttpError(409, 'run_in_progress', 'A run of this set is in progress; cancel it or wait for it to end');
      if (set.schedule) {
        try {
          await requireEngine(deps.sets).removeSchedule(id);
        } catch (err) {
          throw err instanceof HttpError ? err : engineDown(err);
        }
      }
      await store.sets.deleteSet(id);
      await audit(c, store, 'set.deleted', { type: 'set', id, name: set.name });
      return c.body(null, 204);
    })
    .openapi(run, async (c) => {
      const { id } = c.req.valid('param');
      const set = await mustExist(id);
      const body = c.req.valid('json') ?? { name: '' };
      const p = principalOf(c);
      const started = await startSetRun(store, deps.sets, set, {
        name: body.name ?? '',
        trigger: p.kind === 'token' ? 'api' : 'manual',
        startedBy: p.user ? p.user.name || p.user.email : p.actor,
      });
      await audit(c, store, 'set.started', { type: 'set', id, name: set.name }, { setRunId: started.id });
      return c.json((await store.sets.getSetRun(started.id)) ?? started, 202);
    })
    .openapi(history, async (c) => {
      const { id } = c.req.valid('param');
      await mustExist(id);
      const { limit, offset } = c.req.valid('query');
      return c.json(await store.sets.listSetRuns(id, { limit, offset }), 200);
    })
    .openapi(getRun, async (c) => {
      const { id } = c.req.valid('param');
      const found = await store.sets.getSetRun(id);
      if (!found) throw notFound('Set run', id);
      return c.json(found, 200);
    })
    .openapi(cancel, async (c) => {
      const { id } = c.req.valid('param');
      const found = await store.sets.getSetRun(id);
      if (!found) throw notFound('Set run', id);
      if (!isCancellableRun(found.status)) throw new HttpError(409, 'not_running', `Only a queued or running set run can be cancelled; this one is ${RUN_STATUS_LABELS[found.status]}`);
      let running: boolean;
      try {
        ({ running } = await requireEngine(deps.sets).cancel(setRunWorkflowId(id)));
      } catch (err) {
        throw err instanceof HttpError ? err : new HttpError(503, 'engine_unavailable', `Could not cancel the set run: the execution engine did not answer (${engineFailure(err)}).`);
      }
      // Temporal has no running workflow for it (terminated, or ended without recording the set run): nothing else
      // will ever end it, so Cancel records it, with any member run that never started (sched13).
      const gone = !running;
      if (gone) await recordSetRunCancelled(store, id, 'Cancelled: its workflow was no longer running in the execution engine.');
      await audit(c, store, 'set.cancelled', { type: 'set', id: found.setId, name: found.name }, { setRunId: id, ...(gone && { workflowGone: true }) });
      return c.json(gone ? ((await store.sets.getSetRun(id)) ?? found) : found, 202);
    })
    .openapi(getSchedule, async (c) => c.json(await readSchedule(await mustExist(c.req.valid('param').id)), 200))
    .openapi(saveSchedule, async (c) => {
      const { id } = c.req.valid('param');
      const set = await mustExist(id);
      const input = ScheduleInput.parse(c.req.valid('json'));
      const engine = requireEngine(deps.sets);
      try {
        await engine.saveSchedule({ setId: id, cadence: input.cadence, timeZone: input.timeZone, enabled: input.enabled });
        if (input.runNow) await engine.triggerSchedule(id);
      } catch (err) {
        throw scheduleRefused(err);
      }
      await store.sets.setSchedule(id, { cadence: input.cadence, timeZone: input.timeZone, enabled: input.enabled });
      const served = await readSchedule((await store.sets.getSet(id)) ?? set);
      await audit(c, store, 'set.schedule_saved', { type: 'set', id, name: set.name }, { schedule: served?.description ?? null, enabled: input.enabled, runNow: input.runNow });
      return c.json(served!, 200);
    })
    .openapi(deleteSchedule, async (c) => {
      const { id } = c.req.valid('param');
      const set = await mustExist(id);
      let removed: boolean;
      try {
        removed = await requireEngine(deps.sets).removeSchedule(id);
      } catch (err) {
        throw err instanceof HttpError ? err : engineDown(err);
      }
      if (!set.schedule && !removed) throw new HttpError(404, 'not_found', `"${set.name}" has no schedule`);
      await store.sets.setSchedule(id, null);
      await audit(c, store, 'set.schedule_deleted', { type: 'set', id, name: set.name });
      return c.body(null, 204);
    })
    .openapi(listTokens, async (c) => {
      const { id } = c.req.valid('param');
      await mustExist(id);
      return c.json(await store.sets.listSetTokens(id), 200);
    })
    .openapi(createToken, async (c) => {
      const { id } = c.req.valid('param');
      const set = await mustExist(id);
      const { token, tokenHash, prefix } = mintToken(TRIGGER_TOKEN_PREFIX);
      const info = await store.sets.createSetToken({ setId: id, name: c.req.valid('json').name, tokenHash, prefix, createdBy: principalOf(c).actor });
      await audit(c, store, 'trigger_token.created', { type: 'set', id, name: set.name }, { token: info.name, prefix: info.prefix });
      return c.json({ token, info }, 201);
    })
    .openapi(revokeToken, async (c) => {
      const { id, tokenId } = c.req.valid('param');
      const gone = await store.sets.deleteSetToken(id, tokenId);
      if (!gone) throw notFound('Trigger token', tokenId);
      await audit(c, store, 'trigger_token.revoked', { type: 'set', id, name: (await store.sets.getSet(id))?.name ?? null }, { token: gone.name, prefix: gone.prefix });
      return c.body(null, 204);
    })
    .openapi(trigger, async (c) => {
      const { id } = c.req.valid('param');
      const token = await setTokenFor(c, id);
      const wait = perToken.retryAfter([token.id]);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new HttpError(429, 'rate_limited', `This token started too many runs; try again in ${wait} s`);
      }
      perToken.fail([token.id]);
      const set = await mustExist(id);
      const started = await startSetRun(store, deps.sets, set, { name: '', trigger: 'api', startedBy: `trigger:${token.name}` });
      await audit(c, store, 'set.triggered', { type: 'set', id, name: set.name }, { setRunId: started.id }, { actor: `trigger:${token.name}`, actorId: token.id });
      const statusUrl = `${site.publicUrl.origin}/api/sets/${encodeURIComponent(id)}/trigger/runs/${encodeURIComponent(started.id)}`;
      return c.json({ setRunId: started.id, statusUrl }, 202);
    })
    .openapi(triggeredRun, async (c) => {
      const { id, runId } = c.req.valid('param');
      await setTokenFor(c, id);
      const found = await store.sets.getSetRun(runId);
      if (!found || found.setId !== id) throw notFound('Set run', runId);
      return c.json(found, 200);
    });
}
