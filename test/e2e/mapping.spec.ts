// Mapping that does more of the work: auto-map suggestions accepted or rejected in the Map inspector, notes shown on
// hover and exported as CSV, value-map warnings from the sample rows, and the Currency and Reference attribute types
// written by a real run (a reference to a missing company rejected with its reason). Screenshots go to docs/screenshots.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type APIRequestContext } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { expect, screenshotBoth, test } from './helpers';

const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');

interface Uploaded {
  id: string;
  columns: { name: string; type: string }[];
}

async function upload(request: APIRequestContext, name: string, csv: string): Promise<Uploaded> {
  const up = await request.post(`/api/files?name=${name}`, { data: csv, headers: { 'content-type': 'text/csv' } });
  expect(up.status(), await up.text()).toBe(201);
  return (await up.json()) as Uploaded;
}

/** A file → Map → workspace object integration, created through the API (run when `run` is set). */
async function fileToWorkspace(request: APIRequestContext, opts: { name: string; file: Uploaded; fileName: string; fields: unknown[]; object: string; valueMaps?: unknown[]; run: boolean }) {
  const base = graphFixture('customers-file-map-workspace', {
    source: { fileId: opts.file.id, fileName: opts.fileName, columns: opts.file.columns },
    map: { fields: opts.fields },
    target: { object: opts.object },
  });
  const graph = { ...withPreviewedFile(base), ...(opts.valueMaps ? { valueMaps: opts.valueMaps } : {}) };
  const created = await request.post('/api/integrations', { data: { name: opts.name, graph } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  if (!opts.run) return { id, status: null };
  const published = await request.post(`/api/integrations/${id}/publish`, { data: {} });
  expect(published.status(), await published.text()).toBe(200);
  const started = await request.post(`/api/integrations/${id}/runs`, { data: {} });
  expect(started.status(), await started.text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  let status = '';
  await expect
    .poll(async () => (status = ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status), { timeout: 60_000 })
    .toMatch(/^(completed|completed_with_errors|failed)$/);
  return { id, status, runId };
}

test('auto-map, notes, value-map warnings and the currency and reference types', async ({ page, request }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Each Playwright run starts the server on fresh data, so plain names are free.
  const companiesObj = 'accounts';
  const contactsObj = 'people';

  // 1. The workspace objects, written by real runs: companies, then contacts with a Reference and a Currency.
  const companies = await upload(request, 'companies.csv', 'Id,Name\nacme,Acme Ltd\nglobex,Globex\n');
  await fileToWorkspace(request, {
    name: 'Companies',
    file: companies,
    fileName: 'companies.csv',
    object: companiesObj,
    run: true,
    fields: [
      { source: 'Id', target: 'id', type: 'text', key: true },
      { source: 'Name', target: 'name', type: 'text' },
    ],
  });
  const contacts = await upload(request, 'contacts.csv', 'email,first_name,postal_code,phone,company,mrr,status\nada@x.io,Ada,00501,555-0100,acme,9007199254740993.25,active\nbob@x.io,Bob,10115,555-0101,initech,12.50,churned\n');
  const seeded = await fileToWorkspace(request, {
    name: 'Contacts',
    file: contacts,
    fileName: 'contacts.csv',
    object: contactsObj,
    run: true,
    fields: [
      { source: 'email', target: 'email', type: 'text', key: true },
      { source: 'first_name', target: 'first_name', type: 'text' },
      { source: 'postal_code', target: 'postal_code', type: 'text' },
      { source: 'phone', target: 'phone', type: 'text' },
      { source: 'company', target: 'company', type: 'reference', ref: companiesObj, note: 'The account this person works for' },
      { source: 'mrr', target: 'mrr', type: 'currency', currency: 'EUR' },
      { source: 'status', target: 'status', type: 'text' },
    ],
  });
  // initech is no company: that record is rejected with its reason, the other written with its exact amount.
  expect(seeded.status).toBe('completed_with_errors');
  const rejected = (await (await request.get(`/api/runs/${seeded.runId}/rejected`)).json()) as { items: { reason: string }[] };
  expect(rejected.items.map((r) => r.reason)).toEqual([`company: no ${companiesObj} record has the key "initech" (a Reference must name an existing record)`]);
  const records = (await (await request.get(`/api/workspace/objects/${contactsObj}/records`)).json()) as { items: { values: Record<string, unknown> }[] };
  expect(records.items.map((r) => r.values)).toEqual([{ email: 'ada@x.io', first_name: 'Ada', postal_code: '00501', phone: '555-0100', company: 'acme', mrr: '9007199254740993.25', status: 'active' }]);

  // 2. A new integration from a differently named export into the contacts object: auto-map does the matching.
  const PEOPLE = 'E-mail,First Name,Zip,Telephone,Organization,MRR,Status,Twitter\nada@x.io,Ada,00501,555-0100,acme,10.5,Active,@ada\ncy@x.io,Cy,02139,555-0102,globex,20,trial,@cy\ndee@x.io,Dee,94103,555-0103,acme,30,active,@dee\n';
  const people = await upload(request, 'people.csv', PEOPLE);
  const { id } = await fileToWorkspace(request, {
    name: 'People export',
    file: people,
    fileName: 'people.csv',
    object: contactsObj,
    run: false,
    valueMaps: [{ name: 'statuses', entries: [{ from: 'active', to: 'active' }, { from: 'churned', to: 'churned' }] }],
    fields: [{ from: 'formula', source: '', formula: 'LOOKUP([Status], "statuses", "unknown")', target: 'status', type: 'text', key: false }],
  });
  await page.goto(`/#/integrations/${id}`);
  const inspector = page.getByTestId('inspector');
  // The sample rows the designer previews come from the file as the browser loaded it.
  await page.locator('.react-flow__node[data-id="source"]').click();
  await inspector.getByTestId('file-input').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(PEOPLE) });
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await page.getByTestId('node-map').click();
  const mapping = inspector.getByTestId('mapping');
  await expect(mapping.getByTestId('mapping-row')).toHaveCount(1);

  // Value-map warnings from the sample rows: a value that differs only by case, and one no rule covers.
  await expect(mapping).toContainText(`'Active' is not mapped; 'active' is — value maps are case-sensitive`);
  await expect(mapping).toContainText(`1 sample value no rule covers: 'trial' (1 row)`);
  await screenshotBoth(page, DOCS, 'mapping-value-map-warnings');

  await mapping.getByTestId('automap-run').click();
  const panel = mapping.getByTestId('automap');
  await expect(panel.getByTestId('automap-suggestion')).toHaveCount(6);
  await expect(panel).toContainText('Synonyms: Zip and postal_code');
  await expect(panel.getByTestId('automap-unmatched')).toHaveCount(0);
  await screenshotBoth(page, DOCS, 'mapping-automap-suggestions', { target: panel });

  // Reject one (it leaves the list, nothing is applied), accept one, then accept the rest at once.
  await panel.getByRole('button', { name: 'Reject Telephone → phone' }).click();
  await expect(panel.getByTestId('automap-suggestion')).toHaveCount(5);
  await expect(mapping.getByTestId('mapping-row')).toHaveCount(1);
  await panel.getByRole('button', { name: 'Accept E-mail → email' }).click();
  await expect(mapping.getByTestId('mapping-row')).toHaveCount(2);
  await panel.getByTestId('automap-accept-all').click();
  await expect(mapping.getByTestId('mapping-row')).toHaveCount(6);
  await expect(panel).toContainText('No more suggestions');
  // The accepted rows take the target's types: the key, the reference and the currency with its code.
  await expect(mapping.getByLabel('Key 2')).toBeChecked();
  await expect(mapping.getByTestId('mapping-ref')).toHaveValue(companiesObj);
  await expect(mapping.getByTestId('mapping-currency')).toHaveValue('EUR');

  // A note on a field, shown on hover in the table.
  await mapping.getByRole('button', { name: 'Add a note to email' }).click();
  await mapping.getByLabel('Note on email').fill('Lower-cased at the source; the key contacts are matched by');
  const badge = mapping.getByTestId('mapping-note-badge').first();
  for (const [w, h] of [
    [1024, 700],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await badge.scrollIntoViewIfNeeded();
    await badge.hover();
    await expect(mapping.getByTestId('mapping-note-tip').first()).toBeVisible();
    await expect(mapping.getByTestId('mapping-note-tip').first()).toHaveText('Lower-cased at the source; the key contacts are matched by');
    await page.screenshot({ path: resolve(DOCS, `mapping-notes-hover-${w}x${h}.png`) });
  }

  // An invalid currency code is refused by the compiler.
  await mapping.getByTestId('mapping-currency').fill('EUX');
  await expect(mapping).toContainText('"EUX" is not an ISO 4217 currency code');
  await mapping.getByTestId('mapping-currency').fill('EUR');
  await expect(mapping).not.toContainText('"EUX" is not an ISO 4217 currency code');

  // The mapping's CSV export carries the notes.
  const [download] = await Promise.all([page.waitForEvent('download'), mapping.getByTestId('mapping-export').click()]);
  const csv = await readFile((await download.path())!, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('Step,Target field,Type,Currency,References,Key,From,"Source field, formula or constant",Note');
  expect(csv).toContain('Map fields,email,Text,,,yes,field,E-mail,Lower-cased at the source; the key contacts are matched by');
  expect(csv).toContain(`Map fields,mrr,Currency,EUR,,,field,MRR,`);

  // 3. The workspace page shows the new attribute types with their code and referenced object.
  await page.goto(`/#/workspace/${contactsObj}`);
  const table = page.getByTestId('records-table');
  await expect(table).toContainText(`reference → ${companiesObj}`);
  await expect(table).toContainText('currency · EUR');
  await expect(table).toContainText('9,007,199,254,740,993.25 EUR');
  await screenshotBoth(page, DOCS, 'workspace-attribute-types');
  expect(pageErrors).toEqual([]);
});
