// The embedded dev server as `npm start` keeps it: adopted after Weft dies, restarted when it dies, a foreign port named.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDevServer } from './dev-server';
import { readRecord, recordPath, startEmbeddedTemporal, type EmbeddedTemporal } from './embedded';
import { findPortHolder, isAlive } from './processes';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-embedded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the embedded Temporal dev server', () => {
  it('adopts the server an earlier Weft left on this data folder, restarts it when it dies, and forgets it when stopped', async () => {
    const dataDir = join(dir, 'adopt');
    const [port, uiPort] = [await freePort(), await freePort()];
    // What a SIGKILLed Weft leaves behind: its dev server, still running on the data folder's database (no record here,
    // so the server is recognised from its command line, through the port's owner in /proc).
    const orphan = await startDevServer({ dbFile: join(dataDir, 'temporal.db'), port, uiPort });
    const holder = await findPortHolder(port);
    expect(holder?.pid).toBe(orphan.pid);
    const lines: string[] = [];
    let embedded: EmbeddedTemporal | null = null;
    try {
      embedded = await startEmbeddedTemporal({ dataDir, port, uiPort, log: (m) => lines.push(m), backoff: { initialMs: 200, maxMs: 1_000 } });
      expect(embedded.origin()).toBe('adopted');
      expect(embedded.pid()).toBe(orphan.pid);
      expect(lines.join('\n')).toContain(`Adopting the Temporal dev server an earlier Weft left running (pid ${orphan.pid}`);
      const record = await readRecord(dataDir);
      expect(record).toMatchObject({ pid: orphan.pid, port, uiPort, dbFile: join(dataDir, 'temporal.db') });
      expect(record?.argv).toContain('start-dev');

      // The server dies: the supervisor notices (it is not our child, so by polling) and starts a new one on the same ports.
      process.kill(orphan.pid, 'SIGKILL');
      await until('a restarted server', () => embedded?.restarts() === 1 && embedded.state() === 'up');
      expect(embedded.pid()).not.toBe(orphan.pid);
      expect(embedded.origin()).toBe('started');
      expect(lines.join('\n')).toMatch(/stopped: it exited\. Restarting it on 127\.0\.0\.1:\d+[\s\S]*Temporal is back/);
      const connection = await Connection.connect({ address: embedded.address });
      expect((await connection.workflowService.describeNamespace({ namespace: 'default' })).namespaceInfo?.name).toBe('default');
      await connection.close();
      expect((await readRecord(dataDir))?.pid).toBe(embedded.pid());
    } finally {
      const pid = embedded?.pid();
      await embedded?.stop();
      await orphan.stop();
      if (pid) expect(isAlive(pid)).toBe(false);
    }
    expect(existsSync(recordPath(dataDir))).toBe(false);
  });

  it('restarts a server it started, after its own child is killed', async () => {
    const dataDir = join(dir, 'own');
    const [port, uiPort] = [await freePort(), await freePort()];
    const lines: string[] = [];
    const embedded = await startEmbeddedTemporal({ dataDir, port, uiPort, log: (m) => lines.push(m), backoff: { initialMs: 200, maxMs: 1_000 } });
    try {
      expect(embedded.origin()).toBe('started');
      const first = embedded.pid();
      expect(JSON.parse(await readFile(recordPath(dataDir), 'utf8'))).toMatchObject({ pid: first, port, uiPort });
      process.kill(first, 'SIGKILL');
      await until('the state to say restarting', () => embedded.state() === 'restarting' || embedded.restarts() > 0, 10_000);
      await until('a restarted server', () => embedded.restarts() === 1 && embedded.state() === 'up');
      expect(embedded.pid()).not.toBe(first);
      expect(lines.join('\n')).toContain(`The Temporal dev server (pid ${first}) stopped: it was killed by SIGKILL.`);
    } finally {
      await embedded.stop();
    }
    expect(isAlive(embedded.pid())).toBe(false);
  });

  it('names the process that holds its port when that is not its own server, and says what to do', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const start = startEmbeddedTemporal({ dataDir: join(dir, 'taken'), port, uiPort: await freePort(), log: () => {} });
      await expect(start).rejects.toThrow(new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use by pid ${process.pid} \\(.*node`));
      await expect(start).rejects.toThrow(/not this Weft's dev server[\s\S]*Stop that process, or start Weft with other ports \(TEMPORAL_PORT/);
    } finally {
      blocker.close();
    }
  });
});
