// The file source with a PGP-encrypted file: the key is saved once as a Files connection (a multi-line secret),
// the upload asks which connection decrypts it, a field filter keeps some records, the preview shows them and
// unlocks publishing, and the run reads exactly the records the filter keeps.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { connect, expect, saveAndPublishThenRun, SHOTS, test } from './helpers';

const CSV = readFileSync(resolve(import.meta.dirname, '../fixtures/files/contacts.csv'), 'utf8');
const FILTER = '[deal_value] > 50000 AND [vip]';
/** The records the filter keeps, counted from the file itself. */
const KEPT = CSV.trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','))
  .filter((cells) => Number(cells[4]) > 50000 && cells[6] === 'true');

test('an encrypted file, decrypted with a Files connection, filtered, previewed, published and run', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  expect(KEPT.length).toBeGreaterThan(0);
  const key = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'Partner', email: 'partner@example.com' }], format: 'armored' });
  const encrypted = (await openpgp.encrypt({ message: await openpgp.createMessage({ text: CSV }), encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }) })) as string;

  // The key is kept as a Files connection: pasted into a multi-line secret, tested, saved.
  await page.goto('/#/connections');
  await page.getByTestId('new-connection').click();
  const form = page.getByTestId('connection-form');
  await form.getByTestId('connector-option-files').click();
  await form.getByTestId('connection-name').fill('Partner key');
  const secret = form.getByTestId('secret-pgp-private-key');
  await expect(secret).toHaveJSProperty('tagName', 'TEXTAREA');
  await secret.fill(key.privateKey);
  await form.getByTestId('test-connection').click();
  await expect(form.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
  // It says what it proved: which key it unlocked.
  await expect(form.getByTestId('test-result')).toContainText(/The PGP private key [0-9A-F]{40,64} .*is unlocked/);
  await page.screenshot({ path: resolve(SHOTS, 'files-connection-form.png') });
  await form.getByTestId('save-connection').click();
  const card = page.getByTestId('connection-card').filter({ hasText: 'Partner key' });
  await expect(card).toHaveCount(1);
  // Shown as set, never its value.
  await expect(card).toContainText('PGP private key set');
  await expect(card).not.toContainText('BEGIN PGP');
  await page.screenshot({ path: resolve(SHOTS, 'files-connection-card.png') });

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await expect(page.getByTestId('canvas')).toBeVisible();
  await page.getByTestId('integration-name').fill('VIP deals from the partner');
  const canvas = page.getByTestId('canvas');
  await page.getByTestId('palette-csv-source').dragTo(canvas, { targetPosition: { x: 130, y: 240 } });
  await page.getByTestId('palette-map').dragTo(canvas, { targetPosition: { x: 390, y: 240 } });
  await page.getByTestId('palette-workspace-target').dragTo(canvas, { targetPosition: { x: 650, y: 240 } });
  const fileNode = page.getByTestId('node-csv-source');
  const mapNode = page.getByTestId('node-map');
  const targetNode = page.getByTestId('node-workspace-target');
  await connect(page, fileNode, mapNode);
  await connect(page, mapNode, targetNode);

  // The encrypted upload asks for a key; choosing the connection reads it.
  await fileNode.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('file-input').setInputFiles({ name: 'contacts.csv.gpg', mimeType: 'application/pgp-encrypted', buffer: Buffer.from(encrypted) });
  await expect(inspector.getByTestId('upload-error')).toHaveText('This file is PGP-encrypted; choose a Files connection with its private key');
  await inspector.getByTestId('decrypt-with').selectOption({ label: 'Partner key' });
  await expect(inspector.getByTestId('columns-table')).toContainText('deal_value');
  await expect(inspector.getByTestId('upload-error')).toHaveCount(0);
  await expect(inspector.getByTestId('file-detected')).toContainText('PGP-encrypted');

  // A field filter, then the preview: only the records it keeps, and the source may publish.
  const editor = inspector.getByTestId('file-query').getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await editor.locator('.monaco-editor').click();
  await page.keyboard.type(FILTER, { delay: 5 });
  await page.keyboard.press('Escape');
  // The upload was the preview of the whole file (issue 12); a filter needs its own, and says why.
  await expect(inspector.getByTestId('preview-state')).toHaveText(/Changed since the last preview/);
  await expect(inspector.getByTestId('preview-why')).toContainText('The filter runs over the whole file');
  await inspector.getByTestId('load-preview').click();
  const table = inspector.getByTestId('file-preview-table');
  await expect(table.locator('tbody tr')).toHaveCount(Math.min(KEPT.length, 10));
  await expect(table).toContainText(KEPT[0]![0]!);
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(fileNode.getByTestId('node-error-badge')).toHaveCount(0);
  await inspector.getByTestId('file-query').scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'file-source-preview.png') });

  await mapNode.click();
  await inspector.getByTestId('add-all-fields').click();
  await inspector.getByLabel('Key 1', { exact: true }).check();
  await targetNode.click();
  await inspector.getByTestId('workspace-object-input').fill('vip_deals');
  await expect(page.getByTestId('problems')).toHaveText(/No problems/);

  await saveAndPublishThenRun(page);
  const steps = page.locator('.step[data-testid^="step-"]');
  await expect(steps.nth(0)).toContainText(`${KEPT.length} read`);
  await expect(steps.nth(2)).toContainText(`${KEPT.length} created`);
  expect(pageErrors).toEqual([]);
});

test('an Excel workbook: another sheet is read without uploading again, and the preview follows it', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const { writeXlsx } = await import('../support/xlsx-test-writer');
  const { mkdtemp, readFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const cell = (v: string | number, ref: string) => (typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`);
  const row = (n: number, values: (string | number)[]) => `<row r="${n}">${values.map((v, i) => cell(v, `${String.fromCharCode(65 + i)}${n}`)).join('')}</row>`;
  const path = join(await mkdtemp(join(tmpdir(), 'weft-e2e-xlsx-')), 'book.xlsx');
  await writeXlsx(path, {
    sheets: [
      { name: 'Summary', rows: [row(1, ['Total', 'Note']), row(2, [3, 'see Orders'])] },
      { name: 'Orders', rows: [row(1, ['order_id', 'customer', 'amount']), row(2, [1, 'Ada', 120]), row(3, [2, 'Grace', 80]), row(4, [3, 'Alan', 310])] },
    ],
  });

  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await page.getByTestId('palette-csv-source').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 200, y: 240 } });
  const fileNode = page.getByTestId('node-csv-source');
  await fileNode.click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('file-input').setInputFiles({ name: 'book.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await readFile(path) });
  await expect(inspector.getByTestId('columns-table')).toContainText('Total');
  const sheet = inspector.getByTestId('sheet-select');
  await expect(sheet).toHaveValue('Summary');
  await sheet.selectOption('Orders');
  await expect(inspector.getByTestId('columns-table')).toContainText('customer');
  await expect(inspector.getByTestId('columns-table')).not.toContainText('Total');

  const editor = inspector.getByTestId('file-query').getByTestId('formula-editor');
  await expect(editor).toHaveAttribute('data-ready', 'true');
  await editor.locator('.monaco-editor').click();
  await page.keyboard.type('[amount] >= 100', { delay: 5 });
  await page.keyboard.press('Escape');
  await inspector.getByTestId('load-preview').click();
  const table = inspector.getByTestId('file-preview-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('Ada');
  await expect(table).toContainText('Alan');
  await expect(table).not.toContainText('Grace');
  // The source alone still lacks a target, but no longer a preview.
  await expect(inspector.getByTestId('preview-state')).toHaveText('Previewed');
  await expect(inspector).not.toContainText('Load the preview before publishing');
  await inspector.getByTestId('sheet-select').scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'file-source-excel.png') });
  expect(pageErrors).toEqual([]);
});

test('a changed records path gets its columns from the stored file, without uploading it again', async ({ page }) => {
  const json = JSON.stringify({ data: { items: [{ id: 1, name: 'Ada' }] }, archive: [{ code: 'X1', closed: true }] });
  await page.goto('/');
  await page.getByTestId('new-integration').click();
  await page.getByTestId('palette-csv-source').dragTo(page.getByTestId('canvas'), { targetPosition: { x: 200, y: 240 } });
  await page.getByTestId('node-csv-source').click();
  const inspector = page.getByTestId('inspector');
  await inspector.getByTestId('file-input').setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(json) });
  await expect(inspector.getByTestId('columns-table')).toContainText('name');
  await expect(inspector.getByTestId('sniff-stale')).toHaveCount(0);
  await inspector.getByLabel('Records path').fill('archive');
  await expect(inspector.getByTestId('sniff-stale')).toContainText('The columns were detected with other settings.');
  await page.screenshot({ path: resolve(SHOTS, 'file-source-sniff-stale.png') });
  await inspector.getByTestId('sniff-again').click();
  await expect(inspector.getByTestId('columns-table')).toContainText('closed');
  await expect(inspector.getByTestId('columns-table')).not.toContainText('name');
  await expect(inspector.getByTestId('sniff-stale')).toHaveCount(0);
});
