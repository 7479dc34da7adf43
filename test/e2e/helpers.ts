// What the browser tests do the same way: connect two nodes by their handles, save-publish-run and wait.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { pgClusterUnavailable, startPgCluster, type PgCluster } from '../support/pg-cluster';

export const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');
mkdirSync(SHOTS, { recursive: true });

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
