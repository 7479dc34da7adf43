// The store process as `npm start` runs it: replaced on purpose after migrations (recycle), with its data, without the
// supervisor taking it for a crash, and started with the malloc setting that lets it give memory back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryOnce as query } from '../../test/support/pg-admin';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createPgliteDatabase, MALLOC_ENV, startPgliteProcess, type PgliteProcess } from './pglite-process';

const environOf = async (pid: number) => (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');

describe('the store process', () => {
  let store: PgliteProcess | undefined;
  let dir = '';
  afterAll(async () => {
    await store?.stop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is replaced by recycle() with its data, not counted as a restart, and runs with malloc giving memory back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-store-recycle-'));
    const logs: string[] = [];
    store = await startPgliteProcess({ dataDir: join(dir, 'data'), log: (m) => logs.push(m), backoff: { initialMs: 100, maxMs: 1_000 } });
    const first = store.pid();
    if (process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
      expect(await environOf(first)).toContain(`MALLOC_MMAP_THRESHOLD_=${MALLOC_ENV.MALLOC_MMAP_THRESHOLD_}`);
    }
    await query(store.url, 'CREATE TABLE kept (id int PRIMARY KEY, v text)');
    await query(store.url, 'INSERT INTO kept VALUES ($1, $2)', [1, 'before the recycle']);

    await store.recycle();
    const second = store.pid();
    expect(second).not.toBe(first);
    expect(() => process.kill(first, 0)).toThrow();
    expect(await query(store.url, 'SELECT v FROM kept')).toEqual([{ v: 'before the recycle' }]);
    // Give the supervisor a moment: it must not start a third process or log a crash.
    await new Promise((r) => setTimeout(r, 500));
    expect(store.pid()).toBe(second);
    expect(store.state()).toBe('up');
    expect(store.restarts()).toBe(0);
    expect(logs.some((l) => /stopped: /.test(l))).toBe(false);

    // A crash after a recycle is still seen and mended.
    process.kill(second, 'SIGKILL');
    for (let i = 0; i < 200 && !(store.state() === 'up' && store.pid() !== second); i++) await new Promise((r) => setTimeout(r, 100));
    expect(store.pid()).not.toBe(second);
    expect(store.restarts()).toBe(1);
    expect(await query(store.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
  });

  it('creates the database in a process that has exited when createPgliteDatabase returns; the store then only opens it', async () => {
    const own = await mkdtemp(join(tmpdir(), 'weft-store-create-'));
    let opened: PgliteProcess | undefined;
    try {
      const dataDir = join(own, 'data');
      const logs: string[] = [];
      const log = (m: string) => logs.push(m);
      await createPgliteDatabase({ dataDir, log });
      expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
      expect(logs.filter((l) => l.startsWith("Creating the store's database"))).toHaveLength(1);
      // No store process of this folder is alive: the one that created the database exited (and left no record).
      expect(existsSync(join(dataDir, 'pglite-server.json'))).toBe(false);
      const environs = (pid: string) => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'utf8');
        } catch {
          return '';
        }
      };
      if (process.platform === 'linux') {
        const alive = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && environs(p).includes(`WEFT_PGLITE_DIR=${join(dataDir, 'pglite')}\0`));
        expect(alive).toEqual([]);
      }
      // A second call and the store's own start find the database and create nothing.
      await createPgliteDatabase({ dataDir, log });
      opened = await startPgliteProcess({ dataDir, log });
      expect(logs.filter((l) => l.startsWith("Creating the store's database"))).toHaveLength(1);
      expect(await query(opened.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await opened?.stop().catch(() => undefined);
      await rm(own, { recursive: true, force: true });
    }
  });
});
