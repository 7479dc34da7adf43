// Schedules in the browser: set a weekday schedule on a published integration, see the cadence in words and the next
// run time (from Temporal's describe) on the card and on the sync history page; bad input is named in the editor.
import { resolve } from 'node:path';
import { type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { expect, publishFileIntegration, screenshotBoth, SHOTS, test } from './helpers';

const DOCS_SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

const publishedIntegration = (request: APIRequestContext) =>
  publishFileIntegration(request, { csv: 'Email,Name,Plan\nann@example.io,Ann,Pro\n', object: 'e2e_schedules', name: 'Morning customers', description: 'Customers from the nightly export' });

const shoot = (page: Page, name: string, target?: Locator) => screenshotBoth(page, DOCS_SHOTS, name, { target, suffix: (w) => `-${w}` });

test('set a weekday schedule in the UI and see the next run time', async ({ page, request }) => {
  const id = await publishedIntegration(request);
  await page.goto('/');
  const card = page.locator(`[data-testid="integration-card"][data-id="${id}"]`);
  await expect(card.getByTestId('schedule-summary')).toContainText('Not scheduled');
  await card.getByTestId('schedule-edit').click();

  const dialog = page.getByTestId('schedule-dialog');
  await expect(dialog).toBeVisible();
  // Bad input is named where it is typed, and Save waits for a fix.
  await dialog.getByTestId('schedule-kind-cron').click();
  await dialog.getByTestId('schedule-cron').fill('0 25 * * *');
  await expect(dialog.getByTestId('schedule-error')).toContainText('hour');
  await expect(dialog.getByTestId('schedule-save')).toBeDisabled();
  // Day 31: the editor says where shorter months run.
  await dialog.getByTestId('schedule-kind-monthly').click();
  await dialog.getByTestId('schedule-day').selectOption('31');
  await expect(dialog.getByTestId('schedule-note')).toContainText('Months without a day 31 (April, June, September, November and February) run on their last day.');

  await dialog.getByTestId('schedule-kind-workdays').click();
  await dialog.getByTestId('schedule-time').fill('06:00');
  await dialog.getByTestId('schedule-tz').fill('Europe/Atlantis');
  await expect(dialog.getByTestId('schedule-error')).toContainText('Unknown time zone');
  await dialog.getByTestId('schedule-tz').fill('Europe/Paris');
  await expect(dialog.getByTestId('schedule-sentence')).toContainText('Every weekday at 06:00 Europe/Paris');
  await shoot(page, 'schedule-editor');
  await dialog.getByTestId('schedule-save').click();
  await expect(dialog).toBeHidden();

  // The card: the cadence in words and Temporal's next run time, which is a weekday at 06:00 in Paris.
  await expect(card.getByTestId('schedule-words')).toHaveText('Every weekday at 06:00 Europe/Paris');
  const served = (await (await request.get(`/api/integrations/${id}/schedule`)).json()) as { nextRuns: string[] };
  const next = new Date(served.nextRuns[0]!);
  const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
  expect(paris).toMatch(/^(Mon|Tue|Wed|Thu|Fri) .* 06:00$/);
  await expect(card.getByTestId('schedule-next')).toContainText(`Next run ${paris}`);
  await shoot(page, 'schedule-card', card);

  // The sync history page: the schedule, the latest run, and the next run as a Scheduled row.
  await card.getByTestId('history-link').click();
  const panel = page.getByTestId('schedule-panel');
  await expect(panel.getByTestId('schedule-words')).toHaveText('Every weekday at 06:00 Europe/Paris');
  await expect(panel.getByTestId('schedule-next')).toContainText(`Next run ${paris}`);
  await expect(page.getByTestId('upcoming-row')).toContainText('Scheduled');
  await shoot(page, 'schedule-history');

  // Disable scheduling: no next run, and the words stay.
  await panel.getByTestId('schedule-edit').click();
  await page.getByTestId('schedule-disable').check();
  await page.getByTestId('schedule-save').click();
  await expect(panel.getByTestId('schedule-next')).toHaveText('Scheduling disabled');
  await expect(page.getByTestId('upcoming-row')).toHaveCount(0);
  void SHOTS;
});
