// The record inbox: rejected records across runs and integrations, listed, filtered and grouped on the server;
// edited and resubmitted (one resubmit run per integration, of its current published version, over exactly those
// records, through the same pipeline), or ignored with a note.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { carriedParams, INBOX_STATUS_LABELS, resolveRunParams, resubmittedValues, type Plan, type RunParameter } from '../../shared';
import * as routes from '../../shared/api/routes';
import type { InboxRecordRef, ResubmitItem } from '../store/inbox';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { HttpError, usual, validationHook } from './errors';
import { access, serve, type AuthEnv } from './guard';
import { inactiveError, startRunOf } from './start-run';

const list = serve(routes.listInbox, {
  ...access('read'),
  tags: ['Inbox'],
  summary: 'Rejected records across runs and integrations, newest first, filtered and paged on the server (default: rejected and still failing)',
  responses: { 200: 'A page of records', 400: usual[400] },
});

const groups = serve(routes.inboxGroups, {
  ...access('read'),
  tags: ['Inbox'],
  summary: 'The reasons records were rejected, with how many records each, under the same filters as the list',
  responses: { 200: 'Reasons and counts', 400: usual[400] },
});

const waiting = serve(routes.inboxCount, {
  ...access('read'),
  tags: ['Inbox'],
  summary: 'How many records wait for a person (rejected or still failing): the nav badge',
  responses: { 200: 'The count' },
});

const resubmit = serve(routes.resubmitRecords, {
  ...access('run'),
  tags: ['Inbox'],
  summary: "Resubmit records, with edited source values: one run per integration of its current published version over exactly those records",
  responses: {
    202: 'Started: the resubmit runs',
    400: 'Unknown record ids, a field the record\'s source does not have, or a bad value (each named in error.issues)',
    409: 'A record is fixed, ignored or already being resubmitted; an integration is deactivated or not published; a step is gone from the published version; the published version needs a parameter value a resubmit cannot give',
    503: 'The execution engine (Temporal) is unreachable',
  },
});

const ignore = serve(routes.ignoreRecords, {
  ...access('run'),
  tags: ['Inbox'],
  summary: 'Mark rejected or still-failing records Ignored, with a note',
  responses: { 200: 'Ignored', 400: usual[400], 409: 'A record is fixed, ignored or being resubmitted' },
});

type Issue = { path: string; message: string };
type Published = { integration: Awaited<ReturnType<ApiDeps['store']['getIntegration']>>; plan: Plan | null; parameters: RunParameter[] | undefined };

const invalid = (issues: Issue[]) => new HttpError(400, 'invalid_request', `Invalid request: ${issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`, { issues });

/** The records by id, each once; unknown ids answer 400 naming each (`ids.<i>`). */
async function knownRecords(deps: Pick<ApiDeps, 'store'>, ids: readonly string[]): Promise<InboxRecordRef[]> {
  const unique = [...new Set(ids)];
  const found = new Map((await deps.store.inbox.getRecords(unique)).map((r) => [r.id, r]));
  const issues = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: `ids.${i}`, message: `No rejected record "${id}" in the inbox` }]));
  if (issues.length > 0) throw invalid(issues);
  return unique.map((id) => found.get(id) as InboxRecordRef);
}

/** 409 unless every record can still be acted on (rejected, or still failing). */
function mustBeActionable(records: readonly InboxRecordRef[], what: string): void {
  const held = records.filter((r) => r.status !== 'open' && r.status !== 'still_failing');
  if (held.length === 0) return;
  const first = held[0] as InboxRecordRef;
  throw new HttpError(
    409,
    'not_actionable',
    `${held.length === 1 ? 'A record is' : `${held.length} records are`} not ${what}: "${first.id}" is ${INBOX_STATUS_LABELS[first.status]}${first.status === 'fixed' ? ' (a fixed record is never sent twice)' : ''}`,
    { issues: held.map((r) => ({ path: 'ids', message: `"${r.id}" is ${INBOX_STATUS_LABELS[r.status]}` })) },
  );
}

/**
 * 409 for a record a later run rejected again (inbox14): the inbox lists the record once, as its newest rejection,
 * and acting on that one settles the earlier ones too.
 */
function mustBeNewest(records: readonly InboxRecordRef[]): void {
  const older = records.filter((r) => r.supersededBy !== null);
  if (older.length === 0) return;
  const first = older[0] as InboxRecordRef;
  throw new HttpError(409, 'superseded', `Record "${first.id}" was rejected again by a later run; act on its newest rejection "${first.supersededBy}", which settles this one too`, {
    issues: older.map((r) => ({ path: 'ids', message: `"${r.id}" was rejected again as "${r.supersededBy}"` })),
  });
}

/** The source step that fed a rejected step's records: the first step of a pipeline through that step. */
function sourceOf(plan: Plan, nodeId: string): string | null {
  return plan.pipelines.find((p) => p.nodeIds.includes(nodeId))?.nodeIds[0] ?? null;
}

/** The fields the source step feeding `nodeId` reads in `plan` (none without a plan or such a step). */
function sourceFields(plan: Plan | null, nodeId: string): string[] {
  const sourceId = plan ? sourceOf(plan, nodeId) : null;
  return (plan?.steps.find((st) => st.nodeId === sourceId)?.output?.fields ?? []).map((f) => f.name);
}

function startedBy(c: Context<AuthEnv>): string | null {
  const p = c.get('principal');
  return p?.user ? p.user.name || p.user.email : (p?.actor ?? null);
}

export function inboxRoutes({ store, launcher }: ApiDeps) {
  return new OpenAPIHono<AuthEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const { limit, offset, ...filter } = c.req.valid('query');
      const page = await store.inbox.list(filter, { limit, offset });
      return c.json({ ...page, limit, offset }, 200);
    })
    .openapi(groups, async (c) => c.json(await store.inbox.groups(c.req.valid('query')), 200))
    .openapi(waiting, async (c) => c.json({ waiting: await store.inbox.countWaiting() }, 200))
    .openapi(resubmit, async (c) => {
      const body = c.req.valid('json');
      const records = await knownRecords({ store }, body.ids);
      const byId = new Map(records.map((r) => [r.id, r]));
      // Each integration's published version, read once (checked below, after the body's own errors).
      const byIntegration = new Map<string, InboxRecordRef[]>();
      for (const r of records) byIntegration.set(r.integrationId, [...(byIntegration.get(r.integrationId) ?? []), r]);
      const published = new Map<string, Published>();
      for (const integrationId of byIntegration.keys()) {
        const integration = await store.getIntegration(integrationId);
        const version = integration?.publishedVersionId ? await store.getVersion(integration.publishedVersionId) : null;
        published.set(integrationId, { integration, plan: version?.plan ?? null, parameters: version?.graph.parameters });
      }
      // The fields the record's source step reads now (the published version's), which may differ from the record's
      // own when the source changed since it was rejected (inbox14).
      const readsNow = (r: InboxRecordRef): string[] => sourceFields(published.get(r.integrationId)?.plan ?? null, r.nodeId);
      const known = (r: InboxRecordRef, field: string) => Object.hasOwn(r.source, field) || readsNow(r).includes(field);
      // Edits name fields of the record's source or of its source step now, nothing else (`__proto__` included: only
      // when one of them has it).
      const issues: Issue[] = [];
      for (const [id, edits] of Object.entries(body.edits ?? {})) {
        const record = byId.get(id);
        if (!record) {
          issues.push({ path: `edits.${id}`, message: `"${id}" is not among the selected records (ids)` });
          continue;
        }
        for (const field of Object.keys(edits)) {
          if (!known(record, field)) issues.push({ path: `edits.${id}.${field}`, message: `The source of record "${id}" has no field "${field}"` });
        }
      }
      for (const field of Object.keys(body.set ?? {})) {
        const lacking = records.filter((r) => !known(r, field));
        if (lacking.length > 0) {
          issues.push({ path: `set.${field}`, message: `The source has no field "${field}" in ${lacking.length === records.length ? 'the selected records' : `${lacking.length} of the ${records.length} selected records (e.g. "${lacking[0]?.id}")`}` });
        }
      }
      if (issues.length > 0) throw invalid(issues);
      mustBeActionable(records, 'waiting to be resubmitted');
      mustBeNewest(records);

      // One run per integration, of its current published version: check them all before claiming anything.
      const plans = new Map<string, { plan: Plan; name: string; params: Record<string, unknown>; fromRuns: string[] }>();
      for (const [integrationId, group] of byIntegration) {
        const { integration, plan, parameters } = published.get(integrationId) as Published;
        if (!integration) throw new HttpError(409, 'not_published', `The integration of record "${group[0]?.id}" no longer exists`);
        if (!integration.active) throw inactiveError(integration);
        if (!plan) throw new HttpError(409, 'not_published', `"${integration.name}" is not published; publish it before resubmitting its records`);
        const gone = group.filter((r) => !sourceOf(plan, r.nodeId));
        if (gone.length > 0) {
          throw new HttpError(409, 'step_gone', `The step that rejected record "${gone[0]?.id}" is not in the published version of "${integration.name}" any more; ignore the record or run the integration again`);
        }
        // The parameters of the newest run the records came from (they were rejected under those values), as far as the
        // version still declares them; a parameter it needs that has no value and no default cannot be given here.
        const fromRuns = [...new Set(group.map((r) => r.runId))];
        const runs = (await Promise.all(fromRuns.map((id) => store.getRun(id)))).filter((r) => r !== null);
        runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const checked = resolveRunParams(parameters, carriedParams(parameters, runs[0]?.params ?? {}));
        if (!checked.ok) {
          const names = [...new Set(checked.issues.map((i) => i.path.slice('params.'.length)))];
          throw new HttpError(
            409,
            'params_changed',
            `"${integration.name}" now needs a value for the parameter${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}, which a resubmit cannot give: give ${names.length === 1 ? 'it a default' : 'them defaults'} and publish, then resubmit`,
            { issues: checked.issues.map((i) => ({ path: i.path, message: i.message })) },
          );
        }
        plans.set(integrationId, { plan, name: integration.name, params: checked.params, fromRuns });
      }
      // inbox14: a record rejected before its source changed (a field renamed or removed) lacks a field the source
      // reads now. Typing it as null would write null over the target's value: refused, naming each field, until the
      // person gives it a value (edits or set name the source's current fields; an explicit null is their choice).
      // A field the source read when the record was rejected and the record lacks (a webhook body without an optional
      // field) is the record's own: it stays null, as it would have then.
      const planThen = new Map<string, Plan | null>();
      for (const runId of new Set(records.map((r) => r.runId))) {
        const run = await store.getRun(runId);
        planThen.set(runId, run ? ((await store.getVersion(run.versionId))?.plan ?? null) : null);
      }
      const changed: Issue[] = [];
      for (const r of records) {
        const values = resubmittedValues(r.edited ?? r.source, body.edits?.[r.id], body.set);
        const then = sourceFields(planThen.get(r.runId) ?? null, r.nodeId);
        const lacking = readsNow(r).filter((f) => !Object.hasOwn(values, f) && !then.includes(f));
        if (lacking.length === 0) continue;
        const dropped = Object.keys(values).filter((f) => !readsNow(r).includes(f));
        for (const f of lacking) {
          changed.push({
            path: `edits.${r.id}.${f}`,
            message: `The source of "${plans.get(r.integrationId)?.name}" now reads "${f}", which record "${r.id}" (rejected before the source changed) does not have${dropped.length > 0 ? `; it has ${dropped.map((d) => `"${d}"`).join(', ')}, which the source no longer reads` : ''}. Give "${f}" a value (edits or set) or ignore the record`,
          });
        }
      }
      if (changed.length > 0) {
        const fields = [...new Set(changed.map((i) => i.path.slice(i.path.indexOf('.', 'edits.'.length) + 1)))];
        const records = new Set(changed.map((i) => i.path.split('.')[1])).size;
        throw new HttpError(
          409,
          'source_changed',
          `The source changed since ${records === 1 ? 'this record was' : `these ${records} records were`} rejected: it now reads ${fields.map((f) => `"${f}"`).join(', ')}, which ${records === 1 ? 'the record does' : 'they do'} not have. Give ${fields.length === 1 ? 'it' : 'them'} a value (edits or set) or ignore the record${records === 1 ? '' : 's'}`,
          { issues: changed },
        );
      }

      // The claim is the guard: a record another resubmit holds (or fixed meanwhile) is not claimed, and nothing starts.
      const claimed = await store.inbox.claim(records.map((r) => r.id));
      if (claimed.length < records.length) {
        await store.inbox.release(claimed);
        const lost = records.filter((r) => !claimed.includes(r.id)).map((r) => r.id);
        throw new HttpError(409, 'not_actionable', `${lost.length === 1 ? 'A record is' : `${lost.length} records are`} already being resubmitted, fixed or ignored: "${lost[0]}"`, {
          issues: lost.map((id) => ({ path: 'ids', message: `"${id}" was resubmitted or settled meanwhile` })),
        });
      }

      const started: { runId: string; integrationId: string; records: number }[] = [];
      const pending = new Set(byIntegration.keys());
      try {
        for (const [integrationId, group] of byIntegration) {
          const { plan, name, params, fromRuns: newest } = plans.get(integrationId) as { plan: Plan; name: string; params: Record<string, unknown>; fromRuns: string[] };
          const items: ResubmitItem[] = group.map((r) => ({
            recordId: r.id,
            sourceNodeId: sourceOf(plan, r.nodeId) as string,
            // Edits build on the values last resubmitted, so a record fixed in steps keeps each fix.
            values: resubmittedValues(r.edited ?? r.source, body.edits?.[r.id], body.set),
          }));
          const runName = body.name
            ? byIntegration.size > 1
              ? `${body.name} (${name})`
              : body.name
            : `Resubmit of ${group.length} record${group.length === 1 ? '' : 's'}`;
          const result = await startRunOf({ store, launcher }, integrationId, {
            trigger: 'resubmit',
            name: runName,
            startedBy: startedBy(c),
            params,
            prepare: (run) => store.inbox.addResubmitItems(run.id, items),
          });
          pending.delete(integrationId);
          started.push({ runId: result.run.id, integrationId, records: group.length });
          await audit(c, store, 'inbox.resubmitted', { type: 'integration', id: integrationId, name }, { runId: result.run.id, records: group.length, fromRuns: newest });
        }
      } finally {
        const unstarted = [...pending].flatMap((id) => (byIntegration.get(id) ?? []).map((r) => r.id));
        if (unstarted.length > 0) await store.inbox.release(unstarted);
      }
      return c.json({ runs: started }, 202);
    })
    .openapi(ignore, async (c) => {
      const { ids, note } = c.req.valid('json');
      const records = await knownRecords({ store }, ids);
      mustBeActionable(records, 'open');
      mustBeNewest(records);
      const done = await store.inbox.ignore(
        records.map((r) => r.id),
        note,
      );
      await audit(c, store, 'inbox.ignored', { type: 'inbox' }, { records: done.length, note });
      return c.json({ ignored: done.length }, 200);
    });
}
