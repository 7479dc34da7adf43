// The project's folder, found from this module's place: runtime/ when run from source (tsx, vitest), dist/<part>/ when
// esbuild compiled it (`npm start`, `npm run worker`). Paths to files that ship with Weft start here, never at
// `import.meta.dirname`, which differs between the two.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runtime', 'project-root.ts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Weft's project folder was not found above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(import.meta.dirname);
