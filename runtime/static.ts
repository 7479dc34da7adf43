// Serves the built SPA next to the API; unknown non-API paths fall back to index.html.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env, Hono, Schema } from 'hono';

export function mountSpa<E extends Env, S extends Schema>(app: Hono<E, S>, webDist: string): void {
  // Built assets carry a content hash in their names, so browsers may keep them for good. (Set on the way out:
  // serveStatic calls its `onFound` after it has made the response, so a header set there never reached the browser.)
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200 || c.res.status === 206) c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
  });
  // `precompressed`: the build writes .br and .gz beside each asset (vite.config.ts); a browser that accepts one gets it.
  app.use('/assets/*', serveStatic({ root: webDist, precompressed: true }));
  // A missing asset (a page from before an upgrade asking for an old chunk) is a 404, not the app's index.html: that
  // would reach the browser as a script that fails to parse.
  app.all('/assets/*', (c) => c.notFound());
  app.use('*', serveStatic({ root: webDist }));
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/')) return c.notFound();
    const html = await readFile(join(webDist, 'index.html'), 'utf8').catch(() => null);
    if (html === null) return c.text('The web app is not built yet: run `npm run build`.', 503);
    return c.html(html);
  });
}
