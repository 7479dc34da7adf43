// Serves the built SPA next to the API; unknown non-API paths fall back to index.html.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env, Hono, Schema } from 'hono';

export function mountSpa<E extends Env, S extends Schema>(app: Hono<E, S>, webDist: string): void {
  app.use('/assets/*', serveStatic({ root: webDist, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));
  app.use('*', serveStatic({ root: webDist }));
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    const html = await readFile(join(webDist, 'index.html'), 'utf8').catch(() => null);
    if (html === null) return c.text('The web app is not built yet: run `npm run build`.', 503);
    return c.html(html);
  });
}
