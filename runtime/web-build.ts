// `npm start` builds the SPA when dist/ is missing or older than the sources it is built from.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

export async function webBuildIsStale(projectDir: string, webDist: string): Promise<boolean> {
  const index = join(webDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  const sources = Math.max(await newestMtime(join(projectDir, 'web')), await newestMtime(join(projectDir, 'shared')));
  return sources > built;
}

export async function ensureWebBuild(projectDir: string, webDist: string, log: (m: string) => void): Promise<void> {
  if (!(await webBuildIsStale(projectDir, webDist))) return;
  log('Building the web app (first start or changed sources)…');
  const { build } = await import('vite');
  await build({ configFile: join(projectDir, 'vite.config.ts'), logLevel: 'warn' });
}
