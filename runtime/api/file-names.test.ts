// An upload's name is only shown and offered back on download (the bytes live under an id), so what matters is what
// it tells a reader or a client saving the download: no folders or `..`, no line breaks, no text-reversing marks
// (probe19). Refused names keep nothing; a name kept before the rule is offered without its folders.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, UploadedFile } from '../../shared';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { attachmentHeader } from './files';

let rig: ApiApp;
beforeAll(async () => {
  rig = await openApiApp({ name: 'file-names', maxUploadBytes: 1 << 20 });
});
afterAll(async () => {
  await rig?.close();
});

const upload = (name: string) => rig.app.request(`/api/files?name=${encodeURIComponent(name)}`, { method: 'POST', body: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } });
const kept = async () => ({ files: (await rig.store.listFiles()).length, onDisk: (await readdir(join(rig.dir, 'files')).catch(() => [] as string[])).length });

describe('upload names', () => {
  it.each([
    ['../../etc/passwd', /without folders/],
    ['/etc/passwd', /without folders/],
    ['C:\\Windows\\win.ini', /without folders/],
    ['exports/customers.csv', /without folders/],
    ['..', /not a file name/],
    ['a\r\nSet-Cookie: x=1.csv', /line breaks/],
    ['tab\there.csv', /control characters/],
    ['invoice\u202Evsc.exe', /direction marks/],
    ['x'.repeat(256), /255/],
  ])('refuses %j, naming the field, and keeps nothing', async (name, message) => {
    const before = await kept();
    const res = await upload(name);
    expect(res.status).toBe(400);
    const body = ApiError.parse(await res.json());
    expect(body.error.issues?.find((i) => i.path === 'name')?.message).toMatch(message);
    expect(await kept()).toEqual(before);
  });

  it('keeps names that are only unusual: Windows device names, dots, quotes, accents, 255 characters', async () => {
    for (const name of ['CON', 'aux.csv', '.hidden.csv', '"quoted".csv', 'Übersicht 2026 (März).csv', `${'n'.repeat(251)}.csv`]) {
      const res = await upload(name);
      expect(res.status, name).toBe(201);
      const file = UploadedFile.parse(await res.json());
      expect(file.name).toBe(name);
      const download = await rig.app.request(`/api/files/${file.id}/download`);
      expect(download.status).toBe(200);
      expect(await download.text()).toBe('a,b\n1,2\n');
    }
  });

  it('offers a name kept before the rule without its folders, in both forms of the header', () => {
    const header = attachmentHeader('../../etc/passwd');
    expect(header).toBe(`attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`);
    expect(attachmentHeader('C:\\win.ini')).toBe(`attachment; filename="C:_win.ini"; filename*=UTF-8''C%3A_win.ini`);
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).not.toMatch(/[/\\]/);
  });
});
