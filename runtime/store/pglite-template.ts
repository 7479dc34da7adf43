// A new PGlite database starts from a template: the data folder PGlite's own initdb makes, dumped once per PGlite
// version into runtime/store/templates/ (`npm run store:template`). initdb costs a process ~800 MB and 5–20 s; loading
// the 4.5 MB template costs ~280 MB and ~1–4 s, on a first `npm start` and in every test that opens a fresh store.
// A PGlite version without its template (after an upgrade, before the template is made again) falls back to initdb;
// pglite-template.test.ts fails then, naming the command.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';

/** The installed PGlite's version, from its package.json. */
export function pgliteVersion(): string {
  // Its package.json is not exported: found from the resolved entry upwards.
  let dir = dirname(createRequire(join(PROJECT_ROOT, 'package.json')).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export const templatePath = (version = pgliteVersion()) => join(PROJECT_ROOT, 'runtime', 'store', 'templates', `pglite-${version}.tar.gz`);

let cached: Uint8Array | null | undefined;


/** The template for the installed PGlite as a Blob for `loadDataDir`, or null when there is none for this version. */
export function pgliteTemplate(): Blob | null {
  if (process.env.WEFT_PGLITE_TEMPLATE === 'off') return null;
  if (cached === undefined) {
    const path = templatePath();
    cached = existsSync(path) ? readFileSync(path) : null;
  }
  return cached ? new Blob([cached as Uint8Array<ArrayBuffer>]) : null;
}
