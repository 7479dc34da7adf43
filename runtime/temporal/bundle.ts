// The workflow bundle on disk, built once per change of the workflow code and reused by every worker and test.
// Bundling runs in a child process (bundle-child.mjs): webpack costs ~180 MB of memory that a long-lived
// worker would otherwise keep. The file is named after a hash of everything that goes into it (the workflow
// and shared sources, and the locked dependency versions), so a changed source never runs a stale bundle.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../project-root';

const ROOT = PROJECT_ROOT;
export const WORKFLOWS_PATH = join(ROOT, 'workflows', 'index.ts');
const CHILD = join(ROOT, 'runtime', 'temporal', 'bundle-child.mjs');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'weft');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|tsx|js|mjs|json)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The files the bundle is made from, the bundler's options (bundle-child.mjs) included: what its hash covers. */
export async function bundleInputs(): Promise<string[]> {
  return [...(await sourceFiles(join(ROOT, 'workflows'))), ...(await sourceFiles(join(ROOT, 'shared'))), join(ROOT, 'package-lock.json'), CHILD];
}

/** A hash of what the bundle is made of: workflows/, shared/, package-lock.json and the bundler's options (bundle-child.mjs). */
export async function workflowSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await bundleInputs()) {
    hash.update(relative(ROOT, file));
    hash.update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

let pending: Promise<string> | null = null;

/** The path of an up-to-date workflow bundle, bundling it in a child process when the sources changed. */
export function workflowBundlePath(): Promise<string> {
  pending ??= (async () => {
    const out = join(CACHE_DIR, `workflow-bundle-${await workflowSourceHash()}.js`);
    const exists = await access(out).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(CACHE_DIR, { recursive: true });
      await promisify(execFile)(process.execPath, [CHILD, WORKFLOWS_PATH, out], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((err: unknown) => {
        const e = err as { stderr?: string; message: string };
        throw new Error(`Bundling the workflow code failed: ${e.stderr?.trim() || e.message}`);
      });
    }
    return out;
  })().catch((err: unknown) => {
    pending = null;
    throw err;
  });
  return pending;
}
