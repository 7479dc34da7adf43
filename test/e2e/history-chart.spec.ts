// The history chart (#13, "History you can look at"): an integration that ran three times with different outcomes
// shows a chart of its last runs (created / updated / rejected per run, and duration), readable in the light and the
// dark theme, with a Table toggle that gives the same figures as text; who started each run is in the history.
import { resolve } from 'node:path';
import { type APIRequestContext } from '@playwright/test';
import { expect, expectAccessible, publishFileIntegration, screenshotBoth, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const row = (i: number, name = `Customer ${i}`) => `c${i}@example.io,${name},${i % 13 === 0 ? 'n/a' : String(i * 3)}`;
/** 40 customers; rows 13, 26 and 39 have an amount that is not a number (rejected). */
const FIRST = ['Email,Name,Amount', ...Array.from({ length: 40 }, (_, k) => row(k + 1))].join('\n') + '\n';
/** The first 20 renamed (19 updated; c13, rejected before, is created now) and 15 new ones (created); no bad rows. */
const SECOND = ['Email,Name,Amount', ...Array.from({ length: 20 }, (_, k) => `c${k + 1}@example.io,Renamed ${k + 1},${k + 1}`), ...Array.from({ length: 15 }, (_, k) => `c${k + 101}@example.io,New ${k + 101},${k}`)].join('\n') + '\n';

async function runToEnd(request: APIRequestContext, integrationId: string, body: Record<string, unknown> = {}) {
  const started = await request.post(`/api/integrations/${integrationId}/runs`, { data: body });
  expect(started.status(), await started.text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  await expect
    .poll(async () => ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 60_000 })
    .toMatch(/^(completed|completed_with_errors|failed)$/);
  return ((await (await request.get(`/api/runs/${runId}`)).json()) as { counts: { created: number; updated: number; rejected: number } }).counts;
}

test('the history charts the last runs, and the same figures show as a table, in light and dark', async ({ page, request }) => {
  test.setTimeout(120_000);
  const id = await publishFileIntegration(request, {
    csv: FIRST,
    object: 'e2e_history_chart',
    name: 'Customer amounts',
    fields: [
      { source: 'Email', target: 'email', type: 'text', key: true },
      { source: 'Name', target: 'name', type: 'text', key: false },
      { source: 'Amount', target: 'amount', type: 'number', key: false },
    ],
  });
  const first = await runToEnd(request, id);
  expect(first).toMatchObject({ created: 37, updated: 0, rejected: 3 });
  const up = await request.post('/api/files?name=customers-renamed.csv', { data: SECOND, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const replacement = (await up.json()) as { id: string };
  const second = await runToEnd(request, id, { name: 'Renamed customers', files: { source: replacement.id } });
  expect(second).toMatchObject({ created: 16, updated: 19, rejected: 0 });
  const third = await runToEnd(request, id, { name: 'Back to the export' });
  expect(third).toMatchObject({ created: 0, updated: 19, rejected: 3 });

  await page.goto(`/#/integrations/${id}/runs`);
  const chart = page.getByTestId('run-chart');
  await expect(chart.getByRole('heading', { name: 'Last 3 finished runs' })).toBeVisible();
  const canvas = chart.getByTestId('run-chart-canvas');
  await expect(canvas).toBeVisible();
  // The canvas's text alternative sums what the bars show.
  await expect(canvas).toHaveAttribute('aria-label', /^The last 3 finished runs: 53 records created, 38 updated and 6 rejected in all; each took from .+ to .+\.$/);
  // Chart.js drew on it (a blank canvas would be all one colour).
  const drawn = await canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size;
  });
  expect(drawn).toBeGreaterThan(5);
  // Who started each run: a person, here the owner, through the app's API session.
  await expect(page.getByTestId('run-started-by').first()).toHaveText(/^Manual · /);
  await expectAccessible(page, 'sync history with its chart');
  await screenshotBoth(page, DOCS_SHOTS, 'history-chart');

  await chart.getByTestId('run-chart-show-table').click();
  await expect(chart.getByTestId('run-chart-show-table')).toHaveAttribute('aria-pressed', 'true');
  const rows = chart.getByTestId('run-chart-row');
  await expect(rows).toHaveCount(3);
  // Oldest first, like the chart's x axis.
  await expect(rows.nth(0).locator('th')).toHaveText(/^Manual run, /);
  await expect(rows.nth(1).locator('th')).toHaveText('Renamed customers');
  await expect(rows.nth(0).locator('td')).toHaveText([/\d/, 'Completed with errors', '37', '0', '3', /s$/]);
  await expect(rows.nth(1).locator('td')).toHaveText([/\d/, 'Completed', '16', '19', '0', /s$/]);
  await expect(rows.nth(2).locator('td')).toHaveText([/\d/, 'Completed with errors', '0', '19', '3', /s$/]);
  await expectAccessible(page, 'the chart as a table');
  await screenshotBoth(page, DOCS_SHOTS, 'history-chart-table', { target: chart });

  await page.emulateMedia({ colorScheme: 'dark' });
  await chart.getByTestId('run-chart-show-chart').click();
  await expect(canvas).toBeVisible();
  await expectAccessible(page, 'sync history with its chart, dark theme');
  await screenshotBoth(page, DOCS_SHOTS, 'history-chart-dark');

  // A bar opens its run.
  await page.emulateMedia({ colorScheme: 'light' });
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * 0.5, y: box.height * 0.6 } });
  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  await expect(page.getByRole('heading', { name: 'Renamed customers' })).toBeVisible();
});
