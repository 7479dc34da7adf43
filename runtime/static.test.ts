import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSpa } from './static';

describe('the built web app as served', () => {
  let dir: string;
  const app = new Hono();
  const script = `export const x = ${JSON.stringify('weft '.repeat(600))};\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Weft</title>');
    await writeFile(join(dir, 'assets', 'app.js'), script);
    await writeFile(join(dir, 'assets', 'app.js.br'), brotliCompressSync(script));
    await writeFile(join(dir, 'assets', 'app.js.gz'), gzipSync(script));
    await writeFile(join(dir, 'assets', 'plain.js'), script);
    mountSpa(app, dir);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const get = (path: string, encoding?: string) =>
    app.request(path, { headers: encoding === undefined ? {} : { 'accept-encoding': encoding } });

  it('sends the Brotli copy the build wrote to a browser that accepts it, the gzip one otherwise', async () => {
    const br = await get('/assets/app.js', 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toContain('Accept-Encoding');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(br.headers.get('cache-control')).toContain('immutable');
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(brBody.length).toBeLessThan(script.length / 5);
    expect(brotliDecompressSync(brBody).toString()).toBe(script);

    const gz = await get('/assets/app.js', 'gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(script);
  });

  it('sends the file as it is when the browser accepts no encoding or no compressed copy exists', async () => {
    const plain = await get('/assets/app.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    const noCopy = await get('/assets/plain.js', 'br, gzip');
    expect(noCopy.headers.get('content-encoding')).toBeNull();
    expect(await noCopy.text()).toBe(script);
  });

  it('answers a missing asset with 404, not with the app, and does not tell browsers to keep it', async () => {
    const missing = await get('/assets/gone-1234.js', 'br');
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<title>Weft</title>');
    expect(missing.headers.get('cache-control') ?? '').not.toContain('immutable');
  });

  it('answers an unknown page with the app and an unknown API path with 404', async () => {
    const page = await get('/integrations/123');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Weft</title>');
    expect((await get('/api/nothing-here')).status).toBe(404);
  });
});
