// The record inbox through the HTTP API on the real Temporal dev server: rejected records listed and grouped across
// runs, edited and resubmitted through the same pipeline (a run of the current published version over exactly those
// records), fixed exactly once; a second resubmit of a fixed record, two resubmits racing and a resubmit racing a
// full run never write a duplicate; a record rejected again says why; hostile input is named field by field.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboxRecord, Integration, Page, PublishResult, ResubmitResult, RunDetail, UploadedFile, type Graph } from '../../shared';
import { customersGraph } from '../support/temporal-harness';
import { withPreviewedFile } from '../support/graph-fixtures';
import { json, openApiRig, type ApiRig } from '../support/api-rig';

let rig: ApiRig;
let app: ApiRig['app'];
let integrationId: string;
let firstRunId: string;
const OBJECT = 'inbox_customers';

const inbox = async (query = '') => Page(InboxRecord).parse(await (await app.request(`/api/inbox?integrationId=${integrationId}${query}`)).json());
const resubmit = (body: unknown) => app.request('/api/inbox/resubmit', json('POST', body));
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } }).error;
const targetTotal = async () => ((await (await app.request(`/api/workspace/objects/${OBJECT}/records?limit=1`)).json()) as { total: number }).total;
const byName = (items: InboxRecord[], name: string) => items.find((r) => r.source.Name === name) as InboxRecord;

beforeAll(async () => {
  rig = await openApiRig({ address: inject('temporalAddress'), name: 'inbox', batchSize: 5 });
  ({ app } = rig);
  const csv = [
    'Email,Name,Amount,Active',
    ...Array.from({ length: 6 }, (_, i) => `user${i}@example.com,User ${i},${i * 10},true`),
    'typo@example.com,Typo,lots,true', // Amount is not a number: the Map rejects it
    'more@example.com,More,lots,true', // the same reason, word for word
    ',No Email,3,true', // no key: the workspace target rejects it
  ].join('\n');
  const upload = await app.request('/api/files?name=customers.csv', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
  const file = UploadedFile.parse(await upload.json());
  const graph: Graph = customersGraph({ fileId: file.id, object: OBJECT });
  integrationId = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'Inbox customers', graph }))).json()).id;
  PublishResult.parse(await (await app.request(`/api/integrations/${integrationId}/publish`, json('POST'))).json());
  firstRunId = ((await (await app.request(`/api/integrations/${integrationId}/runs`, json('POST', {}))).json()) as { runId: string }).runId;
  expect((await rig.waitForEnd(firstRunId)).status).toBe('completed_with_errors');
});

afterAll(async () => {
  await rig?.close();
});

describe('the record inbox', () => {
  it('lists the rejected records with their run, step, reason and values, and groups them by reason', async () => {
    const page = await inbox();
    expect(page.total).toBe(3);
    const typo = byName(page.items, 'Typo');
    expect(typo).toMatchObject({ integrationName: 'Inbox customers', runId: firstRunId, nodeId: 'map', status: 'open', edited: null });
    expect(typo.source).toEqual({ Email: 'typo@example.com', Name: 'Typo', Amount: 'lots', Active: 'true' });
    expect(typo.stepLabel).not.toBe('');
    const groups = (await (await app.request(`/api/inbox/groups?integrationId=${integrationId}`)).json()) as { items: { reason: string; count: number }[]; total: number };
    expect(groups.total).toBe(2);
    expect(groups.items[0]?.count).toBe(2); // the two Amount records share one reason
    const onlyThat = await inbox(`&reason=${encodeURIComponent(groups.items[0]!.reason)}`);
    expect(onlyThat.items.map((r) => r.source.Name).sort()).toEqual(['More', 'Typo']);
    expect((await inbox('&from=2999-01-01T00:00:00Z')).total).toBe(0);
    const count = (await (await app.request('/api/inbox/count')).json()) as { waiting: number };
    expect(count.waiting).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad input, naming the field at fault', async () => {
    const { items } = await inbox();
    const typo = byName(items, 'Typo');
    const cases: [unknown, RegExp][] = [
      [{ ids: ['rej_nope'] }, /^ids\.0$/],
      [{ ids: [typo.id], edits: { [typo.id]: { Country: 'US' } } }, new RegExp(`^edits\\.${typo.id}\\.Country$`)],
      [{ ids: [typo.id], set: JSON.parse('{"__proto__":"x"}') as unknown }, /^set\.__proto__$/],
      [{ ids: [typo.id], set: { Amount: 'a\u0000b' } }, /^set\.Amount/],
      [{ ids: [typo.id], edits: { rej_other: { Amount: '1' } } }, /^edits\.rej_other$/],
      [{ ids: [] }, /^ids$/],
    ];
    for (const [body, path] of cases) {
      const res = await resubmit(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(res);
      expect(error.issues?.some((i) => path.test(i.path)), `${JSON.stringify(error.issues)} names ${path}`).toBe(true);
    }
    // A number past 2^53 as a JSON number cannot be kept exactly: refused, and the message says to send text.
    const raw = await app.request('/api/inbox/resubmit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"ids":["${typo.id}"],"set":{"Amount":9007199254740993}}` });
    expect(raw.status).toBe(400);
    const error = await errorOf(raw);
    expect(error.issues?.[0]?.path).toMatch(/^set\.Amount/);
    expect(error.message).toMatch(/send it as text/);
    // Nothing was claimed by the refused requests.
    expect((await inbox()).items.every((r) => r.status === 'open')).toBe(true);
  });

  it('resubmits edited records in a run of the published version that fixes them exactly once', async () => {
    const { items } = await inbox();
    const typo = byName(items, 'Typo');
    const more = byName(items, 'More');
    const before = await targetTotal();
    expect(before).toBe(6);
    const res = await resubmit({
      ids: [typo.id, more.id],
      edits: { [typo.id]: { Amount: '12' }, [more.id]: { Amount: '7' } },
      // Text past 2^53 stays exact, end to end.
      set: { Name: '9007199254740993' },
    });
    expect(res.status).toBe(202);
    const { runs } = ResubmitResult.parse(await res.json());
    expect(runs).toHaveLength(1);
    const run = await rig.waitForEnd(runs[0]!.runId);
    expect(run).toMatchObject({ status: 'completed', trigger: 'resubmit', name: 'Resubmit of 2 records', resubmitOf: [firstRunId] });
    expect(run.counts).toMatchObject({ read: 2, created: 2, rejected: 0 });
    expect(await targetTotal()).toBe(8);
    const written = (await (await app.request(`/api/workspace/objects/${OBJECT}/records?search=typo@example.com`)).json()) as { items: { values: Record<string, unknown> }[] };
    expect(written.items[0]?.values).toMatchObject({ email: 'typo@example.com', name: '9007199254740993', amount: 12 });

    const fixed = await inbox('&status=fixed');
    expect(fixed.items.map((r) => [r.source.Name, r.status, r.outcomeRunId, r.edited?.Amount]).sort()).toEqual([
      ['More', 'fixed', run.id, '7'],
      ['Typo', 'fixed', run.id, '12'],
    ]);
    // The default view no longer shows them.
    expect((await inbox()).total).toBe(1);

    // A second resubmit of a fixed record starts nothing and writes nothing.
    const again = await resubmit({ ids: [typo.id] });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/Fixed/);
    expect(await targetTotal()).toBe(8);
    const history = (await (await app.request(`/api/integrations/${integrationId}/runs?limit=50`)).json()) as { items: { trigger: string }[] };
    expect(history.items.filter((r) => r.trigger === 'resubmit')).toHaveLength(1);
  });

  it('says Still failing with the new reason when the resubmit is rejected again, and lists the record once', async () => {
    const [noEmail] = (await inbox()).items;
    expect(noEmail?.source.Name).toBe('No Email');
    // Two resubmits racing for the same record: one starts, the other is refused.
    const [a, b] = await Promise.all([resubmit({ ids: [noEmail!.id] }), resubmit({ ids: [noEmail!.id] })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const { runs } = ResubmitResult.parse(await (a.status === 202 ? a : b).json());
    const run = await rig.waitForEnd(runs[0]!.runId);
    expect(run.counts.rejected).toBe(1);
    const page = await inbox();
    expect(page.total).toBe(1); // the resubmit run's own rejection is folded into the record, not listed beside it
    expect(page.items[0]).toMatchObject({ id: noEmail!.id, status: 'still_failing', outcomeRunId: run.id });
    expect(page.items[0]?.latestReason).toMatch(/email/i);

    // Fixed at last, racing a full run of the integration (which reads the original file again): keyed writes, no duplicate.
    const [fixedRes, full] = await Promise.all([
      resubmit({ ids: [noEmail!.id], set: { Email: 'found@example.com' } }),
      app.request(`/api/integrations/${integrationId}/runs`, json('POST', {})),
    ]);
    expect(fixedRes.status).toBe(202);
    const fixRun = await rig.waitForEnd(ResubmitResult.parse(await fixedRes.json()).runs[0]!.runId);
    await rig.waitForEnd(((await full.json()) as { runId: string }).runId);
    expect(fixRun.status).toBe('completed');
    expect(await targetTotal()).toBe(9);
    const settled = (await inbox('&status=fixed')).items.find((r) => r.id === noEmail!.id);
    expect(settled).toMatchObject({ status: 'fixed', outcomeRunId: fixRun.id, latestReason: null });
  });

  it('ignores records with a note, once', async () => {
    // The full run above rejected the three bad lines again: new records in the inbox.
    const open = await inbox('&status=open');
    expect(open.total).toBe(3);
    const ids = open.items.map((r) => r.id);
    expect((await app.request('/api/inbox/ignore', json('POST', { ids, note: '' }))).status).toBe(400);
    const res = await app.request('/api/inbox/ignore', json('POST', { ids, note: 'Fixed by hand in the CRM' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ignored: 3 });
    const ignored = await inbox('&status=ignored');
    expect(ignored.items.every((r) => r.note === 'Fixed by hand in the CRM')).toBe(true);
    expect((await app.request('/api/inbox/ignore', json('POST', { ids, note: 'again' }))).status).toBe(409);
    expect((await resubmit({ ids: [ids[0]] })).status).toBe(409);
    expect((await inbox()).total).toBe(0);
  });

  it('shows a resubmit run as started by Resubmit, linked to the runs it resubmitted', async () => {
    const history = (await (await app.request(`/api/integrations/${integrationId}/runs?limit=50`)).json()) as { items: { id: string; trigger: string }[] };
    const resubmits = history.items.filter((r) => r.trigger === 'resubmit');
    expect(resubmits.length).toBe(3);
    for (const r of resubmits) {
      const detail = RunDetail.parse(await (await app.request(`/api/runs/${r.id}`)).json());
      expect(detail.resubmitOf).toEqual([firstRunId]);
    }
  });
});

/** An integration of its own over `csv` (customers' columns), published and run `runs` times; its id and run ids. */
async function customersIntegration(name: string, object: string, csv: string, runs: number): Promise<{ id: string; graph: Graph; runIds: string[] }> {
  const upload = await app.request(`/api/files?name=${object}.csv`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
  const file = UploadedFile.parse(await upload.json());
  const graph: Graph = customersGraph({ fileId: file.id, object });
  const id = Integration.parse(await (await app.request('/api/integrations', json('POST', { name, graph }))).json()).id;
  PublishResult.parse(await (await app.request(`/api/integrations/${id}/publish`, json('POST'))).json());
  const runIds: string[] = [];
  for (let i = 0; i < runs; i++) {
    const runId = ((await (await app.request(`/api/integrations/${id}/runs`, json('POST', {}))).json()) as { runId: string }).runId;
    expect((await rig.waitForEnd(runId)).status).toBe('completed_with_errors');
    runIds.push(runId);
  }
  return { id, graph, runIds };
}

const inboxOf = async (id: string, query = '') => Page(InboxRecord).parse(await (await app.request(`/api/inbox?integrationId=${id}${query}`)).json());
const rejectedOf = async (runId: string) => ((await (await app.request(`/api/runs/${runId}/rejected?limit=50`)).json()) as { items: { id: string; source: Record<string, unknown> }[] }).items;

describe('a record rejected by several runs (inbox14)', () => {
  const csv = ['Email,Name,Amount,Active', 'ok@example.com,Ok,1,true', 'typo@example.com,Typo,lots,true', 'big@example.com,Big,lots,true', ',No Email,3,true'].join('\n');

  it('is one entry, its newest rejection, "rejected in 3 runs"; a record without a key is one entry per run', async () => {
    const { id, runIds } = await customersIntegration('Inbox once', 'inbox_once', csv, 3);
    const page = await inboxOf(id);
    const names = page.items.map((r) => r.source.Name).sort();
    expect(names).toEqual(['Big', 'No Email', 'No Email', 'No Email', 'Typo']);
    expect(page.total).toBe(5);
    const typo = byName(page.items, 'Typo');
    expect(typo).toMatchObject({ runId: runIds[2], rejectedInRuns: 3, status: 'open' });
    expect(page.items.filter((r) => r.source.Name === 'No Email').every((r) => r.rejectedInRuns === 1)).toBe(true);
    const groups = (await (await app.request(`/api/inbox/groups?integrationId=${id}`)).json()) as { items: { reason: string; count: number }[] };
    expect(groups.items.find((g) => /Amount|amount/.test(g.reason))?.count).toBe(2); // Typo and Big, once each

    // An earlier rejection of Typo (listed through the newest) is refused by id, naming the one to act on.
    const older = (await rejectedOf(runIds[0]!)).find((r) => r.source.Name === 'Typo')!;
    for (const path of ['/api/inbox/resubmit', '/api/inbox/ignore']) {
      const res = await app.request(path, json('POST', { ids: [older.id], note: 'n' }));
      expect(res.status, path).toBe(409);
      const error = await errorOf(res);
      expect(error.code).toBe('superseded');
      expect(error.message).toContain(typo.id);
    }
  });

  it('is fixed for every run by one resubmit, and ignored for every run by one ignore', async () => {
    const { id, runIds } = await customersIntegration('Inbox once, settled', 'inbox_once_settled', csv, 3);
    const page = await inboxOf(id);
    const typo = byName(page.items, 'Typo');
    const big = byName(page.items, 'Big');
    const res = await resubmit({ ids: [typo.id], edits: { [typo.id]: { Amount: '5' } } });
    expect(res.status).toBe(202);
    const run = await rig.waitForEnd(ResubmitResult.parse(await res.json()).runs[0]!.runId);
    expect(run.counts).toMatchObject({ read: 1, created: 1, rejected: 0 }); // the record once, not once per run
    expect((await inboxOf(id)).items.map((r) => r.source.Name)).not.toContain('Typo');
    const fixed = await inboxOf(id, '&status=fixed');
    expect(fixed.items.map((r) => [r.id, r.rejectedInRuns])).toEqual([[typo.id, 3]]);

    expect((await app.request('/api/inbox/ignore', json('POST', { ids: [big.id], note: 'Handled by hand' }))).status).toBe(200);
    expect((await inboxOf(id)).items.map((r) => r.source.Name).sort()).toEqual(['No Email', 'No Email', 'No Email']);
    // Every run's rejection of the two records was settled, not only the listed one.
    for (const runId of runIds) {
      const ids = (await rejectedOf(runId)).filter((r) => r.source.Name !== 'No Email').map((r) => r.id);
      expect(ids).toHaveLength(2);
      const settled = await Promise.all(ids.map(async (rid) => (await app.request('/api/inbox/resubmit', json('POST', { ids: [rid] }))).status));
      expect(settled).toEqual([409, 409]);
    }
    expect((await (await app.request('/api/inbox/count')).json()) as { waiting: number }).toMatchObject({ waiting: expect.any(Number) });

    // A fourth run rejecting Typo again: a new entry (the fixed one stays fixed), in 1 run.
    const again = ((await (await app.request(`/api/integrations/${id}/runs`, json('POST', {}))).json()) as { runId: string }).runId;
    await rig.waitForEnd(again);
    expect(byName((await inboxOf(id)).items, 'Typo')).toMatchObject({ runId: again, rejectedInRuns: 1 });
  });

  it('keys a number past 2^53 read as text exactly, and a __proto__ field as data', async () => {
    const big = ['Email,Name,Amount,Active', 'ok1@example.com,Ok,1,true', 'ok2@example.com,Ok,2,true', 'ok3@example.com,Ok,3,true', '9007199254740993,A,x,true', '9007199254740992,B,x,true'].join('\n');
    const { id } = await customersIntegration('Inbox big keys', 'inbox_big_keys', big, 2);
    const page = await inboxOf(id);
    expect(page.items.map((r) => [r.source.Email, r.rejectedInRuns]).sort()).toEqual([
      ['9007199254740992', 2],
      ['9007199254740993', 2],
    ]);
    const res = await resubmit({ ids: [page.items[0]!.id], set: JSON.parse('{"__proto__":"x"}') as unknown });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).issues?.[0]?.path).toBe('set.__proto__');
  });
});

describe('a record resubmitted after its source changed (inbox14)', () => {
  it('says which field the source reads now that the record does not have, writes nothing, and takes a value for it', async () => {
    const csv = ['Email,Name,Amount,Active', 'old@example.com,Old,1,true', 'kept@example.com,Kept,lots,true'].join('\n');
    const { id, graph } = await customersIntegration('Inbox changed source', 'inbox_changed', csv, 1);
    const [kept] = (await inboxOf(id)).items;
    expect(kept?.source.Name).toBe('Kept');
    // The source's "Amount" column is now "Total" (a new file), mapped to the same target field.
    const renamed = csv.replace('Amount', 'Total').replace('kept@example.com,Kept,lots', 'kept@example.com,Kept,12');
    const file = UploadedFile.parse(await (await app.request('/api/files?name=renamed.csv', { method: 'POST', body: renamed, headers: { 'content-type': 'text/csv' } })).json());
    const changed = JSON.parse(JSON.stringify(graph).replaceAll('"Amount"', '"Total"')) as Graph;
    const source = changed.nodes.find((n) => n.id === 'source')!;
    source.config = { ...source.config, fileId: file.id, fileName: 'renamed.csv' };
    const next = withPreviewedFile(changed);
    expect((await app.request(`/api/integrations/${id}`, json('PUT', { graph: next }))).status).toBe(200);
    expect((await app.request(`/api/integrations/${id}/publish`, json('POST'))).status).toBe(200);
    // The target holds Kept with amount 12 now (written by a run of the new version).
    const full = ((await (await app.request(`/api/integrations/${id}/runs`, json('POST', {}))).json()) as { runId: string }).runId;
    expect((await rig.waitForEnd(full)).status).toBe('completed');
    const amountOfKept = async () => ((await (await app.request('/api/workspace/objects/inbox_changed/records?search=kept@example.com')).json()) as { items: { values: Record<string, unknown> }[] }).items[0]?.values.amount;
    expect(await amountOfKept()).toBe(12);

    const res = await resubmit({ ids: [kept!.id] });
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error.code).toBe('source_changed');
    expect(error.message).toMatch(/changed since this record was rejected: it now reads "Total", which the record does not have/);
    expect(error.issues?.[0]?.message).toMatch(/"Amount", which the source no longer reads/);
    expect(error.issues?.map((i) => i.path)).toEqual([`edits.${kept!.id}.Total`]);
    expect(await amountOfKept()).toBe(12); // no null written over it
    expect((await inboxOf(id)).items.map((r) => r.status)).toEqual(['open']); // nothing claimed

    // The person gives the field the source reads now a value: resubmitted and written.
    const ok = await resubmit({ ids: [kept!.id], edits: { [kept!.id]: { Total: '15' } } });
    expect(ok.status).toBe(202);
    expect((await rig.waitForEnd(ResubmitResult.parse(await ok.json()).runs[0]!.runId)).status).toBe('completed');
    expect(await amountOfKept()).toBe(15);
  });
});

describe('resubmit after the parameters changed (probe21)', () => {
  const csv = ['Email,Name,Amount,Active', 'ok@example.com,Ok,1,true', 'typo@example.com,Typo,lots,true'].join('\n');

  it('keeps the values the version still declares, takes the defaults for the others, and says so in words when a value is needed', async () => {
    // Rejected by a run that gave region=us, when the integration declared "region".
    const upload = UploadedFile.parse(await (await app.request('/api/files?name=params.csv', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } })).json());
    const graph: Graph = { ...customersGraph({ fileId: upload.id, object: 'inbox_params' }), parameters: [{ name: 'region', type: 'text', required: false, default: 'eu' }] };
    const id = Integration.parse(await (await app.request('/api/integrations', json('POST', { name: 'Inbox params', graph }))).json()).id;
    PublishResult.parse(await (await app.request(`/api/integrations/${id}/publish`, json('POST'))).json());
    const runId = ((await (await app.request(`/api/integrations/${id}/runs`, json('POST', { params: { region: 'us', maxRejectedPercent: 90 } }))).json()) as { runId: string }).runId;
    expect((await rig.waitForEnd(runId)).status).toBe('completed_with_errors');
    const [typo] = (await inboxOf(id)).items;
    expect(typo?.source.Name).toBe('Typo');
    const republish = async (parameters: Graph['parameters']) => {
      expect((await app.request(`/api/integrations/${id}`, json('PUT', { graph: { ...graph, parameters } }))).status).toBe(200);
      expect((await app.request(`/api/integrations/${id}/publish`, json('POST'))).status).toBe(200);
    };

    // "region" is gone and "country" is required with no default: a resubmit cannot give it. Before: 400 at
    // params.region ("Unknown parameter"), a field the request never had, and the record could never be resubmitted.
    await republish([{ name: 'country', type: 'text', required: true }]);
    const refused = await resubmit({ ids: [typo!.id], edits: { [typo!.id]: { Amount: '4' } } });
    expect(refused.status).toBe(409);
    const error = await errorOf(refused);
    expect(error.code).toBe('params_changed');
    expect(error.message).toBe('"Inbox params" now needs a value for the parameter "country", which a resubmit cannot give: give it a default and publish, then resubmit');
    expect((await inboxOf(id)).items.map((r) => r.status)).toEqual(['open']); // nothing claimed
    // "Run again with the same settings" on the rejecting run says the same in words, not 400 at params.region.
    const rerun = await app.request(`/api/runs/${runId}/rerun`, json('POST', {}));
    expect(rerun.status).toBe(409);
    expect((await errorOf(rerun)).message).toBe(
      'The run\'s parameters no longer fit the published version of "Inbox params": it gave "region", which the version no longer declares; the parameter "country" is required. Use Run now and give the values',
    );

    // "country" gets a default: resubmitted with it; "region" (no longer declared) is left out, the run setting kept.
    await republish([{ name: 'country', type: 'text', required: true, default: 'FR' }]);
    const ok = await resubmit({ ids: [typo!.id], edits: { [typo!.id]: { Amount: '4' } } });
    expect(ok.status, JSON.stringify(await ok.clone().json())).toBe(202);
    const run = await rig.waitForEnd(ResubmitResult.parse(await ok.json()).runs[0]!.runId);
    expect(run.status).toBe('completed');
    expect(run.params).toEqual({ country: 'FR', maxRejectedPercent: 90 });
    expect((await inboxOf(id, '&status=fixed')).items.map((r) => r.source.Name)).toEqual(['Typo']);
  });
});
