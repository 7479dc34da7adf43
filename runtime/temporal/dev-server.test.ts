import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveTemporalCli, startDevServer } from './dev-server';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-dev-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startDevServer', () => {
  it('starts a persistent server that answers, and stops its process group', async () => {
    const server = await startDevServer({ dbFile: join(dir, 'data', 'temporal.db') });
    try {
      const connection = await Connection.connect({ address: server.address });
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(ns.namespaceInfo?.name).toBe('default');
      await connection.close();
      const ui = await fetch(`http://${server.uiAddress}/`);
      expect(ui.status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(alive(server.pid)).toBe(false);
    await server.stop(); // twice is fine
  });

  it('reports a server that dies while starting, with the end of its output', async () => {
    const notAFile = join(dir, 'a-directory.db');
    await mkdir(notAFile);
    await expect(startDevServer({ dbFile: notAFile })).rejects.toThrow(/The Temporal dev server exited with code 1\.\n[\s\S]*unable to open database file/);
  });

  it('refuses a port that is already taken', async () => {
    const port = Number(inject('temporalAddress').split(':')[1]);
    await expect(startDevServer({ port })).rejects.toThrow(`its gRPC port 127.0.0.1:${port} is already in use`);
  });

  it('says so when TEMPORAL_CLI_PATH points nowhere', async () => {
    const saved = process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_PATH = join(dir, 'no-such-temporal');
    try {
      await expect(resolveTemporalCli()).rejects.toThrow(/TEMPORAL_CLI_PATH is set to .*no-such-temporal, but there is no executable there/);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
      else process.env.TEMPORAL_CLI_PATH = saved;
    }
  });
});
