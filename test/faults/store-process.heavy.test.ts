// FAULT: the embedded store's own process (runtime/store/pglite-process.ts) is killed, or left behind by an earlier
// Weft. The supervisor restarts it on the same socket with the data intact, and a new start stops a leftover store
// process before opening the folder (two PGlites on one folder would corrupt it). Heavy (three PGlite starts, ~30 s
// on a loaded machine): `npm run test:faults` only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { queryOnce as query } from '../support/pg-admin';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteRecordPath, startPgliteProcess, type PgliteProcess } from '../../runtime/store/pglite-process';
import { isAlive } from '../../runtime/temporal/processes';
import { tempDir, waitFor } from './support';

describe('the embedded store process', () => {
  const started: PgliteProcess[] = [];
  let dir: { path: string; remove(): Promise<void> } | undefined;
  afterAll(async () => {
    for (const p of started) await p.stop().catch(() => undefined);
    await dir?.remove();
  });

  it('is restarted with its data after a SIGKILL, and a leftover one is stopped by the next start', async () => {
    dir = await tempDir('weft-store-process-');
    const dataDir = join(dir.path, 'data');
    const logs: string[] = [];
    const first = await startPgliteProcess({ dataDir, log: (m) => logs.push(m), backoff: { initialMs: 100, maxMs: 1_000 } });
    started.push(first);
    expect(logs.some((l) => /Creating the store's database/.test(l))).toBe(true);
    await query(first.url, 'CREATE TABLE kept (id int PRIMARY KEY, v text)');
    await query(first.url, 'INSERT INTO kept VALUES ($1, $2)', [1, 'before the kill']);

    const killed = first.pid();
    process.kill(killed, 'SIGKILL');
    await waitFor('the store process to be restarted', async () => first.state() === 'up' && first.pid() !== killed && first.restarts() === 1);
    expect(isAlive(killed)).toBe(false);
    expect(await query(first.url, 'SELECT v FROM kept')).toEqual([{ v: 'before the kill' }]);
    expect(logs.some((l) => /stopped: it was killed by SIGKILL/.test(l))).toBe(true);

    // A store process an earlier Weft left behind (its supervisor gone): started by hand with the record it would have.
    await first.stop();
    const { url } = first;
    const socketDir = decodeURIComponent(new URL(url).searchParams.get('host') ?? '');
    const orphan = spawn(process.execPath, [resolve('dist/store/pglite-main.mjs')], {
      env: { ...process.env, WEFT_PGLITE_DIR: join(dataDir, 'pglite'), WEFT_PGLITE_SOCKET: join(socketDir, '.s.PGSQL.5432') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ready) => orphan.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && ready()));
    await writeFile(pgliteRecordPath(dataDir), JSON.stringify({ pid: orphan.pid, pgliteDir: join(dataDir, 'pglite'), socketDir, startedAt: new Date().toISOString() }));
    const leftover = orphan.pid ?? -1;
    const second = await startPgliteProcess({ dataDir, log: (m) => logs.push(m) });
    started.push(second);
    expect(orphan.exitCode !== null || orphan.signalCode !== null || !isAlive(leftover)).toBe(true);
    expect(logs.some((l) => l.includes(`Stopping the store process an earlier Weft left running (pid ${leftover})`))).toBe(true);
    expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'before the kill' }]);

    await second.stop();
    expect(isAlive(second.pid())).toBe(false);
    expect(existsSync(pgliteRecordPath(dataDir))).toBe(false);
  });
});
