// The record inbox through the HTTP API on the real Temporal dev server: rejected records listed and grouped across
// runs, edited and resubmitted through the same pipeline (a run of the current published version over exactly those
// records), fixed exactly once; a second resubmit of a fixed record, two resubmits racing and a resubmit racing a
// full run never write a duplicate; a record rejected again says why; hostile input is named field by field.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InboxRecord, Integration, Page, PublishResult, ResubmitResult, RunDetail, UploadedFile, type Graph } from '../../shared';
import { customersGraph } from '../support/temporal-harness';
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
