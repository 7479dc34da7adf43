// A temporary folder for one test file's scratch files: made before its tests run, removed after them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function scratchDir(prefix: string) {
  let dir = '';
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  /** A path in the folder no other call returns, ending in `name`. */
  const path = (name: string) => join(dir, `${++n}-${name}`);
  return {
    /** The folder (set once the tests start). */
    dir: () => dir,
    path,
    /** Writes `content` to a new file named `…-name` and returns its path. */
    file: async (content: string | Buffer, name = 'f.csv') => {
      const to = path(name);
      await writeFile(to, content);
      return to;
    },
  };
}
