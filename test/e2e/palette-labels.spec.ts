// The palette tells a source from a target of the same system (workspace objects and database tables are both), and
// the canvas names each node by its kind's label. Screenshots of the palette at both sizes go to docs/screenshots.
import { resolve } from 'node:path';
import { connect, expect, test } from './helpers';

const DOCS = resolve(import.meta.dirname, '../../docs/screenshots');

test('sources and targets of the same system have different labels in the palette and on the canvas', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  const canvas = page.getByTestId('canvas');
  await expect(canvas).toBeVisible();

  const label = (kind: string) => page.getByTestId(`palette-${kind}`).locator('.palette-item__label');
  await expect(label('csv-source')).toHaveText('Read file');
  await expect(label('sql-source')).toHaveText('Read database or app');
  await expect(label('workspace-source')).toHaveText('Read workspace object');
  await expect(label('workspace-target')).toHaveText('Write workspace object');
  await expect(label('sql-target')).toHaveText('Write database or app');

  await page.getByTestId('palette-workspace-source').dragTo(canvas, { targetPosition: { x: 140, y: 200 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 520, y: 200 } });
  const source = page.getByTestId('node-workspace-source');
  const target = page.getByTestId('node-workspace-target');
  await connect(page, source, target);
  await expect(source.locator('.wnode__label')).toHaveText('Read workspace object');
  await expect(target.locator('.wnode__label')).toHaveText('Write workspace object');

  for (const [width, height] of [[1440, 900], [1024, 700]] as const) {
    await page.setViewportSize({ width, height });
    await page.getByTestId('palette').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: `${DOCS}/palette-${width}x${height}.png` });
  }
});
