// Schedules: save, read and remove an integration's Temporal Schedule; the store keeps what the person chose.
import { OpenAPIHono } from '@hono/zod-openapi';
import { cadenceNote, describeCadence, ScheduleInput, SKIPPED_OVERLAP_MESSAGE, type Schedule } from '../../shared';
import type { Store, StoredSchedule } from '../store/types';
import type { ScheduleKeeper, ScheduleState } from '../temporal/schedules';
import { audit } from './audit-log';
import { stamp } from './start-run';
import type { ApiDeps } from './deps';
import { access, serve } from './guard';
import { HttpError, notFound, validationHook, usual } from './errors';
import * as routes from '../../shared/api/routes';

const list = serve(routes.listSchedules, {
  ...access('read'),
  tags: ['Schedules'],
  summary: 'Every saved schedule with its cadence in words and its next run times (from Temporal)',
  responses: { 200: 'Schedules', 503: 'The execution engine (Temporal) is unreachable' },
});

const get = serve(routes.getSchedule, {
  ...access('read'),
  tags: ['Schedules'],
  summary: "An integration's schedule, or null when it has none",
  responses: { 200: 'The schedule or null', 404: usual[404], 503: 'The execution engine (Temporal) is unreachable' },
});

const save = serve(routes.saveSchedule, {
  ...access('run'),
  tags: ['Schedules'],
  summary: 'Create or change the schedule (cadence, time zone, enabled); `runNow` also starts one run at once',
  responses: {
    200: 'Saved',
    400: 'Invalid request: error.issues names the bad field (a cron that does not parse, an unknown time zone, …)',
    404: usual[404],
    409: 'Not published yet, or deactivated (a schedule of a deactivated integration can only be saved disabled)',
    503: 'The execution engine (Temporal) is unreachable',
  },
});

const remove = serve(routes.deleteSchedule, {
  ...access('run'),
  tags: ['Schedules'],
  summary: 'Remove the schedule (the Temporal Schedule is deleted; past runs stay in sync history)',
  responses: { 204: 'Removed', 404: 'No such integration, or it has no schedule', 503: 'The execution engine (Temporal) is unreachable' },
});

/** A Temporal call that failed, as the 503 a person reads. */
export function engineDown(err: unknown): HttpError {
  const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new HttpError(503, 'engine_unavailable', `The execution engine did not answer (${why}); the schedule was not changed. Try again in a moment.`);
}

/**
 * What Temporal refused in a schedule (its client throws a TypeError for an invalid argument: a time zone Intl knows
 * but Temporal's tz database does not, a year out of its range) is the request's fault: 400 naming the field, not a
 * 503 saying the engine did not answer (sched13). Anything else is the engine's.
 */
export function scheduleRefused(err: unknown): HttpError {
  if (!(err instanceof TypeError)) return engineDown(err);
  const why = err.message.split('\n')[0] ?? '';
  const path = /time ?zone/i.test(why) ? 'timeZone' : 'cadence';
  const message = path === 'timeZone' ? `The execution engine does not know this time zone (${why}); use an IANA name such as Europe/Paris` : `The execution engine refused this cadence (${why})`;
  return new HttpError(400, 'invalid_request', `Invalid request: ${path}: ${message}`, { issues: [{ path, message }] });
}

export function requireKeeper(keeper: ScheduleKeeper | undefined): ScheduleKeeper {
  if (!keeper) throw new HttpError(503, 'engine_unavailable', 'Scheduling needs the execution engine (Temporal), which this server is not connected to');
  return keeper;
}

export function servedSchedule(stored: StoredSchedule, state: ScheduleState | null): Schedule {
  return {
    integrationId: stored.integrationId,
    cadence: stored.cadence,
    timeZone: stored.timeZone,
    enabled: stored.enabled,
    description: describeCadence(stored.cadence, stored.timeZone),
    note: cadenceNote(stored.cadence, stored.timeZone),
    nextRuns: state?.nextRuns ?? [],
    inTemporal: state !== null,
    skippedOverlap: state?.skippedOverlap ?? 0,
    updatedAt: stored.updatedAt,
  };
}

/**
 * Temporal skips a scheduled time whose previous run still goes (overlap SKIP) and only counts it. Each new skip it
 * counted becomes a Skipped run in sync history, once: the count moves conditionally, so of two readers one records.
 */
export async function recordSkips(store: Store, stored: StoredSchedule, state: ScheduleState | null): Promise<void> {
  if (!state || state.skippedOverlap === stored.skippedRecorded) return;
  // A Schedule made again (after it was lost) counts from 0.
  if (state.skippedOverlap < stored.skippedRecorded) {
    await store.setScheduleSkipsRecorded(stored.integrationId, stored.skippedRecorded, state.skippedOverlap);
    return;
  }
  if (!(await store.setScheduleSkipsRecorded(stored.integrationId, stored.skippedRecorded, state.skippedOverlap))) return;
  const integration = await store.getIntegration(stored.integrationId);
  if (!integration?.publishedVersionId) return;
  for (let k = stored.skippedRecorded; k < state.skippedOverlap; k++) {
    const run = await store.createRun({ integrationId: integration.id, versionId: integration.publishedVersionId, trigger: 'schedule', params: {}, steps: [] });
    await store.finishRun(run.id, 'skipped', SKIPPED_OVERLAP_MESSAGE);
  }
}

/**
 * Takes an integration's schedule out of service without losing what it was about to do: its next pending time (from
 * Temporal's describe, read before pausing) becomes a "Scheduled but deleted" entry in sync history, the Temporal
 * Schedule is paused with the reason as its note, and the stored schedule says disabled (enabling it again is a
 * person's choice). Used by auto-disable (after N consecutive failures) and by deactivation. Returns the pending time
 * recorded, or null (no schedule, already paused, or nothing pending).
 */
export async function withdrawSchedule(store: Store, keeper: ScheduleKeeper, integrationId: string, reason: string): Promise<string | null> {
  const stored = await store.getSchedule(integrationId);
  if (!stored) return null;
  const state = await keeper.describe(integrationId);
  const next = state && !state.paused ? (state.nextRuns[0] ?? null) : null;
  await keeper.pause(integrationId, reason);
  if (stored.enabled) await store.saveSchedule({ integrationId, cadence: stored.cadence, timeZone: stored.timeZone, enabled: false });
  const integration = await store.getIntegration(integrationId);
  if (!next || !integration?.publishedVersionId) return null;
  const when = stamp(new Date(next));
  const run = await store.createRun({
    integrationId,
    versionId: integration.publishedVersionId,
    trigger: 'schedule',
    name: `Scheduled run, ${when}`,
    params: {},
    steps: [],
  });
  await store.finishRun(run.id, 'scheduled_deleted', `Scheduled for ${when}; it will not run: ${reason}. Scheduling is disabled until it is enabled again.`);
  return next;
}

/** The next pending times of an integration's schedule (from Temporal), for the record of a delete; [] when none. */
export async function pendingTimes(keeper: ScheduleKeeper | undefined, integrationId: string): Promise<string[]> {
  if (!keeper) return [];
  const state = await keeper.describe(integrationId).catch(() => null);
  return state && !state.paused ? state.nextRuns.slice(0, 1) : [];
}

/** Records the new overlap skips of every schedule (the server's sweep). */
export async function recordAllSkips(store: Store, keeper: ScheduleKeeper): Promise<void> {
  for (const stored of await store.listSchedules()) await recordSkips(store, stored, await keeper.describe(stored.integrationId));
}

/** The stored schedule with Temporal's view of it, recording any new overlap skips on the way. */
export async function readSchedule(store: Store, keeper: ScheduleKeeper, stored: StoredSchedule): Promise<Schedule> {
  let state: ScheduleState | null;
  try {
    state = await keeper.describe(stored.integrationId);
  } catch (err) {
    throw engineDown(err);
  }
  await recordSkips(store, stored, state);
  return servedSchedule(stored, state);
}

export function scheduleRoutes({ store, schedules }: ApiDeps) {
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const keeper = requireKeeper(schedules);
      const all = await store.listSchedules();
      return c.json(await Promise.all(all.map((s) => readSchedule(store, keeper, s))), 200);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getIntegration(id))) throw notFound('Integration', id);
      const stored = await store.getSchedule(id);
      if (!stored) return c.json(null, 200);
      return c.json(await readSchedule(store, requireKeeper(schedules), stored), 200);
    })
    .openapi(save, async (c) => {
      const { id } = c.req.valid('param');
      const input = ScheduleInput.parse(c.req.valid('json'));
      const keeper = requireKeeper(schedules);
      const integration = await store.getIntegration(id);
      if (!integration) throw notFound('Integration', id);
      if (!integration.publishedVersionId) throw new HttpError(409, 'not_published', 'Publish the integration before scheduling it');
      // Deactivation paused the schedule; it is enabled again after activating (saving it disabled stays allowed).
      if ((input.enabled || input.runNow) && !integration.active) {
        throw new HttpError(409, 'inactive', `"${integration.name}" is deactivated; activate it before enabling its schedule or running it (the schedule can be saved disabled)`);
      }
      try {
        // Temporal first: when it is down nothing is saved, so Weft never shows a schedule that does not fire.
        await keeper.save({ integrationId: id, cadence: input.cadence, timeZone: input.timeZone, enabled: input.enabled });
        if (input.runNow) await keeper.trigger(id);
      } catch (err) {
        throw scheduleRefused(err);
      }
      const stored = await store.saveSchedule({ integrationId: id, cadence: input.cadence, timeZone: input.timeZone, enabled: input.enabled });
      const served = await readSchedule(store, keeper, stored);
      await audit(c, store, 'schedule.saved', { type: 'integration', id, name: integration.name }, { schedule: served.description, enabled: input.enabled, runNow: input.runNow });
      return c.json(served, 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      const integration = await store.getIntegration(id);
      if (!integration) throw notFound('Integration', id);
      const stored = await store.getSchedule(id);
      let removed: boolean;
      try {
        removed = await requireKeeper(schedules).remove(id);
      } catch (err) {
        throw engineDown(err);
      }
      if (!(await store.deleteSchedule(id)) && !removed) throw new HttpError(404, 'not_found', `"${integration.name}" has no schedule`);
      await audit(c, store, 'schedule.deleted', { type: 'integration', id, name: integration.name }, { schedule: stored ? describeCadence(stored.cadence, stored.timeZone) : null });
      return c.body(null, 204);
    });
}
