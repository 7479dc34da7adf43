// `npm start` builds the SPA when dist/ is missing or older than the sources it is built from.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

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

/**
 * Vite builds in a child process: bundling the app costs a few hundred MB that a long-lived Weft would otherwise keep
 * (a Node process rarely gives its heap back), and the first start's peak is then Vite's, not Weft's plus Vite's.
 */
export async function ensureWebBuild(projectDir: string, webDist: string, log: (m: string) => void): Promise<void> {
  if (!(await webBuildIsStale(projectDir, webDist))) return;
  log('Building the web app (first start or changed sources)…');
  const vite = join(dirname(createRequire(join(projectDir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', join(projectDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: projectDir,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: unknown) => {
    const e = err as { stderr?: string; message: string };
    throw new Error(`Building the web app failed: ${e.stderr?.trim() || e.message}`);
  });
}
