// What the browser tests do the same way: run signed in and under the CSP (failing on any violation), connect
// two nodes by their handles, save-publish-run and wait, and check a page with axe-core.
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { resolve } from 'node:path';
import { test as base, expect, type APIRequestContext, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { graphFixture, withPreviewedFile } from '../support/graph-fixtures';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from '../support/pg-cluster';

export const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');
mkdirSync(SHOTS, { recursive: true });

/** The owner every browser test signs in as; made on the first visit of a fresh Weft. */
export const OWNER = { name: 'Olive Owner', email: 'owner@weft.test', password: 'the owner of this weft' };

/** Signs the browser context in as `who` (the API sets the session cookie for the page too); creates the owner when Weft is fresh. */
export async function signIn(context: BrowserContext, who: { email: string; password: string } = OWNER): Promise<void> {
  const session = (await (await context.request.get('/api/auth/session')).json()) as { needsSetup: boolean };
  const res =
    session.needsSetup && who === OWNER
      ? await context.request.post('/api/auth/setup', { data: OWNER })
      : await context.request.post('/api/auth/sign-in', { data: { email: who.email, password: who.password } });
  expect(res.ok(), `signing in as ${who.email}: ${res.status()} ${await res.text()}`).toBe(true);
}

/**
 * Every spec imports `test` from here: each test runs signed in as the owner (unless it sets `signedIn: false`), its
 * `request` shares the page's session, and any Content-Security-Policy violation in the page fails the test.
 */
export const test = base.extend<{ signedIn: boolean; cspViolations: string[] }>({
  signedIn: [true, { option: true }],
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (msg) => {
        if (/Content.Security.Policy|securitypolicyviolation/i.test(msg.text())) violations.push(`${msg.type()}: ${msg.text()}`);
      });
      // Chromium logs most violations itself; the event also catches those it reports only to the page.
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
        });
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations in the page').toEqual([]);
    },
    { auto: true },
  ],
  context: async ({ context, signedIn }, use) => {
    if (signedIn) await signIn(context);
    await use(context);
  },
  // The standalone `request` would have no session: give tests the context's, which shares the page's cookies.
  request: async ({ context }, use) => {
    await use(context.request as APIRequestContext);
  },
});
export { expect };

/** Drags from `from`'s output handle to `to`'s input handle, as a person would. */
export async function connect(page: Page, from: Locator, to: Locator) {
  const a = await from.locator('.react-flow__handle.source').boundingBox();
  const b = await to.locator('.react-flow__handle.target').boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Save, publish v1 and run from the designer; returns once the run page shows Completed. */
export async function saveAndPublishThenRun(page: Page) {
  await page.getByTestId('save').click();
  await expect(page.getByTestId('save-status')).toContainText(/Saved|Published/);
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('save-status')).toContainText('Published v1');
  await page.getByTestId('run').click();
  // Run now opens its dialog (name, parameters, files); its defaults run the published version as it is.
  await page.getByTestId('run-files-dialog').getByTestId('run-with-files-start').click();
  await expect(page).toHaveURL(/#\/runs\/[^/]+$/);
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(status).toHaveText(/Completed/);
}

/**
 * Inside a describe: skips it where no password-checking Postgres can be started, else starts one
 * before the tests and stops it after. Returns a getter for the running cluster.
 */
export function usePgCluster(): () => PgCluster {
  const unavailable = pgClusterUnavailable();
  test.skip(unavailable !== null, `needs a password-checking Postgres: ${unavailable}`);
  let cluster: PgCluster | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    cluster = await startPgCluster();
  });
  test.afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the Postgres cluster did not start');
    return cluster;
  };
}

/** Impacts that fail a page: axe's "serious" and "critical" (WCAG 2.x A/AA and best practices). */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core on what the page shows now and fails on any serious or critical violation, naming the rule, the
 * help text and the first few offending elements. Any spec can call it after a visit: `await expectAccessible(page, 'designer')`.
 * `exclude`: selectors axe should not look into (only for third-party parts Weft cannot change; say why at the call).
 */
export async function expectAccessible(page: Page, what: string, opts: { exclude?: string[] } = {}): Promise<void> {
  let builder = new AxeBuilder({ page });
  for (const sel of opts.exclude ?? []) builder = builder.exclude(sel);
  const results = await builder.analyze();
  const failing = results.violations
    .filter((v) => FAILING_IMPACTS.has(v.impact ?? ''))
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 4).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim() ?? ''}`).join('\n')}`);
  expect.soft(failing, `axe-core: serious or critical violations on ${what}`).toEqual([]);
}

/** The file → map → Workspace fields most run specs publish: Email (the key), Name and Plan, kept as they are. */
export const CUSTOMER_FIELDS = [
  { source: 'Email', target: 'email', type: 'text', key: true },
  { source: 'Name', target: 'name', type: 'text', key: false },
  { source: 'Plan', target: 'plan', type: 'text', key: false },
];

/**
 * Uploads `csv` as customers.csv and publishes the fixture graph customers-file-map-workspace over it, writing to the
 * Workspace object `object` (with `fields`, and run `parameters` when given); answers the integration's id.
 */
export async function publishFileIntegration(
  request: APIRequestContext,
  opts: { csv: string; object: string; name: string; description?: string; fields?: Record<string, unknown>[]; parameters?: Record<string, unknown>[] },
): Promise<string> {
  const up = await request.post('/api/files?name=customers.csv', { data: opts.csv, headers: { 'content-type': 'text/csv' } });
  expect(up.status()).toBe(201);
  const file = (await up.json()) as { id: string; columns: { name: string; type: string }[] };
  const graph = withPreviewedFile(
    graphFixture('customers-file-map-workspace', {
      source: { fileId: file.id, columns: file.columns },
      map: { fields: opts.fields ?? CUSTOMER_FIELDS },
      target: { object: opts.object },
    }),
  );
  const data = { name: opts.name, ...(opts.description && { description: opts.description }), graph: opts.parameters ? { ...graph, parameters: opts.parameters } : graph };
  const created = await request.post('/api/integrations', { data });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const published = await request.post(`/api/integrations/${id}/publish`, { data: {} });
  expect(published.status(), await published.text()).toBe(200);
  return id;
}

/** Screenshots of the page (or of `target`) at 1440×900 and 1024×700, as `<dir>/<name><suffix(w, h)>.png`; leaves the page at 1440×900. */
export async function screenshotBoth(page: Page, dir: string, name: string, opts: { suffix?: (w: number, h: number) => string; target?: Locator } = {}): Promise<void> {
  const suffix = opts.suffix ?? ((w: number, h: number) => `-${w}x${h}`);
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    const path = resolve(dir, `${name}${suffix(w, h)}.png`);
    if (opts.target) await opts.target.screenshot({ path });
    else await page.screenshot({ path });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Starts a run of the integration through the API and waits (90 s) until it ends: its id and final status. */
export async function runToEnd(request: APIRequestContext, id: string, body: Record<string, unknown> = {}): Promise<{ runId: string; status: string }> {
  const started = await request.post(`/api/integrations/${id}/runs`, { data: body });
  expect(started.status(), await started.text()).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  let status = '';
  await expect
    .poll(async () => (status = ((await (await request.get(`/api/runs/${runId}`)).json()) as { status: string }).status), { timeout: 90_000 })
    .toMatch(/^(completed|completed_with_errors|failed|held|cancelled)/);
  return { runId, status };
}
